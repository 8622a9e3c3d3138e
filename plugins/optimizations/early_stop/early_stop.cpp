// Early stopping: stop when the test metric (accuracy for classifiers, RMSE
// for regressors) stops improving, when it reaches a target, or before the
// next epoch would overrun a time, energy or CO2 budget. Every epoch not run is energy not
// spent.
#include <fmt/format.h>

#include "carbonbench/sdk.h"

namespace carbonbench::optimizations {

class EarlyStop : public Optimization {
 public:
  static std::vector<ParamSpec> Parameters() {
    return {
        IntParam("patience", 3, "epochs without improvement before stopping", 1, 10000),
        FloatParam("min_delta", 0.1,
                   "smallest gain that counts as improvement: accuracy points (classifiers) or "
                   "percent of the best RMSE (regressors)",
                   0.0, 100.0),
        FloatParam("target_acc", 0.0,
                   "classifiers: stop once test accuracy reaches this percentage (0: no target)",
                   0.0, 100.0),
        FloatParam("target_rmse", 0.0,
                   "regressors: stop once test RMSE is at or below this, in the target's units (0: "
                   "no target)",
                   0.0, 1e12),
        FloatParam("time_budget_s", 0.0,
                   "stop before the next epoch would end past this many seconds (0: no budget)",
                   0.0, 1e9),
        FloatParam("max_energy_wh", 0.0,
                   "stop before the next epoch would take training past this energy, in Wh, PUE "
                   "applied (0: no budget)",
                   0.0, 1e12),
        FloatParam(
            "max_co2_g", 0.0,
            "stop before the next epoch would take training past this CO2, in g (0: no budget)",
            0.0, 1e12)};
  }

  void Configure(const Params& params) override {
    patience_ = params.GetInt("patience");
    min_delta_points_ = params.GetFloat("min_delta");
    target_percent_ = params.GetFloat("target_acc");
    target_rmse_ = params.GetFloat("target_rmse");
    time_budget_s_ = params.GetFloat("time_budget_s");
    max_energy_wh_ = params.GetFloat("max_energy_wh");
    max_co2_g_ = params.GetFloat("max_co2_g");
  }

  OptimizationDeclaration Declaration() const override {
    OptimizationDeclaration declaration;
    declaration.stopping_rule = true;
    declaration.target_accuracy_param = "target_acc";
    declaration.time_budget_param = "time_budget_s";
    declaration.energy_budget_param = "max_energy_wh";
    declaration.co2_budget_param = "max_co2_g";
    declaration.params_added_later = {"max_energy_wh", "max_co2_g"};
    declaration.command_line_flags = {
        {"--early_stop", "stop when test accuracy stops improving", "", FlagValue::kSwitch},
        {"--target_acc", "stop at this test accuracy in percent (implies --early_stop)",
         "target_acc", FlagValue::kNumber},
        {"--time_budget",
         "stop before this much training time: 1800, 30m, 1.5h (implies --early_stop)",
         "time_budget_s", FlagValue::kDuration}};
    return declaration;
  }

  // After every other hook: the decision sees the epoch as others left it.
  int Order() const override { return 90; }

  void OnModelBuilt(TrainingContext& ctx) override {
    regression_ = ctx.dataset != nullptr && ctx.dataset->task == TaskKind::kRegression;
    if (regression_ && target_percent_ > 0 && ctx.warn) {
      ctx.warn("early_stop.target_acc does not apply to a regressor: use early_stop.target_rmse");
    }
    if (!regression_ && target_rmse_ > 0 && ctx.warn) {
      ctx.warn("early_stop.target_rmse does not apply to a classifier: use early_stop.target_acc");
    }
  }

