// Mixed precision: forward passes under autocast (bf16 on CPU, fp16 or bf16
// on CUDA), with dynamic loss scaling for fp16, whose range is too narrow
// for small gradients.
#include <fstream>
#include <string>

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include "carbonbench/sdk.h"
#include "loss_scaler.h"

namespace carbonbench::optimizations {
namespace detail {

bool CpuHasNativeBf16() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string word;
  while (cpuinfo >> word) {
    if (word == "avx512_bf16" || word == "amx_bf16") return true;
  }
  return false;
}

// Enables autocast for one device type and restores the previous state.
class AutocastScope : public ForwardScope {
 public:
  AutocastScope(bool cuda, at::ScalarType dtype) : cuda_(cuda) {
    if (cuda_) {
      was_enabled_ = at::autocast::is_enabled();
      previous_dtype_ = at::autocast::get_autocast_gpu_dtype();
      at::autocast::set_autocast_gpu_dtype(dtype);
      at::autocast::set_enabled(true);
    } else {
      was_enabled_ = at::autocast::is_cpu_enabled();
      previous_dtype_ = at::autocast::get_autocast_cpu_dtype();
      at::autocast::set_autocast_cpu_dtype(dtype);
      at::autocast::set_cpu_enabled(true);
    }
    at::autocast::increment_nesting();
  }

  ~AutocastScope() override {
    // Casted weight copies are cached while nested; drop them on the way out
    // as torch.autocast does, or they would go stale after the step.
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    if (cuda_) {
      at::autocast::set_enabled(was_enabled_);
      at::autocast::set_autocast_gpu_dtype(previous_dtype_);
    } else {
      at::autocast::set_cpu_enabled(was_enabled_);
      at::autocast::set_autocast_cpu_dtype(previous_dtype_);
    }
  }

 private:
  bool cuda_;
  bool was_enabled_ = false;
  at::ScalarType previous_dtype_ = at::kFloat;
};

}  // namespace detail

class MixedPrecision : public Optimization {
 public:
  static std::vector<ParamSpec> Parameters() {
    return {
        EnumParam(
            "dtype", "auto", {"auto", "bf16", "fp16"},
            "reduced precision type: auto picks bf16 on CPU and fp16 on CUDA; fp16 needs CUDA"),
        FloatParam("loss_scale", 65536.0, "initial loss scale (fp16 only)", 1.0, 16777216.0),
        IntParam("growth_interval", 2000,
                 "steps without overflow before the loss scale doubles (fp16 only)", 1, 1000000)};
  }

  void Configure(const Params& params) override {
    requested_ = params.GetString("dtype");
    LossScalerSettings scaling;
    scaling.initial_scale = params.GetFloat("loss_scale");
    scaling.growth_interval = params.GetInt("growth_interval");
    scaler_ = DynamicLossScaler(scaling);
  }

  int Order() const override { return 10; }

  OptimizationDeclaration Declaration() const override {
    OptimizationDeclaration declaration;
    declaration.command_line_flags = {
        {"--fp16", "mixed precision (bf16 autocast on CPU, fp16 with loss scaling on CUDA)", "",
         FlagValue::kSwitch}};
    return declaration;
  }

  void OnModelBuilt(TrainingContext& ctx) override {
    cuda_ = ctx.device.is_cuda();
    if (requested_ == "fp16" && !cuda_) {
      throw std::invalid_argument(
          "mixed_precision.dtype = fp16 needs a CUDA device, and this run is on the CPU: use "
          "dtype bf16 (or auto) on CPUs");
    }
    const bool fp16 = requested_ == "fp16" || (requested_ == "auto" && cuda_);
    dtype_ = fp16 ? at::kHalf : at::kBFloat16;
    scaling_ = fp16;
    ctx.compute_dtype = fp16 ? "fp16 autocast, dynamic loss scaling" : "bf16 autocast";
    if (!cuda_ && !detail::CpuHasNativeBf16() && ctx.warn) {
      ctx.warn(
          "mixed_precision: this CPU has no native bf16 instructions (avx512_bf16/amx_bf16); "
          "bf16 is emulated and may be slower than fp32");
    }
  }

  std::unique_ptr<ForwardScope> EnterForward(TrainingContext&) override {
    return std::make_unique<detail::AutocastScope>(cuda_, dtype_);
  }

  torch::Tensor ScaleLoss(TrainingContext&, torch::Tensor loss) override {
    return scaling_ ? scaler_.Scale(loss) : loss;
  }

  bool BeforeOptimizerStep(TrainingContext& ctx) override {
    return !scaling_ || scaler_.UnscaleAndUpdate(ctx.network->parameters());
  }

  void OnFinalNetwork(TrainingContext& ctx) override {
    if (scaling_ && ctx.record) {
      ctx.record("mixed_precision.skipped_steps", static_cast<double>(scaler_.skipped_steps()));
      ctx.record("mixed_precision.final_loss_scale", scaler_.scale());
    }
  }

 private:
  std::string requested_ = "auto";
  bool cuda_ = false;
  bool scaling_ = false;
  at::ScalarType dtype_ = at::kBFloat16;
  DynamicLossScaler scaler_;
};

}  // namespace carbonbench::optimizations

CARBONBENCH_REGISTER_OPTIMIZATION(
    carbonbench::optimizations::MixedPrecision, "mixed_precision", "1.0.0",
    "Autocast forward passes to bf16 (CPU) or fp16 (CUDA, with dynamic loss scaling)")
