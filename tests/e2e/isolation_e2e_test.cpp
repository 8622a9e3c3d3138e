// Each cell runs in its own process: a crash, an abort, runaway memory, a
// diverged loss, a hang or an exception is that cell's failure, stored with
// its reason, while the rest of the suite completes; and a suite killed with
// SIGKILL resumes where it stopped without losing or corrupting anything.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e_util.h"
#include "process/malloc_library.h"
#include "records/record_json.h"
#include "store/results_store.h"
#include "store/store_lock.h"

namespace carbonbench::e2e {
namespace {

std::string FaultySuite(const std::string& faults) {
  return R"(defaults:
  model: faulty
  epochs: 2
  batch_size: 32
  lr: 0.01
  threads: 1
matrix:
  faulty.fault: )" +
         faults + "\n";
}

std::string FaultyPlugins() { return std::string("--plugin-dir ") + FAULTY_PLUGIN_DIR + " "; }

TEST_F(EndToEnd, EveryKindOfCellFailureIsStoredWithItsReasonAndTheSuiteGoesOn) {
  // The healthy cell added last shows that the suite went on to the end.
  const fs::path suite =
      WriteSuite("faults", FaultySuite("[none, segfault, abort, allocate, nan, throw]") +
                               "  lr: [0.01]\n  include:\n    - {faulty.fault: none, lr: 0.02}\n"
                               "limits: {cell_memory_mb: 1500}\n");
  const CommandResult run = RunCarbonbench(FaultyPlugins() + RunSuite(suite));
  EXPECT_EQ(run.exit_code, 1) << run.output;

  ResultsStore store((root_ / "results.db").string());
  std::map<std::string, int> finished;
  std::map<std::string, std::string> reasons;
  for (const RunRow& row : store.LoadRuns("faults")) {
    const auto at = row.start.cell_name.find("fault=");
    const std::string fault =
        row.start.cell_name.substr(at + 6, row.start.cell_name.find('/', at) - at - 6);
    if (row.status == "finished") ++finished[fault];
    if (row.status == "failed") reasons[fault] = row.failure_reason;
  }
  EXPECT_EQ(finished["none"], 2) << run.output;  // both lr values, before and after the faults
  EXPECT_NE(reasons["segfault"].find("crashed: segmentation fault (SIGSEGV)"), std::string::npos)
      << reasons["segfault"];
  EXPECT_NE(reasons["abort"].find("crashed: aborted (SIGABRT)"), std::string::npos)
      << reasons["abort"];
  EXPECT_NE(reasons["allocate"].find("above the cell memory limit of 1500 MB"), std::string::npos)
      << reasons["allocate"];
  EXPECT_NE(reasons["allocate"].find("limits.cell_memory_mb"), std::string::npos);
  EXPECT_NE(reasons["nan"].find("training diverged"), std::string::npos) << reasons["nan"];
  EXPECT_NE(reasons["throw"].find("the faulty model threw, as asked"), std::string::npos)
      << reasons["throw"];
  EXPECT_EQ(reasons.size(), 5u);
  // The report is still written, and names the failures.
  const std::string report = e2e::ReadFile(root_ / "reports" / "faults.md");
  EXPECT_NE(report.find("SIGSEGV"), std::string::npos);
}

TEST_F(EndToEnd, ACellThatFailsMidTrainingStoresOneSummaryOfWhatItMeasured) {
  // 384 training samples in batches of 32: the first epoch's 12 steps
  // succeed and the second epoch's first step throws.
  const fs::path suite =
      WriteSuite("midway", FaultySuite("[throw]") + "  faulty.after_steps: [12]\n");
  const CommandResult run = RunCarbonbench(FaultyPlugins() + RunSuite(suite));
  EXPECT_EQ(run.exit_code, 1) << run.output;
  const auto runs = ResultsStore((root_ / "results.db").string()).LoadRuns("midway");
  ASSERT_EQ(runs.size(), 1u) << run.output;
  const RunRow& row = runs[0];
  EXPECT_EQ(row.status, "failed");
  EXPECT_NE(row.failure_reason.find("the faulty model threw, as asked"), std::string::npos)
      << row.failure_reason;
  ASSERT_EQ(row.epochs.size(), 1u);
  EXPECT_EQ(row.summary.epochs_run, 1);
  // The meters had started: the failed run keeps the energy, phases and
  // figures measured up to the failure.
  EXPECT_GT(row.summary.duration_s, 0);
  EXPECT_GT(row.summary.energy_wh, 0);
  EXPECT_FALSE(row.summary.phases.empty());
  EXPECT_EQ(row.summary.figures.counts.count("model.parameters_before"), 1u)
      << ToJson(row.summary.figures).dump();
  EXPECT_NE(run.output.find("FAILED: the faulty model threw"), std::string::npos) << run.output;
}

TEST_F(EndToEnd, EachCellRunsTheAllocatorItsSuiteAsksForAndRecordsIt) {
  // The host's own preload is the user's: a glibc cell takes the allocator
  // out of it, an auto cell keeps it.
  const std::string tcmalloc = FindTcmalloc();
  const fs::path suite = WriteSuite("allocators", FaultySuite("[none]") +
                                                      "  allocator: [auto, glibc]\n"
                                                      "  malloc_tuning: [true, false]\n");
  const CommandResult run = RunCarbonbench(FaultyPlugins() + RunSuite(suite));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::map<std::string, std::string> recorded;  // cell -> its allocator
  for (const RunRow& row : ResultsStore((root_ / "results.db").string()).LoadRuns("allocators")) {
    recorded[row.start.cell_name] =
        ToJson(row.start.environment).at("allocator").get<std::string>();
  }
  ASSERT_EQ(recorded.size(), 4u) << run.output;
  for (const auto& [cell, allocator] : recorded) {
    if (cell.find("allocator=glibc") != std::string::npos) {
      const bool tuned = cell.find("malloc_tuning=false") == std::string::npos;
      EXPECT_EQ(allocator, tuned ? "glibc malloc, mmap_threshold=268435456 "
                                   "trim_threshold=268435456 (raised by carbonbench)"
                                 : "glibc malloc, default thresholds")
          << cell;
    } else if (!tcmalloc.empty()) {
      // The thresholds are glibc's: under tcmalloc there are none to set.
      EXPECT_EQ(allocator, "libtcmalloc_minimal.so.4 (preloaded in place of glibc malloc)") << cell;
    }
  }
}

TEST_F(EndToEnd, AHangingCellIsStoppedAtTheTimeLimit) {
  const fs::path suite = WriteSuite("hang", FaultySuite("[hang]"));
  const CommandResult run = RunCarbonbench(FaultyPlugins() + RunSuite(suite, "--cell-timeout-s 6"));
  EXPECT_EQ(run.exit_code, 1) << run.output;
  ResultsStore store((root_ / "results.db").string());
  const auto runs = store.LoadRuns("hang");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, "failed");
  EXPECT_NE(runs[0].failure_reason.find("stopped at the cell time limit of 6 s"), std::string::npos)
      << runs[0].failure_reason;
  EXPECT_NE(runs[0].failure_reason.find("--cell-timeout-s"), std::string::npos);
}

