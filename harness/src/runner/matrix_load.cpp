#include "runner/matrix_load.h"

#include <torch/torch.h>

namespace carbonbench {
namespace {

// Large enough that the multiply is compute-bound and each call takes a
// fraction of a second on a few cores, so a stop request is seen soon.
constexpr std::int64_t kSideFloat32 = 768;
// bf16 kernels without native support run several times slower.
constexpr std::int64_t kSideBFloat16 = 384;

}  // namespace

calibration::LadderStep MatrixMultiplyStep(MatrixPrecision precision, int threads) {
  const bool bf16 = precision == MatrixPrecision::kBFloat16;
  return {bf16 ? "bf16 matmul" : "fp32 matmul", [bf16, threads](const std::atomic<bool>& stop) {
            // Intra-op threads are per calling thread's pool in torch: set
            // here, on the thread that multiplies.
            const int previous = at::get_num_threads();
            at::set_num_threads(std::max(1, threads));
            torch::NoGradGuard no_grad;
            const auto dtype = bf16 ? torch::kBFloat16 : torch::kFloat32;
            const std::int64_t side = bf16 ? kSideBFloat16 : kSideFloat32;
            const torch::Tensor a = torch::rand({side, side}).to(dtype);
            const torch::Tensor b = torch::rand({side, side}).to(dtype);
            torch::Tensor c = torch::empty({side, side}, dtype);
            while (!stop.load(std::memory_order_relaxed)) torch::mm_out(c, a, b);
            at::set_num_threads(previous);
          }};
}

}  // namespace carbonbench
