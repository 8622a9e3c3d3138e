#include "runner/shard_plan.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "report/export/atomic_file.h"
#include "store/store_codec.h"

namespace carbonbench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string Duration(double s) {
  if (s < 120) return fmt::format("{:.1f} s", s);
  if (s < 7200) return fmt::format("{:.1f} min", s / 60);
  return fmt::format("{:.1f} h", s / 3600);
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

std::vector<double> CostsOf(const ShardPlan& plan) {
  std::vector<double> costs;
  for (const ShardPlanCell& cell : plan.cells) costs.push_back(cell.predicted_s);
  return costs;
}

std::vector<int> ShardsOf(const ShardPlan& plan) {
  std::vector<int> shards;
  for (const ShardPlanCell& cell : plan.cells) shards.push_back(cell.shard);
  return shards;
}

std::string MakeAgain(int shard_count) {
  return fmt::format(
      "delete it and run `carbonbench plan SUITE --shards {}` to make a new split (then run "
      "every shard again with it), or name the right file with --shard-plan",
      shard_count);
}

}  // namespace

json ShardPlan::ToJson() const {
  json cell_list = json::array();
  for (const ShardPlanCell& cell : cells) {
    cell_list.push_back({{"name", cell.name},
                         {"config_hash", cell.config_hash},
                         {"shard", cell.shard},
                         {"predicted_s", cell.predicted_s},
                         {"basis", cell.basis}});
  }
  return {{"suite", suite},
          {"shards", shard_count},
          {"method", method},
          {"made_at", made_at},
          {"cells", cell_list}};
}

ShardPlan ShardPlan::FromJson(const json& value) {
  ShardPlan plan;
  plan.suite = value.at("suite").get<std::string>();
  plan.shard_count = value.at("shards").get<int>();
  plan.method = value.at("method").get<std::string>();
  plan.made_at = value.value("made_at", "");
  for (const json& cell : value.at("cells")) {
    ShardPlanCell entry;
    entry.name = cell.at("name").get<std::string>();
    entry.config_hash = cell.at("config_hash").get<std::string>();
    entry.shard = cell.at("shard").get<int>();
    entry.predicted_s = cell.value("predicted_s", 0.0);
    entry.basis = cell.value("basis", "");
    plan.cells.push_back(std::move(entry));
  }
  return plan;
}

ShardPlan MakeShardPlan(const Suite& suite, const SuitePlan& plan, int shard_count,
                        const std::string& method) {
  ShardPlan result;
  result.suite = suite.name;
  result.shard_count = shard_count;
  result.method = method;
  result.made_at = NowIso8601Utc();
  std::vector<double> known;
  for (const CellPrediction& cell : plan.cells) {
    if (cell.predicted) known.push_back(cell.duration_s * suite.repetitions);
  }
  const double stand_in = known.empty() ? 1.0 : Median(known);
  std::vector<double> costs;
  for (const CellPrediction& cell : plan.cells) {
    ShardPlanCell entry;
    entry.name = cell.cell_name;
    entry.config_hash = cell.config_hash;
    entry.predicted_s = cell.predicted ? cell.duration_s * suite.repetitions : stand_in;
    entry.basis = cell.predicted ? cell.basis : "not predicted (" + cell.basis + "): the median";
    costs.push_back(entry.predicted_s);
    result.cells.push_back(std::move(entry));
  }
  const std::vector<int> shards = method == kShardByRoundRobin
                                      ? RoundRobinShards(costs.size(), shard_count)
                                      : BalancedShards(costs, shard_count);
  for (std::size_t i = 0; i < shards.size(); ++i) result.cells[i].shard = shards[i];
  return result;
}

std::string DefaultShardPlanPath(const std::string& store_path, const std::string& suite,
                                 int shard_count) {
  const fs::path folder = fs::path(store_path).parent_path();
  return (folder / fmt::format("{}.shards-{}.json", suite, shard_count)).string();
}

void WriteShardPlan(const std::string& path, const ShardPlan& plan) {
  const fs::path folder = fs::path(path).parent_path();
  if (!folder.empty()) fs::create_directories(folder);
  report::WriteFileAtomically(path, plan.ToJson().dump(2) + "\n");
}

ShardPlan LoadShardPlan(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read shard plan " + path);
  std::stringstream text;
  text << in.rdbuf();
  try {
    return ShardPlan::FromJson(json::parse(text.str()));
  } catch (const std::exception& error) {
    throw std::runtime_error(
        fmt::format("{} is not a shard plan ({}): delete it and split again", path, error.what()));
  }
}

