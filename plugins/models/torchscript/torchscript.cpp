// A model exported from Python (torch.jit.script or torch.jit.trace, e.g. by
// tools/export_torchscript.py), trained and served through the same loop as
// every other model: its parameters and buffers are the loaded module's own
// tensors, held by plain modules mirroring its tree (Mirror below), so
// optimizers, schedules, saving and loading act on the module itself.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <torch/script.h>

#include "carbonbench/file_trust.h"
#include "carbonbench/network_model.h"
#include "carbonbench/sdk.h"

namespace carbonbench::models {
namespace detail {

// libtorch's first line: its messages go on with a C++ stack trace.
std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// What the TorchScript interpreter says last ("RuntimeError: Given groups=1,
// weight of size ..."): its message opens with the module's source trace.
std::string LastLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  const std::size_t start = text.rfind('\n');
  return start == std::string::npos ? text : text.substr(start + 1);
}

std::string ShapeText(const std::vector<std::int64_t>& shape) {
  std::string text;
  for (const std::int64_t size : shape) text += (text.empty() ? "" : ", ") + std::to_string(size);
  return "{" + text + "}";
}

// Mirrors the loaded module's tree with plain modules named after its
// classes ("Conv2d"), each holding its counterpart's own tensors: names are
// the Python model's state_dict keys ("features.0.weight"), and `describe`
// attributes each operation to its layer as it does for built-in models.
void Mirror(const torch::jit::Module& scripted, torch::nn::Module& mirror) {
  for (const auto& parameter : scripted.named_parameters(/*recurse=*/false)) {
    mirror.register_parameter(parameter.name, parameter.value, parameter.value.requires_grad());
  }
  for (const auto& buffer : scripted.named_buffers(/*recurse=*/false)) {
    mirror.register_buffer(buffer.name, buffer.value);
  }
  for (const auto& child : scripted.named_children()) {
    auto child_mirror = std::make_shared<torch::nn::Module>(child.value.type()->name()->name());
    Mirror(child.value, *child_mirror);
    mirror.register_module(child.name, child_mirror);
  }
}

// The extra file tools/export_torchscript.py writes into the archive: the
// architecture's name, so reports set the module beside the same
// architecture's C++ modules.
constexpr const char* kArchitectureFile = "carbonbench_architecture.txt";

// A name for reports: the declared one, else the file's stem.
std::string ArchitectureOf(const std::string& declared, const std::string& path) {
  std::string name;
  for (const char c : declared) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.') name += c;
  }
  if (name.empty() || name.size() > 64) name = std::filesystem::path(path).stem().string();
  return name;
}

torch::jit::Module LoadScript(const std::string& path, torch::jit::ExtraFilesMap* extra) {
  if (path.empty()) {
    throw std::invalid_argument(
        "torchscript: set torchscript.path to a TorchScript file (tools/export_torchscript.py "
        "writes one from a Python model)");
  }
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    throw std::invalid_argument(fmt::format(
        "torchscript: torchscript.path {}: {}; give the TorchScript file's path (absolute, or "
        "relative to the folder carbonbench runs in)",
        path, std::filesystem::exists(path, error) ? "not a regular file" : "no such file"));
  }
  // Suites check this as they are read; checked again here, as the file is
  // opened, for it is code.
  const std::string problem = UntrustedCodeFileProblem(path, "the TorchScript file");
  if (!problem.empty()) {
    throw std::invalid_argument(fmt::format(
        "torchscript: refusing to load {}, for a TorchScript file is code: {}", path, problem));
  }
  try {
    return torch::jit::load(path, c10::nullopt, *extra);
  } catch (const c10::Error& error) {
    throw std::invalid_argument(fmt::format(
        "torchscript: {} is not a TorchScript file libtorch can load ({}); write one with "
        "torch.jit.save, or tools/export_torchscript.py",
        path, FirstLine(error.what_without_backtrace())));
  }
}

}  // namespace detail

class TorchScriptImpl : public Network {
 public:
  TorchScriptImpl(const DatasetSpec& dataset, const Params& params)
      : path_(params.GetString("path")),
        extra_files_{{detail::kArchitectureFile, ""}},
        module_(detail::LoadScript(path_, &extra_files_)),
        dataset_(dataset) {
    detail::Mirror(module_, *this);
    CheckAgainstDataset();
  }

