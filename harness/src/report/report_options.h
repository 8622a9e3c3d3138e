// What every part of a suite's report is made with beside the runs: the
// leaderboard's objective and target, the plots drawn, the places to compare
// carbon with and what the installed plugins declare.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "report/analysis/declared_roles.h"
#include "report/analysis/leaderboard.h"
#include "report/analysis/search_trials.h"

namespace carbonbench::report {

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

// Runs of the suite that `run --fresh` superseded: kept in the store as
// history, left out of the report and the exports, and counted here so the
// report can say so.
struct RunHistory {
  int superseded_runs = 0;
  int cells = 0;  // distinct configurations they belong to
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
  DeclaredRoles roles;
  // Filled from the store by WriteMarkdownReport.
  RunHistory history;
  // The suite's latest hyperparameter search, if any (filled from the store
  // by WriteMarkdownReport when unset), and its plots, drawn beside the
  // report and linked from its Search section, or why they were not.
  std::optional<SearchView> search;
  std::vector<PlotLink> search_plots;
  std::string search_plots_note;
};

// The options' objective (accuracy per kWh when unreadable), and their
// target accuracy in percent (none: each dataset's default).
Objective ReportObjective(const ReportOptions& options);
std::optional<double> ReportTarget(const ReportOptions& options);

}  // namespace carbonbench::report
