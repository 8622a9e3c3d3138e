#include "runner/model_service.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>
#include <torch/torch.h>
#include <yaml-cpp/yaml.h>

#include "runner/cell_run.h"
#include "runner/cell_setup.h"
#include "runner/saved_model.h"
#include "runner/suite_runner.h"
#include "serve/api_error.h"
#include "suites/suite.h"
#include "tokenizer/wordpiece.h"
#include "training/forward_scopes.h"
#include "training/memory_layout.h"

namespace carbonbench {

using serve::ApiError;
using Clock = std::chrono::steady_clock;

struct ModelService::Loaded {
  SavedModelInfo saved;
  Suite suite;
  SuiteRunContext context;
  CellSetup setup;
  std::shared_ptr<Network> network;
  std::vector<std::shared_ptr<Optimization>> optimizations;
  std::unique_ptr<EnergySampler> sampler;
  std::unique_ptr<WordPieceTokenizer> tokenizer;  // token models only
  bool channels_last = false;
  std::string method;  // each component's meter and how it works
  // One forward pass at a time: it already uses every thread it was given,
  // and the meters' readings around it then hold no other request's work.
  std::mutex forward_mutex;

  ~Loaded() {
    if (sampler) sampler->Stop();
  }
  const DatasetSpec& spec() const { return setup.data->spec; }
  const TensorDataset& data() const { return *setup.data; }
};

namespace {

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

const char* InputName(InputKind kind) {
  switch (kind) {
    case InputKind::kImage:
      return "image";
    case InputKind::kTokens:
      return "text";
    case InputKind::kSeries:
      return "series";
  }
  return "unknown";
}

// A one-cell suite with the saved model's plugin, the data settings of the
// run's cell and the meters, so the settings are checked as in any suite.
Suite ServingSuite(const RunRow& run, const SavedModelInfo& saved,
                   const ModelServiceSettings& settings, const PluginRegistry& registry) {
  YAML::Node suite;
  suite["suite"] = "serve";
  suite["dataset"]["name"] = saved.dataset;
  suite["defaults"]["model"] = saved.model;
  suite["defaults"]["threads"] = settings.threads;
  const nlohmann::json config = nlohmann::json::parse(saved.config_json, nullptr, false);
  if (config.is_object() && config.contains("settings") && config["settings"].is_object()) {
    for (const auto& [key, value] : config["settings"].items()) {
      if (key.rfind("dataset.", 0) == 0 && key != "dataset.vocab") {
        suite["defaults"][key] = YAML::Load(value.dump());
      }
    }
  }
  if (!settings.dataset_path.empty()) suite["defaults"]["dataset.path"] = settings.dataset_path;
  if (!saved.vocab_path.empty()) suite["defaults"]["dataset.vocab"] = saved.vocab_path;
  if (!settings.meters.empty()) suite["meters"] = settings.meters;
  suite["carbon"]["region"] = !settings.region.empty()              ? settings.region
                              : !run.start.region_requested.empty() ? run.start.region_requested
                                                                    : "WORLD";
  return LoadSuiteText(YAML::Dump(suite), fmt::format("the saved model of run {}", run.id),
                       registry.Catalog(), SuiteTextOrigin::kGeneratedText);
}

std::string MethodOf(const MeterSelection& meters) {
  std::string text;
  for (const ComponentSource& source : meters.Sources()) {
    std::string method;
    for (const MeterProbe& probe : meters.probes) {
      if (probe.name == source.meter) method = probe.method;
    }
    text += fmt::format("{}{}: {} ({}{})", text.empty() ? "" : "; ",
                        ComponentName(source.component), source.meter,
                        ProvenanceName(source.provenance), method.empty() ? "" : ", " + method);
  }
  return text.empty() ? "no meter could run here" : text;
}

// --- Inputs as the training data was prepared --------------------------------

torch::Tensor ImageBatch(const ModelService::Loaded& m,
                         const std::vector<serve::RawImage>& images) {
  const DatasetSpec& spec = m.spec();
  if (spec.input_kind != InputKind::kImage) {
    throw ApiError(400, fmt::format("this model takes {} inputs, not images; send {}",
                                    InputName(spec.input_kind),
                                    spec.input_kind == InputKind::kTokens ? "texts" : "windows"));
  }
  const std::int64_t channels = spec.input_shape.at(0);
  const std::int64_t height = spec.input_shape.at(1);
  const std::int64_t width = spec.input_shape.at(2);
  std::vector<torch::Tensor> tensors;
  for (std::size_t i = 0; i < images.size(); ++i) {
    const serve::RawImage& image = images[i];
    if (image.width != width || image.height != height || image.channels != channels) {
      throw ApiError(
          400, fmt::format("image {} is {}x{} with {} channel(s); this model takes {}x{} "
                           "images with {} channel(s) ({}): resize it first (the "
                           "playground does)",
                           i, image.width, image.height, image.channels, width, height, channels,
                           channels == 1 ? "grey" : "colour"));
    }
    torch::Tensor pixels = torch::from_blob(const_cast<std::uint8_t*>(image.pixels.data()),
                                            {height, width, channels}, torch::kUInt8)
                               .permute({2, 0, 1})
                               .to(torch::kFloat32)
                               .div_(255.0f);
    if (!m.data().pixel_mean.empty()) {
      const auto n = static_cast<std::int64_t>(m.data().pixel_mean.size());
      pixels = pixels.sub_(torch::tensor(m.data().pixel_mean).view({n, 1, 1}))
                   .div_(torch::tensor(m.data().pixel_stddev).view({n, 1, 1}));
    }
    tensors.push_back(pixels);
  }
  return torch::stack(tensors);
}

torch::Tensor TextBatch(const ModelService::Loaded& m, const std::vector<std::string>& texts) {
  if (m.spec().input_kind != InputKind::kTokens || !m.tokenizer) {
    throw ApiError(
        400, fmt::format("this model takes {} inputs, not texts", InputName(m.spec().input_kind)));
  }
  const auto max_length = static_cast<std::size_t>(m.spec().input_shape.at(0));
  const EncodedBatch encoded = m.tokenizer->EncodeBatch(texts, max_length);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (encoded.num_truncated_tokens[i] > 0) {
      throw ApiError(400, fmt::format("text {} is {} tokens long with [CLS] and [SEP]; this model "
                                      "reads at most {}: shorten it (it is not cut, so the "
                                      "prediction is of the whole text)",
                                      i, max_length + encoded.num_truncated_tokens[i], max_length));
    }
  }
  return torch::tensor(encoded.input_ids, torch::kLong)
      .view({static_cast<std::int64_t>(texts.size()), static_cast<std::int64_t>(max_length)});
}

torch::Tensor WindowBatch(const ModelService::Loaded& m,
                          const std::vector<std::vector<double>>& windows) {
  if (m.spec().input_kind != InputKind::kSeries) {
    throw ApiError(400, fmt::format("this model takes {} inputs, not windows of values",
                                    InputName(m.spec().input_kind)));
  }
  const std::int64_t length = m.spec().input_shape.at(1);
  std::vector<double> values;
  for (std::size_t i = 0; i < windows.size(); ++i) {
    if (static_cast<std::int64_t>(windows[i].size()) != length) {
      throw ApiError(400, fmt::format("window {} holds {} values; this model reads windows of "
                                      "exactly {} (the latest last)",
                                      i, windows[i].size(), length));
    }
    for (const double v : windows[i]) {
      values.push_back((v - m.data().target_mean) / m.data().target_stddev);
    }
  }
  return torch::tensor(values, torch::kFloat64)
      .view({static_cast<std::int64_t>(windows.size()), 1, length})
      .to(torch::kFloat32);
}

torch::Tensor SampleBatch(const ModelService::Loaded& m, const std::vector<std::int64_t>& samples) {
  const std::int64_t count = m.data().test_inputs.size(0);
  for (const std::int64_t index : samples) {
    if (index >= count) {
      throw ApiError(400, fmt::format("sample {} is beyond the test split, which holds {} (0 to "
                                      "{})",
                                      index, count, count - 1));
    }
  }
  return m.data().test_inputs.index_select(0, torch::tensor(samples, torch::kLong));
}

// The true label of test sample `index`: a class name or a value in the
// series' units.
nlohmann::json LabelOf(const ModelService::Loaded& m, std::int64_t index) {
  const torch::Tensor target = m.data().test_targets[index];
  if (m.spec().task == TaskKind::kRegression) {
    return target.flatten()[0].item<double>() * m.data().target_stddev + m.data().target_mean;
  }
  const std::int64_t label = target.item<std::int64_t>();
  const auto& names = m.spec().class_names;
  return label >= 0 && label < static_cast<std::int64_t>(names.size())
             ? nlohmann::json(names[label])
             : nlohmann::json(label);
}

// Token ids back into words: word pieces joined, special tokens left out.
std::string TextOf(const WordPieceTokenizer& tokenizer, const torch::Tensor& ids) {
  const WordPieceVocabulary& vocabulary = tokenizer.vocabulary();
  std::string text;
  for (std::int64_t i = 0; i < ids.size(0); ++i) {
    const std::int64_t id = ids[i].item<std::int64_t>();
    if (id == vocabulary.pad_id() || id == vocabulary.cls_id() || id == vocabulary.sep_id()) {
      continue;
    }
    const std::string& token = vocabulary.Token(id);
    if (token.rfind("##", 0) == 0) {
      text += token.substr(2);
    } else {
      text += (text.empty() ? "" : " ") + token;
    }
  }
  return text;
}

}  // namespace

