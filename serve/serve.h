/* `vnn serve`: the models of a folder over HTTP, speaking the Open
 * Inference Protocol (KServe v2). */
#ifndef VNN_SERVE_H
#define VNN_SERVE_H

#include <stdio.h>

void serve_usage(FILE *out);
/* argv[0] is "serve". Returns the exit status. */
int cmd_serve(int argc, char **argv);

#endif
