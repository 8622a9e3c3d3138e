// A suite's search end to end: Optuna's trials run as cells of the real
// binary on a series the test writes, the same seed gives the same trials,
// the pruner stops a bad trial and the store keeps what it spent, a search
// killed with SIGKILL resumes with no trial lost or run twice, and the
// errors a user meets (a bad block, Optuna missing) say what to do.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <set>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>
#include <nlohmann/json.hpp>

#include "e2e_util.h"
#include "store/results_store.h"

namespace carbonbench::e2e {
namespace {

class Search : public EndToEnd {
 protected:
  void SetUp() override {
    EndToEnd::SetUp();
    std::ofstream out(root_ / "series.csv");
    out << "date,value\n";
    for (int i = 0; i < 240; ++i) {
      out << 20000101 + i << "," << 300.0 + 0.05 * i + 3.0 * std::sin(i * 0.12) + (i * 7 % 5) * 0.1
          << "\n";
    }
  }

  // A linear forecaster on the series, searched as `search` says.
  fs::path WriteSearchSuite(const std::string& name, const std::string& search,
                            int epochs = 4) const {
    const fs::path path = root_ / (name + ".yaml");
    std::ofstream(path) << "suite: " << name << "\n"
                        << "dataset: {name: timeseries_csv, path: "
                        << (root_ / "series.csv").string() << ", window: 8}\n"
                        << "defaults: {model: linear, epochs: " << epochs
                        << ", batch_size: 16, threads: 1, seed: 1}\n"
                        << "inference: {enabled: false}\n"
                        << "carbon: {region: FR}\n"
                        << "search:\n"
                        << search;
    return path;
  }

  std::string Run(const fs::path& suite, const std::string& store_name) const {
    return "--store " + (root_ / store_name).string() + " --reports-dir " +
           (root_ / "reports").string() + " run " + suite.string() + " --models-dir " +
           (root_ / "models").string();
  }

  std::vector<TrialRecord> Trials(const std::string& store_name, const std::string& suite) const {
    ResultsStore store((root_ / store_name).string());
    const auto studies = store.LoadStudies(suite);
    if (studies.empty()) return {};
    return store.LoadTrials(suite, studies.back().study);
  }
};

constexpr const char* kLrSearch =
    "  parameters:\n"
    "    lr: {float: [0.0005, 0.05], log: true}\n"
    "    batch_size: {choice: [8, 16, 32]}\n"
    "  objectives: [rmse]\n"
    "  sampler: {type: tpe, seed: 3}\n"
    "  pruner: none\n"
    "  trials: 4\n";

TEST_F(Search, TheSameSeedGivesTheSameTrials) {
  const fs::path suite = WriteSearchSuite("seeded", kLrSearch, 2);
  const CommandResult first = RunCarbonbench(Run(suite, "first.db"));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const CommandResult second = RunCarbonbench(Run(suite, "second.db"));
  ASSERT_EQ(second.exit_code, 0) << second.output;
  const auto a = Trials("first.db", "seeded");
  const auto b = Trials("second.db", "seeded");
  ASSERT_EQ(a.size(), 4u);
  ASSERT_EQ(b.size(), 4u);
  std::set<std::string> distinct;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].number, static_cast<int>(i));
    EXPECT_EQ(a[i].params_json, b[i].params_json) << "trial " << i;
    EXPECT_EQ(a[i].state, "complete");
    ASSERT_EQ(a[i].values.size(), 1u);
    EXPECT_EQ(a[i].values[0], b[i].values[0]) << "trial " << i << ": training is seeded";
    EXPECT_GT(a[i].energy_wh, 0.0);
    distinct.insert(a[i].params_json);
  }
  EXPECT_GT(distinct.size(), 1u) << "the sampler should vary the parameters";
  EXPECT_NE(first.output.find("search seeded ended: 4 trials done"), std::string::npos)
      << first.output;
  // The report says what the search cost.
  const std::string report = ReadFile(root_ / "reports" / "seeded.md");
  EXPECT_NE(report.find("Search"), std::string::npos);
}

