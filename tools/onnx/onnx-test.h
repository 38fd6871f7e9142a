/* `vnn onnx-test`: the ONNX backend node tests on vnn's kernels. */
#ifndef VNN_TOOLS_ONNX_TEST_H
#define VNN_TOOLS_ONNX_TEST_H

/* argv[0] is "onnx-test". Returns the exit status. */
int cmd_onnx_test(int argc, char **argv);

#endif
