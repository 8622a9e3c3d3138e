#include "records/record_json.h"

#include <type_traits>

namespace carbonbench {
namespace {

using nlohmann::json;

// Whether `value` reads as a T without losing anything.
template <class T>
bool Fits(const json& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value.is_boolean();
  } else if constexpr (std::is_integral_v<T>) {
    return value.is_number_integer();
  } else if constexpr (std::is_floating_point_v<T>) {
    return value.is_number();
  } else if constexpr (std::is_same_v<T, std::string>) {
    return value.is_string();
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    if (!value.is_array()) return false;
    for (const json& item : value) {
      if (!item.is_string()) return false;
    }
    return true;
  } else {  // std::map<std::string, V>
    if (!value.is_object()) return false;
    for (const auto& item : value) {
      if (!Fits<typename T::mapped_type>(item)) return false;
    }
    return true;
  }
}

template <class T>
void Put(json& object, const char* key, const std::optional<T>& value) {
  if (value) object[key] = *value;
}

void PutExtra(json& object, const ExtraFields& extra) {
  for (const auto& [key, text] : extra) {
    object[key] = json::parse(text, nullptr, /*allow_exceptions=*/false);
  }
}

// Moves `key` out of `rest` into `value` when it is there and fits.
template <class T>
void Take(json& rest, const char* key, std::optional<T>& value) {
  const auto found = rest.find(key);
  if (found == rest.end() || !Fits<T>(*found)) return;
  value = found->template get<T>();
  rest.erase(found);
}

// What is left once every known key was taken.
ExtraFields Rest(const json& rest) {
  ExtraFields extra;
  for (const auto& [key, value] : rest.items()) extra[key] = value.dump();
  return extra;
}

// The object to take keys from: empty unless `json` is an object.
json Object(const json& value) { return value.is_object() ? value : json::object(); }

}  // namespace

// A plain record's keys are named once, in its VisitFields overload (the
// last argument only picks the overload); both directions walk that list.
template <class Record>
json PlainToJson(const Record& r) {
  json object = json::object();
  PutExtra(object, r.extra);
  VisitFields(
      r, [&](const char* key, const auto& field) { Put(object, key, field); },
      static_cast<Record*>(nullptr));
  return object;
}

template <class Record>
void PlainFromJson(const json& value, Record& r) {
  r = {};
  json rest = Object(value);
  VisitFields(
      r, [&](const char* key, auto& field) { Take(rest, key, field); },
      static_cast<Record*>(nullptr));
  r.extra = Rest(rest);
}

template <class Record, class Visit>
void VisitFields(Record& r, Visit&& visit, EnvironmentRecord*) {
  visit("allocator", r.allocator);
  visit("blas", r.blas);
  visit("channels_last", r.channels_last);
  visit("cores", r.cores);
  visit("cpu", r.cpu);
  visit("device", r.device);
  visit("flush_denormal", r.flush_denormal);
  visit("interop_threads", r.interop_threads);
  visit("os", r.os);
  visit("slurm", r.slurm);
  visit("threads", r.threads);
  visit("torch", r.torch);
}

json ToJson(const EnvironmentRecord& r) { return PlainToJson(r); }

void FromJson(const json& value, EnvironmentRecord& r) { PlainFromJson(value, r); }

template <class Record, class Visit>
void VisitFields(Record& r, Visit&& visit, MeterRecord*) {
  visit("available", r.available);
  visit("band_basis", r.band_basis);
  visit("band_relative", r.band_relative);
  visit("calibration", r.calibration);
  visit("components", r.components);
  visit("method", r.method);
  visit("name", r.name);
  visit("reason", r.reason);
  visit("scope", r.scope);
}

json ToJson(const MeterRecord& r) { return PlainToJson(r); }

void FromJson(const json& value, MeterRecord& r) { PlainFromJson(value, r); }

