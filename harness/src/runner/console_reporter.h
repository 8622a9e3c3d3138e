// Google Benchmark's console table, with counters as columns, headed by what
// this suite run is about instead of the library's machine context (whose
// "library built as DEBUG" warning is about timing loops carbonbench does
// not use: cells report manual wall-clock time).
#pragma once

#include <string>

#include <benchmark/benchmark.h>

#include "runner/child_cpu_time.h"

namespace carbonbench {

class SuiteConsoleReporter : public benchmark::ConsoleReporter {
 public:
  SuiteConsoleReporter(std::string heading, const ChildCpuTimes* cpu_times);
  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;

 private:
  std::string heading_;
  const ChildCpuTimes* cpu_times_;
};

}  // namespace carbonbench
