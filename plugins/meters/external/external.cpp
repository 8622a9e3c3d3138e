// The external meter: cumulative energy from outside the process, a file a
// wall-plug exporter keeps current or a command that prints the reading, so
// a wall-plug meter can be the source of truth. Measured, for whatever the
// device behind it covers: a wall plug covers the whole machine, so its
// figure goes under one component and the Method says so.
#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "carbonbench/meter.h"
#include "energy_reading.h"

namespace carbonbench::meters {
namespace detail {

constexpr std::size_t kMaxOutputBytes = 1 << 20;

// Output as an error message quotes it: one line per line, at most 200 chars.
std::string Quoted(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.size() > 200) text = text.substr(0, 200) + "...";
  return "'" + text + "'";
}

Component ComponentNamed(const std::string& name) {
  if (name == "gpu") return Component::kGpu;
  if (name == "ram") return Component::kRam;
  return Component::kCpu;
}

std::string ExitText(int status) {
  if (WIFEXITED(status)) {
    const int code = WEXITSTATUS(status);
    std::string text = "exited with status " + std::to_string(code);
    if (code == 127) text += " (the shell found no such command)";
    if (code == 126) text += " (the command is not executable)";
    return text;
  }
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "failed (wait status " + std::to_string(status) + ")";
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
                      "machine, so then list no other meter beside it")};
  }

  void Configure(const Params& params, const MeterContext&) override {
    file_ = params.Has("file") ? params.GetString("file") : "";
    command_ = params.Has("command") ? params.GetString("command") : "";
    unit_ = params.Has("unit") ? params.GetString("unit") : "J";
    component_ =
        detail::ComponentNamed(params.Has("component") ? params.GetString("component") : "cpu");
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
    return file_.empty() ? "command '" + command_ + "'" : "file " + file_;
  }

  std::string ReadText() const {
    if (!file_.empty()) {
      std::ifstream in(file_);
      if (!in) {
        throw std::runtime_error(
            fmt::format("cannot read external.file {}: {}; check the path and that the exporter "
                        "writing it runs",
                        file_, std::strerror(errno)));
      }
      std::stringstream text;
      text << in.rdbuf();
      return text.str();
    }
    std::FILE* pipe = popen(command_.c_str(), "r");
    if (pipe == nullptr) {
      throw std::runtime_error(
          fmt::format("cannot run external.command '{}': {}", command_, std::strerror(errno)));
    }
    std::string output;
    char buffer[4096];
    while (std::size_t size = std::fread(buffer, 1, sizeof buffer, pipe)) {
      if (output.size() < detail::kMaxOutputBytes) output.append(buffer, size);
    }
    const int status = pclose(pipe);
    if (status != 0) {
      throw std::runtime_error(
          fmt::format("external.command '{}' {}; it printed {} (its stderr went to the terminal)",
                      command_, detail::ExitText(status), detail::Quoted(output)));
    }
    return output;
  }

  double ReadTotalJoules() const {
    const std::string text = ReadText();
    const std::optional<double> reading = external_meter::ParseReading(text);
    if (!reading) {
      throw std::runtime_error(
          fmt::format("{} gave no number: {} (expected a cumulative reading on its first line, "
                      "such as '1234.5' or 'energy_joules_total 1234.5')",
                      Source(), detail::Quoted(text)));
    }
    if (*reading < 0) {
      throw std::runtime_error(
          fmt::format("{} gave a negative reading: {} (a cumulative energy cannot be negative)",
                      Source(), detail::Quoted(text)));
    }
    return *reading * *external_meter::JoulesPerUnit(unit_);
  }

  std::string file_;
  std::string command_;
  std::string unit_ = "J";
  Component component_ = Component::kCpu;
  external_meter::CumulativeJoules counter_;
  bool failing_ = false;
};

}  // namespace carbonbench::meters

CARBONBENCH_REGISTER_METER(carbonbench::meters::ExternalMeter, "external", "1.0.0",
                           "cumulative energy from a file or a command (e.g. a wall-plug meter)")
