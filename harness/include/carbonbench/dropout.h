// Dropout with a mask drawn in parallel: what torch::dropout computes, at a
// fraction of its cost on CPU.
//
// libtorch built without MKL (Debian's, for one) fills dropout's mask with
// bernoulli_, which draws one 64-bit number per element from the global
// generator, on one thread: 9.6 ms for one of BERT-tiny's 32x2x128x128
// attention-probability tensors, against 1.2 ms here on 2 threads
// (bench/dropout_bench.cpp). Here each element's keep/drop bit comes from a counter-
// based generator (SplitMix64 of the element's index), so the mask is filled
// by every intra-op thread, and is the same whatever their number. The
// per-call seed is drawn from the global CPU generator, so torch::manual_seed
// still makes training reproducible.
#pragma once

#include <cstdint>

#include <torch/types.h>

namespace carbonbench {

// Zeroes each element of `input` with probability `probability` and scales
// the rest by 1 / (1 - probability), as torch::dropout does; the identity
// when not training. Gradients flow through the kept elements. Inputs other
// than floating-point CPU tensors go to torch::dropout.
torch::Tensor Dropout(const torch::Tensor& input, double probability, bool training);

namespace detail {

// The dropout noise for `numel` elements: 0 where dropped, `keep_bits` (the
// bit pattern of 1 / (1 - p) in the element type) where kept. Element i is
// dropped when 32 bits of SplitMix64(seed, i / 2) fall below
// `drop_threshold` = round(p * 2^32).
void FillDropoutNoise(void* out, int64_t numel, int64_t element_size, uint64_t seed,
                      uint32_t drop_threshold, uint64_t keep_bits);

}  // namespace detail
}  // namespace carbonbench
