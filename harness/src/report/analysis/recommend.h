// `carbonbench recommend`: the cheapest configuration in the whole store
// (every suite) that reached a target accuracy, and its saving against the
// most expensive one that also did.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/analysis/leaderboard.h"
#include "store/results_store.h"

namespace carbonbench::report {

struct RecommendRequest {
  double target_accuracy_percent = 0;
  std::string dataset;  // empty: every classification dataset in the store
  Objective objective = Objective::kCo2ToTarget;
};

struct RecommendAnswer {
  std::string sentence;
  nlohmann::json json;
  bool reached = false;
};

// One answer per dataset and data (sizes, split: cells trained on different
// data are not compared), in the order the store first saw them. Runs of
// one configuration (config hash) in several suites are pooled as one cell.
// Throws std::runtime_error when the store holds no finished classifier
// run (of the dataset, when one is asked for), naming what it does hold.
std::vector<RecommendAnswer> Recommend(const ResultsStore& store, const RecommendRequest& request);

}  // namespace carbonbench::report