TEST_F(EndToEnd, FailFastStopsAtTheFirstFailedCell) {
  const fs::path suite = WriteSuite("fast", FaultySuite("[abort, none]"));
  const CommandResult run = RunCarbonbench(FaultyPlugins() + RunSuite(suite, "--fail-fast"));
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("--fail-fast stopped the suite"), std::string::npos) << run.output;
  ResultsStore store((root_ / "results.db").string());
  const auto runs = store.LoadRuns("fast");
  ASSERT_EQ(runs.size(), 1u);  // the healthy cell never started
  EXPECT_EQ(runs[0].status, "failed");
}

// Rows of the store as the suite writes them, "running" ones included.
struct StoreState {
  int finished = 0;
  int running_with_epochs = 0;
  int running_epochs = 0;
};

StoreState ReadState(const fs::path& db) {
  StoreState state;
  try {
    SQLite::Database store(db.string(), SQLite::OPEN_READONLY);
    store.setBusyTimeout(5000);
    SQLite::Statement finished(store, "SELECT COUNT(*) FROM runs WHERE status = 'finished'");
    if (finished.executeStep()) state.finished = finished.getColumn(0).getInt();
    SQLite::Statement running(store,
                              "SELECT COUNT(*) FROM epochs JOIN runs ON runs.id = epochs.run_id "
                              "WHERE runs.status = 'running'");
    if (running.executeStep()) state.running_epochs = running.getColumn(0).getInt();
    state.running_with_epochs = state.running_epochs > 0 ? 1 : 0;
  } catch (const SQLite::Exception&) {
    // Not created yet.
  }
  return state;
}

TEST_F(EndToEnd, KilledWithSigkillMidCellTheSameCommandResumes) {
  const fs::path suite = WriteSuite("resume", R"(defaults:
  model: cnn
  epochs: 12
  batch_size: 32
  lr: 0.01
  threads: 1
  cnn: {channels: 4, hidden: 16}
matrix:
  lr: [0.01, 0.02, 0.03]
)");
  const fs::path db = root_ / "results.db";
  const std::string command = std::string("exec ") + CARBONBENCH_BINARY + " " + RunSuite(suite) +
                              " > " + (root_ / "first.log").string() + " 2>&1";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait until one cell has finished and the next has stored an epoch.
  StoreState state;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (std::chrono::steady_clock::now() < deadline) {
    state = ReadState(db);
    if (state.finished >= 1 && state.running_with_epochs > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(state.finished >= 1 && state.running_with_epochs > 0)
      << e2e::ReadFile(root_ / "first.log");
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));

  // The cell's own process died with the suite's: no epoch is added later.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const StoreState after_kill = ReadState(db);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(ReadState(db).running_epochs, after_kill.running_epochs);
  {
    SQLite::Database store(db.string(), SQLite::OPEN_READONLY);
    EXPECT_EQ(store.execAndGet("PRAGMA integrity_check").getString(), "ok");
  }
  std::map<std::string, std::string> finished_before;  // cell -> started_at
  for (const RunRow& row : ResultsStore(db.string()).LoadRuns("resume")) {
    if (row.status == "finished") finished_before[row.start.cell_name] = row.started_at;
  }
  ASSERT_GE(finished_before.size(), 1u);

  const CommandResult second = RunCarbonbench(RunSuite(suite));
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("from store"), std::string::npos) << second.output;
  const auto runs = ResultsStore(db.string()).LoadRuns("resume");
  ASSERT_EQ(runs.size(), 3u);
  for (const RunRow& row : runs) {
    EXPECT_EQ(row.status, "finished") << row.start.cell_name;
    EXPECT_EQ(row.epochs.size(), 12u) << row.start.cell_name;
    if (finished_before.count(row.start.cell_name)) {
      // Finished before the kill: kept as it was, not run again.
      EXPECT_EQ(row.started_at, finished_before[row.start.cell_name]);
    }
  }
  SQLite::Database store(db.string(), SQLite::OPEN_READONLY);
  EXPECT_EQ(store.execAndGet("PRAGMA integrity_check").getString(), "ok");
  EXPECT_EQ(store.execAndGet("SELECT COUNT(*) FROM runs WHERE status = 'running'").getInt(), 0);
}