ModelService::ModelService(const PluginRegistry& registry, ModelServiceSettings settings)
    : registry_(registry), settings_(std::move(settings)) {}

ModelService::~ModelService() = default;

std::shared_ptr<ModelService::Loaded> ModelService::Load(const RunRow& run) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (const auto it = loaded_.find(run.id); it != loaded_.end()) {
      recently_used_.erase(std::remove(recently_used_.begin(), recently_used_.end(), run.id),
                           recently_used_.end());
      recently_used_.push_back(run.id);
      return it->second;
    }
  }
  std::lock_guard<std::mutex> loading(load_mutex_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (const auto it = loaded_.find(run.id); it != loaded_.end()) return it->second;
  }
  const std::string path = run.summary.model_path;
  auto m = std::make_shared<Loaded>();
  try {
    m->saved = ReadSavedModelInfo(path);
  } catch (const std::exception& error) {
    throw ApiError(404, error.what());
  }
  m->suite = ServingSuite(run, m->saved, settings_, registry_);
  m->context =
      MakeSuiteRunContext(m->suite, registry_, /*store=*/nullptr, "", m->suite.sampler.interval_ms);
  const Cell& cell = m->suite.cells.at(0);
  m->setup = SetUpCell(m->context, cell);
  const std::string mismatch = SpecMismatch(m->saved.spec, m->spec());
  if (!mismatch.empty()) throw std::runtime_error(fmt::format("{}: {}", path, mismatch));
  auto model = registry_.Create<Model>(PluginKind::kModel, m->saved.model);
  m->optimizations = MakeOptimizations(m->context, cell);
  m->network = LoadForServing(*model, m->saved.spec, m->saved.model_params, path, m->optimizations,
                              m->data().test_inputs, m->setup.device)
                   .network;
  const InferenceSettings inference =
      InferenceSettingsFor(*m->context.suite, cell, m->setup.device, m->optimizations);
  m->channels_last = inference.channels_last;
  m->network->eval();
  if (m->channels_last) ToChannelsLast(*m->network);
  if (m->spec().input_kind == InputKind::kTokens) {
    m->tokenizer = std::make_unique<WordPieceTokenizer>(
        WordPieceVocabulary(m->data().vocabulary, "the model's vocabulary"));
  }
  m->sampler = MakeSampler(m->context, m->setup.meters);
  m->sampler->Start("serve");
  m->method = MethodOf(m->setup.meters);

  std::lock_guard<std::mutex> lock(mutex_);
  loaded_[run.id] = m;
  recently_used_.push_back(run.id);
  while (loaded_.size() > std::max<std::size_t>(1, settings_.max_loaded_models)) {
    loaded_.erase(recently_used_.front());
    recently_used_.erase(recently_used_.begin());
  }
  return m;
}

