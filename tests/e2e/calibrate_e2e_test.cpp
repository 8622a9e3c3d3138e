// `carbonbench calibrate --score`: the real binary on measurement files the
// test writes, as a user checking the estimate on their own hardware runs it.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e_util.h"
#include "temp_dir_test.h"

namespace carbonbench::e2e {
namespace {

using CalibrateScore = test_support::TempDirTest;

const std::string kXeon = "Intel(R) Xeon(R) Gold 6140 CPU @ 2.30GHz";  // 140 W in cpu_power.csv

// Half of full power at idle, linear in busy cores, full load at the TDP.
constexpr const char* kHandCurve =
    R"({"idle_fraction": 0.5, "rise_exponent": 1.0, "smt_fraction": 0.0,
        "full_load_per_tdp": 1.0, "band_relative": 0.2, "basis": "a test curve",
        "machines": 1, "rows": 2})";

TEST_F(CalibrateScore, JsonIsOneObjectWithTheFourFigures) {
  const std::string csv =
      Write("meas.csv", "cpu_model,sockets,logical_cpus,load,measured_w\n\"" + kXeon +
                            "\",1,36,0,70\n\"" + kXeon + "\",1,36,0.5,112\n");
  const std::string curve = Write("curve.json", kHandCurve);
  const CommandResult result =
      RunCarbonbench("calibrate --score " + csv + " --curve " + curve + " --json");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  // stderr may carry a warning line first (a reference table not installed).
  const nlohmann::json out = nlohmann::json::parse(result.output.substr(result.output.find('{')));
  ASSERT_TRUE(out.is_object());
  EXPECT_EQ(out.at("rows").get<int>(), 2);
  // Idle: 70 W estimated, 0 %; half the threads fill the 18 cores: 140 W, +25 %.
  EXPECT_NEAR(out.at("mape_pct").get<double>(), 12.5, 1e-9);
  EXPECT_NEAR(out.at("bias_pct").get<double>(), 12.5, 1e-9);
  EXPECT_NEAR(out.at("energy_ratio").get<double>(), 210.0 / 182.0, 1e-9);
  ASSERT_EQ(out.at("per_cpu").size(), 1u);
  EXPECT_EQ(out.at("per_cpu")[0].at("cpu_model"), kXeon);
}

TEST_F(CalibrateScore, TableNamesEachCpuAndTheCurveFile) {
  const std::string csv = Write("meas.csv",
                                "measured_w,load,logical_cpus,sockets,cpu_model\n"
                                "150,0.9,36,1,\"" +
                                    kXeon + "\"\n9,1,2,1,Mystery Chip\n");
  const CommandResult result = RunCarbonbench("calibrate --score " + csv);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find(kXeon), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("Mystery Chip"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("default"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("overall"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("Curve: "), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("cpu_curve.json"), std::string::npos) << result.output;
}

TEST_F(CalibrateScore, BadInputNamesFileLineAndColumn) {
  const std::string csv =
      Write("meas.csv", "cpu_model,sockets,logical_cpus,load,measured_w\nX,1,2,0.5,0\n");
  const CommandResult zero = RunCarbonbench("calibrate --score " + csv + " --json");
  EXPECT_NE(zero.exit_code, 0);
  EXPECT_NE(zero.output.find(csv + " line 2 column 5 (measured_w)"), std::string::npos)
      << zero.output;

  const std::string missing = Write("missing.csv", "cpu_model,sockets,load,measured_w\nX,1,0,5\n");
  const CommandResult no_column = RunCarbonbench("calibrate --score " + missing);
  EXPECT_NE(no_column.exit_code, 0);
  EXPECT_NE(no_column.output.find(missing + " line 1: no 'logical_cpus' column"), std::string::npos)
      << no_column.output;
}

TEST_F(CalibrateScore, WithoutScoreOnAMachineWithoutACounterFails) {
  if (std::filesystem::exists("/sys/class/powercap/intel-rapl:0/energy_uj")) {
    GTEST_SKIP() << "this machine has a RAPL counter";
  }
  EXPECT_NE(RunCarbonbench("calibrate").exit_code, 0);
}

}  // namespace
}  // namespace carbonbench::e2e
