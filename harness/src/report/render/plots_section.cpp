// Links to the plots drawn beside the report.
#include "report/render/sections.h"

namespace carbonbench::report {

std::string PlotsSection(const ReportInput& input) {
  const auto& plots = input.options.plots;
  if (plots.empty() && input.options.plots_note.empty()) return "";
  std::string text = "## Plots\n\n";
  for (const PlotLink& plot : plots) {
    // Angle brackets keep a path with spaces one link destination.
    text += "### " + EscapeText(plot.title) + "\n\n![" + EscapeText(plot.title) + "](<" +
            plot.svg_path + ">)\n\n[PNG](<" + plot.png_path + ">)\n\n";
  }
  if (!input.options.plots_note.empty()) text += EscapeText(input.options.plots_note) + "\n\n";
  return text;
}

}  // namespace carbonbench::report
