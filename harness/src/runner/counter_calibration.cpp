#include "runner/counter_calibration.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <map>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "calibration/curve_fit.h"
#include "calibration/machine_cpu.h"
#include "runner/environment.h"
#include "runner/matrix_load.h"
#include "suites/suite.h"
#include "util/strings.h"

namespace carbonbench {
namespace {

using calibration::LadderStep;
using calibration::QualificationWindow;
using power_model::CalibrationProfile;

std::string UtcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

const PluginCatalogEntry* CatalogEntry(const PluginCatalog& catalog, const std::string& name) {
  for (const PluginCatalogEntry& entry : catalog) {
    if (entry.kind == PluginKind::kMeter && entry.name == name) return &entry;
  }
  return nullptr;
}

// A meter created, configured and probed; the reason when it cannot be used.
struct Probed {
  std::shared_ptr<Meter> meter;
  Availability availability;
};

Probed ProbeMeter(const PluginRegistry& registry, const std::string& name,
                  const CounterCalibrationSettings& settings, int threads) {
  Probed probed;
  probed.meter = registry.Create<Meter>(PluginKind::kMeter, name);
  // No calibration folder: the figures compared here are the meters' own,
  // never a profile this very command may have written.
  const MeterContext context{ReferenceDataDir(), threads, ""};
  try {
    probed.meter->Configure(settings.params_of ? settings.params_of(name) : Params{}, context);
    probed.availability = probed.meter->Probe();
  } catch (const std::exception& error) {
    probed.availability = {false, error.what(), {}};
  }
  return probed;
}

// Why a working meter is no counter for the CPU; "" when it is one.
std::string NotACpuCounter(const Meter& meter) {
  switch (meter.ProvenanceOf(Component::kCpu)) {
    case Provenance::kMeasured:
      return "";
    case Provenance::kEstimated:
      return "it estimates the CPU's power rather than measuring it";
    case Provenance::kAbsent:
      break;
  }
  return "it does not cover the CPU";
}

std::vector<std::string> Candidates(const PluginRegistry& registry,
                                    const CounterCalibrationSettings& settings) {
  std::vector<std::string> names = DefaultMeters(registry.Catalog());
  for (const std::string& extra : settings.extra_candidates) {
    if (std::find(names.begin(), names.end(), extra) == names.end()) names.push_back(extra);
  }
  return names;
}

// The installed meters a user may name that are not tried by default.
std::string ChoosableMeters(const PluginRegistry& registry) {
  std::vector<std::string> names;
  for (const PluginCatalogEntry& entry : registry.Catalog()) {
    if (entry.kind == PluginKind::kMeter && !entry.meter_traits.default_on) {
      names.push_back(entry.name);
    }
  }
  return names.empty() ? "none installed" : JoinStrings(names, ", ");
}

std::string HowToGetACounter(const PluginRegistry& registry) {
  return fmt::format(
      "To calibrate, give carbonbench a counter: make the RAPL energy counters readable "
      "(`sudo chmod a+r /sys/class/powercap/*/energy_uj`, or run as root; a VM or "
      "container usually has none), or read a wall-plug power meter through a meter that "
      "takes its reading from a file or command, named with --meter NAME and set with "
      "--meter-param NAME.key=value (installed meters not tried by default: {}; "
      "`carbonbench list -v` shows their parameters)",
      ChoosableMeters(registry));
}

LadderStep Adapted(LadderStep step, const CounterCalibrationSettings& settings) {
  return settings.adapt_step ? settings.adapt_step(std::move(step)) : step;
}

// Cumulative CPU joules of a started meter.
calibration::JoulesReader CpuJoules(const std::shared_ptr<Meter>& meter) {
  return [meter] {
    const std::map<Component, double> joules = meter->ReadJoules();
    const auto it = joules.find(Component::kCpu);
    return it == joules.end() ? 0.0 : it->second;
  };
}

// The second source a wall plug is compared with: the first default meter,
// by declared rank, other than the counter, that covers the CPU here (a
// measuring one ranks before an estimate).
std::optional<ChosenCounter> QualificationReference(const PluginRegistry& registry,
                                                    const CounterCalibrationSettings& settings,
                                                    const std::string& counter, int threads) {
  for (const std::string& name : DefaultMeters(registry.Catalog())) {
    if (name == counter) continue;
    Probed probed = ProbeMeter(registry, name, settings, threads);
    if (!probed.availability.available) continue;
    if (probed.meter->ProvenanceOf(Component::kCpu) == Provenance::kAbsent) continue;
    return ChosenCounter{name, probed.meter};
  }
  return std::nullopt;
}

std::vector<QualificationWindow> Qualify(const ChosenCounter& counter,
                                         const ChosenCounter& reference,
                                         const CounterCalibrationSettings& settings,
                                         int logical_cpus, std::ostream& out) {
  const LadderStep idle = Adapted(calibration::IdleStep(), settings);
  const LadderStep busy =
      Adapted(calibration::BusyThreadsStep("all threads", logical_cpus), settings);
  counter.meter->Start();
  reference.meter->Start();
  const std::vector<calibration::JoulesReader> readers = {CpuJoules(counter.meter),
                                                          CpuJoules(reference.meter)};
  std::vector<QualificationWindow> windows;
  const int count = 2 * std::max(1, settings.windows_per_state);
  for (int index = 0; index < count; ++index) {
    const bool loaded = index % 2 == 1;
    out << fmt::format("  window {}/{} ({}, {:g} s)...\n", index + 1, count,
                       loaded ? "load" : "idle", settings.window_s)
        << std::flush;
    if (settings.on_step) settings.on_step(loaded ? busy : idle, index);
    const calibration::Window window = calibration::MeasureUnder(
        loaded ? busy : idle, settings.settle_s, settings.window_s, settings.proc_root, readers);
    windows.push_back({loaded ? "load" : "idle", window.seconds, window.load, window.watts.at(0),
                       window.watts.at(1)});
  }
  return windows;
}

void PrintFit(const CalibrationProfile& profile, std::ostream& out) {
  out << "\nLoad ladder (" << profile.meter << "):\n";
  for (const power_model::LadderPoint& point : profile.points) {
    const double fitted = profile.full_load_w *
                          power_model::LoadFraction(profile.curve, profile.topology, point.load);
    out << fmt::format("  {:<14} load {:>5.1f} %  measured {:>8.2f} W  fitted {:>8.2f} W\n",
                       point.step, point.load * 100.0, point.watts, fitted);
  }
  out << fmt::format(
      "\nFitted curve: P(load) = {:.2f} W × LoadFraction(idle_fraction {:.3f}, rise_exponent "
      "{:.3f}, smt_fraction {:.3f})\n",
      profile.full_load_w, profile.curve.idle_fraction, profile.curve.rise_exponent,
      profile.curve.smt_fraction);
  out << "  predicted:";
  for (const double load : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    out << fmt::format(
        " {:.0f} % {:.2f} W{}", load * 100.0,
        profile.full_load_w * power_model::LoadFraction(profile.curve, profile.topology, load),
        load < 1.0 ? "," : "\n");
  }
  out << fmt::format("  band: ±{:.1f} % (mean |fitted - measured| / measured over {} steps)\n",
                     profile.band_relative * 100.0, profile.points.size());
}

}  // namespace

std::vector<LadderStep> StandardLadder(int logical_cpus, std::size_t memory_bytes) {
  const int all = std::max(1, logical_cpus);
  return {calibration::IdleStep(),
          calibration::BusyThreadsStep("1 thread", 1),
          calibration::BusyThreadsStep("half threads", std::max(1, all / 2)),
          calibration::BusyThreadsStep("all threads", all),
          MatrixMultiplyStep(MatrixPrecision::kFloat32, all),
          MatrixMultiplyStep(MatrixPrecision::kBFloat16, all),
          calibration::MemoryStreamStep(all, memory_bytes)};
}

ChosenCounter ChooseCounter(const PluginRegistry& registry,
                            const CounterCalibrationSettings& settings) {
  const int threads = calibration::ReadMachineCpu(settings.proc_root).topology.logical_cpus;
  if (!settings.meter.empty()) {
    if (CatalogEntry(registry.Catalog(), settings.meter) == nullptr) {
      throw std::invalid_argument(
          fmt::format("--meter {}: no such meter is installed (installed: {})", settings.meter,
                      JoinStrings(registry.Names(PluginKind::kMeter), ", ")));
    }
    Probed probed = ProbeMeter(registry, settings.meter, settings, threads);
    std::string why =
        probed.availability.available ? NotACpuCounter(*probed.meter) : probed.availability.reason;
    if (why.empty()) return {settings.meter, probed.meter};
    throw NoCounterError(fmt::format("cannot calibrate against {}: {}. {}", settings.meter, why,
                                     HowToGetACounter(registry)));
  }
  std::vector<std::string> refusals;
  for (const std::string& name : Candidates(registry, settings)) {
    Probed probed = ProbeMeter(registry, name, settings, threads);
    const std::string why =
        probed.availability.available ? NotACpuCounter(*probed.meter) : probed.availability.reason;
    if (why.empty()) return {name, probed.meter};
    refusals.push_back(name + ": " + why);
  }
  throw NoCounterError(fmt::format(
      "no meter measures the CPU's power on this machine, so there is nothing to calibrate "
      "against ({}). {}",
      refusals.empty() ? "no meter is installed" : JoinStrings(refusals, "; "),
      HowToGetACounter(registry)));
}

CounterCalibrationResult CalibrateAgainstCounter(const PluginRegistry& registry,
                                                 const CounterCalibrationSettings& settings,
                                                 std::ostream& out) {
  const calibration::MachineCpu machine = calibration::ReadMachineCpu(settings.proc_root);
  const ChosenCounter counter = ChooseCounter(registry, settings);
  const PluginCatalogEntry* entry = CatalogEntry(registry.Catalog(), counter.name);
  const int logical = machine.topology.logical_cpus;

  out << fmt::format("Calibrating against {}: {}\n", counter.name, counter.meter->Method());
  out << fmt::format("Machine: {}, {} logical CPUs, {} socket(s), {} physical cores\n",
                     machine.model.empty() ? "(no model name in cpuinfo)" : machine.model, logical,
                     machine.topology.sockets, power_model::PhysicalCores(machine.topology));

  CounterCalibrationResult result;
  // A counter the user wires in (not a default meter: a wall plug) is
  // compared with a second source before its figures are trusted.
  if (settings.qualify || (entry != nullptr && !entry->meter_traits.default_on)) {
    const std::optional<ChosenCounter> reference =
        QualificationReference(registry, settings, counter.name, logical);
    if (!reference) {
      out << "\nNo second source covers the CPU here: the counter is not qualified.\n";
    } else {
      out << fmt::format(
          "\nQualifying {} against {}: {} windows of {:g} s at idle and {} under load\n",
          counter.name, reference->name, settings.windows_per_state, settings.window_s,
          settings.windows_per_state);
      const MeterScope scope =
          registry.Find(PluginKind::kMeter, reference->name)->meter_traits.scope;
      if (scope == MeterScope::kProcess) {
        out << fmt::format(
            "  ({} covers this process's share only, so expect it below a whole-machine "
            "counter, most at idle)\n",
            reference->name);
      }
      result.reference = reference->name;
      result.qualification = Qualify(counter, *reference, settings, logical, out);
      out << calibration::FormatQualification(counter.name, reference->name, result.qualification);
    }
  }

  const std::size_t memory_bytes =
      settings.memory_bytes > 0 ? settings.memory_bytes : calibration::MemoryStreamBytes();
  std::vector<LadderStep> steps = StandardLadder(logical, memory_bytes);
  for (LadderStep& step : steps) step = Adapted(std::move(step), settings);
  out << fmt::format("\nLoad ladder: {} steps of {:g} s each (after {:g} s to settle)\n",
                     steps.size(), settings.step_s, settings.settle_s);
  calibration::LadderSettings ladder;
  ladder.step_s = settings.step_s;
  ladder.settle_s = settings.settle_s;
  ladder.proc_root = settings.proc_root;
  ladder.on_step = [&](const LadderStep& step, std::size_t index) {
    out << fmt::format("  step {}/{}: {}\n", index + 1, steps.size(), step.name) << std::flush;
    if (settings.on_step) settings.on_step(step, index);
  };
  counter.meter->Start();
  std::vector<power_model::LadderPoint> points =
      calibration::RunLadder(steps, ladder, CpuJoules(counter.meter));
  const bool advanced =
      std::any_of(points.begin(), points.end(), [](const auto& point) { return point.watts > 0; });
  if (!advanced) {
    throw std::runtime_error(fmt::format(
        "the counter of {} did not advance during the ladder: it reads no power, so no curve "
        "can be fitted; check that it is live (`carbonbench meters`)",
        counter.name));
  }
  const calibration::CurveFit fit = calibration::FitCpuCurve(points, machine.topology);

  CalibrationProfile& profile = result.profile;
  profile.cpu_model = machine.model;
  profile.logical_cpus = logical;
  profile.topology = machine.topology;
  profile.meter = counter.name;
  profile.calibrated_at = UtcNow();
  profile.full_load_w = fit.full_load_w;
  profile.curve = fit.curve;
  profile.band_relative = fit.band_relative;
  profile.points = std::move(points);
  PrintFit(profile, out);

  power_model::SaveProfile(profile, settings.profile_dir);
  result.profile_path = (std::filesystem::path(settings.profile_dir) /
                         power_model::ProfileFileName(profile.cpu_model, profile.logical_cpus))
                            .string();
  out << fmt::format(
      "\nProfile saved: {}\nEstimates on this machine now say: estimated with a "
      "model {}\n",
      result.profile_path, power_model::CalibrationPhrase(profile));
  return result;
}

}  // namespace carbonbench
