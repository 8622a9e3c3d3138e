// The details a run records beside its figures: the machine, the meters, the
// carbon accounting, the idle baseline, the machine's use, peak memory, the
// confusion matrix and what optimizations measured.
//
// A field the run did not record stays unset (std::nullopt), so a run from
// an older release reads, reports and exports exactly as it was written.
// Keys this release does not know are kept in `extra` (key -> JSON text)
// and written back unchanged.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace carbonbench {

using ExtraFields = std::map<std::string, std::string>;

// cpu, cores, threads, blas, torch, allocator, device, os and the runtime
// switches a cell applied.
struct EnvironmentRecord {
  std::optional<std::string> allocator;
  std::optional<std::string> blas;
  std::optional<bool> channels_last;
  std::optional<int> cores;
  std::optional<std::string> cpu;
  std::optional<std::string> device;
  std::optional<bool> flush_denormal;
  std::optional<int> interop_threads;
  std::optional<std::string> os;
  // The Slurm job the run ran in (job_id, array_job_id, array_task_id,
  // node, cpus, gpus); unset outside Slurm.
  std::optional<std::map<std::string, std::string>> slurm;
  std::optional<int> threads;
  std::optional<std::string> torch;
  ExtraFields extra;
};

// A meter the cell considered: used, with its method and the provenance of
// each component it covers, or not, with why.
struct MeterRecord {
  std::optional<std::string> name;
  std::optional<bool> available;
  std::optional<std::string> reason;
  std::optional<std::string> method;
  // Component ("cpu", "gpu", "ram") -> provenance ("measured", ...).
  std::optional<std::map<std::string, std::string>> components;
  // "process" or "machine", as the meter declared; runs stored before scopes
  // were recorded have none (see RecordedMeterScope).
  std::optional<std::string> scope;
  // The meter's error band (Meter::BandOf) for its components, as a
  // fraction, with what it rests on; unset when it stated none.
  std::optional<double> band_relative;
  std::optional<std::string> band_basis;
  std::optional<std::string> calibration;  // Meter::Calibration(); unset when none
  ExtraFields extra;
};

// How one component's figure was obtained in a run. A component no meter
// covered is listed too, as "not covered", never as a silent zero.
struct ComponentMeasurement {
  std::optional<std::string> component;   // "cpu" | "gpu" | "ram"
  std::optional<std::string> meter;       // unset when not covered
  std::optional<std::string> provenance;  // "measured" | "estimated" | "not covered"
  std::optional<std::string> method;      // the meter's sentence
  std::optional<std::string> scope;       // "process" | "machine"
  std::optional<double> band_relative;    // ± fraction; unset when none known
  std::optional<std::string> band_basis;
  std::optional<std::string> calibration;
  ExtraFields extra;
};

// The measurement record of one run: per component how its figure was
// obtained, the sampling achieved, and the load other programs put on the
// machine meanwhile (which inflates figures apportioned by CPU time).
struct MeasurementRecord {
  std::vector<ComponentMeasurement> components;
  std::optional<double> interval_target_ms;  // the sampler's setting
  std::optional<double> interval_mean_ms;    // achieved, between readings
  std::optional<double> interval_max_gap_ms;
  std::optional<std::int64_t> samples;
  // Busy share of the machine's CPU capacity spent outside the run's
  // process, 0-1: the mean over the run and the largest sampled interval.
  std::optional<double> outside_load_mean;
  std::optional<double> outside_load_max;
  std::optional<double> process_load_mean;  // the run's own share, 0-1
  // Set when the outside load was high enough to distort the figures.
  std::optional<std::string> outside_load_warning;
  // Other cells that ran on this machine at the same time as this one, seen
  // through the machine's register of running cells: a machine-wide meter
  // counted their draw too. Set when there were any, with the warning.
  std::optional<std::int64_t> overlapping_cells;
  std::optional<std::string> overlap_warning;
  ExtraFields extra;
};

// Where the carbon figure came from, beyond the intensity and its source.
struct CarbonDetails {
  std::optional<std::string> cloud_provider;
  std::optional<std::string> cloud_region;
  std::optional<std::vector<std::string>> compare_regions;
  std::optional<std::string> country_iso_code;
  std::optional<std::string> country_name;
  // The codes tried, in order, the last being the one whose figure was used.
  std::optional<std::vector<std::string>> fallback_path;
  std::optional<std::string> intensity_csv;  // hourly intensities, "" for none
  std::optional<std::string> pue_source;
  std::optional<int> pue_year;
  std::optional<std::string> subdivision;
  std::optional<int> year;  // of the intensity figure
  ExtraFields extra;
};

// The suite's idle baseline, by component ("cpu", ...).
struct IdleRecord {
  std::optional<double> duration_s;
  std::optional<std::map<std::string, std::string>> meters;
  std::optional<std::map<std::string, std::string>> provenance;
  std::optional<std::map<std::string, double>> watts;
  ExtraFields extra;
};

// The machine's use during the run: what CodeCarbon's CSV reports.
struct UsageRecord {
  std::optional<double> cpu_utilization_percent;
  std::optional<int> gpu_count;
  std::optional<std::string> gpu_model;
  std::optional<double> gpu_utilization_percent;
  std::optional<double> ram_total_gb;
  std::optional<double> ram_used_gb;  // the run's peak resident memory
  std::optional<int> threads;
  ExtraFields extra;
};

// A classifier's test split after the last epoch: a row per true class, a
// column per predicted one. Empty for regressors.
struct ConfusionRecord {
  std::vector<std::string> classes;
  std::vector<std::vector<std::int64_t>> matrix;
  ExtraFields extra;
};

struct PhaseMemoryPeak {
  std::optional<double> peak_cuda_mb;
  std::optional<double> peak_cuda_tensor_mb;
  std::optional<double> peak_rss_mb;
  std::optional<double> peak_tensor_mb;
  ExtraFields extra;
};

// Peak memory per phase ("train", "eval", "inference", ...) and how it was
// read.
struct MemoryRecord {
  std::map<std::string, PhaseMemoryPeak> phases;
  std::optional<std::string> method;
  std::optional<std::string> tensor_method;
  ExtraFields extra;
};

// What a run measured about its network and what its optimizations
// measured, by "<owner>.<figure>" key: counts the harness takes of the
// network (model.parameters_before, model.macs_per_sample_after, ...) and
// the figures optimizations record (pruning.sparsity, ...).
struct OptimizationFigures {
  std::map<std::string, std::int64_t> counts;
  std::map<std::string, double> measures;
  ExtraFields extra;
};

// Every figure as a number, counts and measures together, by key.
std::map<std::string, double> FigureValues(const OptimizationFigures& figures);

}  // namespace carbonbench