  torch::Tensor forward(torch::Tensor input) override {
    const torch::IValue output = module_.forward({std::move(input)});
    if (!output.isTensor()) {
      throw std::runtime_error(fmt::format(
          "torchscript: {}'s forward returns {}, not a tensor of scores", path_, output.tagKind()));
    }
    return output.toTensor();
  }

  void train(bool on = true) override {
    torch::nn::Module::train(on);
    module_.train(on);
  }

  NetworkRuntime runtime() const override {
    return {"TorchScript",
            detail::ArchitectureOf(extra_files_.at(detail::kArchitectureFile), path_)};
  }

  ModelStructure structure() const override {
    // A TorchScript file declares no blocks to checkpoint and no layers to
    // prune by channel: only what needs no structure applies to it.
    ModelStructure structure;
    structure.input_kind = dataset_.input_kind;
    return structure;
  }

 private:
  // One batch of two samples of the dataset's shape, run now, so a module
  // made for other data fails here, naming both sides, not mid-training.
  void CheckAgainstDataset() {
    std::vector<std::int64_t> shape = {2};
    shape.insert(shape.end(), dataset_.input_shape.begin(), dataset_.input_shape.end());
    const bool tokens = dataset_.input_kind == InputKind::kTokens;
    const torch::Tensor batch = tokens ? torch::ones(shape, torch::kLong) : torch::zeros(shape);
    const std::int64_t outputs =
        dataset_.task == TaskKind::kRegression ? dataset_.target_size : dataset_.num_classes;
    const std::string input = fmt::format("{} {} ({} inputs of {})", detail::ShapeText(shape),
                                          tokens ? "int64" : "float32",
                                          InputKindName(dataset_.input_kind), dataset_.name);
    torch::Tensor output;
    const bool was_training = module_.is_training();
    module_.eval();
    try {
      torch::NoGradGuard no_grad;
      output = forward(batch);
    } catch (const c10::Error& error) {
      module_.train(was_training);
      throw std::invalid_argument(fmt::format(
          "torchscript: {} cannot take a batch of {}: {}; export it for this dataset's input",
          path_, input, detail::FirstLine(error.what_without_backtrace())));
    } catch (const std::exception& error) {  // the interpreter's errors
      module_.train(was_training);
      throw std::invalid_argument(fmt::format(
          "torchscript: {} cannot take a batch of {}: {}; export it for this dataset's input",
          path_, input, detail::LastLine(error.what())));
    }
    module_.train(was_training);
    const std::vector<std::int64_t> expected = {2, outputs};
    if (output.sizes().vec() != expected) {
      throw std::invalid_argument(fmt::format(
          "torchscript: {} returns {} {} for a batch of {}; this dataset needs {} ({} per "
          "sample)",
          path_, detail::ShapeText(output.sizes().vec()), c10::toString(output.scalar_type()),
          input, detail::ShapeText(expected),
          dataset_.task == TaskKind::kRegression ? "one value per target" : "one score per class"));
    }
  }

  std::string path_;
  torch::jit::ExtraFilesMap extra_files_;  // before module_: loading fills it
  torch::jit::Module module_;
  DatasetSpec dataset_;
};

class TorchScriptModel : public NetworkModel<TorchScriptImpl> {
 public:
  static std::vector<ParamSpec> Parameters() {
    return {CodeFileParam("path",
                          "the TorchScript file (torch.jit.save, tools/export_torchscript.py), "
                          "relative to the suite file; a .pt is code: load only files you trust")};
  }

  std::vector<MissingFeature> MissingFeatures() const override {
    return {{ModelFeature::kRepeatedBlocks,
             "a TorchScript file declares no blocks that carbonbench could run its own way"},
            {ModelFeature::kPrunableLayers,
             "a TorchScript file does not say which layers consume which layers' channels, so "
             "none can be removed consistently (method unstructured works)"},
            {ModelFeature::kQuantizableLinear,
             "libtorch's C++ API cannot quantize a loaded TorchScript module's linear layers "
             "(Python's quantize_dynamic_jit does it with observers scripted in Python)"}};
  }
};

}  // namespace carbonbench::models

CARBONBENCH_REGISTER_MODEL(carbonbench::models::TorchScriptModel, "torchscript", "1.0.0",
                           "A model exported from Python as TorchScript, trained and served "
                           "like the built-in ones")
