// The study client against the real Optuna driver (data/search/
// optuna_driver.py under /usr/bin/python3): parameters come back inside
// their distributions and as the search's own values, a seed makes the
// sampler repeat itself, the median pruner stops a bad trial, and a study
// reopened from its journal lists its trials (a RUNNING one still usable).
// Without Optuna or Python, the error names what to install.
#include "search/study_client.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <cmath>
#include <fstream>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "temp_dir_test.h"

namespace carbonbench {
namespace {

SearchParameter Float(const std::string& key, double low, double high, bool log) {
  SearchParameter parameter;
  parameter.key = key;
  parameter.distribution.kind = SearchDistribution::Kind::kFloat;
  parameter.distribution.low = low;
  parameter.distribution.high = high;
  parameter.distribution.log = log;
  return parameter;
}

SearchParameter Int(const std::string& key, double low, double high, std::int64_t step) {
  SearchParameter parameter;
  parameter.key = key;
  parameter.distribution.kind = SearchDistribution::Kind::kInt;
  parameter.distribution.low = low;
  parameter.distribution.high = high;
  parameter.distribution.step = step;
  return parameter;
}

SearchParameter Choice(const std::string& key, std::vector<ParamValue> choices,
                       std::vector<std::string> labels) {
  SearchParameter parameter;
  parameter.key = key;
  parameter.distribution.kind = SearchDistribution::Kind::kChoice;
  parameter.distribution.choices = std::move(choices);
  parameter.distribution.labels = std::move(labels);
  return parameter;
}

SearchSettings Settings(int objectives = 1) {
  SearchSettings search;
  search.parameters = {Float("lr", 1e-4, 1e-1, true), Int("batch_size", 16, 128, 16),
                       Choice("optimizations", {std::string(""), std::string("amp+channels_last")},
                              {"none", "amp+channels_last"})};
  search.objectives = {{"rmse", false}};
  if (objectives == 2) search.objectives.push_back({"energy_wh", false});
  search.sampler = "tpe";
  search.seed = 42;
  search.pruner.name = objectives == 1 ? "median" : "none";
  search.pruner.startup_trials = 1;
  search.pruner.warmup_epochs = 0;
  return search;
}

class StudyClientTest : public test_support::TempDirTest {
 protected:
  void SetUp() override { unsetenv("CARBONBENCH_PYTHON"); }
  void TearDown() override { unsetenv("CARBONBENCH_PYTHON"); }

  StudyOptions Options(const std::string& journal = "study.journal") const {
    StudyOptions options;
    options.python = "/usr/bin/python3";
    options.driver_path = OptunaDriverPath(CARBONBENCH_SOURCE_DATA_DIR);
    options.journal_path = PathIn(journal);
    options.study_name = "search-0123abcd";
    return options;
  }

