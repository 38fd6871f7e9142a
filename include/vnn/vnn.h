/* vnn: hand-written SIMD CPU kernels for neural-network inference. */
#ifndef VNN_H
#define VNN_H

#include "vnn/status.h"
#include "vnn/cpu.h"
#include "vnn/gemm.h"
#include "vnn/conv.h"
#include "vnn/pool.h"
#include "vnn/ops.h"
#include "vnn/lstm.h"
#include "vnn/attention.h"
#include "vnn/model.h"

#define VNN_VERSION_MAJOR 0
#define VNN_VERSION_MINOR 1
#define VNN_VERSION_PATCH 0

#endif
