// The meter plugins as a run uses them, through the plugin registry: rapl on
// a fake powercap tree, nvml on a fake NVML library, ram_estimate, constant
// and external.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "builtin_plugins.h"
#include "fake_powercap.h"
#include "nvml/nvml_library.h"

namespace carbonbench {
namespace {

using meter_testing::FakePowercap;
using test_support::Registry;

std::shared_ptr<Meter> MakeMeter(const std::string& name,
                                 const std::map<std::string, ParamValue>& given = {}) {
  const LoadedPlugin* plugin = Registry().Find(PluginKind::kMeter, name);
  if (plugin == nullptr) throw std::runtime_error("meter not built: " + name);
  auto meter = Registry().Create<Meter>(PluginKind::kMeter, name);
  meter->Configure(ResolveParams(plugin->params, given), MeterContext{});
  return meter;
}

TEST(RaplMeter, MeasuresPackagesAsCpuAndDramAsRam) {
  FakePowercap tree;
  tree.Zone("intel-rapl:0", "package-0", 1000000);
  tree.Zone("intel-rapl:0:0", "dram", 1000000);
  auto meter = MakeMeter("rapl", {{"powercap_root", tree.Root()}});
  ASSERT_TRUE(meter->Probe().available);
  EXPECT_EQ(meter->Components(), (std::vector<Component>{Component::kCpu, Component::kRam}));
  EXPECT_EQ(meter->ProvenanceOf(Component::kCpu), Provenance::kMeasured);
  EXPECT_EQ(meter->ProvenanceOf(Component::kGpu), Provenance::kAbsent);
  meter->Start();
  tree.SetEnergy("intel-rapl:0", 5000000);
  tree.SetEnergy("intel-rapl:0:0", 1250000);
  const auto joules = meter->ReadJoules();
  EXPECT_DOUBLE_EQ(joules.at(Component::kCpu), 4.0);
  EXPECT_DOUBLE_EQ(joules.at(Component::kRam), 0.25);
  EXPECT_NE(meter->Method().find("whole machine"), std::string::npos);
}

TEST(RaplMeter, UnavailableWithoutPowercap) {
  auto meter = MakeMeter("rapl", {{"powercap_root", std::string("/nonexistent")}});
  const Availability availability = meter->Probe();
  EXPECT_FALSE(availability.available);
  EXPECT_NE(availability.reason.find("no /nonexistent"), std::string::npos);
  EXPECT_TRUE(meter->Components().empty());
}

TEST(RamEstimateMeter, MeasuresWithRaplDramWhenReadable) {
  FakePowercap tree;
  tree.Zone("intel-rapl:0", "package-0", 1);
  tree.Zone("intel-rapl:0:0", "dram", 1000000);
  auto meter = MakeMeter("ram_estimate", {{"powercap_root", tree.Root()}});
  ASSERT_TRUE(meter->Probe().available);
  EXPECT_EQ(meter->ProvenanceOf(Component::kRam), Provenance::kMeasured);
  meter->Start();
  tree.SetEnergy("intel-rapl:0:0", 3000000);
  EXPECT_DOUBLE_EQ(meter->ReadJoules().at(Component::kRam), 2.0);
}

TEST(RamEstimateMeter, EstimatesWithCodeCarbonsModelOtherwise) {
  auto meter = MakeMeter("ram_estimate", {{"powercap_root", std::string("/nonexistent")},
                                          {"ram_gb", 128.0}});
  const Availability availability = meter->Probe();
  ASSERT_TRUE(availability.available);
  EXPECT_NE(availability.reason.find("RAM estimated at 38 W for 128 GB (ram_estimate.ram_gb)"),
            std::string::npos)
      << availability.reason;
  EXPECT_EQ(meter->ProvenanceOf(Component::kRam), Provenance::kEstimated);
  meter->Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const double joules = meter->ReadJoules().at(Component::kRam);
  EXPECT_GE(joules, 38.0 * 0.02);
  EXPECT_LT(joules, 38.0 * 10);  // a sane bound, not a timing test
}

TEST(ConstantMeter, DeclaredWattsTimesWallTimeAreEstimates) {
  auto meter = MakeMeter("constant", {{"cpu_w", 100.0}, {"ram_w", 10.0}});
  ASSERT_TRUE(meter->Probe().available);
  EXPECT_EQ(meter->Components(), (std::vector<Component>{Component::kCpu, Component::kRam}));
  EXPECT_EQ(meter->ProvenanceOf(Component::kCpu), Provenance::kEstimated);
  EXPECT_EQ(meter->ProvenanceOf(Component::kGpu), Provenance::kAbsent);
  meter->Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto joules = meter->ReadJoules();
  EXPECT_GE(joules.at(Component::kCpu), 100.0 * 0.02);
  EXPECT_DOUBLE_EQ(joules.at(Component::kRam) * 10, joules.at(Component::kCpu));
  EXPECT_NE(meter->Method().find("not measured"), std::string::npos);
}

TEST(ConstantMeter, NothingDeclaredIsUnavailableWithTheFix) {
  const Availability availability = MakeMeter("constant")->Probe();
  EXPECT_FALSE(availability.available);
  EXPECT_EQ(availability.reason,
            "no wattage declared: set constant.cpu_w, constant.gpu_w or constant.ram_w");
}

class ExternalMeterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "carbonbench_plug_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& text) {
    const auto path = dir_ / "plug.txt";
    std::ofstream(path) << text;
    return path.string();
  }
  std::filesystem::path dir_;
};

