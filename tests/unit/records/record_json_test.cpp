// The JSON form of a run's details: every record reads back as written,
// keys it does not know (or of another type) survive a round trip, and text
// that is not a record reads as an empty one.
#include "records/record_json.h"

#include <gtest/gtest.h>

namespace carbonbench {
namespace {

template <class Record>
void ExpectRoundTrip(const std::string& text) {
  EXPECT_EQ(EncodeRecord(DecodeRecord<Record>(text)), text);
}

TEST(RecordJson, EveryDetailReadsBackAsWritten) {
  ExpectRoundTrip<EnvironmentRecord>(
      R"({"allocator":"glibc","blas":"OpenBLAS","channels_last":true,"cores":8,"cpu":"Test CPU",)"
      R"("device":"cpu","flush_denormal":false,"interop_threads":1,"os":"Linux","threads":4,)"
      R"("torch":"1.13.0"})");
  ExpectRoundTrip<std::vector<MeterRecord>>(
      R"([{"available":false,"name":"rapl","reason":"no powercap"},)"
      R"({"available":true,"components":{"cpu":"estimated"},"method":"m","name":"cpu_estimate",)"
      R"("reason":""}])");
  ExpectRoundTrip<CarbonDetails>(
      R"({"cloud_provider":"","cloud_region":"","compare_regions":["FR"],)"
      R"("country_iso_code":"SWE","country_name":"Sweden","fallback_path":["SE3"],)"
      R"("intensity_csv":"","pue_source":"carbon.pue","pue_year":0,"subdivision":"SE3",)"
      R"("year":2024})");
  ExpectRoundTrip<IdleRecord>(
      R"({"duration_s":0.2,"meters":{"cpu":"constant"},"provenance":{"cpu":"estimated"},)"
      R"("watts":{"cpu":49.8929940245709}})");
  ExpectRoundTrip<UsageRecord>(
      R"({"cpu_utilization_percent":87.5,"ram_total_gb":23.5,"ram_used_gb":0.2,"threads":1})");
  ExpectRoundTrip<ConfusionRecord>(R"({"classes":["a","b"],"matrix":[[5,1],[0,6]]})");
  ExpectRoundTrip<MemoryRecord>(
      R"({"method":"VmHWM","tensor_method":"bytes","train":{"peak_rss_mb":183.75,)"
      R"("peak_tensor_mb":0.45}})");
  ExpectRoundTrip<OptimizationFigures>(
      R"({"model.parameters_after":1686,"pruning.parameters_after":1686.0,)"
      R"("pruning.sparsity":0.5})");
  ExpectRoundTrip<std::vector<PhaseEnergy>>(
      R"([{"co2_g":0.5,"component":"cpu","energy_wh":1.0,"meter":"rapl","phase":"train",)"
      R"("provenance":"measured"}])");
}

TEST(RecordJson, BandsAndTheMeasurementRecordReadBackAsWritten) {
  ExpectRoundTrip<std::vector<MeterRecord>>(
      R"([{"available":true,"band_basis":"leave-one-machine-out validation on 6 machines",)"
      R"("band_relative":0.35,"calibration":"calibrated on this machine against rapl",)"
      R"("components":{"cpu":"estimated"},"method":"m","name":"cpu_estimate","scope":"process"}])");
  ExpectRoundTrip<std::vector<PhaseEnergy>>(
      R"([{"band_wh":0.35,"co2_g":0.5,"component":"cpu","energy_wh":1.0,"meter":"cpu_estimate",)"
      R"("phase":"train","provenance":"estimated"}])");
  ExpectRoundTrip<MeasurementRecord>(
      R"({"components":[{"band_basis":"validation","band_relative":0.35,"component":"cpu",)"
      R"("meter":"cpu_estimate","method":"m","provenance":"estimated","scope":"process"},)"
      R"({"component":"gpu","provenance":"not covered"}],"interval_max_gap_ms":350.0,)"
      R"("interval_mean_ms":101.5,"interval_target_ms":100.0,"outside_load_max":0.75,)"
      R"("outside_load_mean":0.41,"outside_load_warning":"other programs kept 41% busy",)"
      R"("process_load_mean":0.5,"samples":42})");
  const auto measurement = DecodeRecord<MeasurementRecord>(
      R"({"components":[{"component":"gpu","provenance":"not covered"}],"samples":3,"x":1})");
  ASSERT_EQ(measurement.components.size(), 1u);
  EXPECT_EQ(measurement.components[0].provenance, "not covered");
  EXPECT_FALSE(measurement.components[0].meter);
  EXPECT_EQ(measurement.samples, 3);
  EXPECT_EQ(measurement.extra.count("x"), 1u);
  // No band known: none written, so phases stored before bands encode as
  // they were.
  PhaseEnergy phase{"train", "cpu", 1.0, "measured", "rapl", 0.5};
  EXPECT_EQ(EncodeRecord(std::vector<PhaseEnergy>{phase}),
            R"([{"co2_g":0.5,"component":"cpu","energy_wh":1.0,"meter":"rapl","phase":"train",)"
            R"("provenance":"measured"}])");
  EXPECT_EQ(EncodeRecord(MeasurementRecord{}), "{}");
  EXPECT_TRUE(DecodeRecord<MeasurementRecord>("{}").components.empty());
}

TEST(RecordJson, TypedFieldsAreSet) {
  const auto carbon = DecodeRecord<CarbonDetails>(
      R"({"country_iso_code":"IND","fallback_path":["IN-TN","IND"],"year":2023})");
  EXPECT_EQ(carbon.country_iso_code, "IND");
  EXPECT_EQ(carbon.fallback_path, (std::vector<std::string>{"IN-TN", "IND"}));
  EXPECT_EQ(carbon.year, 2023);
  EXPECT_FALSE(carbon.pue_source.has_value());  // not recorded: stays unset
  const auto figures = DecodeRecord<OptimizationFigures>(R"({"a":2,"b":0.5})");
  EXPECT_EQ(FigureValues(figures), (std::map<std::string, double>{{"a", 2.0}, {"b", 0.5}}));
}

TEST(RecordJson, UnknownKeysAndOtherTypesSurvive) {
  const std::string text =
      R"({"cores":"eight","cpu":"Test CPU","gpu":{"name":"H100","count":1},"scope":"machine"})";
  const auto environment = DecodeRecord<EnvironmentRecord>(text);
  EXPECT_EQ(environment.cpu, "Test CPU");
  EXPECT_FALSE(environment.cores.has_value());
  EXPECT_EQ(environment.extra.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(EncodeRecord(environment)), nlohmann::json::parse(text));
  ExpectRoundTrip<std::vector<MeterRecord>>(R"([{"name":"rapl","scope":"package"}])");
  ExpectRoundTrip<MemoryRecord>(R"({"note":"x","train":{"peak_rss_mb":1.5,"swap_mb":2.0}})");
}

TEST(RecordJson, TextThatIsNoRecordReadsAsEmpty) {
  EXPECT_EQ(EncodeRecord(DecodeRecord<CarbonDetails>("not json")), "{}");
  EXPECT_EQ(EncodeRecord(DecodeRecord<CarbonDetails>("[1, 2]")), "{}");
  EXPECT_EQ(EncodeRecord(DecodeRecord<std::vector<MeterRecord>>("{}")), "[]");
  EXPECT_EQ(EncodeRecord(DecodeRecord<ConfusionRecord>("{}")), "{}");
  EXPECT_EQ(EncodeRecord(IdleRecord{}), "{}");
}

}  // namespace
}  // namespace carbonbench
