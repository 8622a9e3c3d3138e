// One cell repetition's life, one step per method, as Google Benchmark's
// BenchmarkRunner runs one benchmark: Prepare (checks, meters, idle
// baseline, data, model), Train, Save, Serve (the inference phase), then
// Finalise, which fills the summary from what was measured and stores it
// once, whether the run finished or failed at any step.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "energy/host_usage.h"
#include "energy/phase_memory.h"
#include "energy/running_cells.h"
#include "runner/cell_run.h"
#include "runner/cell_setup.h"
#include "training/trainer.h"

namespace carbonbench {

class CellSession {
 public:
  CellSession(SuiteRunContext& context, const Cell& cell, int repetition);
  CellSession(const CellSession&) = delete;
  CellSession& operator=(const CellSession&) = delete;

  // Every step, then Finalise; a failure is stored with its reason, not
  // thrown.
  CellOutcome Run();

 private:
  using Clock = std::chrono::steady_clock;

  void Prepare();
  void Train();
  void Save();
  void Serve();
  // Fills the summary and stores it: as finished when every step was,
  // else as failed with the reason.
  void Finalise();
  void Summarise();

  // Records what the run will be measured with (environment, meters, idle
  // baseline), between choosing the meters and loading the data.
  void DescribeRuntime(const CellSetup& setup);
  void BuildModel();
  // Other cells that ran on this machine meanwhile, and the warning when a
  // machine-wide meter counted them too.
  void RecordOverlap(MeasurementRecord& measurement);
  TrainingObserver Observer();
  void OnEpoch(const EpochRecord& epoch);
  void MarkPhase(const std::string& phase);
  void Warn(const std::string& message);
  double ElapsedS() const;

  SuiteRunContext& context_;
  const Cell& cell_;
  const int repetition_;
  ResultsStore& store_;
  CellOutcome outcome_;
  RunStart start_;
  std::vector<std::string> warnings_;
  Clock::time_point start_time_;
  // When energy began to be charged: the span whose carbon intensity counts.
  std::chrono::system_clock::time_point metered_since_;
  std::int64_t run_id_ = 0;  // 0 until the run row is written

  CellSetup setup_;
  const IdleBaseline* idle_ = nullptr;
  std::shared_ptr<Model> model_;
  Params model_params_;
  std::shared_ptr<Network> network_;
  std::vector<std::shared_ptr<Optimization>> optimizations_;
  torch::Tensor sample_;  // one test sample, for the network's size

  std::unique_ptr<EnergySampler> sampler_;     // from Train on
  std::unique_ptr<RunningCellEntry> running_;  // on the machine's register, from Train on
  std::string provenance_;
  std::optional<CpuTimes> cpu_before_;
  PhaseMemory memory_;
  double co2_before_g_ = 0;  // at the last epoch's end
  double wh_before_ = 0;     // likewise
  double band_before_wh_ = 0;
  OptimizationFigures figures_;
  std::optional<TrainingOutcome> trained_;
};

}  // namespace carbonbench
