// The compute-bound steps of the calibration ladder: dense matrix
// multiplies through torch on every thread, in fp32 and in bf16 (the
// precisions training runs in), so the profile sees the power of the
// kernels carbonbench actually runs.
#pragma once

#include "calibration/load_ladder.h"

namespace carbonbench {

enum class MatrixPrecision { kFloat32, kBFloat16 };

// "fp32 matmul" or "bf16 matmul": torch::mm of two square matrices in a
// loop, torch's intra-op threads set to `threads` while it runs (and
// restored after).
calibration::LadderStep MatrixMultiplyStep(MatrixPrecision precision, int threads);

}  // namespace carbonbench