nlohmann::json ModelService::Describe(const RunRow& run) {
  const std::shared_ptr<Loaded> m = Load(run);
  const DatasetSpec& spec = m->spec();
  return {{"model", m->saved.model},
          {"dataset", spec.name},
          {"input", InputName(spec.input_kind)},
          {"input_shape", spec.input_shape},
          {"task", spec.task == TaskKind::kRegression ? kRegressionTask : kClassificationTask},
          {"classes", spec.class_names},
          {"max_length", spec.input_kind == InputKind::kTokens ? nlohmann::json(spec.input_shape[0])
                                                               : nlohmann::json()},
          {"window", spec.input_kind == InputKind::kSeries ? nlohmann::json(spec.input_shape[1])
                                                           : nlohmann::json()},
          {"test_size", m->data().test_inputs.size(0)},
          {"energy_provenance", m->sampler->ProvenanceSummary()},
          {"energy_method", m->method}};
}

nlohmann::json ModelService::Sample(const RunRow& run, std::int64_t index) {
  const std::shared_ptr<Loaded> m = Load(run);
  const torch::Tensor input = SampleBatch(*m, {index})[0];
  nlohmann::json sample = {{"run_id", run.id},
                           {"index", index},
                           {"test_size", m->data().test_inputs.size(0)},
                           {"label", LabelOf(*m, index)}};
  switch (m->spec().input_kind) {
    case InputKind::kImage: {
      torch::Tensor pixels = input.to(torch::kFloat32).clone();
      if (!m->data().pixel_mean.empty()) {
        const auto n = static_cast<std::int64_t>(m->data().pixel_mean.size());
        pixels = pixels.mul_(torch::tensor(m->data().pixel_stddev).view({n, 1, 1}))
                     .add_(torch::tensor(m->data().pixel_mean).view({n, 1, 1}));
      }
      pixels = pixels.mul_(255.0f).round_().clamp_(0, 255).permute({1, 2, 0}).contiguous().to(
          torch::kUInt8);
      const std::uint8_t* bytes = pixels.data_ptr<std::uint8_t>();
      // As a prediction takes an image, so the page can send it back.
      sample["width"] = input.size(2);
      sample["height"] = input.size(1);
      sample["channels"] = input.size(0);
      sample["pixels"] = std::vector<int>(bytes, bytes + pixels.numel());
      break;
    }
    case InputKind::kTokens:
      sample["text"] = TextOf(*m->tokenizer, input);
      break;
    case InputKind::kSeries: {
      const torch::Tensor values =
          input.flatten().to(torch::kFloat64) * m->data().target_stddev + m->data().target_mean;
      sample["values"] = std::vector<double>(values.data_ptr<double>(),
                                             values.data_ptr<double>() + values.numel());
      break;
    }
  }
  return sample;
}

