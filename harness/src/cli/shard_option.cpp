#include <cstdio>

#include "cli/commands.h"
#include "runner/shard_plan.h"
#include "suites/shard.h"

namespace carbonbench::cli {

void ApplyShardOption(const std::string& text, int* index, int* count) {
  if (text.empty()) return;
  const Shard shard = ParseShard(text);
  *index = shard.index;
  *count = shard.count;
}

void AddShardOptions(CLI::App& command, ShardOptions& options, const std::string& what) {
  command.add_option("--shard", options.shard,
                     what +
                         " only shard i of n (1-based, e.g. 1/2 and 2/2 on two machines); "
                         "combine the stores with `carbonbench merge`");
  command
      .add_option("--shard-by", options.method,
                  "how cells are split: cost (by predicted time, longest first to the "
                  "least-loaded shard, the split written to a file every shard follows) or "
                  "round-robin (by position, nothing to share)")
      ->capture_default_str()
      ->check(CLI::IsMember({kShardByCost, kShardByRoundRobin}));
  command.add_option("--shard-plan", options.plan_path,
                     "the split to follow, made if missing (default: "
                     "<store folder>/<suite>.shards-<n>.json)");
}

std::vector<ShardCell> SelectShard(const ShardOptions& options, const Suite& suite,
                                   const PluginRegistry& registry, const std::string& store_path,
                                   const PlanOptions& plan_options) {
  ShardSelection selection;
  selection.shard = ParseShard(options.shard);
  selection.method = options.method;
  selection.plan_path = options.plan_path;
  ResultsStore store(store_path);
  return SelectShardCells(
      suite, registry, store, store_path, plan_options, selection,
      [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); });
}

}  // namespace carbonbench::cli
