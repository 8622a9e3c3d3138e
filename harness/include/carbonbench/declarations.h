// What a plugin declares about itself beyond its parameters, so the host acts
// on it without knowing any plugin by name. Plain data, no torch: the suite
// validator and the command line read it too.
#pragma once

#include <string>
#include <vector>

namespace carbonbench {

// How a command-line flag an optimization provides takes its value.
enum class FlagValue {
  kSwitch,    // no value: the flag turns the optimization on
  kNumber,    // a number; 0 leaves the optimization as it is
  kDuration,  // seconds, or a number with a unit: 90s, 30m, 1.5h
};

// A `carbonbench train` flag: giving it turns the optimization on and, unless
// it is a switch, sets `param` to its value.
struct CommandLineFlag {
  std::string name;  // with its dashes: "--fp16"
  std::string help;
  std::string param;  // empty for a switch
  FlagValue value = FlagValue::kSwitch;
};

// Structure a model declares in its code, which some optimizations act on.
enum class ModelFeature {
  kRepeatedBlocks,     // blocks run through Network::RunBlock (checkpointing)
  kPrunableLayers,     // layers whose output channels may be removed (structured pruning)
  kQuantizableLinear,  // linear layers built as QuantizableLinear (dynamic quantization)
};

// A feature an optimization needs of the model: always, or only while its
// parameter `when_param` has the value `when_value` (pruning needs prunable
// layers only when its method is structured).
struct FeatureNeed {
  ModelFeature feature = ModelFeature::kRepeatedBlocks;
  std::string when_param;  // empty: always
  std::string when_value;
};

// A feature a model can never offer, and why; a suite pairing it with an
// optimization that needs it is refused at validation with `why`.
struct MissingFeature {
  ModelFeature feature = ModelFeature::kRepeatedBlocks;
  std::string why;
};

// What an optimization's parameters mean to the host.
struct OptimizationDeclaration {
  // It may end training before the planned epochs.
  bool stopping_rule = false;
  // The parameter holding a target test accuracy in percent (0: no target);
  // empty: none. Reports rank cells by what reaching it cost.
  std::string target_accuracy_param;
  // Parameters holding budgets (0: none); empty: none.
  std::string time_budget_param;    // seconds of training
  std::string energy_budget_param;  // Wh
  std::string co2_budget_param;     // g CO2e
  // Parameters added after stores of finished runs existed. At their declared
  // default each changes nothing, so a configuration leaves it out there and
  // the runs stored before it keep their configuration hash.
  std::vector<std::string> params_added_later;
  std::vector<CommandLineFlag> command_line_flags;
  // What it needs of the model's declared structure.
  std::vector<FeatureNeed> needs;
};

// Where a model's token vocabulary comes from when the suite names none:
// `file` inside the folder the model parameter `folder_param` names (e.g.
// pretrained weights that fix the ids). Empty `folder_param`: the model has
// no vocabulary of its own.
struct VocabularySource {
  std::string folder_param;
  std::string file;
};

}  // namespace carbonbench
