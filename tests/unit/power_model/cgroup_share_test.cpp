#include "power_model/cgroup_share.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "temp_dir_test.h"

namespace carbonbench::power_model {
namespace {

class CgroupTest : public test_support::TempDirTest {
 protected:
  void File(const std::string& relative, const std::string& text) {
    std::filesystem::create_directories((dir_ / relative).parent_path());
    Write(relative, text);
  }
  CgroupCpus Read(const std::string& self_cgroup) {
    return ReadCgroupCpus(dir_.string(), self_cgroup);
  }
};

TEST(CpuListTest, CountsRangesAndSingles) {
  EXPECT_EQ(CountCpuList("0-3,8,10-11\n"), 7);
  EXPECT_EQ(CountCpuList("5"), 1);
  EXPECT_EQ(CountCpuList(""), 0);
  EXPECT_EQ(CountCpuList("3-1"), 0);
  EXPECT_EQ(CountCpuList("a-b"), 0);
  // Numbers no CPU has, negative ones and half ranges are bad lists, not
  // an overflowed count.
  EXPECT_EQ(CountCpuList("0-99999999999"), 0);
  EXPECT_EQ(CountCpuList("0-1000000,0-1000000,0-1000000"), 0);
  EXPECT_EQ(CountCpuList("-5"), 0);
  EXPECT_EQ(CountCpuList("2-"), 0);
  EXPECT_EQ(CountCpuList("1,+3"), 0);
}

TEST_F(CgroupTest, V2QuotaAndCpuset) {
  File("docker/abc/cpu.max", "150000 100000\n");
  File("docker/abc/cpuset.cpus.effective", "0-3\n");
  const CgroupCpus cpus = Read("0::/docker/abc\n");
  EXPECT_DOUBLE_EQ(cpus.quota_cpus, 1.5);
  EXPECT_EQ(cpus.cpuset_cpus, 4);
  EXPECT_DOUBLE_EQ(cpus.EffectiveCpus(64), 1.5);
  EXPECT_NE(cpus.source.find("cpu.max"), std::string::npos);
}

TEST_F(CgroupTest, V2MaxMeansNoQuotaAndParentsNest) {
  File("cpu.max", "max 100000\n");
  File("slice/cpu.max", "200000 100000\n");  // 2 CPUs for the slice
  File("slice/job/cpu.max", "max 100000\n");
  const CgroupCpus cpus = Read("0::/slice/job\n");
  EXPECT_DOUBLE_EQ(cpus.quota_cpus, 2.0);
  EXPECT_DOUBLE_EQ(cpus.EffectiveCpus(8), 2.0);
}

TEST_F(CgroupTest, V2CpusetOnly) {
  File("cpuset.cpus.effective", "0-1,4-5\n");
  const CgroupCpus cpus = Read("0::/\n");
  EXPECT_DOUBLE_EQ(cpus.quota_cpus, 0);
  EXPECT_DOUBLE_EQ(cpus.EffectiveCpus(16), 4.0);
  EXPECT_DOUBLE_EQ(cpus.EffectiveCpus(2), 2.0);  // never more than the machine has
}

TEST_F(CgroupTest, V1QuotaAndCpuset) {
  File("cpu,cpuacct/kube/pod/cpu.cfs_quota_us", "50000\n");
  File("cpu,cpuacct/kube/pod/cpu.cfs_period_us", "100000\n");
  File("cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
  File("cpu,cpuacct/cpu.cfs_period_us", "100000\n");
  File("cpuset/kube/pod/cpuset.cpus", "2-3\n");
  const CgroupCpus cpus = Read("4:cpu,cpuacct:/kube/pod\n3:cpuset:/kube/pod\n");
  EXPECT_DOUBLE_EQ(cpus.quota_cpus, 0.5);
  EXPECT_EQ(cpus.cpuset_cpus, 2);
  EXPECT_DOUBLE_EQ(cpus.EffectiveCpus(32), 0.5);
}

TEST_F(CgroupTest, NothingWrittenMeansNoLimit) {
  const CgroupCpus cpus = Read("0::/\n1:cpu:/\n");
  EXPECT_DOUBLE_EQ(cpus.EffectiveCpus(8), 8.0);
  EXPECT_EQ(cpus.source, "");
  EXPECT_DOUBLE_EQ(ReadCgroupCpus((dir_ / "absent").string(), "garbage").EffectiveCpus(2), 2.0);
}

}  // namespace
}  // namespace carbonbench::power_model