template <class Record, class Visit>
void VisitFields(Record& r, Visit&& visit, CarbonDetails*) {
  visit("cloud_provider", r.cloud_provider);
  visit("cloud_region", r.cloud_region);
  visit("compare_regions", r.compare_regions);
  visit("country_iso_code", r.country_iso_code);
  visit("country_name", r.country_name);
  visit("fallback_path", r.fallback_path);
  visit("intensity_csv", r.intensity_csv);
  visit("pue_source", r.pue_source);
  visit("pue_year", r.pue_year);
  visit("subdivision", r.subdivision);
  visit("year", r.year);
}

json ToJson(const CarbonDetails& r) { return PlainToJson(r); }

void FromJson(const json& value, CarbonDetails& r) { PlainFromJson(value, r); }

template <class Record, class Visit>
void VisitFields(Record& r, Visit&& visit, IdleRecord*) {
  visit("duration_s", r.duration_s);
  visit("meters", r.meters);
  visit("provenance", r.provenance);
  visit("watts", r.watts);
}

json ToJson(const IdleRecord& r) { return PlainToJson(r); }

void FromJson(const json& value, IdleRecord& r) { PlainFromJson(value, r); }

template <class Record, class Visit>
void VisitFields(Record& r, Visit&& visit, UsageRecord*) {
  visit("cpu_utilization_percent", r.cpu_utilization_percent);
  visit("gpu_count", r.gpu_count);
  visit("gpu_model", r.gpu_model);
  visit("gpu_utilization_percent", r.gpu_utilization_percent);
  visit("ram_total_gb", r.ram_total_gb);
  visit("ram_used_gb", r.ram_used_gb);
  visit("threads", r.threads);
}

json ToJson(const UsageRecord& r) { return PlainToJson(r); }

void FromJson(const json& value, UsageRecord& r) { PlainFromJson(value, r); }

json ToJson(const ConfusionRecord& r) {
  json object = json::object();
  PutExtra(object, r.extra);
  if (!r.classes.empty()) object["classes"] = r.classes;
  if (!r.matrix.empty()) object["matrix"] = r.matrix;
  return object;
}

void FromJson(const json& value, ConfusionRecord& r) {
  r = {};
  json rest = Object(value);
  const auto classes = rest.find("classes");
  if (classes != rest.end() && Fits<std::vector<std::string>>(*classes)) {
    r.classes = classes->get<std::vector<std::string>>();
    rest.erase(classes);
  }
  const auto matrix = rest.find("matrix");
  if (matrix != rest.end() && matrix->is_array()) {
    bool counts = true;
    for (const json& row : *matrix) {
      counts = counts && row.is_array();
      for (const json& cell : row) counts = counts && cell.is_number_integer();
    }
    if (counts) {
      r.matrix = matrix->get<std::vector<std::vector<std::int64_t>>>();
      rest.erase(matrix);
    }
  }
  r.extra = Rest(rest);
}

json ToJson(const MemoryRecord& r) {
  json object = json::object();
  PutExtra(object, r.extra);
  for (const auto& [phase, peak] : r.phases) {
    json entry = json::object();
    PutExtra(entry, peak.extra);
    Put(entry, "peak_cuda_mb", peak.peak_cuda_mb);
    Put(entry, "peak_cuda_tensor_mb", peak.peak_cuda_tensor_mb);
    Put(entry, "peak_rss_mb", peak.peak_rss_mb);
    Put(entry, "peak_tensor_mb", peak.peak_tensor_mb);
    object[phase] = entry;
  }
  Put(object, "method", r.method);
  Put(object, "tensor_method", r.tensor_method);
  return object;
}

void FromJson(const json& value, MemoryRecord& r) {
  r = {};
  json rest = Object(value);
  Take(rest, "method", r.method);
  Take(rest, "tensor_method", r.tensor_method);
  for (auto item = rest.begin(); item != rest.end();) {
    if (!item->is_object()) {
      ++item;
      continue;
    }
    json entry = *item;
    PhaseMemoryPeak& peak = r.phases[item.key()];
    Take(entry, "peak_cuda_mb", peak.peak_cuda_mb);
    Take(entry, "peak_cuda_tensor_mb", peak.peak_cuda_tensor_mb);
    Take(entry, "peak_rss_mb", peak.peak_rss_mb);
    Take(entry, "peak_tensor_mb", peak.peak_tensor_mb);
    peak.extra = Rest(entry);
    item = rest.erase(item);
  }
  r.extra = Rest(rest);
}

