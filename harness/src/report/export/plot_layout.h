// Layout decisions for the report's plots, as plain functions: which figures
// are worth drawing, axis ranges and tick steps that read naturally, and
// where each numbered point label goes so that no two labels collide.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace carbonbench::report {

// A scatter of quality against energy needs two cells to compare: one
// point alone says nothing about a trade-off.
bool QualityAgainstEnergyWorthDrawing(std::size_t cells);

// Training curves need a series with two epochs: otherwise each line is a
// single point.
bool TrainingCurvesWorthDrawing(int most_epochs);

// The step between epoch ticks: a whole number (1, 2, 5, 10, 20, ...) that
// puts at most ten intervals on an axis from 1 to `last_epoch`.
int EpochTickStep(int last_epoch);

// A tick step of 1, 2 or 5 times a power of ten that cuts `span` into at
// most `max_intervals` intervals. A span of zero or less gets 1.
double NiceTickStep(double span, int max_intervals);

// The decimals that print every multiple of `step` exactly (0.005 -> 3,
// 0.5 -> 1, 20 -> 0).
int DecimalsForStep(double step);

// One axis set by hand: its range, tick step and tick label format, so
// that ticks never read "5e-05" and the data never touch the border.
struct AxisLayout {
  double min = 0;
  double max = 1;
  double step = 0.1;
  int decimals = 1;

  // gnuplot commands for `axis` ("x", "y", "y2").
  std::string Commands(const std::string& axis) const;
};

// An axis over the values `low`..`high` with `padding` (a fraction of the
// span) on each side, kept at or above zero when `non_negative`.
AxisLayout PaddedAxis(double low, double high, double padding, bool non_negative,
                      int max_intervals = 8);

// A padded axis over the finite ones of `values`; nullopt when there is
// none (a figure with nothing to place is not drawn).
std::optional<AxisLayout> AxisOver(const std::vector<double>& values, double padding,
                                   bool non_negative, int max_intervals = 8);

// The epoch axis: 1 to `last_epoch`, whole-number ticks.
AxisLayout EpochAxis(int last_epoch);

// A point or line of the plot in pixels from the plot area's bottom left.
struct PixelPoint {
  double x = 0;
  double y = 0;
};

// Where a label's centre sits relative to its point, in pixels.
struct LabelOffset {
  double dx = 0;
  double dy = 0;
};

// The plot area and what is drawn in it, in pixels.
struct LabelField {
  double width = 0;
  double height = 0;
  std::vector<PixelPoint> points;  // one label each, in this order
  // Straight lines labels must not cover (the Pareto staircase), as pairs
  // of end points.
  std::vector<std::pair<PixelPoint, PixelPoint>> segments;
  double marker_radius = 9;  // the SVG draws markers larger than the PNG
  double char_width = 7;     // generous for a 9-point sans digit
  double char_height = 13;
};

// For each point, an offset for its label `texts[i]` at which it overlaps
// no marker, no segment, no other label and stays inside the plot area;
// nullopt where no such place is near the point (the legend still names
// the point by its marker).
std::vector<std::optional<LabelOffset>> PlaceLabels(const LabelField& field,
                                                    const std::vector<std::string>& texts);

}  // namespace carbonbench::report
