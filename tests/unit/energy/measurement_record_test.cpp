// A run's measurement record: every component listed, covered or not, with
// its meter's method, band and calibration; the outside load and its warning.
#include "energy/measurement_record.h"

#include <gtest/gtest.h>

namespace carbonbench {
namespace {

std::vector<MeterRecord> Meters() {
  MeterRecord cpu;
  cpu.name = "cpu_model";
  cpu.method = "a fitted curve";
  cpu.scope = "process";
  cpu.calibration = "calibrated on this machine against rapl on 2026-12-07, ±4 %";
  MeterRecord ram;
  ram.name = "ram_model";
  ram.method = "resident memory times W/GB";
  ram.scope = "process";
  return {cpu, ram};
}

std::vector<ComponentSource> Sources() {
  return {{Component::kCpu, "cpu_model", Provenance::kEstimated, {0.35, "validation"}},
          {Component::kRam, "ram_model", Provenance::kEstimated, {}}};
}

TEST(MeasurementRecord, ListsEveryComponentAndAnUncoveredOneAsNotCovered) {
  const MeasurementRecord record = MeasurementRecordOf(Sources(), Meters(), {});
  ASSERT_EQ(record.components.size(), 3u);
  const ComponentMeasurement& cpu = record.components[0];
  EXPECT_EQ(cpu.component, "cpu");
  EXPECT_EQ(cpu.meter, "cpu_model");
  EXPECT_EQ(cpu.provenance, "estimated");
  EXPECT_EQ(cpu.method, "a fitted curve");
  EXPECT_EQ(cpu.scope, "process");
  EXPECT_EQ(cpu.band_relative, 0.35);
  EXPECT_EQ(cpu.band_basis, "validation");
  EXPECT_EQ(cpu.calibration, Meters()[0].calibration);
  // A CPU-only machine: the GPU is listed, never a silent zero.
  const ComponentMeasurement& gpu = record.components[1];
  EXPECT_EQ(gpu.component, "gpu");
  EXPECT_EQ(gpu.provenance, "not covered");
  EXPECT_FALSE(gpu.meter);
  EXPECT_FALSE(gpu.method);
  const ComponentMeasurement& ram = record.components[2];
  EXPECT_EQ(ram.component, "ram");
  EXPECT_EQ(ram.meter, "ram_model");
  EXPECT_FALSE(ram.band_relative);  // the meter stated none
  EXPECT_FALSE(ram.calibration);
}

TEST(MeasurementRecord, AnAbsentProvenanceIsNotCovered) {
  const MeasurementRecord record = MeasurementRecordOf(
      {{Component::kGpu, "nothing_here", Provenance::kAbsent, {}}}, Meters(), {});
  EXPECT_EQ(record.components[1].provenance, "not covered");
  EXPECT_FALSE(record.components[1].meter);
}

TEST(MeasurementRecord, CarriesTheSamplingAndTheOutsideLoad) {
  SamplingStats sampling;
  sampling.interval_target_ms = 100;
  sampling.interval_mean_ms = 104.5;
  sampling.interval_max_gap_ms = 350;
  sampling.samples = 42;
  sampling.outside_load_mean = 0.1;
  sampling.outside_load_max = 0.6;
  sampling.process_load_mean = 0.8;
  const MeasurementRecord record = MeasurementRecordOf(Sources(), Meters(), sampling);
  EXPECT_EQ(record.interval_target_ms, 100);
  EXPECT_EQ(record.interval_mean_ms, 104.5);
  EXPECT_EQ(record.interval_max_gap_ms, 350);
  EXPECT_EQ(record.samples, 42);
  EXPECT_EQ(record.outside_load_mean, 0.1);
  EXPECT_EQ(record.outside_load_max, 0.6);
  EXPECT_EQ(record.process_load_mean, 0.8);
  // A busy moment alone warrants no warning: the mean decides.
  EXPECT_FALSE(record.outside_load_warning);
}

TEST(OutsideLoadWarning, FromAQuarterOfTheMachineOn) {
  EXPECT_FALSE(OutsideLoadWarning(std::nullopt));
  EXPECT_FALSE(OutsideLoadWarning(0.2499));
  ASSERT_TRUE(OutsideLoadWarning(kOutsideLoadWarningShare));
  EXPECT_EQ(*OutsideLoadWarning(0.41),
            "other programs kept 41% of the CPUs busy during this run: its time and estimated "
            "energy are inflated; rerun on a quiet machine");
  SamplingStats sampling;
  sampling.outside_load_mean = 0.5;
  EXPECT_EQ(MeasurementRecordOf({}, {}, sampling).outside_load_warning, OutsideLoadWarning(0.5));
}

}  // namespace
}  // namespace carbonbench
