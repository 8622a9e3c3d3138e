// The nvml meter's pure rules: which GPUs a selection names, and the energy
// of a polled power draw at given times.
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "error_message.h"
#include "nvml/nvml_library.h"

namespace carbonbench::nvml {
namespace {

using test_support::ExpectErrorContaining;
using Indices = std::vector<unsigned>;

TEST(NvmlSelection, AllAndExplicitLists) {
  EXPECT_EQ(SelectGpus("all", 3, "1"), (Indices{0, 1, 2}));
  EXPECT_EQ(SelectGpus("0,2", 3, nullptr), (Indices{0, 2}));
  EXPECT_EQ(SelectGpus(" 2 , 0 ", 3, nullptr), (Indices{2, 0}));
  EXPECT_EQ(SelectGpus("1", 2, nullptr), (Indices{1}));
}

TEST(NvmlSelection, AutoFollowsCudaVisibleDevices) {
  EXPECT_EQ(SelectGpus("auto", 3, nullptr), (Indices{0, 1, 2}));
  EXPECT_EQ(SelectGpus("auto", 3, "2,0"), (Indices{2, 0}));
  // CUDA stops at the first index that is no GPU; "-1" hides every GPU.
  EXPECT_EQ(SelectGpus("auto", 3, "1,7,2"), (Indices{1}));
  EXPECT_EQ(SelectGpus("auto", 3, "-1"), (Indices{}));
  EXPECT_EQ(SelectGpus("auto", 3, ""), (Indices{}));
  // UUIDs and MIG names are not indices NVML shares: every GPU.
  EXPECT_EQ(SelectGpus("auto", 2, "GPU-8f7c1e2a-0000-0000-0000-000000000000"), (Indices{0, 1}));
  EXPECT_EQ(SelectGpus("auto", 2, "0,MIG-GPU-1/0/0"), (Indices{0, 1}));
}

TEST(NvmlSelection, BadListsSayWhatIsWrong) {
  ExpectErrorContaining([] { SelectGpus("5", 2, nullptr); },
                        {"nvml.gpus names GPU 5 but NVML sees 2 GPU(s), indices 0 to 1"});
  ExpectErrorContaining([] { SelectGpus("0,1", 1, nullptr); },
                        {"GPU 1 but NVML sees 1 GPU(s), index 0"});
  ExpectErrorContaining([] { SelectGpus("first", 2, nullptr); },
                        {"nvml.gpus is 'first'", "auto, all or GPU indices such as 0,2"});
  ExpectErrorContaining([] { SelectGpus("0,", 2, nullptr); }, {"nvml.gpus is '0,'"});
  ExpectErrorContaining([] { SelectGpus("", 2, nullptr); }, {"nvml.gpus is ''"});
  ExpectErrorContaining([] { SelectGpus("1,1", 2, nullptr); },
                        {"names GPU 1 twice", "counted twice"});
}

TEST(PowerIntegrator, TrapezoidsBetweenPolls) {
  PowerIntegrator power;
  power.Reset(10.0, 100.0);
  EXPECT_EQ(power.joules(), 0.0);
  power.Add(12.0, 200.0);  // 2 s from 100 W to 200 W: 300 J
  EXPECT_DOUBLE_EQ(power.joules(), 300.0);
  power.Add(13.0, 200.0);  // 1 s at 200 W
  EXPECT_DOUBLE_EQ(power.joules(), 500.0);
  power.Add(13.0, 50.0);  // no time passed: no energy, but the new draw counts next
  EXPECT_DOUBLE_EQ(power.joules(), 500.0);
  power.Add(15.0, 50.0);
  EXPECT_DOUBLE_EQ(power.joules(), 600.0);
  power.Reset(20.0, 75.0);
  EXPECT_EQ(power.joules(), 0.0);
  power.Add(24.0, 75.0);
  EXPECT_DOUBLE_EQ(power.joules(), 300.0);
}

TEST(PowerIntegrator, AClockGoingBackAddsNothing) {
  PowerIntegrator power;
  power.Reset(10.0, 100.0);
  power.Add(9.0, 100.0);
  EXPECT_EQ(power.joules(), 0.0);
  power.Add(11.0, 100.0);  // from the latest time seen, 10 s
  EXPECT_DOUBLE_EQ(power.joules(), 100.0);
}

}  // namespace
}  // namespace carbonbench::nvml
