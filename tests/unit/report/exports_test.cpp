// The CSV and JSON exports: stable columns with units, one row per run and
// per epoch, fields quoted as RFC 4180 wants, figures read back unchanged.
#include "report/export/exports.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <gtest/gtest.h>

#include "unit/report/report_test_util.h"

namespace carbonbench::report {
namespace {

using report_testing::Lines;

// A CSV line's fields; the lines these tests read quote nothing.
std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> fields(1);
  for (const char c : line) {
    if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

TEST(CsvField, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(CsvField("cnn/baseline"), "cnn/baseline");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
}

TEST(Exports, RunsCsvHasItsColumnsAndARowPerRun) {
  const auto runs = report_testing::SampleRuns();
  const auto lines = Lines(RunsCsv(runs));
  ASSERT_EQ(lines.size(), runs.size() + 1);
  EXPECT_EQ(lines[0].rfind("run_id,suite,cell,config_hash,repetition,seed,model,", 0), 0u);
  EXPECT_NE(lines[0].find(",duration_s,energy_wh,co2_g,"), std::string::npos);
  EXPECT_EQ(lines[1].rfind("1,mnist_quick,cnn/baseline,hash_cnn/baseline,0,42,cnn,,mnist,", 0), 0u)
      << lines[1];
  // Full precision: 0.975 final accuracy is 97.5 percent, energy 9.5 Wh.
  EXPECT_NE(lines[1].find(",97.5,"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find(",9.5,"), std::string::npos) << lines[1];
  // The failed run is there with its reason.
  EXPECT_NE(lines[5].find(",failed,loss became NaN at epoch 2,"), std::string::npos) << lines[5];
}

TEST(Exports, EpochsCsvHasARowPerEpochWithCumulativeEnergy) {
  const auto runs = report_testing::SampleRuns();
  const auto lines = Lines(EpochsCsv(runs));
  std::size_t epochs = 0;
  for (const RunRow& run : runs) epochs += run.epochs.size();
  ASSERT_EQ(lines.size(), epochs + 1);
  EXPECT_EQ(lines[0],
            "run_id,suite,cell,repetition,epoch,train_loss,test_loss,test_accuracy_percent,"
            "test_rmse,test_mae,train_s,eval_s,data_s,energy_wh,cumulative_energy_wh,co2_g,"
            "energy_provenance,energy_band_wh");
  // Run 1's second epoch: 60% of 9.5 Wh, 9.5 Wh so far.
  EXPECT_NE(lines[2].find(",5.7,9.5,"), std::string::npos) << lines[2];
}

TEST(Exports, RunsJsonCarriesEpochsAndNullsWhatATaskHasNot) {
  const auto runs = report_testing::MixedRuns();
  const auto json = nlohmann::json::parse(RunsJson("mixed_quick", runs));
  EXPECT_EQ(json["format"], "carbonbench runs");
  ASSERT_EQ(json["runs"].size(), runs.size());
  const auto& classifier = json["runs"][0];
  EXPECT_DOUBLE_EQ(classifier["final_accuracy_percent"].get<double>(), 98.0);
  EXPECT_TRUE(classifier["final_rmse"].is_null());
  EXPECT_EQ(classifier["epochs"].size(), 2u);
  EXPECT_EQ(classifier["settings"]["model"], "cnn");
  const auto& regressor = json["runs"][2];
  EXPECT_TRUE(regressor["final_accuracy_percent"].is_null());
  EXPECT_DOUBLE_EQ(regressor["final_rmse"].get<double>(), 1.2);
  // Per epoch too, as epochs.csv leaves them empty.
  EXPECT_TRUE(classifier["epochs"][0]["test_rmse"].is_null());
  EXPECT_TRUE(classifier["epochs"][0]["test_mae"].is_null());
  EXPECT_FALSE(classifier["epochs"][0]["test_accuracy_percent"].is_null());
  EXPECT_TRUE(regressor["epochs"][0]["test_accuracy_percent"].is_null());
  EXPECT_FALSE(regressor["epochs"][0]["test_rmse"].is_null());
}

TEST(Exports, LeaderboardCsvRanksAsTheReportDoes) {
  const auto lines = Lines(LeaderboardCsv(report_testing::SampleRuns(), report::ReportOptions{}));
  ASSERT_EQ(lines.size(), 4u);  // header and the three finished cells
  EXPECT_EQ(lines[0].rfind("dataset,objective,target_accuracy_percent,rank,cell,", 0), 0u);
  EXPECT_EQ(lines[1].rfind("mnist,acc_per_kwh,97,1,mlp/mixed_precision,", 0), 0u) << lines[1];
  EXPECT_EQ(lines[3].rfind("mnist,acc_per_kwh,97,3,cnn/baseline,", 0), 0u) << lines[3];
}

// A standard deviation needs two runs: a single run's is empty, not 0.
TEST(Exports, LeaderboardCsvLeavesTheSpreadOfASingleRunEmpty) {
  const auto lines = Lines(LeaderboardCsv(report_testing::SampleRuns(), report::ReportOptions{}));
  ASSERT_EQ(lines.size(), 4u);
  const auto field = [&](std::size_t line, const std::string& column) {
    const auto header = Fields(lines[0]);
    const auto at = std::find(header.begin(), header.end(), column) - header.begin();
    return Fields(lines[line]).at(at);
  };
  // mlp/mixed_precision ran once; cnn/baseline twice (9.5 and 10.5 Wh).
  for (const char* column :
       {"final_accuracy_percent_stddev", "energy_wh_stddev", "co2_g_stddev", "duration_s_stddev"}) {
    EXPECT_EQ(field(1, column), "") << column;
    EXPECT_NE(field(3, column), "") << column;
  }
  EXPECT_DOUBLE_EQ(std::stod(field(3, "energy_wh_stddev")), std::sqrt(0.5));
  EXPECT_EQ(field(1, "runs"), "1");
}

// The cold start belongs to the inference phase: empty for a run without one.
TEST(Exports, RunsCsvLeavesTheColdStartOfARunWithoutInferenceEmpty) {
  auto runs = report_testing::SampleRuns();
  runs[0].summary.cold_start_s = 0.25;
  runs[0].summary.inference.push_back({});
  const auto lines = Lines(RunsCsv(runs));
  const auto header = Fields(lines[0]);
  const auto at = std::find(header.begin(), header.end(), "cold_start_s") - header.begin();
  EXPECT_EQ(Fields(lines[1]).at(at), "0.25");
  EXPECT_EQ(Fields(lines[2]).at(at), "");
}

// The energy above idle needs an idle baseline: empty for a run without one.
TEST(Exports, RunsCsvLeavesTheIdleEnergyOfARunWithoutABaselineEmpty) {
  auto runs = report_testing::SampleRuns();
  runs[0].start.idle.watts = std::map<std::string, double>{{"cpu", 5.0}};
  runs[0].summary.idle_energy_wh = 0.5;
  const auto lines = Lines(RunsCsv(runs));
  const auto header = Fields(lines[0]);
  const auto at = std::find(header.begin(), header.end(), "idle_energy_wh") - header.begin();
  EXPECT_EQ(Fields(lines[1]).at(at), "0.5");
  EXPECT_EQ(Fields(lines[2]).at(at), "");
}

}  // namespace
}  // namespace carbonbench::report
