#include "store/store_codec.h"

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

namespace carbonbench {

std::string EncodePhases(const std::vector<PhaseEnergy>& phases) {
  nlohmann::json array = nlohmann::json::array();
  for (const PhaseEnergy& phase : phases) {
    array.push_back({{"phase", phase.phase},
                     {"component", phase.component},
                     {"energy_wh", phase.energy_wh},
                     {"co2_g", phase.co2_g},
                     {"provenance", phase.provenance},
                     {"meter", phase.meter}});
  }
  return array.dump();
}

std::vector<PhaseEnergy> DecodePhases(const std::string& json_text) {
  std::vector<PhaseEnergy> phases;
  const nlohmann::json array = nlohmann::json::parse(json_text);
  for (const nlohmann::json& item : array) {
    PhaseEnergy phase;
    phase.phase = item.value("phase", "");
    phase.component = item.value("component", "");
    phase.energy_wh = item.value("energy_wh", 0.0);
    phase.co2_g = item.value("co2_g", 0.0);
    phase.provenance = item.value("provenance", "");
    phase.meter = item.value("meter", "");
    phases.push_back(std::move(phase));
  }
  return phases;
}

std::string EncodeWarnings(const std::vector<std::string>& warnings) {
  return nlohmann::json(warnings).dump();
}

std::vector<std::string> DecodeWarnings(const std::string& json_text) {
  return nlohmann::json::parse(json_text).get<std::vector<std::string>>();
}

std::string NowIso8601Utc() {
  const std::time_t now =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[sizeof "2024-05-01T12:34:56Z"];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace carbonbench
