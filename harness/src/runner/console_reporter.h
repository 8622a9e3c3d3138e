// Google Benchmark's console table, with counters as columns, headed by what
// this suite run is about instead of the library's machine context (whose
// "library built as DEBUG" warning is about timing loops carbonbench does
// not use: cells report manual wall-clock time).
#pragma once

#include <string>

#include <benchmark/benchmark.h>

namespace carbonbench {

class SuiteConsoleReporter : public benchmark::ConsoleReporter {
 public:
  explicit SuiteConsoleReporter(std::string heading);
  bool ReportContext(const Context& context) override;

 private:
  std::string heading_;
};

}  // namespace carbonbench