TEST_F(EndToEnd, ASecondRunOnAStoreInUseRefusesAndNamesTheFirst) {
  const fs::path suite = WriteSuite("busy", FaultySuite("[none]"));
  const fs::path db = root_ / "results.db";
  std::string output;
  {
    const StoreLock held(db.string());  // as a run in progress holds it
    const CommandResult second = RunCarbonbench(FaultyPlugins() + RunSuite(suite));
    EXPECT_EQ(second.exit_code, 1) << second.output;
    output = second.output;
  }
  EXPECT_NE(output.find("error: store " + db.string() + " is being written by process " +
                        std::to_string(getpid()) + " ("),
            std::string::npos)
      << output;
  EXPECT_EQ(output.find("FAILED"), std::string::npos) << output;  // nothing ran
  EXPECT_TRUE(ResultsStore(db.string()).LoadRuns("busy").empty());
  // Once the first run ends, the same command runs.
  const CommandResult again = RunCarbonbench(FaultyPlugins() + RunSuite(suite));
  EXPECT_EQ(again.exit_code, 0) << again.output;
}

TEST_F(EndToEnd, SigintDuringAFreshRunKeepsTheFinishedResultAndSaysHowToResume) {
  const fs::path suite = WriteSuite("interrupted", R"(defaults:
  model: cnn
  epochs: 30
  batch_size: 32
  lr: 0.01
  threads: 1
  cnn: {channels: 4, hidden: 16}
)");
  const fs::path db = root_ / "results.db";
  const CommandResult first = RunCarbonbench(RunSuite(suite));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const std::vector<RunRow> before = ResultsStore(db.string()).LoadRuns("interrupted");
  ASSERT_EQ(before.size(), 1u);

  const fs::path log = root_ / "fresh.log";
  const pid_t pid =
      StartInBackground(std::string(CARBONBENCH_BINARY) + " " + RunSuite(suite, "--fresh"), log);
  ASSERT_GT(pid, 0);
  StoreState state;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (std::chrono::steady_clock::now() < deadline) {
    state = ReadState(db);
    if (state.running_with_epochs > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GT(state.running_with_epochs, 0) << e2e::ReadFile(log);

  ASSERT_EQ(kill(pid, SIGINT), 0);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << e2e::ReadFile(log);
  EXPECT_EQ(WEXITSTATUS(status), 130) << e2e::ReadFile(log);
  const std::string output = e2e::ReadFile(log);
  EXPECT_NE(output.find("interrupted (SIGINT): stopped the running cell"), std::string::npos)
      << output;
  EXPECT_NE(output.find(db.string() + " keeps the 0 cell repetition(s) this run finished and "
                                      "every result finished before it"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("Resume with the same command: " + std::string(CARBONBENCH_BINARY) + " " +
                        RunSuite(suite, "--fresh")),
            std::string::npos)
      << output;

  // The finished result is still the current one, epochs and all; the
  // interrupted attempt is history, with the epochs it stored.
  ResultsStore store(db.string());
  const std::vector<RunRow> after = store.LoadRuns("interrupted");
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].id, before[0].id);
  EXPECT_EQ(after[0].status, "finished");
  EXPECT_EQ(after[0].epochs.size(), 30u);
  const std::vector<RunRow> history = store.LoadSupersededRuns("interrupted");
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].status, "failed");
  EXPECT_NE(history[0].failure_reason.find("interrupted (SIGINT)"), std::string::npos)
      << history[0].failure_reason;
  EXPECT_GE(history[0].epochs.size(), 1u);
  SQLite::Database raw(db.string(), SQLite::OPEN_READONLY);
  EXPECT_EQ(raw.execAndGet("PRAGMA integrity_check").getString(), "ok");
  EXPECT_EQ(raw.execAndGet("SELECT COUNT(*) FROM runs WHERE status = 'running'").getInt(), 0);
}

}  // namespace
}  // namespace carbonbench::e2e