TEST_F(Search, PruningStopsABadTrialAndKeepsWhatItSpent) {
  // One learning rate learns, the other barely moves: once a trial has
  // completed, the median pruner stops the slow one after its first epoch.
  const fs::path suite = WriteSearchSuite("pruned",
                                          "  parameters:\n"
                                          "    lr: {choice: [0.05, 0.000001]}\n"
                                          "  objectives: [rmse]\n"
                                          "  sampler: {type: random, seed: 2}\n"
                                          "  pruner: {type: median, startup_trials: 1}\n"
                                          "  trials: 6\n",
                                          6);
  const CommandResult run = RunCarbonbench(Run(suite, "results.db"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto trials = Trials("results.db", "pruned");
  ASSERT_EQ(trials.size(), 6u);
  const TrialRecord* pruned = nullptr;
  for (const auto& trial : trials)
    if (trial.state == "pruned") pruned = &trial;
  ASSERT_NE(pruned, nullptr) << run.output;
  EXPECT_NE(pruned->params_json.find("1e-06"), std::string::npos) << pruned->params_json;
  EXPECT_LT(pruned->epochs_run, pruned->planned_epochs);
  EXPECT_GT(pruned->energy_wh, 0.0);
  EXPECT_GT(pruned->projected_energy_wh, pruned->energy_wh);
  EXPECT_NE(pruned->note.find("median pruner"), std::string::npos) << pruned->note;
  // Its run is stored as pruned, with the epochs it ran.
  SQLite::Database db((root_ / "results.db").string(), SQLite::OPEN_READONLY);
  SQLite::Statement run_row(db, "SELECT status, energy_wh, epochs_run FROM runs WHERE id = ?");
  run_row.bind(1, pruned->run_id);
  ASSERT_TRUE(run_row.executeStep());
  EXPECT_EQ(run_row.getColumn(0).getString(), "pruned");
  EXPECT_NEAR(run_row.getColumn(1).getDouble(), pruned->energy_wh, 1e-12);
  EXPECT_EQ(run_row.getColumn(2).getInt(), pruned->epochs_run);
  EXPECT_NE(run.output.find("pruning saved about"), std::string::npos) << run.output;
}

TEST_F(Search, ResumesAfterSigkillWithNoTrialLostOrRunTwice) {
  const fs::path suite = WriteSearchSuite("resumed",
                                          "  parameters:\n"
                                          "    lr: {float: [0.001, 0.05], log: true}\n"
                                          "  objectives: [rmse]\n"
                                          "  sampler: {type: tpe, seed: 5}\n"
                                          "  pruner: none\n"
                                          "  trials: 4\n",
                                          30);
  const pid_t pid = StartInBackground(
      std::string(CARBONBENCH_BINARY) + " " + Run(suite, "results.db"), root_ / "first.log");
  // Killed once a trial has completed and the next is running.
  const fs::path store_path = root_ / "results.db";
  bool killed = false;
  for (int i = 0; i < 1200 && !killed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!fs::exists(store_path)) continue;
    try {
      SQLite::Database db(store_path.string(), SQLite::OPEN_READONLY);
      if (!db.tableExists("search_trials")) continue;
      const int complete =
          db.execAndGet("SELECT COUNT(*) FROM search_trials WHERE state = 'complete'").getInt();
      const int running =
          db.execAndGet("SELECT COUNT(*) FROM search_trials WHERE state = 'running'").getInt();
      if (complete >= 1 && running == 1) {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        kill(pid, SIGKILL);
        killed = true;
      }
    } catch (const SQLite::Exception&) {
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(killed) << ReadFile(root_ / "first.log");
  const auto before = Trials("results.db", "resumed");
  std::map<int, TrialRecord> ended_before;
  int cut_short = -1;
  for (const auto& trial : before) {
    if (trial.state == "running") cut_short = trial.number;
    if (trial.state != "running") ended_before[trial.number] = trial;
  }
  ASSERT_GE(cut_short, 0);

  const CommandResult resumed = RunCarbonbench(Run(suite, "results.db"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  const auto after = Trials("results.db", "resumed");
  ASSERT_EQ(after.size(), 4u) << resumed.output;
  for (std::size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].number, static_cast<int>(i));
    EXPECT_EQ(after[i].state, "complete") << "trial " << i;
  }
  for (const auto& [number, trial] : ended_before) {
    EXPECT_EQ(after[number].ended_at, trial.ended_at) << "trial " << number << " ran again";
    EXPECT_EQ(after[number].params_json, trial.params_json);
  }
  // The trial cut short ran again with the parameters it was given.
  const auto cut = std::find_if(before.begin(), before.end(),
                                [&](const TrialRecord& t) { return t.number == cut_short; });
  EXPECT_EQ(after[cut_short].params_json, cut->params_json);
  // One finished run per trial configuration, none left running.
  SQLite::Database db(store_path.string(), SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM runs WHERE status = 'running'").getInt(), 0);
}

TEST_F(Search, ATrialStoredButNotYetToldIsToldFromTheStore) {
  const fs::path suite = WriteSearchSuite("told", kLrSearch, 2);
  const CommandResult first = RunCarbonbench(Run(suite, "results.db"));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto before = Trials("results.db", "told");
  ASSERT_EQ(before.size(), 4u);
  // Killed between storing the last trial's end and telling Optuna: the
  // journal's last entry (that trial's state) never made it.
  const fs::path journal = root_ / "results.db.search" / "told.journal";
  std::string text = ReadFile(journal);
  ASSERT_GT(text.size(), 2u);
  text.pop_back();
  const std::size_t last_line = text.rfind('\n');
  ASSERT_NE(text.find("\"op_code\": 6", last_line), std::string::npos) << text.substr(last_line);
  std::ofstream(journal, std::ios::trunc) << text.substr(0, last_line + 1);

  const CommandResult again = RunCarbonbench(Run(suite, "results.db"));
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("4 trials done"), std::string::npos) << again.output;
  EXPECT_EQ(again.output.find("epoch 1/2"), std::string::npos) << "nothing runs again";
  const auto after = Trials("results.db", "told");
  ASSERT_EQ(after.size(), 4u);
  for (std::size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].ended_at, before[i].ended_at) << "trial " << i;
  }
  // Optuna holds the trial's end again.
  const std::string told = ReadFile(journal);
  EXPECT_NE(told.rfind("\"op_code\": 6"), std::string::npos);
  EXPECT_GT(told.size(), text.substr(0, last_line + 1).size());
}

TEST_F(Search, ABudgetEndsTheSearchAndRaisingItContinuesTheStudy) {
  const std::string block =
      "  parameters:\n"
      "    lr: {float: [0.001, 0.05], log: true}\n"
      "  objectives: [rmse]\n"
      "  sampler: {type: random, seed: 4}\n"
      "  pruner: none\n"
      "  trials: 5\n";
  // Any trial spends more than a nanowatt-hour: the search stops after one.
  const fs::path suite = WriteSearchSuite("budget", block + "  max_energy_wh: 0.000000001\n", 2);
  const CommandResult run = RunCarbonbench(Run(suite, "results.db"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("energy budget spent"), std::string::npos) << run.output;
  const auto first = Trials("results.db", "budget");
  ASSERT_EQ(first.size(), 1u);
  // Without the budget the same study goes on to its 5 trials, keeping the first.
  const fs::path unbounded = WriteSearchSuite("budget", block, 2);
  const CommandResult more = RunCarbonbench(Run(unbounded, "results.db"));
  ASSERT_EQ(more.exit_code, 0) << more.output;
  const auto all = Trials("results.db", "budget");
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0].ended_at, first[0].ended_at);
  EXPECT_EQ(all[0].params_json, first[0].params_json);
}