ShardPlan ReadShardPlan(const std::string& path, const Suite& suite, int shard_count) {
  const ShardPlan plan = LoadShardPlan(path);
  if (plan.suite != suite.name || plan.shard_count != shard_count) {
    throw std::runtime_error(fmt::format(
        "shard plan {} splits suite {} into {} shards; this is suite {} in {} shards: {}", path,
        plan.suite, plan.shard_count, suite.name, shard_count, MakeAgain(shard_count)));
  }
  std::vector<std::string> planned;
  for (const ShardPlanCell& cell : plan.cells) planned.push_back(cell.config_hash);
  std::vector<std::string> present;
  for (const Cell& cell : suite.cells) present.push_back(cell.config_hash);
  if (planned != present) {
    std::string first_difference;
    for (std::size_t i = 0; i < std::max(planned.size(), present.size()); ++i) {
      if (i >= planned.size() || i >= present.size() || planned[i] != present[i]) {
        first_difference = fmt::format(
            "cell {} is {} in the plan and {} in the suite", i + 1,
            i < plan.cells.size() ? plan.cells[i].name : "absent",
            i < suite.cells.size() ? suite.cells[i].name + " (" + suite.cells[i].config_hash + ")"
                                   : "absent");
        if (i < planned.size() && i < present.size()) {
          first_difference += fmt::format(" (configuration {} against {})", planned[i], present[i]);
        }
        break;
      }
    }
    throw std::runtime_error(fmt::format(
        "shard plan {} was made for {} cells of suite {} and the suite file {} now has {}, "
        "edited since: {}; {}",
        path, plan.cells.size(), suite.name, suite.source, suite.cells.size(), first_difference,
        MakeAgain(shard_count)));
  }
  for (const ShardPlanCell& cell : plan.cells) {
    if (cell.shard < 1 || cell.shard > shard_count) {
      throw std::runtime_error(
          fmt::format("shard plan {} gives cell {} shard {}, outside 1..{}: {}", path, cell.name,
                      cell.shard, shard_count, MakeAgain(shard_count)));
    }
  }
  return plan;
}

std::vector<std::size_t> PositionsInShard(const ShardPlan& plan, int index) {
  std::vector<std::size_t> positions;
  for (std::size_t i = 0; i < plan.cells.size(); ++i) {
    if (plan.cells[i].shard == index) positions.push_back(i);
  }
  return positions;
}

std::string FormatShardPlan(const ShardPlan& plan) {
  const std::vector<double> costs = CostsOf(plan);
  const ShardLoads split = LoadsOf(costs, ShardsOf(plan), plan.shard_count);
  const ShardLoads round_robin =
      LoadsOf(costs, RoundRobinShards(costs.size(), plan.shard_count), plan.shard_count);
  std::string text = fmt::format(
      "\n{} shards, {}:\n\n| shard | cells | predicted time |\n|---|---|---|\n", plan.shard_count,
      plan.method == kShardByRoundRobin ? "round-robin by position"
                                        : "balanced by predicted cost (longest first, each to "
                                          "the least-loaded shard)");
  for (int shard = 1; shard <= plan.shard_count; ++shard) {
    text += fmt::format("| {} | {} | {} |\n", shard, PositionsInShard(plan, shard).size(),
                        Duration(split.loads[static_cast<std::size_t>(shard - 1)]));
  }
  auto over = [&split](double makespan) {
    return split.ideal > 0 ? fmt::format("{:+.1f}%", (makespan / split.ideal - 1) * 100) : "n/a";
  };
  text += fmt::format(
      "\nmakespan: {} ({} against the ideal); round-robin: {} ({}); ideal {}, the larger of the "
      "total over {} shards and the longest cell\n",
      Duration(split.makespan), over(split.makespan), Duration(round_robin.makespan),
      over(round_robin.makespan), Duration(split.ideal), plan.shard_count);
  return text;
}

ShardPlan ShardPlanAt(const std::string& path, const Suite& suite, const PluginRegistry& registry,
                      ResultsStore& store, const PlanOptions& plan_options, int shard_count,
                      const std::function<void(const std::string&)>& progress, bool* made) {
  if (fs::exists(path)) {
    *made = false;
    return ReadShardPlan(path, suite, shard_count);
  }
  // Over every cell, finished or not (those are predicted from their
  // runs): a shard that resumes later must find the same split.
  PlanOptions every_cell = plan_options;
  every_cell.positions.reset();
  const SuitePlan plan = PlanSuite(suite, registry, store, every_cell, progress);
  ShardPlan split = MakeShardPlan(suite, plan, shard_count, kShardByCost);
  WriteShardPlan(path, split);
  *made = true;
  return split;
}

std::vector<std::size_t> SelectShardPositions(
    const Suite& suite, const PluginRegistry& registry, ResultsStore& store,
    const std::string& store_path, const PlanOptions& plan_options, const ShardSelection& selection,
    const std::function<void(const std::string&)>& notice) {
  const int count = selection.shard.count;
  if (selection.method == kShardByRoundRobin) {
    std::vector<std::size_t> positions;
    for (std::size_t position = 0; position < suite.cells.size(); ++position) {
      if (InShard(position, selection.shard)) positions.push_back(position);
    }
    return positions;
  }
  const std::string path = selection.plan_path.empty()
                               ? DefaultShardPlanPath(store_path, suite.name, count)
                               : selection.plan_path;
  bool made = false;
  const ShardPlan plan =
      ShardPlanAt(path, suite, registry, store, plan_options, count, notice, &made);
  if (notice) {
    notice(made ? fmt::format("split {} cells into {} shards by predicted cost and wrote the "
                              "split to {}: give every shard the same file (--shard-plan)",
                              plan.cells.size(), count, path)
                : fmt::format("following the split in {} (made {})", path, plan.made_at));
  }
  return PositionsInShard(plan, selection.shard.index);
}

}  // namespace carbonbench
