#include "runner/isolated_cell.h"

#include <cstdlib>

#include <fmt/format.h>

#include "process/malloc_library.h"

namespace carbonbench {

std::string AbnormalEndReason(const ChildExit& exit, const ChildLimits& limits) {
  std::string reason = exit.Describe(limits);
  if (exit.stopped_for_signal != 0) {
    reason += "; the same command runs it again";
  } else if (exit.timed_out) {
    reason += " (raise limits.cell_timeout_s in the suite, or run with --cell-timeout-s)";
  } else if (exit.memory_exceeded) {
    reason +=
        " (lower batch_size, or raise limits.cell_memory_mb in the suite or "
        "--cell-memory-mb)";
  } else if (!exit.stderr_tail.empty()) {
    // An abort's own message ("terminate called after ...") says most.
    reason += "; its last words: " + exit.stderr_tail.back();
  }
  return reason;
}

CellRequest RequestFor(const SuiteRunContext& context, const Cell& cell, int repetition) {
  CellRequest request;
  request.suite_text = context.suite->text;
  request.suite_source = context.suite->source;
  request.suite_generated = context.suite->generated;
  request.config_hash = cell.config_hash;
  request.repetition = repetition;
  request.store_path = context.store->path();
  request.models_dir = context.models_dir;
  request.sampler_interval_ms = context.sampler_interval_ms;
  request.idle = context.idle;
  return request;
}

ChildSpec CellChildSpec(const SuiteRunContext& context, const IsolatedCellSettings& settings,
                        const Cell& cell, const CellRequest& request) {
  ChildSpec spec;
  spec.argv = {settings.executable_path};
  for (const auto& dir : settings.plugin_dirs) {
    spec.argv.push_back("--plugin-dir");
    spec.argv.push_back(dir);
  }
  spec.argv.push_back("--store");
  spec.argv.push_back(context.store->path());
  spec.argv.push_back("cell");
  spec.stdin_text = request.ToJson().dump();
  spec.limits = settings.limits;
  // The allocator is set up when the process starts, before the cell is read.
  const char* inherited = std::getenv("LD_PRELOAD");
  if (auto preload = CellPreload(std::get<std::string>(cell.Get("allocator")),
                                 inherited ? inherited : "", settings.tcmalloc_path)) {
    spec.environment.push_back("LD_PRELOAD=" + *preload);
    // tcmalloc reports every allocation over 1 GiB on standard error, which
    // a large dataset's tensors reach; the cell's output is for its progress.
    spec.environment.push_back("TCMALLOC_LARGE_ALLOC_REPORT_THRESHOLD=1099511627776");
  }
  if (!std::get<bool>(cell.Get("malloc_tuning"))) {
    spec.environment.push_back("CARBONBENCH_MALLOC_TUNING=0");
  }
  return spec;
}

IsolatedCellOutcome RunCellInChild(SuiteRunContext& context, const IsolatedCellSettings& settings,
                                   const Cell& cell, int repetition, ProgressDisplay& progress,
                                   const TrialChildOptions* trial) {
  const Suite& suite = *context.suite;
  CellRequest request = RequestFor(context, cell, repetition);
  if (trial) {
    request.trial_values = trial->values;
    request.await_verdicts = static_cast<bool>(trial->verdict);
  }

  ChildCallbacks callbacks;
  callbacks.on_event = [&progress](const std::string& line) {
    if (auto event = CellEvent::FromLine(line)) progress.Event(*event);
  };
  callbacks.on_stderr = [&progress](const std::string& line) { progress.Print(line); };
  if (trial && trial->verdict) {
    // Every planned epoch gets one answer; the child reads one per epoch
    // that no stopping rule ended.
    callbacks.answer_event = [trial](const std::string& line) -> std::string {
      const auto event = CellEvent::FromLine(line);
      if (!event || event->type != "epoch" || event->epoch > event->epochs) return "";
      return trial->verdict(*event);
    };
  }
  const ChildExit exit = RunChild(CellChildSpec(context, settings, cell, request), callbacks);
  progress.CellEnded();

  IsolatedCellOutcome result;
  result.cpu_s = exit.cpu_s;
  CellOutcome& outcome = result.cell;
  ResultsStore& store = *context.store;
  if (exit.Exited(kCellFinishedExit) || exit.Exited(kCellFailedExit) ||
      exit.Exited(kCellPrunedExit)) {
    if (auto stored = store.LatestAttempt(suite.name, cell.config_hash, repetition)) {
      outcome.finished = stored->status == "finished";
      outcome.pruned = stored->status == "pruned";
      outcome.failure_reason = stored->failure_reason;
      outcome.summary = stored->summary;
      outcome.task = stored->start.task;
      outcome.run_id = stored->id;
      if (outcome.finished || outcome.pruned || !outcome.failure_reason.empty()) return result;
    }
  }
  // It ended without storing how the cell went: store that for it.
  outcome.finished = false;
  outcome.failure_reason = AbnormalEndReason(exit, settings.limits);
  outcome.run_id = store.FailUnfinishedAttempt(BasicRunStart(context, cell, repetition),
                                               outcome.failure_reason, exit.wall_s);
  if (auto stored = store.LatestAttempt(suite.name, cell.config_hash, repetition)) {
    outcome.summary = stored->summary;
  }
  progress.Print(fmt::format("[{}] {} rep {} FAILED: {}", suite.name, cell.name, repetition + 1,
                             outcome.failure_reason));
  return result;
}

}  // namespace carbonbench