  EpochDecision OnEpochEnd(TrainingContext&, const EpochMetrics& metrics) override {
    const double epoch_s = metrics.elapsed_s - previous_elapsed_s_;
    previous_elapsed_s_ = metrics.elapsed_s;
    // Budgets project the next epoch from the last one's measured cost.
    const double epoch_wh = metrics.energy_wh - previous_energy_wh_;
    previous_energy_wh_ = metrics.energy_wh;
    const double epoch_co2_g = metrics.co2_g - previous_co2_g_;
    previous_co2_g_ = metrics.co2_g;
    if (EpochDecision decision = regression_ ? JudgeRmse(metrics) : JudgeAccuracy(metrics);
        decision.stop) {
      return decision;
    }
    if (time_budget_s_ > 0 && metrics.elapsed_s + epoch_s > time_budget_s_) {
      return {true, fmt::format("the next epoch would end past the {:.0f} s time budget "
                                "({:.1f} s used, about {:.1f} s per epoch)",
                                time_budget_s_, metrics.elapsed_s, epoch_s)};
    }
    if (max_energy_wh_ > 0 && metrics.energy_wh + epoch_wh > max_energy_wh_) {
      return {true, fmt::format("the next epoch would take training past the {:.4g} Wh energy "
                                "budget ({:.4g} Wh used, about {:.4g} Wh per epoch)",
                                max_energy_wh_, metrics.energy_wh, epoch_wh)};
    }
    if (max_co2_g_ > 0 && metrics.co2_g + epoch_co2_g > max_co2_g_) {
      return {true, fmt::format("the next epoch would take training past the {:.4g} g CO2 budget "
                                "({:.4g} g used, about {:.4g} g per epoch)",
                                max_co2_g_, metrics.co2_g, epoch_co2_g)};
    }
    return {};
  }

 private:
  EpochDecision JudgeAccuracy(const EpochMetrics& metrics) {
    const double accuracy_percent = 100.0 * metrics.test_accuracy;
    if (accuracy_percent >= best_ + min_delta_points_ || best_epoch_ == 0) {
      best_ = accuracy_percent;
      best_epoch_ = metrics.epoch;
    }
    if (target_percent_ > 0 && accuracy_percent >= target_percent_) {
      return {true, fmt::format("reached the target accuracy {:.1f}% at epoch {} ({:.2f}%)",
                                target_percent_, metrics.epoch, accuracy_percent)};
    }
    if (metrics.epoch - best_epoch_ >= patience_) {
      return {true, fmt::format("no gain of {:.2f} points in {} epochs (best {:.2f}% at epoch {})",
                                min_delta_points_, patience_, best_, best_epoch_)};
    }
    return {};
  }

  // Lower is better; a gain is relative, as RMSE has the target's units.
  EpochDecision JudgeRmse(const EpochMetrics& metrics) {
    const double rmse = metrics.test_rmse;
    if (best_epoch_ == 0 || rmse <= best_ * (1.0 - min_delta_points_ / 100.0)) {
      best_ = rmse;
      best_epoch_ = metrics.epoch;
    }
    if (target_rmse_ > 0 && rmse <= target_rmse_) {
      return {true, fmt::format("reached the target RMSE {:.4g} at epoch {} ({:.4g})", target_rmse_,
                                metrics.epoch, rmse)};
    }
    if (metrics.epoch - best_epoch_ >= patience_) {
      return {true, fmt::format("no gain of {:.2f}% in RMSE in {} epochs (best {:.4g} at epoch {})",
                                min_delta_points_, patience_, best_, best_epoch_)};
    }
    return {};
  }

 private:
  int64_t patience_ = 3;
  double min_delta_points_ = 0.1;
  double target_percent_ = 0;
  double time_budget_s_ = 0;
  double target_rmse_ = 0;
  bool regression_ = false;
  double best_ = 0;  // accuracy percent, or RMSE
  int best_epoch_ = 0;
  double previous_elapsed_s_ = 0;
  double max_energy_wh_ = 0;
  double max_co2_g_ = 0;
  double previous_energy_wh_ = 0;
  double previous_co2_g_ = 0;
};

}  // namespace carbonbench::optimizations

CARBONBENCH_REGISTER_OPTIMIZATION(
    carbonbench::optimizations::EarlyStop, "early_stop", "1.0.0",
    "Stop on a plateau, at a target accuracy or before a time budget runs out")
