// The text an external energy source gives (a file's content or a command's
// output) and the cumulative figure it carries, kept apart from the meter so
// the rules are tested without files, commands or clocks.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace carbonbench::external_meter {

// The first number on the first line that is neither blank nor a '#'
// comment: "1234.5", "1234.5 J", "Total: 12.5 kWh" and a Prometheus sample
// "plug_energy_joules_total{plug=\"desk\"} 1234.5 1700000000000" (labels
// skipped, the trailing timestamp ignored) all read as 1234.5 / 12.5. A
// number is a whole whitespace-separated word; "NaN" and "+Inf" (which
// Prometheus writes) are numbers here, returned as they are for the caller
// to refuse, so the timestamp after them is never taken for the reading.
// nullopt when that line has none. To pick another metric out of a longer
// exposition, filter it in the command (e.g. `curl -s URL | grep ^name`).
std::optional<double> ParseReading(const std::string& text);

// The reading in `text`, checked: throws std::runtime_error naming `source`
// ("command 'x'", "file /y") for text that is not UTF-8, no number, or a
// number that is not finite or is negative.
double CheckedReading(const std::string& text, const std::string& source);

// `text` for a message: in single quotes, trailing newlines dropped, at most
// 200 bytes, each byte that is a control character or not UTF-8 written as
// \xNN, so a message (and what stores it) only ever holds valid UTF-8.
std::string Quoted(const std::string& text);

// Joules per unit for "J", "Wh", "kWh"; nullopt for another unit.
std::optional<double> JoulesPerUnit(const std::string& unit);

// Joules accumulated from successive readings of a cumulative counter. A
// reading below the previous one means the source restarted from zero (an
// exporter or plug reset), so the new reading is all energy since then.
class CumulativeJoules {
 public:
  void Reset(double reading_j);
  void Add(double reading_j);
  double joules() const { return joules_; }

 private:
  double last_j_ = 0;
  double joules_ = 0;
};

}  // namespace carbonbench::external_meter
