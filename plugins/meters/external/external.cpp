// The external meter: cumulative energy from outside the process, a file a
// wall-plug exporter keeps current or a command that prints the reading, so
// a wall-plug meter can be the source of truth. Measured, for whatever the
// device behind it covers: a wall plug covers the whole machine, so its
// figure goes under one component and the Method says so.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "bounded_command.h"
#include "carbonbench/meter.h"
#include "energy_reading.h"

namespace carbonbench::meters {
namespace detail {

constexpr std::size_t kMaxOutputBytes = 1 << 20;

Component ComponentNamed(const std::string& name) {
  if (name == "gpu") return Component::kGpu;
  if (name == "ram") return Component::kRam;
  return Component::kCpu;
}

// A file an exporter keeps current: read without blocking (a FIFO there
// would hang the sampler) and no more than a reading can need.
std::string ReadReadingFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    throw std::runtime_error(
        fmt::format("cannot read external.file {}: {}; check the path and that the exporter "
                    "writing it runs",
                    path, std::strerror(errno)));
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    throw std::runtime_error(
        fmt::format("external.file {} is not a regular file; name the file the exporter writes "
                    "(for a device or a pipe, use external.command instead)",
                    path));
  }
  std::string text;
  char buffer[4096];
  while (text.size() < kMaxOutputBytes) {
    const ssize_t size = ::read(fd, buffer, sizeof buffer);
    if (size < 0 && errno == EINTR) continue;
    if (size <= 0) break;
    text.append(buffer, static_cast<std::size_t>(size));
  }
  ::close(fd);
  return text;
}

}  // namespace detail

class ExternalMeter : public Meter {
 public:
  // Only when asked for: it needs a file or command to read.
  static MeterTraits Traits() { return {false, 0, MeterScope::kMachine}; }

  static std::vector<ParamSpec> Parameters() {
    return {StringParam("file", "", "a file holding a cumulative energy reading"),
            StringParam("command", "",
                        "a shell command printing a cumulative energy reading (instead of file)"),
            EnumParam("unit", "J", {"J", "Wh", "kWh"}, "unit of the reading"),
            EnumParam("component", "cpu", {"cpu", "gpu", "ram"},
                      "component the figure is recorded as; a wall plug measures the whole "
                      "machine, so then list no other meter beside it"),
            FloatParam("timeout_s", 10.0,
                       "seconds the command may take for one reading; past it the command and "
                       "everything it started are killed and the reading fails",
                       0.01, 3600.0)};
  }

  void Configure(const Params& params, const MeterContext&) override {
    file_ = params.Has("file") ? params.GetString("file") : "";
    command_ = params.Has("command") ? params.GetString("command") : "";
    unit_ = params.Has("unit") ? params.GetString("unit") : "J";
    component_ =
        detail::ComponentNamed(params.Has("component") ? params.GetString("component") : "cpu");
    limits_.deadline = std::chrono::milliseconds(
        std::llround((params.Has("timeout_s") ? params.GetFloat("timeout_s") : 10.0) * 1000.0));
    limits_.max_output_bytes = detail::kMaxOutputBytes;
    if (!external_meter::JoulesPerUnit(unit_)) {
      throw std::invalid_argument(fmt::format("external.unit '{}' is not J, Wh or kWh", unit_));
    }
  }

  Availability Probe() override {
    if (file_.empty() == command_.empty()) {
      return {false,
              std::string(file_.empty() ? "neither external.file nor external.command is set"
                                        : "both external.file and external.command are set") +
                  ": set exactly one, a file holding the cumulative energy or a command "
                  "printing it"};
    }
    try {
      std::ostringstream text;
      text << "reads " << Source() << ": " << ReadTotalJoules() << " J now";
      return {true, text.str()};
    } catch (const std::exception& error) {
      return {false, error.what()};
    }
  }

  std::vector<Component> Components() const override { return {component_}; }

  Provenance ProvenanceOf(Component component) const override {
    return component == component_ ? Provenance::kMeasured : Provenance::kAbsent;
  }

  std::string Method() const override {
    return "energy measured outside carbonbench: the cumulative reading (" + unit_ + ") of " +
           Source() + ", recorded as " + ComponentName(component_) +
           " though it covers whatever the device behind it meters (a wall plug: the whole "
           "machine, idle draw and other processes included).";
  }

  void Start() override {
    counter_.Reset(ReadTotalJoules());
    failing_ = false;
  }

  std::map<Component, double> ReadJoules() override {
    // The sampler thread cannot take an exception: a failed read keeps the
    // last figure, and the next good one catches up since the source is
    // cumulative. Said once per failing streak so a dead source is noticed.
    try {
      counter_.Add(ReadTotalJoules());
      failing_ = false;
    } catch (const std::exception& error) {
      if (!failing_) {
        std::cerr << "carbonbench: external meter: " << error.what()
                  << "; keeping the last reading until it reads again\n";
      }
      failing_ = true;
    }
    return {{component_, counter_.joules()}};
  }

 private:
  std::string Source() const {
    if (!file_.empty()) {
      const std::string quoted = external_meter::Quoted(file_);
      return "file " + quoted.substr(1, quoted.size() - 2);
    }
    return "command " + external_meter::Quoted(command_);
  }

  static std::string Printed(const std::string& output) {
    return output.empty() ? "nothing" : external_meter::Quoted(output);
  }

  std::string ReadText() const {
    if (!file_.empty()) return detail::ReadReadingFile(file_);
    const external_meter::CommandOutput run = external_meter::RunBoundedCommand(command_, limits_);
    if (run.timed_out) {
      throw std::runtime_error(fmt::format(
          "external.command {} gave no reading within external.timeout_s = {:g} s, so it and "
          "everything it started were killed; it printed {} (raise external.timeout_s if the "
          "source is that slow)",
          external_meter::Quoted(command_), limits_.deadline.count() / 1000.0,
          Printed(run.output)));
    }
    if (run.wait_status != 0) {
      throw std::runtime_error(
          fmt::format("external.command {} {}; it printed {} (its stderr went to the terminal)",
                      external_meter::Quoted(command_), external_meter::ExitText(run.wait_status),
                      Printed(run.output)));
    }
    return run.output;
  }

  double ReadTotalJoules() const {
    const double joules = external_meter::CheckedReading(ReadText(), Source()) *
                          *external_meter::JoulesPerUnit(unit_);
    if (!std::isfinite(joules)) {
      throw std::runtime_error(
          fmt::format("{} gave a reading too large to count in joules", Source()));
    }
    return joules;
  }

  std::string file_;
  std::string command_;
  std::string unit_ = "J";
  Component component_ = Component::kCpu;
  external_meter::CommandLimits limits_;
  external_meter::CumulativeJoules counter_;
  bool failing_ = false;
};

}  // namespace carbonbench::meters

CARBONBENCH_REGISTER_METER(carbonbench::meters::ExternalMeter, "external", "1.0.0",
                           "cumulative energy from a file or a command (e.g. a wall-plug meter)")
