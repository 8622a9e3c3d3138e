// Dynamic loss scaling for fp16, as torch.cuda.amp.GradScaler does it
// (libtorch's C++ API has none): the loss is multiplied by a large scale so
// small gradients survive fp16's narrow range; before each step the
// gradients are divided back, and a step whose gradients overflowed is
// skipped and the scale halved. After `growth_interval` good steps in a row
// the scale doubles again.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace carbonbench::optimizations {

struct LossScalerSettings {
  double initial_scale = 65536.0;
  std::int64_t growth_interval = 2000;  // good steps before the scale doubles
  double growth_factor = 2.0;
  double backoff_factor = 0.5;
  double min_scale = 1.0;
};

class DynamicLossScaler {
 public:
  explicit DynamicLossScaler(LossScalerSettings settings = {})
      : settings_(settings), scale_(settings.initial_scale) {}

  double scale() const { return scale_; }
  std::int64_t skipped_steps() const { return skipped_steps_; }

  torch::Tensor Scale(const torch::Tensor& loss) const { return loss * scale_; }

  // Divides every gradient by the scale in place and updates the scale.
  // Returns false when a gradient is not finite: skip this step.
  bool UnscaleAndUpdate(const std::vector<torch::Tensor>& parameters) {
    torch::NoGradGuard no_grad;
    torch::Tensor overflow;  // one flag on the gradients' device: one sync
    for (const auto& parameter : parameters) {
      const torch::Tensor& grad = parameter.grad();
      if (!grad.defined()) continue;
      grad.div_(scale_);
      const torch::Tensor bad = torch::isfinite(grad).logical_not().any();
      overflow = overflow.defined() ? overflow.logical_or(bad) : bad;
    }
    if (overflow.defined() && overflow.item<bool>()) {
      scale_ = std::max(settings_.min_scale, scale_ * settings_.backoff_factor);
      good_steps_ = 0;
      ++skipped_steps_;
      return false;
    }
    if (++good_steps_ >= settings_.growth_interval) {
      scale_ *= settings_.growth_factor;
      good_steps_ = 0;
    }
    return true;
  }

 private:
  LossScalerSettings settings_;
  double scale_;
  std::int64_t good_steps_ = 0;
  std::int64_t skipped_steps_ = 0;
};

}  // namespace carbonbench::optimizations
