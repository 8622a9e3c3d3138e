// The report's plots, drawn by gnuplot (Debian's gnuplot-nox) from data and
// script files written beside the report: accuracy against energy with the
// Pareto front, training curves per model, and energy per phase and
// component. Each as SVG and PNG.
#pragma once

#include <string>
#include <vector>

#include "records/run_records.h"
#include "report/analysis/search_trials.h"
#include "report/report_options.h"

namespace carbonbench::report {

struct PlotsOutcome {
  std::vector<PlotLink> plots;  // paths relative to reports_dir
  std::string note;             // why some or all were not drawn; empty when all were
};

// Draws into <reports_dir>/<suite>.plots/, replacing what an earlier call
// drew there. `gnuplot` is the program to run (found on PATH when it has no
// slash). Never throws for a missing or failing gnuplot: the note says so.
PlotsOutcome DrawPlots(const std::string& suite, const std::vector<RunRow>& runs,
                       const std::string& reports_dir, const std::string& gnuplot = "gnuplot");

// Draws a search's figures into <reports_dir>/<suite>.plots/ beside
// DrawPlots' (call it after DrawPlots, which empties the folder): the best
// first-objective value so far against the energy the search spent, and for
// two objectives every complete trial with the Pareto front. Never throws
// for a missing or failing gnuplot: the note says so.
PlotsOutcome DrawSearchPlots(const std::string& suite, const SearchView& search,
                             const std::string& reports_dir,
                             const std::string& gnuplot = "gnuplot");

// The text as a single-quoted gnuplot string (quotes doubled).
std::string GnuplotQuoted(const std::string& text);

}  // namespace carbonbench::report