TEST_F(ExternalMeterTest, AFileReadingIsMeasuredFromStart) {
  const std::string file = Write("100\n");
  auto meter = MakeMeter("external", {{"file", file}});
  ASSERT_TRUE(meter->Probe().available);
  EXPECT_EQ(meter->ProvenanceOf(Component::kCpu), Provenance::kMeasured);
  meter->Start();
  Write("160\n");
  EXPECT_DOUBLE_EQ(meter->ReadJoules().at(Component::kCpu), 60.0);
}

TEST_F(ExternalMeterTest, ACommandInWattHoursAsGpu) {
  const std::string file = Write("energy_wh_total 2\n");
  auto meter = MakeMeter("external", {{"command", "cat " + file},
                                      {"unit", std::string("Wh")},
                                      {"component", std::string("gpu")}});
  ASSERT_TRUE(meter->Probe().available);
  meter->Start();
  Write("energy_wh_total 2.5\n");
  EXPECT_DOUBLE_EQ(meter->ReadJoules().at(Component::kGpu), 1800.0);
}

TEST_F(ExternalMeterTest, BadSourcesSayWhatWasWrong) {
  auto missing = MakeMeter("external", {{"file", (dir_ / "none").string()}});
  EXPECT_EQ(missing->Probe().reason, "cannot read external.file " + (dir_ / "none").string());
  auto failing = MakeMeter("external", {{"command", std::string("echo broken; exit 3")}});
  const std::string failed = failing->Probe().reason;
  EXPECT_NE(failed.find("external.command 'echo broken; exit 3' failed"), std::string::npos)
      << failed;
  EXPECT_NE(failed.find("it printed: 'broken'"), std::string::npos) << failed;
  auto wordy = MakeMeter("external", {{"command", std::string("echo no number")}});
  EXPECT_NE(wordy->Probe().reason.find("gave no number: 'no number'"), std::string::npos);
  EXPECT_NE(MakeMeter("external")->Probe().reason.find("set exactly one of external.file"),
            std::string::npos);
}

// nvml over the fake library: GPU i's counter advances (i + 1) J per read.
class NvmlMeterTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const char* name : {"FAKE_NVML_GPUS", "FAKE_NVML_NO_COUNTER", "FAKE_NVML_POWER_MW",
                             "FAKE_NVML_INIT_FAIL", "CUDA_VISIBLE_DEVICES"}) {
      unsetenv(name);
    }
  }
  std::shared_ptr<Meter> Nvml(const std::string& gpus) {
    return MakeMeter("nvml", {{"library", std::string(FAKE_NVML_PATH)}, {"gpus", gpus}});
  }
};

