#include "carbonbench/dropout.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <ATen/ops/dropout.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/zeros_like.h>
#include <fmt/format.h>

namespace carbonbench {
namespace detail {
namespace {

constexpr uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ULL;

// SplitMix64's output function (Steele, Lea and Flood 2014) at position
// `index` of the stream `seed`: passes BigCrush, and needs no state carried
// from one element to the next, so any thread can start anywhere.
inline uint64_t SplitMix64(uint64_t seed, uint64_t index) {
  uint64_t z = seed + (index + 1) * kGoldenGamma;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// One 64-bit draw decides two elements: its low half the even one, its high
// half the odd one. Written as unsigned integers of the element's width, so
// one loop serves every floating type.
template <typename Bits>
void FillPairs(Bits* out, int64_t numel, uint64_t seed, uint32_t drop_threshold, Bits keep) {
  constexpr int64_t kGrainPairs = 16384;
  at::parallel_for(0, (numel + 1) / 2, kGrainPairs, [&](int64_t begin, int64_t end) {
    for (int64_t pair = begin; pair < end; ++pair) {
      const uint64_t draw = SplitMix64(seed, static_cast<uint64_t>(pair));
      const int64_t even = 2 * pair;
      out[even] = static_cast<uint32_t>(draw) >= drop_threshold ? keep : Bits{0};
      if (even + 1 < numel) {
        out[even + 1] = static_cast<uint32_t>(draw >> 32) >= drop_threshold ? keep : Bits{0};
      }
    }
  });
}

}  // namespace

void FillDropoutNoise(void* out, int64_t numel, int64_t element_size, uint64_t seed,
                      uint32_t drop_threshold, uint64_t keep_bits) {
  switch (element_size) {
    case 2:
      FillPairs(static_cast<uint16_t*>(out), numel, seed, drop_threshold,
                static_cast<uint16_t>(keep_bits));
      return;
    case 4:
      FillPairs(static_cast<uint32_t*>(out), numel, seed, drop_threshold,
                static_cast<uint32_t>(keep_bits));
      return;
    case 8:
      FillPairs(static_cast<uint64_t*>(out), numel, seed, drop_threshold, keep_bits);
      return;
    default:
      throw std::invalid_argument(fmt::format(
          "dropout noise: elements of {} bytes are not supported (2, 4 or 8)", element_size));
  }
}

}  // namespace detail

namespace {

uint64_t DrawSeed() {
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return at::check_generator<at::CPUGeneratorImpl>(generator)->random64();
}

// The bit pattern of `value` as an element of `type`.
uint64_t BitsOf(double value, at::ScalarType type) {
  uint64_t bits = 0;
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kBFloat16, at::kHalf, type, "carbonbench_dropout", [&] {
    const auto element = static_cast<scalar_t>(value);
    std::memcpy(&bits, &element, sizeof(element));
  });
  return bits;
}

}  // namespace

torch::Tensor Dropout(const torch::Tensor& input, double probability, bool training) {
  if (probability < 0.0 || probability > 1.0) {
    throw std::invalid_argument(fmt::format(
        "dropout probability has to be between 0 and 1, but got {}", std::to_string(probability)));
  }
  if (!training || probability == 0.0 || input.numel() == 0) return input;
  if (!input.device().is_cpu() || !at::isFloatingType(input.scalar_type())) {
    return at::dropout(input, probability, training);
  }
  // As torch::dropout: everything dropped, and still a function of the input.
  if (probability == 1.0) return input * at::zeros_like(input);

  at::Tensor noise = at::empty(input.sizes(), input.options().requires_grad(false));
  const auto drop_threshold =
      static_cast<uint32_t>(std::min(std::llround(probability * 4294967296.0), 4294967295LL));
  detail::FillDropoutNoise(noise.data_ptr(), noise.numel(), noise.element_size(), DrawSeed(),
                           drop_threshold, BitsOf(1.0 / (1.0 - probability), input.scalar_type()));
  // The product is what autograd sees: the backward multiplies by the same noise.
  return input * noise;
}

}  // namespace carbonbench
