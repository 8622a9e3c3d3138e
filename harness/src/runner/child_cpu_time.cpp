#include "runner/child_cpu_time.h"

namespace carbonbench {

void ChildCpuTimes::Record(const std::string& benchmark, int repetition, double cpu_s) {
  cpu_s_[benchmark][repetition] = cpu_s;
}

std::vector<benchmark::BenchmarkReporter::Run> ChildCpuTimes::Patch(
    const std::vector<benchmark::BenchmarkReporter::Run>& runs) const {
  using Run = benchmark::BenchmarkReporter::Run;
  std::vector<Run> patched = runs;
  for (Run& run : patched) {
    const auto found = cpu_s_.find(run.run_name.function_name);
    if (found == cpu_s_.end() || run.error_occurred) continue;
    const auto iterations = static_cast<double>(run.iterations);
    if (run.run_type == Run::RT_Iteration) {
      const auto repetition = found->second.find(static_cast<int>(run.repetition_index));
      if (repetition != found->second.end()) {
        run.cpu_accumulated_time = repetition->second * iterations;
      }
      continue;
    }
    // An aggregate: the same statistic over the repetitions' CPU times.
    if (run.statistics == nullptr) continue;
    std::vector<double> values;
    for (const auto& [repetition, cpu_s] : found->second) values.push_back(cpu_s);
    for (const auto& statistic : *run.statistics) {
      if (statistic.name_ == run.aggregate_name) {
        run.cpu_accumulated_time = statistic.compute_(values) * iterations;
      }
    }
  }
  return patched;
}

}  // namespace carbonbench
