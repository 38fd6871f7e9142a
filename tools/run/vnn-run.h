/* The `vnn run` command (tools/run/vnn-run.c). */
#ifndef VNN_RUN_H
#define VNN_RUN_H

#include <stdio.h>

int cmd_run(int argc, char **argv);
void run_usage(FILE *out);

#endif
