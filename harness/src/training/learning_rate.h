// The learning rate of every optimizer step under a schedule, as a plain
// function of the step, so each schedule is tested on numbers alone.
#pragma once

#include <cstdint>
#include <string>

namespace carbonbench {

struct LearningRateSchedule {
  std::string kind = "constant";  // constant | step | cosine | one_cycle
  double base_lr = 1e-3;
  // Linear warm-up from base_lr / warmup steps up to base_lr over this many
  // epochs, before constant, step or cosine (one_cycle has its own).
  int warmup_epochs = 0;
  int step_epochs = 10;  // step: multiply by `gamma` every this many epochs
  double gamma = 0.1;
};

// Learning rate for optimizer step `step` (0-based) of `total_steps`, with
// `steps_per_epoch` steps an epoch. one_cycle follows PyTorch's OneCycleLR
// defaults: up from base_lr / 25 to base_lr over the first 30% of the steps
// (cosine), then down to base_lr / 25e4.
double LearningRateAt(const LearningRateSchedule& schedule, std::int64_t step,
                      std::int64_t steps_per_epoch, std::int64_t total_steps);

}  // namespace carbonbench
