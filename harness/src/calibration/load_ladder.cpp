#include "calibration/load_ladder.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "energy/host_usage.h"

namespace carbonbench::calibration {
namespace {

using Clock = std::chrono::steady_clock;

void SleepSeconds(double seconds) {
  if (seconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

// Runs `body(thread_index)` on `threads` threads and waits for all; the
// first exception thrown by any is rethrown here.
void OnThreads(int threads, const std::function<void(int)>& body) {
  std::exception_ptr failure;
  std::mutex failure_mutex;
  std::vector<std::thread> workers;
  for (int t = 0; t < std::max(1, threads); ++t) {
    workers.emplace_back([&, t] {
      try {
        body(t);
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  if (failure) std::rethrow_exception(failure);
}

CpuTimes ReadTimesOrThrow(const std::string& proc_root) {
  const std::optional<CpuTimes> times = ReadCpuTimes(proc_root);
  if (!times) {
    throw std::runtime_error(fmt::format(
        "cannot read the machine's CPU time from {}/stat: calibration needs Linux with /proc",
        proc_root));
  }
  return *times;
}

// Parses a cache "size" file: "32768K", "8M".
std::size_t CacheBytes(const std::string& path) {
  std::ifstream in(path);
  std::size_t value = 0;
  std::string unit;
  if (!(in >> value)) return 0;
  in >> unit;
  if (!unit.empty() && (unit[0] == 'K' || unit[0] == 'k')) return value << 10;
  if (!unit.empty() && (unit[0] == 'M' || unit[0] == 'm')) return value << 20;
  return value;
}

}  // namespace

LadderStep IdleStep() {
  return {"idle", [](const std::atomic<bool>& stop) {
            while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
          }};
}

LadderStep BusyThreadsStep(const std::string& name, int threads) {
  return {name, [threads](const std::atomic<bool>& stop) {
            OnThreads(threads, [&stop](int t) {
              // Dependent arithmetic in registers: the core stays busy, memory quiet.
              volatile double sink = 0;
              double x = 1.0 + t;
              while (!stop.load(std::memory_order_relaxed)) {
                for (int i = 0; i < 100000; ++i) x = x * 1.0000001 + 1e-9;
                sink = x;
              }
              (void)sink;
            });
          }};
}

LadderStep MemoryStreamStep(int threads, std::size_t buffer_bytes) {
  return {"memory stream", [threads, buffer_bytes](const std::atomic<bool>& stop) {
            const std::size_t count = std::max<std::size_t>(buffer_bytes / sizeof(double), 1024);
            auto buffer = std::make_unique<double[]>(count);
            const int workers = std::max(1, threads);
            OnThreads(workers, [&](int t) {
              const std::size_t begin = count * t / workers;
              const std::size_t end = count * (t + 1) / workers;
              std::fill(buffer.get() + begin, buffer.get() + end, 1.0);
              // Chunks, so a stop request is seen within a few milliseconds.
              constexpr std::size_t kChunk = 1 << 16;
              std::size_t at = begin;
              while (!stop.load(std::memory_order_relaxed)) {
                const std::size_t chunk_end = std::min(at + kChunk, end);
                for (std::size_t i = at; i < chunk_end; ++i) buffer[i] = buffer[i] * 0.5 + 0.5;
                at = chunk_end == end ? begin : chunk_end;
              }
            });
          }};
}

std::size_t MemoryStreamBytes(const std::string& sys_root) {
  std::size_t largest = 0;
  for (int index = 0; index < 8; ++index) {
    largest = std::max(
        largest,
        CacheBytes(fmt::format("{}/devices/system/cpu/cpu0/cache/index{}/size", sys_root, index)));
  }
  return std::clamp<std::size_t>(4 * largest, std::size_t{256} << 20, std::size_t{1} << 30);
}

Window MeasureUnder(const LadderStep& step, double settle_s, double window_s,
                    const std::string& proc_root, const std::vector<JoulesReader>& counters) {
  std::atomic<bool> stop{false};
  std::exception_ptr failure;
  std::thread worker([&] {
    try {
      step.run(stop);
    } catch (...) {
      failure = std::current_exception();
    }
  });
  Window window;
  std::exception_ptr measuring_failure;
  try {
    SleepSeconds(settle_s);
    const CpuTimes times_before = ReadTimesOrThrow(proc_root);
    std::vector<double> joules_before;
    for (const JoulesReader& counter : counters) joules_before.push_back(counter());
    const Clock::time_point start = Clock::now();
    SleepSeconds(window_s);
    const CpuTimes times_after = ReadTimesOrThrow(proc_root);
    const Clock::time_point end = Clock::now();
    window.seconds = std::chrono::duration<double>(end - start).count();
    for (std::size_t i = 0; i < counters.size(); ++i) {
      window.watts.push_back((counters[i]() - joules_before[i]) / window.seconds);
    }
    window.load = CpuUtilizationPercent(times_before, times_after).value_or(0.0) / 100.0;
  } catch (...) {
    measuring_failure = std::current_exception();
  }
  stop = true;
  worker.join();
  if (measuring_failure) std::rethrow_exception(measuring_failure);
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& error) {
      throw std::runtime_error(
          fmt::format("the calibration step '{}' failed: {}", step.name, error.what()));
    }
  }
  return window;
}

std::vector<power_model::LadderPoint> RunLadder(const std::vector<LadderStep>& steps,
                                                const LadderSettings& settings,
                                                const JoulesReader& counter) {
  std::vector<power_model::LadderPoint> points;
  for (std::size_t index = 0; index < steps.size(); ++index) {
    if (settings.on_step) settings.on_step(steps[index], index);
    const Window window = MeasureUnder(steps[index], settings.settle_s, settings.step_s,
                                       settings.proc_root, {counter});
    points.push_back({steps[index].name, window.load, window.watts.at(0)});
  }
  return points;
}

}  // namespace carbonbench::calibration