// band_wh is written only when known (not 0), so phases stored before bands
// were recorded encode back as they were written.
json ToJson(const PhaseEnergy& r) {
  json object = {{"phase", r.phase}, {"component", r.component},   {"energy_wh", r.energy_wh},
                 {"co2_g", r.co2_g}, {"provenance", r.provenance}, {"meter", r.meter}};
  if (r.band_wh != 0) object["band_wh"] = r.band_wh;
  return object;
}

void FromJson(const json& value, PhaseEnergy& r) {
  r = {};
  const json item = Object(value);
  r.phase = item.value("phase", "");
  r.component = item.value("component", "");
  r.energy_wh = item.value("energy_wh", 0.0);
  r.co2_g = item.value("co2_g", 0.0);
  r.provenance = item.value("provenance", "");
  r.meter = item.value("meter", "");
  const auto band = item.find("band_wh");
  if (band != item.end() && band->is_number()) r.band_wh = band->get<double>();
}

template <class Record, class Visit>
void VisitFields(Record& r, Visit&& visit, ComponentMeasurement*) {
  visit("band_basis", r.band_basis);
  visit("band_relative", r.band_relative);
  visit("calibration", r.calibration);
  visit("component", r.component);
  visit("meter", r.meter);
  visit("method", r.method);
  visit("provenance", r.provenance);
  visit("scope", r.scope);
}

json ToJson(const ComponentMeasurement& r) { return PlainToJson(r); }

void FromJson(const json& value, ComponentMeasurement& r) { PlainFromJson(value, r); }

template <class Record, class Visit>
void VisitFields(Record& r, Visit&& visit, MeasurementRecord*) {
  visit("interval_max_gap_ms", r.interval_max_gap_ms);
  visit("interval_mean_ms", r.interval_mean_ms);
  visit("interval_target_ms", r.interval_target_ms);
  visit("outside_load_max", r.outside_load_max);
  visit("outside_load_mean", r.outside_load_mean);
  visit("outside_load_warning", r.outside_load_warning);
  visit("overlap_warning", r.overlap_warning);
  visit("overlapping_cells", r.overlapping_cells);
  visit("process_load_mean", r.process_load_mean);
  visit("samples", r.samples);
}

// The components as an array (cpu, gpu, ram as the run listed them), the
// rest plain; a run stored without a record encodes as {}.
json ToJson(const MeasurementRecord& r) {
  json object = PlainToJson(r);
  if (!r.components.empty()) object["components"] = ToJson(r.components);
  return object;
}

void FromJson(const json& value, MeasurementRecord& r) {
  json rest = Object(value);
  std::vector<ComponentMeasurement> components;
  const auto found = rest.find("components");
  if (found != rest.end() && found->is_array()) {
    FromJson(*found, components);
    rest.erase(found);
  }
  PlainFromJson(rest, r);
  r.components = std::move(components);
}

// Counts are written as JSON integers, measures as numbers with a point
// (1686.0), which is how each reads back into its map.
json ToJson(const OptimizationFigures& r) {
  json object = json::object();
  PutExtra(object, r.extra);
  for (const auto& [key, count] : r.counts) object[key] = count;
  for (const auto& [key, measure] : r.measures) object[key] = measure;
  return object;
}

void FromJson(const json& value, OptimizationFigures& r) {
  r = {};
  const json object = Object(value);  // named: items() of a temporary would dangle
  for (const auto& [key, figure] : object.items()) {
    if (figure.is_number_integer()) {
      r.counts[key] = figure.get<std::int64_t>();
    } else if (figure.is_number()) {
      r.measures[key] = figure.get<double>();
    } else {
      r.extra[key] = figure.dump();
    }
  }
}

json ToJson(const std::vector<std::string>& r) { return json(r); }

void FromJson(const json& value, std::vector<std::string>& r) {
  r.clear();
  if (!value.is_array()) return;
  for (const json& item : value) {
    if (item.is_string()) r.push_back(item.get<std::string>());
  }
}

}  // namespace carbonbench
