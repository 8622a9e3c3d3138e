#include "runner/shard_plan.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "carbonbench/regular_file.h"
#include "report/export/atomic_file.h"
#include "store/store_codec.h"

namespace carbonbench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

// A split lists a few numbers per cell: far below this even for a suite
// of the largest matrix a suite may have.
constexpr std::int64_t kMaxShardPlanBytes = 256LL << 20;

// How a cell's basis starts when its cost is a stand-in.
constexpr const char* kNotPredicted = "not predicted, the median";

// The plan's cell repetitions in order, each with its cost and shard.
struct Units {
  std::vector<double> costs;
  std::vector<int> shards;
};

Units UnitsOf(const ShardPlan& plan) {
  Units units;
  for (const ShardPlanCell& cell : plan.cells) {
    for (int shard : cell.shards) {
      units.costs.push_back(cell.predicted_s);
      units.shards.push_back(shard);
    }
  }
  return units;
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
                         {"shards", cell.shards},
                         {"predicted_s", cell.predicted_s},
                         {"basis", cell.basis}});
  }
  return {{"suite", suite},   {"shards", shard_count}, {"repetitions", repetitions},
          {"method", method}, {"made_at", made_at},    {"cells", cell_list}};
}

ShardPlan ShardPlan::FromJson(const json& value) {
  ShardPlan plan;
  plan.suite = value.at("suite").get<std::string>();
  plan.shard_count = value.at("shards").get<int>();
  plan.repetitions = value.at("repetitions").get<int>();
  plan.method = value.at("method").get<std::string>();
  plan.made_at = value.value("made_at", "");
  for (const json& cell : value.at("cells")) {
    ShardPlanCell entry;
    entry.name = cell.at("name").get<std::string>();
    entry.config_hash = cell.at("config_hash").get<std::string>();
    entry.shards = cell.at("shards").get<std::vector<int>>();
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
  result.repetitions = suite.repetitions;
  result.method = method;
  result.made_at = NowIso8601Utc();
  std::vector<double> known;
  for (const CellPrediction& cell : plan.cells) {
    if (cell.predicted) known.push_back(cell.duration_s);
  }
  const double stand_in = known.empty() ? 1.0 : Median(known);
  for (const CellPrediction& cell : plan.cells) {
    ShardPlanCell entry;
    entry.name = cell.cell_name;
    entry.config_hash = cell.config_hash;
    entry.predicted_s = cell.predicted ? cell.duration_s : stand_in;
    entry.basis =
        cell.predicted ? cell.basis : std::string(kNotPredicted) + " (" + cell.basis + ")";
    result.cells.push_back(std::move(entry));
  }
  if (method == kShardByRoundRobin) {
    const std::vector<int> shards = RoundRobinShards(result.cells.size(), shard_count);
    for (std::size_t i = 0; i < shards.size(); ++i) {
      result.cells[i].shards.assign(static_cast<std::size_t>(suite.repetitions), shards[i]);
    }
    return result;
  }
  std::vector<double> costs;
  for (const ShardPlanCell& cell : result.cells) {
    costs.insert(costs.end(), static_cast<std::size_t>(suite.repetitions), cell.predicted_s);
  }
  const std::vector<int> shards = BalancedShards(costs, shard_count);
  std::size_t unit = 0;
  for (ShardPlanCell& cell : result.cells) {
    for (int repetition = 0; repetition < suite.repetitions; ++repetition) {
      cell.shards.push_back(shards[unit++]);
    }
  }
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
  const std::string text = ReadRegularFile(path, "shard plan", kMaxShardPlanBytes);
  try {
    return ShardPlan::FromJson(json::parse(text));
  } catch (const std::exception& error) {
    throw std::runtime_error(
        fmt::format("{} is not a shard plan ({}): delete it and split again", path, error.what()));
  }
}

ShardPlan ReadShardPlan(const std::string& path, const Suite& suite, int shard_count) {
  ShardPlan plan = LoadShardPlan(path);
  CheckShardPlan(plan, path, suite, shard_count);
  return plan;
}

void CheckShardPlan(const ShardPlan& plan, const std::string& path, const Suite& suite,
                    int shard_count) {
  if (plan.suite != suite.name || plan.shard_count != shard_count) {
    throw std::runtime_error(fmt::format(
        "shard plan {} splits suite {} into {} shards; this is suite {} in {} shards: {}", path,
        plan.suite, plan.shard_count, suite.name, shard_count, MakeAgain(shard_count)));
  }
  if (plan.repetitions != suite.repetitions) {
    throw std::runtime_error(fmt::format(
        "shard plan {} splits {} repetition(s) of each cell and the suite file {} now has {}: "
        "{}",
        path, plan.repetitions, suite.source, suite.repetitions, MakeAgain(shard_count)));
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
    const bool in_range = std::all_of(cell.shards.begin(), cell.shards.end(), [&](int shard) {
      return shard >= 1 && shard <= shard_count;
    });
    if (cell.shards.size() != static_cast<std::size_t>(plan.repetitions) || !in_range) {
      throw std::runtime_error(fmt::format(
          "shard plan {} gives cell {} shards [{}], not one in 1..{} per repetition: {}", path,
          cell.name, fmt::join(cell.shards, ", "), shard_count, MakeAgain(shard_count)));
    }
  }
}

std::vector<ShardCell> CellsOfShard(const ShardPlan& plan, int index) {
  std::vector<ShardCell> cells;
  for (std::size_t position = 0; position < plan.cells.size(); ++position) {
    ShardCell cell{position, {}};
    const std::vector<int>& shards = plan.cells[position].shards;
    for (std::size_t repetition = 0; repetition < shards.size(); ++repetition) {
      if (shards[repetition] == index) cell.repetitions.push_back(static_cast<int>(repetition));
    }
    if (!cell.repetitions.empty()) cells.push_back(std::move(cell));
  }
  return cells;
}

std::string FormatShardPlan(const ShardPlan& plan) {
  const Units units = UnitsOf(plan);
  const ShardLoads split = LoadsOf(units.costs, units.shards, plan.shard_count);
  // Round-robin as `--shard-by round-robin` splits: whole cells by position.
  std::vector<double> cell_costs;
  for (const ShardPlanCell& cell : plan.cells) {
    cell_costs.push_back(cell.predicted_s * static_cast<double>(cell.shards.size()));
  }
  const ShardLoads round_robin =
      LoadsOf(cell_costs, RoundRobinShards(cell_costs.size(), plan.shard_count), plan.shard_count);
  std::string text = fmt::format(
      "\n{} shards, {}:\n\n| shard | runs | predicted time |\n|---|---|---|\n", plan.shard_count,
      plan.method == kShardByRoundRobin
          ? "whole cells round-robin by position"
          : "cell repetitions balanced by predicted cost (longest first, each to "
            "the least-loaded shard)");
  for (int shard = 1; shard <= plan.shard_count; ++shard) {
    text += fmt::format("| {} | {} | {} |\n", shard,
                        std::count(units.shards.begin(), units.shards.end(), shard),
                        FormatPlanDuration(split.loads[static_cast<std::size_t>(shard - 1)]));
  }
  auto over = [&split](double makespan) {
    return split.ideal > 0 ? fmt::format("{:+.1f}%", (makespan / split.ideal - 1) * 100) : "n/a";
  };
  text += fmt::format(
      "\nmakespan: {} ({} against the ideal); round-robin of whole cells: {} ({}); ideal {}, the "
      "larger of the total over {} shards and the longest cell repetition\n",
      FormatPlanDuration(split.makespan), over(split.makespan),
      FormatPlanDuration(round_robin.makespan), over(round_robin.makespan),
      FormatPlanDuration(split.ideal), plan.shard_count);
  const auto unpredicted = std::count_if(plan.cells.begin(), plan.cells.end(), [](const auto& c) {
    return c.basis.rfind(kNotPredicted, 0) == 0;
  });
  if (unpredicted > 0) {
    text += fmt::format(
        "{} of {} cell(s) could not be predicted and count as the median of the others{}\n",
        unpredicted, plan.cells.size(),
        unpredicted == static_cast<long>(plan.cells.size())
            ? " (none could: each counts as 1 s, which splits them by number)"
            : "");
  }
  return text;
}

std::string ShardPlanPath(const std::string& given, const std::string& store_path,
                          const std::string& suite, int shard_count) {
  return given.empty() ? DefaultShardPlanPath(store_path, suite, shard_count) : given;
}

ShardPlan ShardPlanAt(const std::string& path, const Suite& suite, const PluginRegistry& registry,
                      ResultsStore& store, const PlanOptions& plan_options, int shard_count,
                      const std::function<void(const std::string&)>& progress, bool* made,
                      const SuitePlan* whole_suite) {
  if (fs::exists(path)) {
    *made = false;
    return ReadShardPlan(path, suite, shard_count);
  }
  // Over every cell, finished or not (those are predicted from their
  // runs): a shard that resumes later must find the same split.
  std::optional<SuitePlan> planned;
  if (whole_suite == nullptr) {
    PlanOptions every_cell = plan_options;
    every_cell.cells.reset();
    planned = PlanSuite(suite, registry, store, every_cell, progress);
  }
  ShardPlan split =
      MakeShardPlan(suite, whole_suite ? *whole_suite : *planned, shard_count, kShardByCost);
  WriteShardPlan(path, split);
  *made = true;
  return split;
}

std::vector<ShardCell> SelectShardCells(const Suite& suite, const PluginRegistry& registry,
                                        ResultsStore& store, const std::string& store_path,
                                        const PlanOptions& plan_options,
                                        const ShardSelection& selection,
                                        const std::function<void(const std::string&)>& notice) {
  const int count = selection.shard.count;
  if (selection.method == kShardByRoundRobin) {
    std::vector<ShardCell> cells;
    for (ShardCell& cell : WholeSuite(suite.cells.size(), suite.repetitions)) {
      if (InShard(cell.position, selection.shard)) cells.push_back(std::move(cell));
    }
    return cells;
  }
  const std::string path = ShardPlanPath(selection.plan_path, store_path, suite.name, count);
  bool made = false;
  const ShardPlan plan =
      ShardPlanAt(path, suite, registry, store, plan_options, count, notice, &made);
  if (notice) {
    notice(made ? fmt::format("split {} cell(s) x {} repetition(s) into {} shards by predicted "
                              "cost and wrote the split to {}: give every shard the same file "
                              "(--shard-plan)",
                              plan.cells.size(), plan.repetitions, count, path)
                : fmt::format("following the split in {} (made {})", path, plan.made_at));
  }
  return CellsOfShard(plan, selection.shard.index);
}

}  // namespace carbonbench
