// Early stopping: stop when test accuracy stops improving, when it reaches a
// target, or before the next epoch would overrun a time budget. Every epoch
// not run is energy not spent.
#include <fmt/format.h>

#include "carbonbench/sdk.h"

namespace carbonbench::optimizations {

class EarlyStop : public Optimization {
 public:
  static std::vector<ParamSpec> Parameters() {
    return {IntParam("patience", 3, "epochs without improvement before stopping", 1, 10000),
            FloatParam("min_delta", 0.1, "smallest gain in test accuracy, in points, that counts as improvement", 0.0, 100.0),
            FloatParam("target_acc", 0.0, "stop once test accuracy reaches this percentage (0: no target)", 0.0, 100.0),
            FloatParam("time_budget_s", 0.0, "stop before the next epoch would end past this many seconds (0: no budget)", 0.0, 1e9)};
  }

  void Configure(const Params& params) override {
    patience_ = params.GetInt("patience");
    min_delta_points_ = params.GetFloat("min_delta");
    target_percent_ = params.GetFloat("target_acc");
    time_budget_s_ = params.GetFloat("time_budget_s");
  }

  // After every other hook: the decision sees the epoch as others left it.
  int Order() const override { return 90; }

  EpochDecision OnEpochEnd(TrainingContext&, const EpochMetrics& metrics) override {
    const double accuracy_percent = 100.0 * metrics.test_accuracy;
    const double epoch_s = metrics.elapsed_s - previous_elapsed_s_;
    previous_elapsed_s_ = metrics.elapsed_s;

    if (accuracy_percent >= best_percent_ + min_delta_points_ || best_epoch_ == 0) {
      best_percent_ = accuracy_percent;
      best_epoch_ = metrics.epoch;
    }
    if (target_percent_ > 0 && accuracy_percent >= target_percent_) {
      return {true, fmt::format("reached the target accuracy {:.1f}% at epoch {} ({:.2f}%)",
                                target_percent_, metrics.epoch, accuracy_percent)};
    }
    if (metrics.epoch - best_epoch_ >= patience_) {
      return {true, fmt::format("no gain of {:.2f} points in {} epochs (best {:.2f}% at epoch {})",
                                min_delta_points_, patience_, best_percent_, best_epoch_)};
    }
    if (time_budget_s_ > 0 && metrics.elapsed_s + epoch_s > time_budget_s_) {
      return {true, fmt::format("the next epoch would end past the {:.0f} s time budget "
                                "({:.1f} s used, about {:.1f} s per epoch)",
                                time_budget_s_, metrics.elapsed_s, epoch_s)};
    }
    return {};
  }

 private:
  int64_t patience_ = 3;
  double min_delta_points_ = 0.1;
  double target_percent_ = 0;
  double time_budget_s_ = 0;
  double best_percent_ = 0;
  int best_epoch_ = 0;
  double previous_elapsed_s_ = 0;
};

}  // namespace carbonbench::optimizations

CARBONBENCH_REGISTER_OPTIMIZATION(carbonbench::optimizations::EarlyStop, "early_stop", "1.0.0",
                                  "Stop on a plateau, at a target accuracy or before a time budget runs out")