TEST_F(NvmlMeterTest, SumsTheEnergyCountersOfTheSelectedGpus) {
  auto both = Nvml("0,1");
  const Availability availability = both->Probe();
  ASSERT_TRUE(availability.available) << availability.reason;
  EXPECT_EQ(availability.reason,
            "GPU 0 Fake A100 by its energy counter; GPU 1 Fake H100 by its energy counter");
  EXPECT_EQ(both->ProvenanceOf(Component::kGpu), Provenance::kMeasured);
  both->Start();
  EXPECT_DOUBLE_EQ(both->ReadJoules().at(Component::kGpu), 1.0 + 2.0);

  auto second = Nvml("1");
  ASSERT_TRUE(second->Probe().available);
  second->Start();
  EXPECT_DOUBLE_EQ(second->ReadJoules().at(Component::kGpu), 2.0);
}

TEST_F(NvmlMeterTest, AutoFollowsCudaVisibleDevices) {
  setenv("CUDA_VISIBLE_DEVICES", "1", 1);
  auto meter = Nvml("auto");
  ASSERT_TRUE(meter->Probe().available);
  EXPECT_EQ(meter->Method().find("GPU 0"), std::string::npos) << meter->Method();
  EXPECT_NE(meter->Method().find("GPU 1 Fake H100"), std::string::npos);
}

TEST_F(NvmlMeterTest, PollsPowerWhereThereIsNoCounter) {
  setenv("FAKE_NVML_NO_COUNTER", "1", 1);
  setenv("FAKE_NVML_GPUS", "1", 1);
  auto meter = Nvml("all");
  const Availability availability = meter->Probe();
  ASSERT_TRUE(availability.available);
  EXPECT_EQ(availability.reason, "GPU 0 Fake A100 by power polling");
  meter->Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_GE(meter->ReadJoules().at(Component::kGpu), 150.0 * 0.02);  // 150 W for >= 20 ms
}

TEST_F(NvmlMeterTest, ErrorsNameTheProblem) {
  const Availability out_of_range = Nvml("5")->Probe();
  EXPECT_FALSE(out_of_range.available);
  EXPECT_EQ(out_of_range.reason, "GPU 5 does not exist: NVML sees 2 GPU(s), indices 0 to 1");

  setenv("FAKE_NVML_INIT_FAIL", "1", 1);
  const Availability init = Nvml("all")->Probe();
  EXPECT_NE(init.reason.find("nvmlInit_v2 failed: Driver Not Loaded (code 9)"), std::string::npos)
      << init.reason;

  auto missing = MakeMeter("nvml", {{"library", std::string("/nonexistent/libnvidia-ml.so.1")}});
  const Availability none = missing->Probe();
  EXPECT_FALSE(none.available);
  EXPECT_EQ(none.reason.rfind("no NVIDIA driver here: /nonexistent/libnvidia-ml.so.1 cannot be "
                              "loaded (",
                              0),
            0u)
      << none.reason;
}

TEST(NvmlSelection, PureRules) {
  EXPECT_EQ(nvml::SelectGpus("all", 3, nullptr), (std::vector<unsigned>{0, 1, 2}));
  EXPECT_EQ(nvml::SelectGpus("auto", 3, "2,0"), (std::vector<unsigned>{2, 0}));
  EXPECT_EQ(nvml::SelectGpus("auto", 2, "GPU-8f7c..."), (std::vector<unsigned>{0, 1}));
  EXPECT_THROW(nvml::SelectGpus("first", 2, nullptr), std::runtime_error);
  EXPECT_DOUBLE_EQ(nvml::TrapezoidJoules(100, 200, 2.0), 300.0);
  EXPECT_DOUBLE_EQ(nvml::TrapezoidJoules(100, 200, -1.0), 0.0);
}

}  // namespace
}  // namespace carbonbench
