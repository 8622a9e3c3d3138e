// The nvml meter over a fake NVML library (tests/fakes/fake_nvml.c) with the
// real one's C functions. The test dlopens the same path as the meter, so
// both share the fake's state and the test moves its counters directly.
#include <dlfcn.h>
#include <stdlib.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "error_message.h"
#include "meter_test_util.h"
#include "nvml/nvml_library.h"

namespace carbonbench {
namespace {

using meter_testing::MakeMeter;
using test_support::ExpectErrorContaining;

class NvmlMeterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ = dlopen(FAKE_NVML_PATH, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(fake_, nullptr) << dlerror();
    set_energy_mj_ = reinterpret_cast<void (*)(unsigned, unsigned long long)>(
        dlsym(fake_, "fake_nvml_set_energy_mj"));
    init_count_ = reinterpret_cast<int (*)()>(dlsym(fake_, "fake_nvml_init_count"));
    set_supported_ =
        reinterpret_cast<void (*)(unsigned, int, int)>(dlsym(fake_, "fake_nvml_set_supported"));
    ASSERT_NE(set_supported_, nullptr);
    ASSERT_NE(set_energy_mj_, nullptr);
    ASSERT_NE(init_count_, nullptr);
    ASSERT_EQ(init_count_(), 0) << "a meter of an earlier test is still alive";
  }
  void TearDown() override {
    for (const char* name :
         {"FAKE_NVML_GPUS", "FAKE_NVML_ENERGY_SUPPORTED", "FAKE_NVML_POWER_SUPPORTED",
          "FAKE_NVML_POWER_MW", "FAKE_NVML_INIT_FAIL", "CUDA_VISIBLE_DEVICES", "SLURM_JOB_GPUS"}) {
      unsetenv(name);
    }
    if (fake_ != nullptr) dlclose(fake_);
  }

  static std::shared_ptr<Meter> Nvml(const std::string& gpus) {
    return MakeMeter("nvml", {{"library", std::string(FAKE_NVML_PATH)}, {"gpus", gpus}});
  }

  // GPU i's counter starts at (i + 1) * 1e6 mJ.
  void AddMillijoules(unsigned gpu, unsigned long long mj) {
    set_energy_mj_(gpu, 1000000ULL * (gpu + 1) + mj);
  }

