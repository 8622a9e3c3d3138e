// The load ladder `carbonbench calibrate` runs against a counter: steps
// from idle to every logical CPU busy, each held for a set time while the
// machine's load (from /proc/stat) and the counter's mean power are
// recorded. The steps are plain work functions, so the matrix steps (which
// need torch) live with the engine and the rest here.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "power_model/calibration_profile.h"

namespace carbonbench::calibration {

struct LadderStep {
  std::string name;  // "idle", "1 thread", "fp32 matmul", ...
  // Keeps the machine at this step's load until `stop` turns true, then
  // returns (soon: the ladder waits for it). Runs on a thread of its own.
  std::function<void(const std::atomic<bool>& stop)> run;
};

LadderStep IdleStep();
// `threads` threads each spinning on arithmetic in registers: the cores
// busy, memory quiet.
LadderStep BusyThreadsStep(const std::string& name, int threads);
// `threads` threads streaming over their shares of a `buffer_bytes` buffer
// (read, multiply-add, write back): bound by memory bandwidth when the
// buffer is much larger than the last-level cache.
LadderStep MemoryStreamStep(int threads, std::size_t buffer_bytes);

// A streaming buffer well beyond the last-level cache: four times the
// largest cache under <sys_root>/devices/system/cpu/cpu0/cache, at least
// 256 MiB and at most 1 GiB.
std::size_t MemoryStreamBytes(const std::string& sys_root = "/sys");

// Cumulative joules of the counter's CPU figure (any zero point).
using JoulesReader = std::function<double()>;

// What one measured window saw.
struct Window {
  double seconds = 0;
  double load = 0;            // the machine's busy share of CPU time, 0-1
  std::vector<double> watts;  // per counter: its mean power over the window
};

// Runs `step`'s work, waits `settle_s` for the machine to reach its load,
// then measures for `window_s`: the load from <proc_root>/stat, each
// counter's joules before and after. Stops the work before returning.
// Throws std::runtime_error when /proc/stat cannot be read or the work
// failed (with its message).
Window MeasureUnder(const LadderStep& step, double settle_s, double window_s,
                    const std::string& proc_root, const std::vector<JoulesReader>& counters);

struct LadderSettings {
  double step_s = 20;   // measured time per step
  double settle_s = 2;  // time each step's work runs before it is measured
  std::string proc_root = "/proc";
  // Called as each step starts (progress output; tests drive fake counters).
  std::function<void(const LadderStep& step, std::size_t index)> on_step;
};

// One point per step: its name, the machine's load and the counter's mean
// power.
std::vector<power_model::LadderPoint> RunLadder(const std::vector<LadderStep>& steps,
                                                const LadderSettings& settings,
                                                const JoulesReader& counter);

}  // namespace carbonbench::calibration
