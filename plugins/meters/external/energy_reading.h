// Parsing the text an external energy source gives: a file's content or a
// command's output, e.g. "1234.5", "1234.5 J" or a Prometheus line
// "plug_energy_joules_total 1234.5".
#pragma once

#include <optional>
#include <string>

namespace carbonbench::external_meter {

// The last number on the first line that is neither empty nor a '#'
// comment; nullopt when that line has none.
std::optional<double> ParseReading(const std::string& text);

// Joules per unit for "J", "Wh", "kWh"; nullopt for another unit.
std::optional<double> JoulesPerUnit(const std::string& unit);

}  // namespace carbonbench::external_meter