  // What constructing a client throws as OptunaMissing ("" if it does not).
  std::string OptunaMissingMessage() const {
    try {
      StudyClient client(Options(), Settings());
    } catch (const OptunaMissing& error) {
      return error.what();
    }
    return "";
  }
};

TEST_F(StudyClientTest, AskedParametersLieInTheirDistributionsAndChoicesAreTheSearchsValues) {
  StudyClient client(Options(), Settings());
  EXPECT_EQ(client.optuna_version(), "3.1.0");
  EXPECT_TRUE(client.trials_at_open().empty());
  bool saw_each_choice[2] = {false, false};
  for (int i = 0; i < 12; ++i) {
    const StudyTrial trial = client.Ask();
    EXPECT_EQ(trial.number, i);
    EXPECT_EQ(trial.state, "RUNNING");
    ASSERT_EQ(trial.params.size(), 3u);
    const double lr = std::get<double>(trial.params.at("lr"));
    EXPECT_GE(lr, 1e-4);
    EXPECT_LE(lr, 1e-1);
    const std::int64_t batch_size = std::get<std::int64_t>(trial.params.at("batch_size"));
    EXPECT_GE(batch_size, 16);
    EXPECT_LE(batch_size, 128);
    EXPECT_EQ(batch_size % 16, 0);
    const std::string& optimizations = std::get<std::string>(trial.params.at("optimizations"));
    ASSERT_TRUE(optimizations == "" || optimizations == "amp+channels_last") << optimizations;
    saw_each_choice[optimizations.empty() ? 0 : 1] = true;
    client.TellComplete(trial.number, {lr});
  }
  EXPECT_TRUE(saw_each_choice[0] && saw_each_choice[1]);
}

TEST_F(StudyClientTest, AFixedSeedAsksTheSameParametersInAFreshStudy) {
  std::vector<std::map<std::string, ParamValue>> asked[2];
  for (int study = 0; study < 2; ++study) {
    StudyClient client(Options("study" + std::to_string(study) + ".journal"), Settings());
    for (int i = 0; i < 5; ++i) {
      const StudyTrial trial = client.Ask();
      asked[study].push_back(trial.params);
      client.TellComplete(trial.number, {static_cast<double>(i)});
    }
  }
  EXPECT_EQ(asked[0], asked[1]);
}

TEST_F(StudyClientTest, TheMedianPrunerStopsAClearlyBadTrial) {
  StudyClient client(Options(), Settings());
  for (int i = 0; i < 3; ++i) {
    const int number = client.Ask().number;
    for (int epoch = 1; epoch <= 3; ++epoch) {
      EXPECT_FALSE(client.ReportAndShouldPrune(number, epoch, 1.0 - 0.1 * epoch));
    }
    client.TellComplete(number, {0.7});
  }
  const int good = client.Ask().number;
  EXPECT_FALSE(client.ReportAndShouldPrune(good, 1, 0.5));
  client.TellComplete(good, {0.5});
  const int bad = client.Ask().number;
  EXPECT_TRUE(client.ReportAndShouldPrune(bad, 1, 100.0));
  client.TellPruned(bad);
  // A value that is not a number is as bad as can be (it travels as null).
  const int diverged = client.Ask().number;
  EXPECT_TRUE(client.ReportAndShouldPrune(diverged, 1, std::nan("")));
  client.TellPruned(diverged);
}

TEST_F(StudyClientTest, AReopenedStudyListsItsTrialsAndARunningOneCanStillBeTold) {
  std::map<std::string, ParamValue> running_params;
  {
    StudyClient client(Options(), Settings());
    const StudyTrial complete = client.Ask();
    EXPECT_FALSE(client.ReportAndShouldPrune(complete.number, 1, 0.4));
    client.TellComplete(complete.number, {0.25});
    const int pruned = client.Ask().number;
    client.ReportAndShouldPrune(pruned, 1, 9.0);
    client.TellPruned(pruned);
    client.TellFailed(client.Ask().number);
    const StudyTrial running = client.Ask();  // its search killed: never told
    client.ReportAndShouldPrune(running.number, 1, 0.3);
    running_params = running.params;
  }
  {
    StudyClient client(Options(), Settings());
    const std::vector<StudyTrial>& trials = client.trials_at_open();
    ASSERT_EQ(trials.size(), 4u);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(trials[i].number, i);
    EXPECT_EQ(trials[0].state, "COMPLETE");
    EXPECT_EQ(trials[0].values, std::vector<double>{0.25});
    EXPECT_EQ(trials[1].state, "PRUNED");
    EXPECT_TRUE(trials[1].values.empty());
    EXPECT_EQ(trials[2].state, "FAIL");
    EXPECT_EQ(trials[3].state, "RUNNING");
    EXPECT_EQ(trials[3].params, running_params);  // choices mapped back from labels
    EXPECT_FALSE(client.ReportAndShouldPrune(3, 2, 0.2));
    client.TellComplete(3, {0.2});
    EXPECT_EQ(client.Ask().number, 4);
  }
  StudyClient client(Options(), Settings());
  const std::vector<StudyTrial>& trials = client.trials_at_open();
  ASSERT_EQ(trials.size(), 5u);
  EXPECT_EQ(trials[3].state, "COMPLETE");
  EXPECT_EQ(trials[3].values, std::vector<double>{0.2});
  EXPECT_EQ(trials[4].state, "RUNNING");
}

TEST_F(StudyClientTest, AJournalWriteCutShortIsDroppedAndTheStudyGoesOn) {
  {
    StudyClient client(Options(), Settings());
    client.TellComplete(client.Ask().number, {0.5});
  }
  // A search killed while Optuna appended a log: the line has no end.
  std::ofstream(PathIn("study.journal"), std::ios::app) << "{\"op_code\": 4, \"worker_id\": \"a";
  {
    StudyClient client(Options(), Settings());
    ASSERT_EQ(client.trials_at_open().size(), 1u);
    client.TellComplete(client.Ask().number, {0.25});
  }
  StudyClient client(Options(), Settings());
  ASSERT_EQ(client.trials_at_open().size(), 2u);
  EXPECT_EQ(client.trials_at_open()[1].values, std::vector<double>{0.25});
}

TEST_F(StudyClientTest, TwoObjectivesAreToldAndReadBackTogether) {
  {
    StudyClient client(Options(), Settings(2));
    const int number = client.Ask().number;
    client.TellComplete(number, {0.5, 12.5});
  }
  StudyClient client(Options(), Settings(2));
  ASSERT_EQ(client.trials_at_open().size(), 1u);
  EXPECT_EQ(client.trials_at_open()[0].values, (std::vector<double>{0.5, 12.5}));
}

TEST_F(StudyClientTest, ImportancesOrTheReasonThereAreNone) {
  StudyClient client(Options(), Settings());
  for (int i = 0; i < 8; ++i) {
    const StudyTrial trial = client.Ask();
    client.TellComplete(trial.number, {std::log10(std::get<double>(trial.params.at("lr")))});
  }
  const StudyClient::Importances importances = client.ComputeImportances();
  if (importances.unavailable_reason.empty()) {
    EXPECT_EQ(importances.by_parameter.size(), 3u);
    EXPECT_GT(importances.by_parameter.at("lr"), 0.5);
  } else {
    // Optuna 3.1's evaluators need scikit-learn.
    EXPECT_NE(importances.unavailable_reason.find("python3-sklearn"), std::string::npos)
        << importances.unavailable_reason;
  }
}

TEST_F(StudyClientTest, ARefusedRequestSaysWhy) {
  StudyClient client(Options(), Settings());
  try {
    client.ReportAndShouldPrune(7, 1, 0.5);
    FAIL() << "reported to a trial that does not exist";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("trial 7 is not running"), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(client.Ask().number, 0);  // the driver serves on
}

TEST_F(StudyClientTest, APythonWithoutOptunaNamesThePackageToInstall) {
  // The same Python, isolated from its site packages: Optuna cannot be imported.
  const std::string python =
      Write("python-without-optuna", "#!/bin/sh\nexec /usr/bin/python3 -I -S \"$@\"\n");
  chmod(python.c_str(), 0755);
  setenv("CARBONBENCH_PYTHON", python.c_str(), 1);
  const std::string message = OptunaMissingMessage();
  EXPECT_NE(message.find("apt-get install python3-optuna"), std::string::npos) << message;
  EXPECT_NE(message.find("No module named 'optuna'"), std::string::npos) << message;
  EXPECT_NE(message.find(python), std::string::npos) << message;
}

TEST_F(StudyClientTest, AMissingPythonNamesTheVariableThatChoosesIt) {
  setenv("CARBONBENCH_PYTHON", "/nonexistent/python3", 1);
  const std::string message = OptunaMissingMessage();
  EXPECT_NE(message.find("/nonexistent/python3 cannot be executed"), std::string::npos) << message;
  EXPECT_NE(message.find("CARBONBENCH_PYTHON"), std::string::npos) << message;
  EXPECT_NE(message.find("python3-optuna"), std::string::npos) << message;
}

TEST(OptunaDriverPath, IsInTheReferenceDataFoldersSearchFolder) {
  EXPECT_EQ(OptunaDriverPath("/usr/share/carbonbench/data"),
            "/usr/share/carbonbench/data/search/optuna_driver.py");
}

}  // namespace
}  // namespace carbonbench
