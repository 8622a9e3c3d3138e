// The external meter: cumulative energy from outside the process, a file a
// wall-plug exporter keeps current or a command that prints the reading, so
// a wall-plug meter can be the source of truth. Measured, and for whatever
// the device behind it covers (a wall plug: the whole machine).
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "carbonbench/meter.h"
#include "energy_reading.h"

namespace carbonbench::meters {
namespace {

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text.size() > 200 ? text.substr(0, 200) + "..." : text;
}

Component ComponentNamed(const std::string& name) {
  if (name == "gpu") return Component::kGpu;
  if (name == "ram") return Component::kRam;
  return Component::kCpu;
}

}  // namespace

class ExternalMeter : public Meter {
 public:
  static std::vector<ParamSpec> Parameters() {
    return {StringParam("file", "", "a file holding the cumulative energy reading"),
            StringParam("command", "", "a shell command that prints the cumulative reading"),
            EnumParam("unit", "J", {"J", "Wh", "kWh"}, "unit of the reading"),
            EnumParam("component", "cpu", {"cpu", "gpu", "ram"},
                      "component the figure is recorded under (a wall plug covers the whole "
                      "machine: list it alone)")};
  }

  void Configure(const Params& params, const MeterContext&) override {
    file_ = params.Has("file") ? params.GetString("file") : "";
    command_ = params.Has("command") ? params.GetString("command") : "";
    unit_ = params.Has("unit") ? params.GetString("unit") : "J";
    component_ = ComponentNamed(params.Has("component") ? params.GetString("component") : "cpu");
  }

  Availability Probe() override {
    if (file_.empty() == command_.empty()) {
      return {false, "set exactly one of external.file (a file holding the cumulative energy) "
                     "and external.command (a command printing it)"};
    }
    try {
      const double joules = ReadTotalJoules();
      std::ostringstream text;
      text << "reads " << Source() << ": " << joules << " J now";
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
    return std::string("energy measured outside carbonbench: cumulative ") + unit_ + " from " +
           Source() + ", recorded as " + ComponentName(component_) +
           "; it covers whatever the device behind it meters (a wall plug: the whole machine).";
  }

  void Start() override {
    start_joules_ = ReadTotalJoules();
    last_ = 0;
  }

  std::map<Component, double> ReadJoules() override {
    // A failed read mid-run repeats the last figure: the next good read
    // catches up, since the source is cumulative.
    try {
      last_ = ReadTotalJoules() - start_joules_;
    } catch (const std::exception&) {
    }
    return {{component_, last_}};
  }

 private:
  std::string Source() const {
    return file_.empty() ? "command '" + command_ + "'" : "file " + file_;
  }

  std::string ReadText() const {
    if (!file_.empty()) {
      std::ifstream in(file_);
      if (!in) throw std::runtime_error("cannot read external.file " + file_);
      std::stringstream text;
      text << in.rdbuf();
      return text.str();
    }
    std::FILE* pipe = popen(command_.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("cannot run external.command '" + command_ + "'");
    std::string output;
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
    const int status = pclose(pipe);
    if (status != 0) {
      throw std::runtime_error("external.command '" + command_ + "' failed (status " +
                               std::to_string(status) + "); it printed: '" + Trimmed(output) + "'");
    }
    return output;
  }

  double ReadTotalJoules() const {
    const std::string text = ReadText();
    const std::optional<double> reading = external_meter::ParseReading(text);
    if (!reading) {
      throw std::runtime_error(Source() + " gave no number: '" + Trimmed(text) +
                               "' (expected a cumulative reading such as '1234.5' or "
                               "'energy_joules_total 1234.5')");
    }
    return *reading * *external_meter::JoulesPerUnit(unit_);
  }

  std::string file_, command_, unit_ = "J";
  Component component_ = Component::kCpu;
  double start_joules_ = 0;
  double last_ = 0;
};

}  // namespace carbonbench::meters

CARBONBENCH_REGISTER_METER(carbonbench::meters::ExternalMeter, "external", "1.0.0",
                           "cumulative energy from a file or a command (e.g. a wall-plug meter)")
