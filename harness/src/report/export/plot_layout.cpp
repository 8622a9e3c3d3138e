#include "report/export/plot_layout.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace carbonbench::report {

bool QualityAgainstEnergyWorthDrawing(std::size_t cells) { return cells >= 2; }

bool TrainingCurvesWorthDrawing(int most_epochs) { return most_epochs >= 2; }

double NiceTickStep(double span, int max_intervals) {
  if (!(span > 0) || max_intervals < 1) return 1;
  const double raw = span / max_intervals;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double multiple : {1.0, 2.0, 5.0}) {
    // The tolerance keeps 0.3 / 3 from rounding up to 0.2 by a hair.
    if (multiple * magnitude >= raw * (1 - 1e-9)) return multiple * magnitude;
  }
  return 10 * magnitude;
}

int DecimalsForStep(double step) {
  if (!(step > 0)) return 0;
  return std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
}

int EpochTickStep(int last_epoch) {
  if (last_epoch <= 1) return 1;
  return std::max(1, static_cast<int>(std::lround(NiceTickStep(last_epoch - 1, 10))));
}

std::string AxisLayout::Commands(const std::string& axis) const {
  return fmt::format("set {0}range [{1}:{2}]\nset {0}tics {3}\nset format {0} \"%.{4}f\"\n", axis,
                     min, max, step, decimals);
}

AxisLayout PaddedAxis(double low, double high, double padding, bool non_negative,
                      int max_intervals) {
  double span = high - low;
  if (!(span > 0)) {
    // One value: a window a tenth of it wide each side (or ±1 around zero).
    span = low != 0 ? std::abs(low) * 0.2 : 2;
    low -= span / 2;
    high += span / 2;
  }
  AxisLayout axis;
  axis.min = low - span * padding;
  axis.max = high + span * padding;
  if (non_negative && axis.min < 0) axis.min = 0;
  axis.step = NiceTickStep(axis.max - axis.min, max_intervals);
  axis.decimals = DecimalsForStep(axis.step);
  return axis;
}

std::optional<AxisLayout> AxisOver(const std::vector<double>& values, double padding,
                                   bool non_negative, int max_intervals) {
  std::optional<double> low, high;
  for (const double value : values) {
    if (!std::isfinite(value)) continue;
    low = std::min(low.value_or(value), value);
    high = std::max(high.value_or(value), value);
  }
  if (!low) return std::nullopt;
  return PaddedAxis(*low, *high, padding, non_negative, max_intervals);
}

AxisLayout EpochAxis(int last_epoch) {
  AxisLayout axis;
  const int last = std::max(1, last_epoch);
  // A little room each side so the first and last markers are whole.
  const double pad = std::max(0.25, 0.03 * (last - 1));
  axis.min = 1 - pad;
  axis.max = last + pad;
  axis.step = EpochTickStep(last);
  axis.decimals = 0;
  return axis;
}

namespace {

struct Box {
  double left, bottom, right, top;

  bool Overlaps(const Box& other) const {
    return left < other.right && other.left < right && bottom < other.top && other.bottom < top;
  }
};

Box BoxAround(double x, double y, double half_width, double half_height) {
  return {x - half_width, y - half_height, x + half_width, y + half_height};
}

}  // namespace

std::vector<std::optional<LabelOffset>> PlaceLabels(const LabelField& field,
                                                    const std::vector<std::string>& texts) {
  std::vector<Box> obstacles;
  for (const PixelPoint& point : field.points) {
    obstacles.push_back(BoxAround(point.x, point.y, field.marker_radius, field.marker_radius));
  }
  for (const auto& [a, b] : field.segments) {
    // Lines are a pixel or two thick; a margin keeps text off them.
    obstacles.push_back({std::min(a.x, b.x) - 2, std::min(a.y, b.y) - 2, std::max(a.x, b.x) + 2,
                         std::max(a.y, b.y) + 2});
  }
  // Right first (where a reader looks), then the other sides, then the
  // corners, then the same a little farther out.
  const std::pair<double, double> directions[] = {{1, 0}, {-1, 0}, {0, 1},  {0, -1},
                                                  {1, 1}, {1, -1}, {-1, 1}, {-1, -1}};
  const Box area{0, 0, field.width, field.height};
  std::vector<std::optional<LabelOffset>> placed(field.points.size());
  for (std::size_t i = 0; i < field.points.size() && i < texts.size(); ++i) {
    const double half_width = (texts[i].size() * field.char_width + 2) / 2;
    const double half_height = field.char_height / 2;
    const PixelPoint& point = field.points[i];
    for (const double distance : {field.marker_radius + 2, 2 * field.marker_radius + 6}) {
      for (const auto& [ux, uy] : directions) {
        const LabelOffset offset{ux * (distance + half_width), uy * (distance + half_height)};
        const Box box =
            BoxAround(point.x + offset.dx, point.y + offset.dy, half_width, half_height);
        const bool inside = box.left >= area.left && box.right <= area.right &&
                            box.bottom >= area.bottom && box.top <= area.top;
        if (!inside) continue;
        if (std::any_of(obstacles.begin(), obstacles.end(),
                        [&](const Box& obstacle) { return obstacle.Overlaps(box); })) {
          continue;
        }
        placed[i] = offset;
        break;
      }
      if (placed[i]) break;
    }
    if (placed[i]) {
      obstacles.push_back(BoxAround(point.x + placed[i]->dx, point.y + placed[i]->dy,
                                    half_width + 1, half_height + 1));
    }
  }
  return placed;
}

}  // namespace carbonbench::report