TEST_F(Search, ATrialRecordsOnlyTheParametersItsCellRanWith) {
  const fs::path suite = WriteSearchSuite("models",
                                          "  parameters:\n"
                                          "    model: {choice: [linear, cnn1d]}\n"
                                          "    cnn1d.channels: {int: [4, 8], step: 4}\n"
                                          "  objectives: [rmse]\n"
                                          "  sampler: {type: random, seed: 1}\n"
                                          "  pruner: none\n"
                                          "  trials: 4\n",
                                          1);
  const CommandResult run = RunCarbonbench(Run(suite, "results.db"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::set<std::string> models;
  for (const auto& trial : Trials("results.db", "models")) {
    const auto params = nlohmann::json::parse(trial.params_json);
    const std::string model = params.at("model").get<std::string>();
    models.insert(model);
    // A linear forecaster has no channels: the width drawn for it is not its own.
    EXPECT_EQ(params.contains("cnn1d.channels"), model == "cnn1d") << trial.params_json;
  }
  EXPECT_EQ(models.size(), 2u) << "the seed should draw both models";
}

TEST_F(Search, ABadSearchBlockIsAnErrorAtItsLine) {
  const fs::path suite = WriteSearchSuite("bad",
                                          "  parameters:\n"
                                          "    lr: {float: [0.1, 0.01]}\n"
                                          "    lrr: {choice: [1, 2]}\n"
                                          "  objectives: [rmse, co2_g]\n"
                                          "  pruner: median\n");
  const CommandResult run = RunCarbonbench(Run(suite, "results.db"));
  EXPECT_NE(run.exit_code, 0);
  const std::string file = suite.string();
  EXPECT_NE(run.output.find(file + ":8:"), std::string::npos) << run.output;   // the bounds
  EXPECT_NE(run.output.find(file + ":9:"), std::string::npos) << run.output;   // unknown key
  EXPECT_NE(run.output.find(file + ":11:"), std::string::npos) << run.output;  // the pruner
  EXPECT_NE(run.output.find("single-objective"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(root_ / "results.db"));
}

TEST_F(Search, WithoutOptunaItSaysWhatToInstall) {
  // A Python that does not see Debian's packages.
  const fs::path python = root_ / "python";
  std::ofstream(python) << "#!/bin/sh\nexec /usr/bin/python3 -I -S \"$@\"\n";
  fs::permissions(python, fs::perms::owner_all);
  const fs::path suite = WriteSearchSuite("no_optuna", kLrSearch, 2);
  const std::string command = "CARBONBENCH_PYTHON=" + python.string() + " " +
                              std::string(CARBONBENCH_BINARY) + " " + Run(suite, "results.db") +
                              " 2>&1";
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  while (std::fgets(buffer, sizeof(buffer), pipe)) output += buffer;
  const int status = pclose(pipe);
  EXPECT_NE(WEXITSTATUS(status), 0) << output;
  EXPECT_NE(output.find("python3-optuna"), std::string::npos) << output;
  // Nothing ran: no trial is in the store.
  EXPECT_TRUE(ResultsStore((root_ / "results.db").string()).LoadRuns("no_optuna").empty());
}

TEST_F(Search, GridRunsEveryCombinationOfTheSearchSpace) {
  const fs::path suite = WriteSearchSuite("gridded",
                                          "  parameters:\n"
                                          "    lr: {choice: [0.01, 0.03]}\n"
                                          "    batch_size: {int: [8, 24], step: 8}\n"
                                          "  objectives: [rmse]\n",
                                          1);
  const CommandResult grid = RunCarbonbench(Run(suite, "results.db") + " --grid");
  ASSERT_EQ(grid.exit_code, 0) << grid.output;
  ResultsStore store((root_ / "results.db").string());
  EXPECT_EQ(store.LoadRuns("gridded").size(), 6u);
  EXPECT_TRUE(store.LoadStudies("gridded").empty());

  const fs::path floats = WriteSearchSuite("floats", kLrSearch, 1);
  const CommandResult refused = RunCarbonbench(Run(floats, "results.db") + " --grid");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("'lr' is a float range"), std::string::npos) << refused.output;
}

}  // namespace
}  // namespace carbonbench::e2e
