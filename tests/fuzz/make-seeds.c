/* make-seeds DIR: writes the tiny model files of tests/reliability/tiny-models.c
 * (each family, F32 and F16/BF16) into DIR, the seeds of the safetensors and
 * model fuzzers (tests/fuzz/corpus/{safetensors,model}). */
#include <stdio.h>
#include <stdlib.h>

#include "tiny-models.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make-seeds DIR\n");
        return 2;
    }
    for (int i = 0; tiny_families[i]; i++)
        for (int half = 0; half < 2; half++) {
            size_t size;
            unsigned char *data = tiny_model(tiny_families[i], half, &size);
            char path[4096];
            snprintf(path, sizeof path, "%s/tiny-%s%s.safetensors", argv[1], tiny_families[i],
                     half ? "-f16" : "");
            FILE *f = data ? fopen(path, "wb") : NULL;
            if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
                fprintf(stderr, "make-seeds: cannot write %s\n", path);
                return 1;
            }
            free(data);
        }
    return 0;
}
