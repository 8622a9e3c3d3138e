// Which shard runs each cell repetition, decided once and written to a file
// that every shard follows. Predictions come from the store each machine has, and from
// probes whose timings vary: a split made on each machine could differ, and
// cells would run twice or never. The file names the suite's cells by
// configuration hash, so a suite edited since is refused, not misread.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plugins/plugin_registry.h"
#include "runner/plan.h"
#include "runner/suite_plan.h"
#include "store/results_store.h"
#include "suites/shard.h"
#include "suites/suite.h"

namespace carbonbench {

inline constexpr const char* kShardByCost = "cost";
inline constexpr const char* kShardByRoundRobin = "round-robin";

struct ShardPlanCell {
  std::string name;
  std::string config_hash;
  std::vector<int> shards;  // 1-based, one per repetition
  double predicted_s = 0;   // one repetition; what the split balanced
  std::string basis;        // of the prediction, as `plan` says it
};

struct ShardPlan {
  std::string suite;
  int shard_count = 1;
  int repetitions = 1;
  std::string method = kShardByCost;  // or kShardByRoundRobin (whole cells)
  std::string made_at;                // ISO 8601 UTC
  std::vector<ShardPlanCell> cells;   // in the suite's order

  nlohmann::json ToJson() const;
  static ShardPlan FromJson(const nlohmann::json& json);
};

// The suite's cell repetitions split by `method` using `plan`, a plan of
// every cell in the suite's order. A cell the plan could not predict counts as the median
// of those it could (as one unit of time when none could), so it is spread
// like the others rather than piled on one shard.
ShardPlan MakeShardPlan(const Suite& suite, const SuitePlan& plan, int shard_count,
                        const std::string& method);

// "<store folder>/<suite>.shards-<n>.json": where `run --shard` and `plan
// --shards` keep the split unless told.
std::string DefaultShardPlanPath(const std::string& store_path, const std::string& suite,
                                 int shard_count);

// `given` (--shard-plan), else DefaultShardPlanPath.
std::string ShardPlanPath(const std::string& given, const std::string& store_path,
                          const std::string& suite, int shard_count);

void WriteShardPlan(const std::string& path, const ShardPlan& plan);

// The plan at `path` as written, unchecked; a std::runtime_error names a
// file that is not one.
ShardPlan LoadShardPlan(const std::string& path);

// Throws a std::runtime_error naming the file `path` the plan was read
// from, both sides of a mismatch with the suite or the shard count, and
// what to do.
void CheckShardPlan(const ShardPlan& plan, const std::string& path, const Suite& suite,
                    int shard_count);

// LoadShardPlan, then CheckShardPlan.
ShardPlan ReadShardPlan(const std::string& path, const Suite& suite, int shard_count);

// The cells and repetitions the plan gives shard `index`.
std::vector<ShardCell> CellsOfShard(const ShardPlan& plan, int index);

// The split's predicted time per shard, its makespan against round-robin's
// (whole cells by position) on the same predictions, and the ideal.
std::string FormatShardPlan(const ShardPlan& plan);

// What `run --shard i/n` and `plan --shard i/n` run: whole cells round-robin,
// or the cell repetitions of the cost-balanced plan at `plan_path` (empty: the default path
// beside the store), made now from the store and probes when there is none
// and written there for the other shards to follow. `notice` gets a line
// saying which plan was made or followed.
struct ShardSelection {
  Shard shard;
  std::string method = kShardByCost;
  std::string plan_path;
};

std::vector<ShardCell> SelectShardCells(const Suite& suite, const PluginRegistry& registry,
                                        ResultsStore& store, const std::string& store_path,
                                        const PlanOptions& plan_options,
                                        const ShardSelection& selection,
                                        const std::function<void(const std::string&)>& notice);

// The cost-balanced plan at `path` when there is one, else one made now
// and written there, from `whole_suite` (a plan of every cell) when given,
// else from the store and probes. `made` says which.
ShardPlan ShardPlanAt(const std::string& path, const Suite& suite, const PluginRegistry& registry,
                      ResultsStore& store, const PlanOptions& plan_options, int shard_count,
                      const std::function<void(const std::string&)>& progress, bool* made,
                      const SuitePlan* whole_suite = nullptr);

}  // namespace carbonbench
