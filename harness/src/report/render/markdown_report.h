// The Markdown report of one suite, made from the store alone.
#pragma once

#include <string>
#include <vector>

#include "report/analysis/declared_roles.h"
#include "store/results_store.h"

namespace carbonbench {

// A place the report compares the suite's carbon with, already resolved
// (the report reads no reference tables).
struct ComparedRegion {
  std::string code;  // as the user wrote it: "FR", "gcp:europe-north1"
  std::string name;  // "France", "Google Cloud europe-north1 (Finland)"
  double g_per_kwh = 0;
  double pue = 1.0;
  std::string source;  // of the intensity and the PUE
};

// A plot drawn beside the report, linked from it (paths relative to the
// report's folder).
struct PlotLink {
  std::string title;
  std::string svg_path;
  std::string png_path;
};

struct ReportOptions {
  // What the leaderboard ranks by: "acc_per_kwh" (default), "co2",
  // "energy" or "time" (to reach the target accuracy).
  std::string objective = "acc_per_kwh";
  // The target accuracy in percent for every dataset; 0: each dataset's
  // default (its cells' target accuracy, else 1 point below the best).
  double target_accuracy_percent = 0;
  // The optimal epoch is the one after which further epochs bought less
  // than this many accuracy points (regressors: this many percent of RMSE).
  double min_gain_points = 0.5;
  // Drawn plots, or why none were drawn.
  std::vector<PlotLink> plots;
  std::string plots_note;
  // "Where would this run be greener"; the section is left out when empty.
  std::vector<ComparedRegion> compare_regions;
  // The stopping rules and target-accuracy settings the installed
  // optimizations declare.
  report::DeclaredRoles roles;
};

// Renders reports/<suite>.md's text from the suite's stored runs.
std::string RenderMarkdownReport(const std::string& suite, const std::vector<RunRow>& runs,
                                 const ReportOptions& options = {});

// Loads the suite's runs, renders and writes <reports_dir>/<suite>.md
// (atomically: a temporary file renamed into place). Returns the path.
// Throws std::runtime_error when the store holds no run of the suite.
std::string WriteMarkdownReport(const ResultsStore& store, const std::string& suite,
                                const std::string& reports_dir, const ReportOptions& options = {});

}  // namespace carbonbench
