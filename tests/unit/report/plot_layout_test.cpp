// The plots' layout decisions: what is drawn, axes that read naturally and
// point labels that never collide.
#include "report/export/plot_layout.h"

#include <cmath>

#include <gtest/gtest.h>

namespace carbonbench::report {
namespace {

TEST(PlotLayout, OnePointIsNoScatterAndOneEpochIsNoCurve) {
  EXPECT_FALSE(QualityAgainstEnergyWorthDrawing(0));
  EXPECT_FALSE(QualityAgainstEnergyWorthDrawing(1));
  EXPECT_TRUE(QualityAgainstEnergyWorthDrawing(2));
  EXPECT_FALSE(TrainingCurvesWorthDrawing(1));
  EXPECT_TRUE(TrainingCurvesWorthDrawing(2));
}

TEST(PlotLayout, EpochTicksAreWholeNumbersAtMostTenIntervals) {
  EXPECT_EQ(EpochTickStep(1), 1);
  EXPECT_EQ(EpochTickStep(2), 1);
  EXPECT_EQ(EpochTickStep(6), 1);
  EXPECT_EQ(EpochTickStep(11), 1);
  EXPECT_EQ(EpochTickStep(12), 2);
  EXPECT_EQ(EpochTickStep(30), 5);
  EXPECT_EQ(EpochTickStep(200), 20);
}

TEST(PlotLayout, EpochAxisPrintsNoFractions) {
  const AxisLayout axis = EpochAxis(2);
  EXPECT_LT(axis.min, 1);
  EXPECT_GT(axis.max, 2);
  EXPECT_EQ(axis.step, 1);
  EXPECT_EQ(axis.Commands("x"), "set xrange [0.75:2.25]\nset xtics 1\nset format x \"%.0f\"\n");
}

TEST(PlotLayout, TickStepsAreOneTwoOrFiveTimesAPowerOfTen) {
  EXPECT_DOUBLE_EQ(NiceTickStep(0.0003, 6), 0.00005);
  EXPECT_DOUBLE_EQ(NiceTickStep(0.07, 8), 0.01);
  EXPECT_DOUBLE_EQ(NiceTickStep(3, 3), 1);
  EXPECT_DOUBLE_EQ(NiceTickStep(65, 8), 10);
  EXPECT_DOUBLE_EQ(NiceTickStep(0, 8), 1);
}

TEST(PlotLayout, DecimalsPrintEveryTickExactly) {
  EXPECT_EQ(DecimalsForStep(0.00005), 5);
  EXPECT_EQ(DecimalsForStep(0.005), 3);
  EXPECT_EQ(DecimalsForStep(0.01), 2);
  EXPECT_EQ(DecimalsForStep(0.5), 1);
  EXPECT_EQ(DecimalsForStep(1), 0);
  EXPECT_EQ(DecimalsForStep(20), 0);
}

TEST(PlotLayout, PaddedAxisKeepsDataOffTheBorderAndEnergyAboveZero) {
  const AxisLayout energy = PaddedAxis(0.019, 0.076, 0.08, true);
  EXPECT_LT(energy.min, 0.019);
  EXPECT_GT(energy.max, 0.076);
  EXPECT_DOUBLE_EQ(energy.step, 0.01);
  EXPECT_EQ(energy.decimals, 2);
  EXPECT_EQ(PaddedAxis(0, 0.0003, 0.05, true).min, 0);
  // The ticks of a tiny energy axis read as decimals, never "5e-05".
  EXPECT_NE(PaddedAxis(0, 0.0003, 0.05, true).Commands("y").find("set format y \"%.5f\""),
            std::string::npos);
  // One value still gets a window round it.
  const AxisLayout single = PaddedAxis(69.1, 69.1, 0.1, true);
  EXPECT_LT(single.min, 69.1);
  EXPECT_GT(single.max, 69.1);
}

TEST(PlotLayout, AnAxisOverNoFiniteValueIsNone) {
  EXPECT_FALSE(AxisOver({}, 0.1, true));
  EXPECT_FALSE(AxisOver({std::nan("")}, 0.1, true));
  const auto axis = AxisOver({std::nan(""), 2, 4}, 0, false);
  ASSERT_TRUE(axis);
  EXPECT_EQ(axis->min, 2);
  EXPECT_EQ(axis->max, 4);
}

// Whether two boxes whose centres are `a` and `b` overlap, given the sums
// of their half widths and half heights.
bool Overlap(PixelPoint a, PixelPoint b, double reach_x, double reach_y) {
  return std::abs(a.x - b.x) < reach_x && std::abs(a.y - b.y) < reach_y;
}

TEST(PlotLayout, LabelsOfCrowdedPointsNeverOverlapEachOtherOrAMarker) {
  LabelField field;
  field.width = 500;
  field.height = 400;
  // Four points within a few pixels of each other, as four cnn cells
  // close in energy and accuracy are, and one alone.
  field.points = {{100, 300}, {104, 302}, {110, 298}, {96, 296}, {400, 100}};
  const std::vector<std::string> texts = {"1", "2", "3", "4", "5"};
  const auto offsets = PlaceLabels(field, texts);
  ASSERT_EQ(offsets.size(), 5u);
  const double half_width = (field.char_width + 2) / 2;
  const double half_height = field.char_height / 2;
  std::vector<PixelPoint> centres;
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    // Five labels all find room here.
    ASSERT_TRUE(offsets[i]) << texts[i];
    centres.push_back({field.points[i].x + offsets[i]->dx, field.points[i].y + offsets[i]->dy});
    for (const PixelPoint& point : field.points) {
      EXPECT_FALSE(Overlap(centres.back(), point, half_width + field.marker_radius,
                           half_height + field.marker_radius))
          << "label " << texts[i];
    }
  }
  for (std::size_t a = 0; a < centres.size(); ++a) {
    for (std::size_t b = a + 1; b < centres.size(); ++b) {
      EXPECT_FALSE(Overlap(centres[a], centres[b], 2 * half_width, 2 * half_height))
          << texts[a] << " and " << texts[b];
    }
  }
  // A lone point is labelled just right of its marker.
  EXPECT_GT(offsets[4]->dx, 0);
  EXPECT_EQ(offsets[4]->dy, 0);
}

TEST(PlotLayout, ALabelStaysOffTheFrontLineAndInsideThePlot) {
  LabelField field;
  field.width = 300;
  field.height = 200;
  // A point at the right edge with the front running left from it.
  field.points = {{295, 100}};
  field.segments = {{{0, 100}, {295, 100}}};
  const auto offsets = PlaceLabels(field, {"12"});
  ASSERT_TRUE(offsets[0]);
  EXPECT_NE(offsets[0]->dy, 0);  // above or below the line
  EXPECT_LE(field.points[0].x + offsets[0]->dx + (2 * field.char_width + 2) / 2, field.width);
}

TEST(PlotLayout, ALabelWithNoRoomIsLeftOut) {
  LabelField field;
  field.width = 10;
  field.height = 10;
  field.points = {{5, 5}};
  const auto offsets = PlaceLabels(field, {"1"});
  EXPECT_FALSE(offsets[0]);
}

}  // namespace
}  // namespace carbonbench::report
