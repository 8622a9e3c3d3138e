// Google Benchmark times the thread that waits for a cell's process, whose
// CPU time is next to nothing; what a comparison (compare.py's "CPU" column)
// needs is the cell process's own CPU time. Reporters wrapped here report
// that, for each repetition and for the aggregates, computed with Google
// Benchmark's own statistics.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

namespace carbonbench {

class ChildCpuTimes {
 public:
  // `benchmark` is the registered name (Run::run_name.function_name).
  void Record(const std::string& benchmark, int repetition, double cpu_s);
  // Replaces the CPU time of every run it knows; leaves the others alone.
  std::vector<benchmark::BenchmarkReporter::Run> Patch(
      const std::vector<benchmark::BenchmarkReporter::Run>& runs) const;

 private:
  std::map<std::string, std::map<int, double>> cpu_s_;
};

template <typename Reporter>
class WithChildCpuTime : public Reporter {
 public:
  template <typename... Args>
  explicit WithChildCpuTime(const ChildCpuTimes* times, Args&&... args)
      : Reporter(std::forward<Args>(args)...), times_(times) {}
  void ReportRuns(const std::vector<benchmark::BenchmarkReporter::Run>& runs) override {
    Reporter::ReportRuns(times_->Patch(runs));
  }

 private:
  const ChildCpuTimes* times_;
};

}  // namespace carbonbench
