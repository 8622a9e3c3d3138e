// The CodeCarbon export: its v3 header in order, and one row checked field
// by field against the run it came from, in CodeCarbon's units.
#include "report/export/emissions_csv.h"

#include <map>

#include <gtest/gtest.h>

#include "records/record_json.h"
#include "unit/report/report_test_util.h"
#include "util/strings.h"

namespace carbonbench {
namespace {

using report_testing::Lines;

RunRow CloudRun() {
  RunRow run;
  run.id = 7;
  run.status = "finished";
  run.started_at = "2026-11-23T10:00:00Z";
  run.finished_at = "2026-11-23T10:30:00Z";
  run.start.suite = "quickstart";
  run.start.cell_name = "cnn/baseline";
  run.start.config_hash = "abc123";
  run.start.repetition = 1;
  run.start.environment = DecodeRecord<EnvironmentRecord>(
      R"({"cores":16,"cpu":"AMD EPYC 7B13, 64-Core","os":"Linux 6.1.0 x86_64"})");
  run.start.pue = 1.1;
  run.start.carbon = DecodeRecord<CarbonDetails>(
      R"({"country_iso_code":"BEL","country_name":"Belgium","subdivision":"",)"
      R"("cloud_provider":"gcp","cloud_region":"europe-west1"})");
  run.summary.duration_s = 1800;
  // cpu 110 Wh and ram 11 Wh, PUE 1.1 applied: 100 Wh and 10 Wh drawn.
  run.summary.phases = {{"train", "cpu", 99.0, "measured", "rapl", 0},
                        {"eval", "cpu", 11.0, "measured", "rapl", 0},
                        {"train", "ram", 11.0, "measured", "rapl", 0}};
  run.summary.energy_wh = 121.0;
  run.summary.co2_g = 24.2;
  run.summary.usage = DecodeRecord<UsageRecord>(
      R"({"cpu_utilization_percent":87.5,"ram_used_gb":2.5,"ram_total_gb":64.0})");
  return run;
}

TEST(EmissionsCsv, HeaderIsCodeCarbonsV3ColumnOrder) {
  const std::string header = Lines(report::RenderEmissionsCsv({})).at(0);
  EXPECT_EQ(header,
            "timestamp,project_name,run_id,experiment_id,duration,emissions,emissions_rate,"
            "cpu_power,gpu_power,ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,"
            "water_consumed,country_name,country_iso_code,region,cloud_provider,cloud_region,"
            "os,python_version,codecarbon_version,cpu_count,cpu_model,gpu_count,gpu_model,"
            "longitude,latitude,ram_total_size,tracking_mode,cpu_utilization_percent,"
            "gpu_utilization_percent,ram_utilization_percent,ram_used_gb,on_cloud,pue,wue");
  EXPECT_EQ(report::EmissionsCsvColumns().size(), 38u);
}

TEST(EmissionsCsv, OneRowFieldByField) {
  const std::vector<std::string> lines = Lines(report::RenderEmissionsCsv({CloudRun()}));
  ASSERT_EQ(lines.size(), 2u);
  // The CPU model holds a comma: quoted, as RFC 4180 asks.
  const std::string quoted_cpu = "\"AMD EPYC 7B13, 64-Core\"";
  const std::size_t at = lines[1].find(quoted_cpu);
  ASSERT_NE(at, std::string::npos) << lines[1];
  std::string row = lines[1];
  row.replace(at, quoted_cpu.size(), "CPU_MODEL");
  const std::vector<std::string> fields = SplitString(row, ',');
  ASSERT_EQ(fields.size(), report::EmissionsCsvColumns().size()) << row;
  std::map<std::string, std::string> field;
  for (std::size_t i = 0; i < fields.size(); ++i)
    field[report::EmissionsCsvColumns()[i]] = fields[i];

  EXPECT_EQ(field["timestamp"], "2026-11-23T10:30:00");
  EXPECT_EQ(field["project_name"], "quickstart");
  EXPECT_EQ(field["run_id"], "abc123-1");
  EXPECT_EQ(field["experiment_id"], "cnn/baseline");
  EXPECT_EQ(std::stod(field["duration"]), 1800);
  EXPECT_DOUBLE_EQ(std::stod(field["emissions"]), 0.0242);  // kg
  EXPECT_DOUBLE_EQ(std::stod(field["emissions_rate"]), 0.0242 / 1800);
  EXPECT_DOUBLE_EQ(std::stod(field["cpu_power"]), 200.0);  // 100 Wh in half an hour
  EXPECT_DOUBLE_EQ(std::stod(field["gpu_power"]), 0.0);
  EXPECT_DOUBLE_EQ(std::stod(field["ram_power"]), 20.0);
  EXPECT_DOUBLE_EQ(std::stod(field["cpu_energy"]), 0.110);  // kWh, PUE applied
  EXPECT_DOUBLE_EQ(std::stod(field["gpu_energy"]), 0.0);
  EXPECT_DOUBLE_EQ(std::stod(field["ram_energy"]), 0.011);
  EXPECT_DOUBLE_EQ(std::stod(field["energy_consumed"]), 0.121);
  // CodeCarbon's zero defaults are written as CodeCarbon writes them.
  EXPECT_EQ(field["water_consumed"], "0");
  EXPECT_EQ(field["country_name"], "Belgium");
  EXPECT_EQ(field["country_iso_code"], "BEL");
  EXPECT_EQ(field["region"], "");
  EXPECT_EQ(field["cloud_provider"], "gcp");
  EXPECT_EQ(field["cloud_region"], "europe-west1");
  EXPECT_EQ(field["os"], "Linux 6.1.0 x86_64");
  EXPECT_EQ(field["python_version"], "");
  EXPECT_EQ(field["codecarbon_version"], "");
  EXPECT_EQ(field["cpu_count"], "16");
  EXPECT_EQ(field["cpu_model"], "CPU_MODEL");
  EXPECT_EQ(field["gpu_count"], "0");
  EXPECT_EQ(field["gpu_model"], "");
  EXPECT_EQ(field["longitude"], "");
  EXPECT_EQ(field["latitude"], "");
  EXPECT_EQ(std::stod(field["ram_total_size"]), 64.0);
  EXPECT_EQ(field["tracking_mode"], "machine");  // RAPL covers the machine
  EXPECT_EQ(std::stod(field["cpu_utilization_percent"]), 87.5);
  EXPECT_EQ(field["gpu_utilization_percent"], "0");
  EXPECT_EQ(field["ram_utilization_percent"], "0");
  EXPECT_EQ(std::stod(field["ram_used_gb"]), 2.5);
  EXPECT_EQ(field["on_cloud"], "Y");
  EXPECT_DOUBLE_EQ(std::stod(field["pue"]), 1.1);
  EXPECT_EQ(field["wue"], "0");
}

// A run stored before scopes were recorded (no scope in its meters)
// reads as it always did.
TEST(EmissionsCsv, EstimatedCpuIsProcessTrackingAndFailedRunsAreLeftOut) {
  RunRow estimated = CloudRun();
  estimated.start.carbon = DecodeRecord<CarbonDetails>("{}");
  estimated.summary.phases = {{"train", "cpu", 1.0, "estimated", "cpu_estimate", 0}};
  RunRow failed = CloudRun();
  failed.status = "failed";
  const std::vector<std::string> lines = Lines(report::RenderEmissionsCsv({estimated, failed}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find(",process,"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find(",N,"), std::string::npos) << lines[1];  // not on a cloud
}

// The scope comes from what the run recorded for its CPU meter, whatever the
// meter is called.
TEST(EmissionsCsv, TrackingModeIsTheRecordedScopeOfTheCpuMeter) {
  RunRow process = CloudRun();
  MeterRecord& rapl = process.start.meters.emplace_back();
  rapl.name = "rapl";
  rapl.scope = "process";
  RunRow machine = CloudRun();
  machine.summary.phases = {{"train", "cpu", 1.0, "estimated", "wattmeter", 0}};
  MeterRecord& wattmeter = machine.start.meters.emplace_back();
  wattmeter.name = "wattmeter";
  wattmeter.scope = "machine";
  const std::vector<std::string> lines = Lines(report::RenderEmissionsCsv({process, machine}));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[1].find(",process,"), std::string::npos) << lines[1];
  EXPECT_EQ(lines[1].find(",machine,"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find(",machine,"), std::string::npos) << lines[2];
}

}  // namespace
}  // namespace carbonbench
