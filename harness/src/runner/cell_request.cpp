#include "runner/cell_request.h"

#include <stdexcept>

#include "records/record_json.h"

namespace carbonbench {
namespace {

std::optional<Component> ComponentNamed(const std::string& name) {
  for (Component c : {Component::kCpu, Component::kGpu, Component::kRam}) {
    if (name == ComponentName(c)) return c;
  }
  return std::nullopt;
}

Provenance ProvenanceNamed(const std::string& name) {
  for (Provenance p : {Provenance::kMeasured, Provenance::kEstimated, Provenance::kAbsent}) {
    if (name == ProvenanceName(p)) return p;
  }
  return Provenance::kAbsent;
}

}  // namespace

IdleRecord IdleRecordOf(const IdleBaseline& idle) {
  IdleRecord record;
  record.duration_s = idle.duration_s;
  auto& watts = record.watts.emplace();
  auto& provenance = record.provenance.emplace();
  auto& meters = record.meters.emplace();
  for (const auto& [component, value] : idle.watts) watts[ComponentName(component)] = value;
  for (const auto& source : idle.sources) {
    provenance[ComponentName(source.component)] = ProvenanceName(source.provenance);
    meters[ComponentName(source.component)] = source.meter;
  }
  return record;
}

IdleBaseline IdleBaselineFromJson(const nlohmann::json& json) {
  IdleBaseline idle;
  idle.duration_s = json.at("duration_s").get<double>();
  for (const auto& [name, value] : json.at("watts").items()) {
    if (auto component = ComponentNamed(name)) idle.watts[*component] = value.get<double>();
  }
  // Named copies: a range-for over items() of a temporary would dangle.
  const nlohmann::json meters = json.value("meters", nlohmann::json::object());
  const nlohmann::json provenance = json.value("provenance", nlohmann::json::object());
  for (const auto& [name, value] : provenance.items()) {
    auto component = ComponentNamed(name);
    if (!component) continue;
    ComponentSource source;
    source.component = *component;
    source.provenance = ProvenanceNamed(value.get<std::string>());
    source.meter = meters.value(name, "");
    idle.sources.push_back(source);
  }
  return idle;
}

nlohmann::json CellRequest::ToJson() const {
  nlohmann::json json = {
      {"suite_text", suite_text},           {"suite_source", suite_source},
      {"suite_generated", suite_generated}, {"config_hash", config_hash},
      {"repetition", repetition},           {"store_path", store_path},
      {"models_dir", models_dir},           {"sampler_interval_ms", sampler_interval_ms},
      {"probe_steps", probe_steps}};
  json["idle"] = idle ? carbonbench::ToJson(IdleRecordOf(*idle)) : nlohmann::json();
  if (trial_values) {
    nlohmann::json values = nlohmann::json::object();
    for (const auto& [key, value] : *trial_values) {
      std::visit([&values, &key = key](const auto& held) { values[key] = held; }, value);
    }
    json["trial_values"] = values;
  }
  json["await_verdicts"] = await_verdicts;
  return json;
}

CellRequest CellRequest::FromJson(const nlohmann::json& json) {
  CellRequest request;
  request.suite_text = json.at("suite_text").get<std::string>();
  request.suite_source = json.at("suite_source").get<std::string>();
  request.suite_generated = json.at("suite_generated").get<bool>();
  request.config_hash = json.at("config_hash").get<std::string>();
  request.repetition = json.at("repetition").get<int>();
  request.store_path = json.at("store_path").get<std::string>();
  request.models_dir = json.at("models_dir").get<std::string>();
  request.sampler_interval_ms = json.at("sampler_interval_ms").get<int>();
  request.probe_steps = json.value("probe_steps", 0);
  if (json.contains("idle") && !json.at("idle").is_null()) {
    request.idle = IdleBaselineFromJson(json.at("idle"));
  }
  if (json.contains("trial_values")) {
    auto& values = request.trial_values.emplace();
    for (const auto& [key, value] : json.at("trial_values").items()) {
      if (value.is_boolean()) {
        values[key] = value.get<bool>();
      } else if (value.is_number_integer()) {
        values[key] = value.get<std::int64_t>();
      } else if (value.is_number()) {
        values[key] = value.get<double>();
      } else {
        values[key] = value.get<std::string>();
      }
    }
  }
  request.await_verdicts = json.value("await_verdicts", false);
  return request;
}

std::string CellEvent::ToLine() const {
  return nlohmann::json{{"type", type},
                        {"epoch", epoch},
                        {"epochs", epochs},
                        {"metric", metric},
                        {"train_loss", train_loss},
                        {"elapsed_s", elapsed_s},
                        {"epoch_s", epoch_s},
                        {"data_wait_pct", data_wait_pct},
                        {"energy_wh", energy_wh},
                        {"epoch_energy_wh", epoch_energy_wh},
                        {"epoch_energy_band_wh", epoch_energy_band_wh},
                        {"provenance", provenance},
                        {"phase", phase},
                        {"test_accuracy", test_accuracy},
                        {"test_rmse", test_rmse},
                        {"co2_g", co2_g}}
      .dump();
}

std::optional<CellEvent> CellEvent::FromLine(const std::string& line) {
  const nlohmann::json json = nlohmann::json::parse(line, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  CellEvent event;
  event.type = json.value("type", "");
  event.epoch = json.value("epoch", 0);
  event.epochs = json.value("epochs", 0);
  event.metric = json.value("metric", "");
  event.train_loss = json.value("train_loss", 0.0);
  event.elapsed_s = json.value("elapsed_s", 0.0);
  event.epoch_s = json.value("epoch_s", 0.0);
  event.data_wait_pct = json.value("data_wait_pct", 0.0);
  event.energy_wh = json.value("energy_wh", 0.0);
  event.epoch_energy_wh = json.value("epoch_energy_wh", 0.0);
  event.epoch_energy_band_wh = json.value("epoch_energy_band_wh", 0.0);
  event.provenance = json.value("provenance", "");
  event.phase = json.value("phase", "");
  event.test_accuracy = json.value("test_accuracy", 0.0);
  event.test_rmse = json.value("test_rmse", 0.0);
  event.co2_g = json.value("co2_g", 0.0);
  return event;
}

}  // namespace carbonbench
