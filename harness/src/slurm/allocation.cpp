#include "slurm/allocation.h"

#include <cstdlib>
#include <string>

namespace carbonbench::slurm {
namespace {

std::string Value(const Environment& environment, const char* name) {
  const char* value = environment(name);
  return value == nullptr ? "" : value;
}

int Count(const std::string& text) {
  try {
    return text.empty() ? 0 : std::max(0, std::stoi(text));
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace

std::map<std::string, std::string> Allocation::ToRecord() const {
  std::map<std::string, std::string> record;
  auto put = [&record](const char* key, const std::string& value) {
    if (!value.empty()) record[key] = value;
  };
  put("job_id", job_id);
  put("array_job_id", array_job_id);
  put("array_task_id", array_task_id);
  put("node", node);
  if (cpus > 0) put("cpus", std::to_string(cpus));
  put("gpus", gpus);
  return record;
}

std::optional<Allocation> AllocationFrom(const Environment& environment) {
  Allocation allocation;
  allocation.job_id = Value(environment, "SLURM_JOB_ID");
  if (allocation.job_id.empty()) return std::nullopt;
  allocation.array_job_id = Value(environment, "SLURM_ARRAY_JOB_ID");
  allocation.array_task_id = Value(environment, "SLURM_ARRAY_TASK_ID");
  allocation.node = Value(environment, "SLURMD_NODENAME");
  allocation.cpus = Count(Value(environment, "SLURM_CPUS_PER_TASK"));
  if (allocation.cpus == 0) allocation.cpus = Count(Value(environment, "SLURM_CPUS_ON_NODE"));
  allocation.gpus = Value(environment, "SLURM_JOB_GPUS");
  if (allocation.gpus.empty()) allocation.gpus = Value(environment, "SLURM_STEP_GPUS");
  return allocation;
}

std::optional<Allocation> CurrentAllocation() {
  return AllocationFrom([](const char* name) { return std::getenv(name); });
}

}  // namespace carbonbench::slurm
