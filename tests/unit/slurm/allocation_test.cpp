// What a run records of the Slurm job it ran in.
#include "slurm/allocation.h"

#include <gtest/gtest.h>

namespace carbonbench::slurm {
namespace {

Environment From(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const char* name) -> const char* {
    const auto found = values.find(name);
    return found == values.end() ? nullptr : found->second.c_str();
  };
}

TEST(SlurmAllocation, NoneOutsideASlurmJob) {
  EXPECT_FALSE(AllocationFrom(From({{"SLURM_CPUS_ON_NODE", "4"}})).has_value());
}

TEST(SlurmAllocation, AnArrayTaskRecordsItsJobTaskNodeCpusAndGpus) {
  const auto allocation = AllocationFrom(From({{"SLURM_JOB_ID", "125"},
                                               {"SLURM_ARRAY_JOB_ID", "123"},
                                               {"SLURM_ARRAY_TASK_ID", "2"},
                                               {"SLURMD_NODENAME", "gpu-07"},
                                               {"SLURM_CPUS_PER_TASK", "8"},
                                               {"SLURM_CPUS_ON_NODE", "16"},
                                               {"SLURM_JOB_GPUS", "1,3"}}));
  ASSERT_TRUE(allocation.has_value());
  EXPECT_EQ(allocation->cpus, 8);  // the task's, not the node's
  EXPECT_EQ(allocation->ToRecord(), (std::map<std::string, std::string>{{"job_id", "125"},
                                                                        {"array_job_id", "123"},
                                                                        {"array_task_id", "2"},
                                                                        {"node", "gpu-07"},
                                                                        {"cpus", "8"},
                                                                        {"gpus", "1,3"}}));
}

TEST(SlurmAllocation, WithoutCpusPerTaskTheNodesShareCountsAndBadNumbersAreNone) {
  auto allocation = AllocationFrom(From({{"SLURM_JOB_ID", "7"}, {"SLURM_CPUS_ON_NODE", "2"}}));
  ASSERT_TRUE(allocation.has_value());
  EXPECT_EQ(allocation->cpus, 2);
  EXPECT_EQ(allocation->ToRecord(),
            (std::map<std::string, std::string>{{"job_id", "7"}, {"cpus", "2"}}));
  allocation = AllocationFrom(From({{"SLURM_JOB_ID", "7"}, {"SLURM_CPUS_PER_TASK", "many"}}));
  EXPECT_EQ(allocation->cpus, 0);
}

}  // namespace
}  // namespace carbonbench::slurm
