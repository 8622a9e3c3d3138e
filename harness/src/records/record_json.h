// The JSON form of a run's details: what the store keeps in its *_json
// columns and what the exports write. Decoding is lenient: a missing key
// stays unset, a key of an unexpected type or one this release does not know
// is kept aside and encoded back unchanged, and text that is not JSON (or
// not of the record's shape) reads as an empty record, so an old or damaged
// row never stops a report.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "records/run_details.h"
#include "records/run_records.h"

namespace carbonbench {

nlohmann::json ToJson(const EnvironmentRecord& record);
nlohmann::json ToJson(const MeterRecord& record);
nlohmann::json ToJson(const CarbonDetails& record);
nlohmann::json ToJson(const IdleRecord& record);
nlohmann::json ToJson(const UsageRecord& record);
nlohmann::json ToJson(const ConfusionRecord& record);
nlohmann::json ToJson(const MemoryRecord& record);
nlohmann::json ToJson(const PhaseEnergy& record);
nlohmann::json ToJson(const ComponentMeasurement& record);
nlohmann::json ToJson(const MeasurementRecord& record);
nlohmann::json ToJson(const OptimizationFigures& record);
nlohmann::json ToJson(const std::vector<std::string>& record);
template <class Record>
nlohmann::json ToJson(const std::vector<Record>& records) {
  nlohmann::json array = nlohmann::json::array();
  for (const Record& record : records) array.push_back(ToJson(record));
  return array;
}

void FromJson(const nlohmann::json& json, EnvironmentRecord& record);
void FromJson(const nlohmann::json& json, MeterRecord& record);
void FromJson(const nlohmann::json& json, CarbonDetails& record);
void FromJson(const nlohmann::json& json, IdleRecord& record);
void FromJson(const nlohmann::json& json, UsageRecord& record);
void FromJson(const nlohmann::json& json, ConfusionRecord& record);
void FromJson(const nlohmann::json& json, MemoryRecord& record);
void FromJson(const nlohmann::json& json, PhaseEnergy& record);
void FromJson(const nlohmann::json& json, ComponentMeasurement& record);
void FromJson(const nlohmann::json& json, MeasurementRecord& record);
void FromJson(const nlohmann::json& json, OptimizationFigures& record);
void FromJson(const nlohmann::json& json, std::vector<std::string>& record);
template <class Record>
void FromJson(const nlohmann::json& json, std::vector<Record>& records) {
  records.clear();
  if (!json.is_array()) return;
  for (const nlohmann::json& item : json) {
    Record record;
    FromJson(item, record);
    records.push_back(std::move(record));
  }
}

// As JSON text, and back; see above for what decoding forgives.
template <class Record>
std::string EncodeRecord(const Record& record) {
  return ToJson(record).dump();
}
template <class Record>
Record DecodeRecord(const std::string& text) {
  Record record;
  FromJson(nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false), record);
  return record;
}

}  // namespace carbonbench
