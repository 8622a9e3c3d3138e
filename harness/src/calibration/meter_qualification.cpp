#include "calibration/meter_qualification.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace carbonbench::calibration {

double PowerRatio(const QualificationWindow& window) {
  return window.reference_w > 0 ? window.counter_w / window.reference_w : 0.0;
}

Agreement Summarise(const std::vector<QualificationWindow>& windows) {
  Agreement agreement;
  double sum = 0;
  for (const QualificationWindow& window : windows) {
    if (!(window.reference_w > 0) || !std::isfinite(window.counter_w)) continue;
    const double difference = std::abs(window.counter_w - window.reference_w) / window.reference_w;
    sum += difference;
    agreement.max_relative_difference = std::max(agreement.max_relative_difference, difference);
    ++agreement.windows;
  }
  if (agreement.windows > 0) agreement.mean_relative_difference = sum / agreement.windows;
  return agreement;
}

std::string FormatQualification(const std::string& counter, const std::string& reference,
                                const std::vector<QualificationWindow>& windows) {
  std::string text = fmt::format("  {:>6}  {:<5} {:>6}  {:>12}  {:>12}  {:>6}\n", "window", "state",
                                 "load", counter + " W", reference + " W", "ratio");
  int number = 0;
  for (const QualificationWindow& window : windows) {
    text += fmt::format("  {:>6}  {:<5} {:>5.0f}%  {:>12.2f}  {:>12.2f}  {:>6.3f}\n", ++number,
                        window.state, window.load * 100.0, window.counter_w, window.reference_w,
                        PowerRatio(window));
  }
  const Agreement agreement = Summarise(windows);
  if (agreement.windows == 0) {
    text += fmt::format("Agreement: none measurable ({} read no power in any window)\n", reference);
  } else {
    text += fmt::format(
        "Agreement of {} with {} over {} windows: mean difference {:.1f} %, largest {:.1f} %\n",
        counter, reference, agreement.windows, agreement.mean_relative_difference * 100.0,
        agreement.max_relative_difference * 100.0);
  }
  return text;
}

}  // namespace carbonbench::calibration
