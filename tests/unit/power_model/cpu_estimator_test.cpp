#include "power_model/cpu_estimator.h"

#include <filesystem>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "power_model/calibration_profile.h"
#include "temp_dir_test.h"

namespace carbonbench::power_model {
namespace {

namespace fs = std::filesystem;

const std::string kFamilies =
    std::string(CARBONBENCH_TEST_SOURCE_DIR) + "/fixtures/cpu_families.csv";
const std::string kEpyc = "AMD EPYC 7763 64-Core Processor";

// Tables with round numbers: full load at 0.8 × TDP, a known band.
EstimatorTables Tables() {
  EstimatorTables tables;
  tables.fitted.curve = {0.25, 0.5, 0.1};
  tables.fitted.full_load_per_tdp = 0.8;
  tables.fitted.band_relative = 0.3;
  tables.fitted.basis = "leave-one-machine-out validation on 5 machines";
  tables.tdp_table = {{"AMD EPYC 7763", 280}, {"Intel Xeon Gold 6140", 140}};
  tables.families = ReadCpuFamiliesCsv(kFamilies);
  return tables;
}

MachineFacts Machine(const std::string& name, int sockets, int logical, int cores) {
  MachineFacts facts;
  facts.cpu.model_name = name;
  facts.cpu.vendor_id = VendorFromModelName(name);
  facts.cpu.sockets = sockets;
  facts.cpu.logical_cpus = logical;
  facts.cpu.physical_cores = cores;
  return facts;
}

// This sandbox: a 2-vCPU VM whose CPU says only "AMD EPYC".
MachineFacts SandboxVm() {
  MachineFacts facts = Machine("AMD EPYC", 1, 2, 2);
  facts.cpu.cpu_family = 26;
  facts.cpu.model = 2;
  facts.cpu.hypervisor = true;
  return facts;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(CpuEstimatorTest, TdpRowCountsEverySocket) {
  const MachinePowerModel model =
      ResolveMachinePowerModel(Machine(kEpyc, 2, 256, 128), Tables(), {});
  EXPECT_EQ(model.path, EstimatePath::kTdpRow);
  EXPECT_DOUBLE_EQ(model.full_load_w, 0.8 * 280 * 2);
  EXPECT_DOUBLE_EQ(model.band_relative, 0.3);
  EXPECT_EQ(model.band_basis, "leave-one-machine-out validation on 5 machines");
  EXPECT_TRUE(Contains(model.description, "'AMD EPYC 7763' in cpu_power.csv")) << model.description;
  EXPECT_TRUE(Contains(model.description, "2 sockets")) << model.description;
  EXPECT_EQ(model.calibration, "");
  EXPECT_TRUE(model.warnings.empty());
}

TEST(CpuEstimatorTest, PowerFollowsTheCurve) {
  const MachinePowerModel model =
      ResolveMachinePowerModel(Machine(kEpyc, 1, 128, 64), Tables(), {});
  EXPECT_DOUBLE_EQ(model.PowerW(0), 0.8 * 280 * 0.25);
  EXPECT_DOUBLE_EQ(model.PowerW(1), 0.8 * 280);
  EXPECT_DOUBLE_EQ(model.PowerW(0.3), 0.8 * 280 * LoadFraction(model.curve, {1, 128, 64}, 0.3));
}

TEST(CpuEstimatorTest, VirtualisedTableCpuIsChargedPerVcpu) {
  MachineFacts facts = Machine(kEpyc, 1, 4, 2);
  facts.cpu.hypervisor = true;
  const MachinePowerModel model = ResolveMachinePowerModel(facts, Tables(), {});
  EXPECT_EQ(model.path, EstimatePath::kTdpRow);
  // 280 W shared by 64 cores × 2 threads, 4 of them this VM's.
  EXPECT_DOUBLE_EQ(model.full_load_w, 0.8 * 280 / 128 * 4);
  EXPECT_TRUE(Contains(model.description, "128 threads")) << model.description;
}

TEST(CpuEstimatorTest, VirtualisedTableCpuWithoutCoreCountUsesItsFamily) {
  MachineFacts facts = Machine("Intel(R) Xeon(R) Gold 6140 CPU @ 2.30GHz", 1, 2, 1);
  facts.cpu.hypervisor = true;
  facts.cpu.cpu_family = 6;
  facts.cpu.model = 85;
  const MachinePowerModel model = ResolveMachinePowerModel(facts, Tables(), {});
  EXPECT_EQ(model.path, EstimatePath::kTdpRow);
  EXPECT_DOUBLE_EQ(model.full_load_w, 3.5 * 0.8 * 2);
  EXPECT_TRUE(Contains(model.description, "Cascade Lake family")) << model.description;
}

TEST(CpuEstimatorTest, ContainerCountsOnlyItsCpus) {
  MachineFacts facts = Machine(kEpyc, 2, 256, 128);
  facts.available_cpus = 8;
  facts.limit_source = "/sys/fs/cgroup/cpu.max";
  const MachinePowerModel model = ResolveMachinePowerModel(facts, Tables(), {});
  // Per thread: 280 W / 128 threads per socket; 8 threads.
  EXPECT_DOUBLE_EQ(model.full_load_w, 0.8 * 280 * 2 * 8 / 256);
  EXPECT_TRUE(Contains(model.description, "8/256 CPUs")) << model.description;
  EXPECT_TRUE(Contains(model.description, "cpu.max")) << model.description;
  // The curve runs over the container's 8 CPUs, SMT pairs as on the host.
  EXPECT_DOUBLE_EQ(model.container_cpus, 8);
  EXPECT_EQ(model.topology.logical_cpus, 8);
  EXPECT_EQ(model.topology.physical_cores, 4);
  EXPECT_DOUBLE_EQ(model.PowerW(1), model.full_load_w);
}

TEST(CpuEstimatorTest, UnlimitedMachineIsNoContainer) {
  MachineFacts facts = Machine(kEpyc, 1, 128, 64);
  facts.available_cpus = 128;
  EXPECT_DOUBLE_EQ(ResolveMachinePowerModel(facts, Tables(), {}).container_cpus, 0);
}

TEST(CpuEstimatorTest, GenericVirtualCpuEstimatedFromItsFamily) {
  const MachinePowerModel model = ResolveMachinePowerModel(SandboxVm(), Tables(), {});
  EXPECT_EQ(model.path, EstimatePath::kFamily);
  EXPECT_DOUBLE_EQ(model.full_load_w, 2.4 * 0.8 * 2);
  EXPECT_TRUE(Contains(model.description,
                       "estimated per vCPU from the Zen 5 family (median of 8 known CPUs), this "
                       "CPU is not in the table"))
      << model.description;
  EXPECT_TRUE(Contains(model.band_basis, "outside that validation")) << model.band_basis;
}

TEST(CpuEstimatorTest, UnknownCpuGetsCodecarbonsDefaultAndSaysSo) {
  MachineFacts facts = Machine("Mystery Chip 9000", 1, 6, 6);
  const MachinePowerModel model = ResolveMachinePowerModel(facts, Tables(), {0, "meter.tdp_w", ""});
  EXPECT_EQ(model.path, EstimatePath::kDefault);
  EXPECT_DOUBLE_EQ(model.full_load_w, 4.0 * 0.8 * 6);
  EXPECT_TRUE(Contains(model.description, "CodeCarbon's default 4 W per thread"))
      << model.description;
  EXPECT_TRUE(Contains(model.description, "set meter.tdp_w")) << model.description;
}

TEST(CpuEstimatorTest, OverrideWins) {
  const MachinePowerModel model =
      ResolveMachinePowerModel(Machine(kEpyc, 1, 128, 64), Tables(), {100, "meter.tdp_w", ""});
  EXPECT_EQ(model.path, EstimatePath::kTdpOverride);
  EXPECT_DOUBLE_EQ(model.full_load_w, 80);
  EXPECT_TRUE(Contains(model.description, "meter.tdp_w")) << model.description;
}

TEST(CoresInModelNameTest, ReadsTheCoreCount) {
  EXPECT_EQ(CoresInModelName(kEpyc), 64);
  EXPECT_EQ(CoresInModelName("AMD Ryzen 7 1700 Eight-Core Processor"), 0);
  EXPECT_EQ(CoresInModelName("Intel(R) Xeon(R) Gold 6140 CPU @ 2.30GHz"), 0);
}

class ProfileTest : public test_support::TempDirTest {
 protected:
  CalibrationProfile Profile() const {
    CalibrationProfile profile;
    profile.cpu_model = kEpyc;
    profile.logical_cpus = 128;
    profile.topology = {1, 128, 64};
    profile.meter = "rapl";
    profile.calibrated_at = "2026-12-07T01:02:03Z";
    profile.full_load_w = 231.5;
    profile.curve = {0.4, 0.7, 0.05};
    profile.band_relative = 0.041;
    return profile;
  }
};

TEST_F(ProfileTest, ProfileBeatsTheTable) {
  SaveProfile(Profile(), dir_.string());
  const MachinePowerModel model =
      ResolveMachinePowerModel(Machine(kEpyc, 1, 128, 64), Tables(), {0, "t", dir_.string()});
  EXPECT_EQ(model.path, EstimatePath::kProfile);
  EXPECT_DOUBLE_EQ(model.full_load_w, 231.5);
  EXPECT_DOUBLE_EQ(model.curve.idle_fraction, 0.4);
  EXPECT_DOUBLE_EQ(model.band_relative, 0.041);
  EXPECT_EQ(model.calibration, "calibrated on this machine against rapl on 2026-12-07, ±4.1 %");
  EXPECT_TRUE(Contains(model.description, model.calibration)) << model.description;
  EXPECT_TRUE(model.warnings.empty());
}

TEST_F(ProfileTest, RefusedProfileFallsBackToTheTableWithAWarning) {
  Write(ProfileFileName(kEpyc, 128), "{\"format\": \"something-else\"}");
  const MachinePowerModel model =
      ResolveMachinePowerModel(Machine(kEpyc, 1, 128, 64), Tables(), {0, "t", dir_.string()});
  EXPECT_EQ(model.path, EstimatePath::kTdpRow);
  EXPECT_DOUBLE_EQ(model.full_load_w, 0.8 * 280);
  EXPECT_EQ(model.calibration, "");
  ASSERT_EQ(model.warnings.size(), 1u);
  EXPECT_TRUE(Contains(model.warnings[0], "refused")) << model.warnings[0];
  EXPECT_TRUE(Contains(model.warnings[0], ProfileFileName(kEpyc, 128))) << model.warnings[0];
}

TEST_F(ProfileTest, NoFolderNoProfile) {
  SaveProfile(Profile(), dir_.string());
  EXPECT_EQ(ResolveMachinePowerModel(Machine(kEpyc, 1, 128, 64), Tables(), {}).path,
            EstimatePath::kTdpRow);
}

// --- The shipped curve file ----------------------------------------------------

using FittedCurveTest = test_support::TempDirTest;

TEST_F(FittedCurveTest, ParsesEveryField) {
  const FittedCpuModel model = ParseFittedCpuModel(
      R"({"idle_fraction": 0.35, "rise_exponent": 0.45, "smt_fraction": 0.08,
          "full_load_per_tdp": 0.9, "band_relative": 0.31,
          "basis": "leave-one-machine-out validation on 6 machines", "machines": 6, "rows": 66})",
      "c.json");
  EXPECT_DOUBLE_EQ(model.curve.idle_fraction, 0.35);
  EXPECT_DOUBLE_EQ(model.curve.rise_exponent, 0.45);
  EXPECT_DOUBLE_EQ(model.curve.smt_fraction, 0.08);
  EXPECT_DOUBLE_EQ(model.full_load_per_tdp, 0.9);
  EXPECT_DOUBLE_EQ(model.band_relative, 0.31);
  EXPECT_EQ(model.basis, "leave-one-machine-out validation on 6 machines");
  EXPECT_EQ(model.machines, 6);
  EXPECT_EQ(model.rows, 66);
}

TEST_F(FittedCurveTest, ErrorsNameTheFileAndField) {
  const std::string path = Write("curve.json", R"({"idle_fraction": "high"})");
  try {
    LoadFittedCpuModel(path);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& error) {
    EXPECT_TRUE(Contains(error.what(), path)) << error.what();
    EXPECT_TRUE(Contains(error.what(), "'idle_fraction'")) << error.what();
  }
  EXPECT_THROW(LoadFittedCpuModel(Write("bad.json", "{")), std::runtime_error);
  EXPECT_THROW(LoadFittedCpuModel(PathIn("absent.json")), std::runtime_error);
}

TEST_F(FittedCurveTest, TheShippedFileLoads) {
  const FittedCpuModel model =
      LoadFittedCpuModel(std::string(CARBONBENCH_SOURCE_DATA_DIR) + kFittedCurveFile);
  EXPECT_GT(model.full_load_per_tdp, 0);
  EXPECT_FALSE(model.basis.empty());
}

TEST_F(FittedCurveTest, TablesLoadWithWarningsForMissingOnes) {
  fs::create_directories(dir_ / "meters");
  Write("meters/cpu_curve.json",
        R"({"idle_fraction": 0.3, "rise_exponent": 0.6, "smt_fraction": 0.1,
            "full_load_per_tdp": 1.0, "band_relative": 0.5, "basis": "not yet validated",
            "machines": 0, "rows": 0})");
  const EstimatorTables tables = LoadEstimatorTables(dir_.string());
  EXPECT_TRUE(tables.tdp_table.empty());
  EXPECT_TRUE(tables.families.empty());
  EXPECT_EQ(tables.warnings.size(), 2u);
  EXPECT_EQ(tables.fitted_path, dir_.string() + "/meters/cpu_curve.json");
  EXPECT_THROW(LoadEstimatorTables((dir_ / "absent").string()), std::runtime_error);
}

}  // namespace
}  // namespace carbonbench::power_model
