// `carbonbench cell`: one cell repetition, in the process `run` started for
// it. It reads its request (the suite text, which cell, where to store) as
// JSON on standard input, writes progress events on descriptor 3 and exits
// 0 when the cell finished, 3 when it failed (the reason is stored).
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

#include <fmt/format.h>

#include "cli/commands.h"
#include "process/child_process.h"
#include "runner/cell_request.h"
#include "runner/cell_run.h"
#include "runner/environment.h"
#include "runner/suite_runner.h"
#include "store/results_store.h"

namespace carbonbench::cli {
namespace {

Cell FindCell(const Suite& suite, const std::string& config_hash) {
  for (Cell cell : suite.cells) {
    if (cell.config_hash == config_hash) return cell;
  }
  throw std::runtime_error(fmt::format(
      "the suite {} has no cell with configuration {} (was the file changed while the suite ran?)",
      suite.source, config_hash));
}

// The search's verdict on the epoch just reported: "continue", or
// "prune <reason>". The search answers every epoch event; an answer that
// never comes (the search process died) ends the trial as failed.
EpochDecision ReadVerdict(std::FILE* verdicts, int epoch) {
  char line[4096];
  if (std::fgets(line, sizeof line, verdicts) == nullptr) {
    throw std::runtime_error(
        fmt::format("the search gave no verdict on epoch {}: its process has ended", epoch));
  }
  std::string verdict(line);
  while (!verdict.empty() && verdict.back() == '\n') verdict.pop_back();
  EpochDecision decision;
  if (verdict.rfind("prune", 0) == 0) {
    decision.stop = true;
    decision.reason = verdict.size() > 6 ? verdict.substr(6) : "pruned by the search";
  }
  return decision;
}

int RunRequestedCell(const GlobalOptions& global) {
  const std::string input{std::istreambuf_iterator<char>(std::cin),
                          std::istreambuf_iterator<char>()};
  const CellRequest request = CellRequest::FromJson(nlohmann::json::parse(input));
  PluginRegistry registry = LoadPlugins(global);
  const Suite suite = LoadSuiteText(
      request.suite_text, request.suite_source, registry.Catalog(),
      request.suite_generated ? SuiteTextOrigin::kGeneratedText : SuiteTextOrigin::kWrittenByUser);
  const Cell cell = request.trial_values ? MakeTrialCell(suite, *request.trial_values)
                                         : FindCell(suite, request.config_hash);
  ResultsStore store(request.store_path);

  SuiteRunContext context =
      MakeSuiteRunContext(suite, registry, &store, request.models_dir, request.sampler_interval_ms);
  context.idle = request.idle;
  context.explain_unavailable_meters = false;  // the suite's process did
  // Progress goes to the suite's process on descriptor 3 when it is open.
  std::FILE* events = fcntl(kChildEventsFd, F_GETFD) != -1 ? fdopen(kChildEventsFd, "w") : nullptr;
  if (events) {
    context.on_event = [events](const CellEvent& event) {
      std::fprintf(events, "%s\n", event.ToLine().c_str());
      std::fflush(events);
    };
  }
  if (request.probe_steps > 0) {
    const ProbeResult probe = ProbeCell(context, cell, request.probe_steps);
    if (!events) throw std::runtime_error("a probe reports on descriptor 3, which is not open");
    std::fprintf(events, "%s\n",
                 nlohmann::json{{"type", "probe"}, {"probe", probe.ToJson()}}.dump().c_str());
    std::fflush(events);
    return kCellFinishedExit;
  }
  std::FILE* verdicts = nullptr;
  if (request.await_verdicts) {
    verdicts = fcntl(kCellVerdictFd, F_GETFD) != -1 ? fdopen(kCellVerdictFd, "r") : nullptr;
    if (!verdicts)
      throw std::runtime_error("a search trial reads verdicts on descriptor 4, which is not open");
    context.prune = [verdicts](const EpochMetrics& metrics) {
      return ReadVerdict(verdicts, metrics.epoch);
    };
  }
  const CellOutcome outcome = RunCell(context, cell, request.repetition);
  if (outcome.pruned) return kCellPrunedExit;
  return outcome.finished ? kCellFinishedExit : kCellFailedExit;
}

}  // namespace

void AddCellCommand(CLI::App& app, GlobalOptions& global) {
  auto* command = app.add_subcommand(
      "cell", "run one cell repetition as `run` asks on standard input (used by `run`)");
  command->group("");  // internal: not listed in --help
  command->callback([&global] { global.exit_code = RunRequestedCell(global); });
}

}  // namespace carbonbench::cli
