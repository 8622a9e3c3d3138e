// The Slurm commands carbonbench runs (sbatch, squeue, sacct, scontrol),
// found on PATH, each under a time limit so a stuck controller cannot hang
// `slurm submit` or `slurm status`.
#pragma once

#include <string>
#include <vector>

#include "slurm/slurm_states.h"

namespace carbonbench::slurm {

struct ToolOutput {
  bool ran = false;  // false: not on PATH, or it could not start
  int exit_code = -1;
  std::string output;  // standard output and error together
};

ToolOutput RunTool(const std::vector<std::string>& argv, double timeout_s = 60);

// Runs `sbatch --parsable ARGS...` and returns the job id; a
// std::runtime_error says what sbatch said, or that Slurm is missing.
std::string Sbatch(const std::vector<std::string>& arguments);

// The states Slurm knows for the job's tasks (task 0: a job with no array):
// squeue for those still queued; for the others sacct, or where the cluster
// keeps no accounting the job completion log. A task none of them knows is
// absent.
TaskStates QueryStates(const std::string& job);

}  // namespace carbonbench::slurm