  void* fake_ = nullptr;
  void (*set_energy_mj_)(unsigned, unsigned long long) = nullptr;
  int (*init_count_)() = nullptr;
  void (*set_supported_)(unsigned, int, int) = nullptr;
};

TEST_F(NvmlMeterTest, SumsTheEnergyCountersOfTheSelectedGpus) {
  auto meter = Nvml("0,1");
  const Availability availability = meter->Probe();
  ASSERT_TRUE(availability.available) << availability.reason;
  EXPECT_EQ(availability.reason,
            "GPU 0 (Fake GPU 0) by its total-energy counter; GPU 1 (Fake GPU 1) by its "
            "total-energy counter");
  EXPECT_EQ(meter->Components(), std::vector<Component>{Component::kGpu});
  EXPECT_EQ(meter->ProvenanceOf(Component::kGpu), Provenance::kMeasured);
  EXPECT_EQ(meter->ProvenanceOf(Component::kCpu), Provenance::kAbsent);
  EXPECT_EQ(meter->Method(),
            "GPU energy measured through NVML (" FAKE_NVML_PATH "): " + availability.reason + ".");

  meter->Start();
  EXPECT_EQ(meter->ReadJoules().at(Component::kGpu), 0.0);
  AddMillijoules(0, 2500);
  AddMillijoules(1, 10000);
  EXPECT_DOUBLE_EQ(meter->ReadJoules().at(Component::kGpu), 2.5 + 10.0);
  AddMillijoules(0, 3000);  // cumulative: 3 J on GPU 0 since Start
  EXPECT_DOUBLE_EQ(meter->ReadJoules().at(Component::kGpu), 3.0 + 10.0);
}

TEST_F(NvmlMeterTest, CountsOnlyTheSelectedGpu) {
  auto meter = Nvml("1");
  ASSERT_TRUE(meter->Probe().available);
  EXPECT_EQ(meter->Method().find("GPU 0"), std::string::npos) << meter->Method();
  meter->Start();
  AddMillijoules(0, 50000);
  AddMillijoules(1, 1500);
  EXPECT_DOUBLE_EQ(meter->ReadJoules().at(Component::kGpu), 1.5);
}

TEST_F(NvmlMeterTest, ACounterThatRestartsCountsFromZero) {
  auto meter = Nvml("0");
  ASSERT_TRUE(meter->Probe().available);
  meter->Start();
  AddMillijoules(0, 4000);
  EXPECT_DOUBLE_EQ(meter->ReadJoules().at(Component::kGpu), 4.0);
  set_energy_mj_(0, 250);  // the driver reloaded
  EXPECT_DOUBLE_EQ(meter->ReadJoules().at(Component::kGpu), 4.25);
}

TEST_F(NvmlMeterTest, AutoFollowsCudaVisibleDevices) {
  setenv("CUDA_VISIBLE_DEVICES", "1", 1);
  auto meter = Nvml("auto");
  ASSERT_TRUE(meter->Probe().available);
  EXPECT_EQ(meter->Method().find("GPU 0"), std::string::npos) << meter->Method();
  EXPECT_NE(meter->Method().find("GPU 1 (Fake GPU 1)"), std::string::npos) << meter->Method();
  meter->Start();
  AddMillijoules(0, 7000);
  AddMillijoules(1, 2000);
  EXPECT_DOUBLE_EQ(meter->ReadJoules().at(Component::kGpu), 2.0);

  setenv("CUDA_VISIBLE_DEVICES", "", 1);
  const Availability hidden = Nvml("auto")->Probe();
  EXPECT_FALSE(hidden.available);
  EXPECT_NE(hidden.reason.find("CUDA_VISIBLE_DEVICES='' hides every GPU"), std::string::npos)
      << hidden.reason;
  EXPECT_TRUE(Nvml("all")->Probe().available);  // an explicit choice overrides
}

TEST_F(NvmlMeterTest, AutoFollowsTheGpusASlurmJobWasGivenByPhysicalIndex) {
  // Slurm confining devices renumbers CUDA_VISIBLE_DEVICES from 0; NVML
  // counts physical GPUs, which SLURM_JOB_GPUS names.
  setenv("CUDA_VISIBLE_DEVICES", "0", 1);
  setenv("SLURM_JOB_GPUS", "1", 1);
  auto meter = Nvml("auto");
  ASSERT_TRUE(meter->Probe().available);
  EXPECT_EQ(meter->Method().find("GPU 0"), std::string::npos) << meter->Method();
  EXPECT_NE(meter->Method().find("GPU 1 (Fake GPU 1)"), std::string::npos) << meter->Method();
}

TEST_F(NvmlMeterTest, PollsThePowerDrawWhereThereIsNoCounter) {
  setenv("FAKE_NVML_ENERGY_SUPPORTED", "0", 1);
  setenv("FAKE_NVML_GPUS", "1", 1);
  setenv("FAKE_NVML_POWER_MW", "150000", 1);
  auto meter = Nvml("all");
  const Availability availability = meter->Probe();
  ASSERT_TRUE(availability.available) << availability.reason;
  EXPECT_NE(availability.reason.find("GPU 0 (Fake GPU 0) by polling its power draw"),
            std::string::npos)
      << availability.reason;
  EXPECT_EQ(meter->ProvenanceOf(Component::kGpu), Provenance::kMeasured);
  const auto start = std::chrono::steady_clock::now();
  meter->Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const double joules = meter->ReadJoules().at(Component::kGpu);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // 150 W throughout: between 150 W × 20 ms and 150 W × the time measured
  // around it (the exact integration is PowerIntegrator's test).
  EXPECT_GE(joules, 150.0 * 0.020);
  EXPECT_LE(joules, 150.0 * seconds);
}

TEST_F(NvmlMeterTest, EachGpuByItsOwnMethod) {
  auto meter = Nvml("0,1");
  ASSERT_TRUE(meter->Probe().available);  // initialises the fake
  set_supported_(1, 0, 1);                // GPU 1: power only
  const Availability availability = meter->Probe();
  ASSERT_TRUE(availability.available) << availability.reason;
  EXPECT_EQ(availability.reason,
            "GPU 0 (Fake GPU 0) by its total-energy counter; GPU 1 (Fake GPU 1) by polling its "
            "power draw (it has no energy counter); polled power is integrated by the "
            "trapezoid rule between samples");
  meter->Start();
  AddMillijoules(0, 5000);
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GE(meter->ReadJoules().at(Component::kGpu), 5.0 + 150.0 * 0.010);
}

TEST_F(NvmlMeterTest, AGpuWithNeitherCounterNorPowerIsRefusedByName) {
  auto meter = Nvml("0,1");
  ASSERT_TRUE(meter->Probe().available);  // initialises the fake
  set_supported_(1, 0, 0);
  const Availability availability = meter->Probe();  // GPU 0 passes first; none may stay
  EXPECT_FALSE(availability.available);
  EXPECT_NE(availability.reason.find(
                "GPU 1 (Fake GPU 1) reports neither an energy counter nor its power draw"),
            std::string::npos)
      << availability.reason;
  EXPECT_TRUE(meter->Components().empty());
  EXPECT_EQ(meter->ProvenanceOf(Component::kGpu), Provenance::kAbsent);
}

TEST_F(NvmlMeterTest, AnIndexOutOfRangeNamesTheCount) {
  const Availability availability = Nvml("5")->Probe();
  EXPECT_FALSE(availability.available);
  EXPECT_EQ(availability.reason,
            "nvml.gpus names GPU 5 but NVML sees 2 GPU(s), indices 0 to 1 (nvidia-smi lists "
            "them)");
}

TEST_F(NvmlMeterTest, NoGpuAtAll) {
  setenv("FAKE_NVML_GPUS", "0", 1);
  const Availability availability = Nvml("auto")->Probe();
  EXPECT_FALSE(availability.available);
  EXPECT_NE(availability.reason.find("works but sees no GPU"), std::string::npos)
      << availability.reason;
}

TEST_F(NvmlMeterTest, InitFailureQuotesNvmlsErrorAndTheFix) {
  setenv("FAKE_NVML_INIT_FAIL", "9", 1);
  const Availability availability = Nvml("all")->Probe();
  EXPECT_FALSE(availability.available);
  EXPECT_NE(availability.reason.find("nvmlInit_v2 failed: Driver Not Loaded (NVML error 9); "
                                     "the NVIDIA kernel module is not loaded"),
            std::string::npos)
      << availability.reason;
}

TEST_F(NvmlMeterTest, AMissingLibraryMeansNoDriver) {
  auto meter = MakeMeter("nvml", {{"library", std::string("/nonexistent/libnvidia-ml.so.1")}});
  const Availability availability = meter->Probe();
  EXPECT_FALSE(availability.available);
  EXPECT_EQ(availability.reason.rfind(
                "no NVIDIA driver here: /nonexistent/libnvidia-ml.so.1 not found (dlopen: ", 0),
            0u)
      << availability.reason;
  EXPECT_NE(availability.reason.find("install the NVIDIA driver"), std::string::npos);
  EXPECT_NE(availability.reason.find("drop nvml from meters"), std::string::npos);
  EXPECT_TRUE(meter->Components().empty());
}

TEST_F(NvmlMeterTest, TheLibraryStaysInitialisedWhileTheMeterLives) {
  {
    auto meter = Nvml("all");
    ASSERT_TRUE(meter->Probe().available);
    EXPECT_EQ(init_count_(), 1);
    ASSERT_TRUE(meter->Probe().available);  // probing again reuses it
    EXPECT_EQ(init_count_(), 1);
  }
  EXPECT_EQ(init_count_(), 0);  // nvmlShutdown on destruction
}

TEST_F(NvmlMeterTest, LibraryReadsTheFakeDirectly) {
  nvml::Library library(FAKE_NVML_PATH);
  ASSERT_EQ(library.DeviceCount(), 2u);
  const nvml::Device second = library.DeviceAt(1);
  EXPECT_EQ(library.Name(second), "Fake GPU 1");
  EXPECT_EQ(library.TotalEnergyMj(second), 2000000ULL);
  EXPECT_EQ(library.PowerMw(second), 150000u);
  EXPECT_EQ(library.ErrorText(nvml::kErrorNotSupported), "Not Supported (NVML error 3)");
  ExpectErrorContaining([&] { library.DeviceAt(2); },
                        {"nvmlDeviceGetHandleByIndex_v2(2) failed: Invalid Argument"});
}

TEST_F(NvmlMeterTest, LibraryWithoutNvmlsFunctionsNamesTheMissingOne) {
  ExpectErrorContaining([] { nvml::Library library("libc.so.6"); },
                        {"libc.so.6 has no function nvmlInit_v2"});
}

}  // namespace
}  // namespace carbonbench