nlohmann::json ModelService::Predict(const RunRow& run, const serve::ModelInputs& inputs) {
  const std::shared_ptr<Loaded> m = Load(run);
  const auto received = Clock::now();
  std::unique_lock<std::mutex> forward(m->forward_mutex);
  const double queue_ms = MsSince(received);
  const EnergySampler::Totals before = m->sampler->ReadTotals();
  const auto start = Clock::now();
  torch::Tensor outputs;
  {
    // Inference mode from the input's preparation on, as a C++ server runs:
    // no autograd bookkeeping on any tensor the request makes.
    c10::InferenceMode inference_mode;
    torch::Tensor batch = !inputs.samples.empty()  ? SampleBatch(*m, inputs.samples)
                          : !inputs.images.empty() ? ImageBatch(*m, inputs.images)
                          : !inputs.texts.empty()  ? TextBatch(*m, inputs.texts)
                                                   : WindowBatch(*m, inputs.windows);
    const torch::Device device(m->setup.device);
    batch = batch.to(device);
    if (m->channels_last && batch.dim() == 4) {
      batch = batch.contiguous(torch::MemoryFormat::ChannelsLast);
    }
    TrainingContext ctx;
    {
      ForwardScopes scopes(m->optimizations, ctx);
      outputs = m->network->forward(batch);
    }
    outputs = outputs.to(torch::kCPU, torch::kFloat32);
  }
  const double latency_ms = MsSince(start);
  const EnergySampler::Totals after = m->sampler->ReadTotals();
  const double energy_wh = after.energy_wh - before.energy_wh;
  const double co2_g = after.co2_g - before.co2_g;
  const double band_wh = after.band_wh - before.band_wh;
  forward.unlock();

  nlohmann::json predictions = nlohmann::json::array();
  const DatasetSpec& spec = m->spec();
  for (std::int64_t i = 0; i < outputs.size(0); ++i) {
    nlohmann::json prediction;
    if (spec.task == TaskKind::kRegression) {
      prediction["value"] =
          outputs[i].flatten()[0].item<double>() * m->data().target_stddev + m->data().target_mean;
    } else {
      // Read through a pointer: an item() per class costs a dispatch each.
      const torch::Tensor probabilities = torch::softmax(outputs[i].flatten(), 0).contiguous();
      const float* p = probabilities.data_ptr<float>();
      const std::int64_t classes = probabilities.size(0);
      const std::int64_t best = std::max_element(p, p + classes) - p;
      nlohmann::json list = nlohmann::json::array();
      for (std::int64_t c = 0; c < classes; ++c) {
        list.push_back(
            {{"class", c < static_cast<std::int64_t>(spec.class_names.size()) ? spec.class_names[c]
                                                                              : std::to_string(c)},
             {"p", static_cast<double>(p[c])}});
      }
      prediction["class_index"] = best;
      prediction["class"] = list[best]["class"];
      prediction["probabilities"] = std::move(list);
    }
    if (!inputs.samples.empty()) prediction["label"] = LabelOf(*m, inputs.samples[i]);
    predictions.push_back(std::move(prediction));
  }
  return {{"run_id", run.id},
          {"model", m->saved.model},
          {"batch_size", outputs.size(0)},
          {"predictions", std::move(predictions)},
          {"latency_ms", latency_ms},
          {"queue_ms", queue_ms},
          {"energy_wh", energy_wh},
          {"energy_band_wh", band_wh},
          {"co2_g", co2_g},
          {"energy_provenance", m->sampler->ProvenanceSummary()},
          {"energy_method", m->method},
          {"region", m->context.intensity.region_used},
          {"intensity_g_per_kwh", m->context.intensity.g_per_kwh}};
}

}  // namespace carbonbench
