// What a suite run shows while a cell trains. On a terminal: one live line
// per cell, rewritten at each epoch (epoch, accuracy, elapsed time, energy,
// ETA). Elsewhere (CI, a file): one plain log line per epoch. Lines the
// cell's process writes to standard error pass through either way.
#pragma once

#include <cstdio>
#include <string>

#include "runner/cell_request.h"

namespace carbonbench {

class ProgressDisplay {
 public:
  explicit ProgressDisplay(bool live, std::FILE* out = stderr);
  // A terminal that can rewrite a line, and not CI.
  static bool ShouldBeLive();

  void CellStarted(const std::string& suite, const std::string& cell, int repetition,
                   int repetitions, int position, int total);
  void Event(const CellEvent& event);
  // A line to show as it is: the live line is cleared first and redrawn after.
  void Print(const std::string& line);
  void CellEnded();

  // The text of an epoch's progress, as shown in either mode.
  static std::string EpochText(const CellEvent& event);
  static std::string EtaText(double seconds);

 private:
  void Clear();
  void Redraw();

  bool live_;
  std::FILE* out_;
  std::string prefix_;  // "[2/8] quickstart/convnet rep 1/3"
  std::string status_;  // the latest event's text
  bool drawn_ = false;
};

}  // namespace carbonbench
