/* The Open Inference Protocol (KServe v2) in JSON, with the binary tensor
 * data extension: an infer request's tensors into a batcher job, the job's
 * outputs into the answer; model metadata; error bodies. Knows the models'
 * inputs and outputs, not how they compute. */
#ifndef VNN_SERVE_PROTOCOL_H
#define VNN_SERVE_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include "serve/batcher.h"
#include "vnn/model.h"

struct infer_io {
    int want_logits, want_probs; /* outputs asked for (both if none named) */
    int bin_logits, bin_probs;   /* sent as binary data */
    char *id;                    /* the request's "id", echoed back */
    int64_t timeout_us;          /* parameters.timeout (Triton's name), 0: none */
};

/* Parses an infer request: body holds json_len bytes of JSON, then binary
 * tensor data (json_len == len without the extension). Allocates the job's
 * inputs and outputs. Returns 0, or 400 with a message in err. */
unsigned protocol_parse_infer(const vnn_model_info *info, const char *body, size_t len,
                              size_t json_len, struct serve_job *job, struct infer_io *io,
                              char *err, size_t errlen);
/* Frees what protocol_parse_infer allocated (safe on a zeroed job / io). */
void protocol_job_free(struct serve_job *job, struct infer_io *io);

/* The answer to a finished job: *len bytes, the first *json_len of them JSON
 * (the rest binary outputs). NULL when out of memory. */
char *protocol_infer_response(const char *model_name, const vnn_model_info *info,
                              const struct serve_job *job, const struct infer_io *io,
                              size_t *len, size_t *json_len);

/* The raw-text endpoint's answer: the label and each class's probability. */
char *protocol_classify_response(const char *model_name, const vnn_model *model,
                                 const vnn_model_info *info, const float *probs, int64_t count,
                                 size_t *len);

/* GET /v2/models/{name}. */
char *protocol_metadata(const char *model_name, const vnn_model_info *info, size_t *len);

/* {"error": message}. */
char *protocol_error(const char *message, size_t *len);

#endif
