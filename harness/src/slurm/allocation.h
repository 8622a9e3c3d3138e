// What Slurm gave the job a cell runs in, read from the environment Slurm
// sets for a job's processes: recorded with the run, and the CPUs it gave
// are the cell's default thread count.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace carbonbench::slurm {

struct Allocation {
  std::string job_id;
  std::string array_job_id;  // empty outside an array
  std::string array_task_id;
  std::string node;
  int cpus = 0;      // given to this task (0: Slurm did not say)
  std::string gpus;  // physical indices, "0,2"; empty: none

  // As the run records it: job_id, array_job_id, ..., only those set.
  std::map<std::string, std::string> ToRecord() const;
};

using Environment = std::function<const char*(const char* name)>;

// nullopt outside a Slurm job (no SLURM_JOB_ID). CPUs: SLURM_CPUS_PER_TASK,
// else SLURM_CPUS_ON_NODE; GPUs: SLURM_JOB_GPUS, else SLURM_STEP_GPUS.
std::optional<Allocation> AllocationFrom(const Environment& environment);

// This process's allocation, from its own environment.
std::optional<Allocation> CurrentAllocation();

}  // namespace carbonbench::slurm
