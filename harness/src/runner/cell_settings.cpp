#include "runner/cell_settings.h"

#include <limits>
#include <stdexcept>

namespace carbonbench {

std::int64_t IntSetting(const Cell& cell, const std::string& key) {
  return std::get<std::int64_t>(cell.Get(key));
}

int IntSettingAsInt(const Cell& cell, const std::string& key) {
  const std::int64_t value = IntSetting(cell, key);
  if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
    throw std::out_of_range("setting '" + key + "' = " + std::to_string(value) + " of cell '" +
                            cell.name + "' does not fit an int");
  }
  return static_cast<int>(value);
}

double FloatSetting(const Cell& cell, const std::string& key) {
  const ParamValue& value = cell.Get(key);
  if (const auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
  return std::get<double>(value);
}

std::string StringSetting(const Cell& cell, const std::string& key) {
  return std::get<std::string>(cell.Get(key));
}

TrainingSettings TrainingSettingsFor(const Cell& cell, std::int64_t seed,
                                     const std::string& device) {
  TrainingSettings settings;
  settings.epochs = IntSettingAsInt(cell, "epochs");
  settings.batch_size = IntSetting(cell, "batch_size");
  const std::int64_t eval_batch_size = IntSetting(cell, "eval_batch_size");
  settings.eval_batch_size = eval_batch_size > 0 ? eval_batch_size : settings.batch_size;
  settings.lr = FloatSetting(cell, "lr");
  settings.optimizer = StringSetting(cell, "optimizer");
  settings.momentum = FloatSetting(cell, "momentum");
  settings.weight_decay = FloatSetting(cell, "weight_decay");
  settings.nesterov = std::get<bool>(cell.Get("nesterov"));
  settings.schedule.kind = StringSetting(cell, "lr_schedule");
  settings.schedule.warmup_epochs = IntSettingAsInt(cell, "warmup_epochs");
  settings.schedule.step_epochs = IntSettingAsInt(cell, "lr_step_epochs");
  settings.schedule.gamma = FloatSetting(cell, "lr_gamma");
  settings.label_smoothing = FloatSetting(cell, "label_smoothing");
  settings.grad_accumulation = IntSetting(cell, "grad_accumulation");
  settings.seed = seed;
  settings.device = device;
  settings.channels_last = std::get<bool>(cell.Get("channels_last"));
  return settings;
}

}  // namespace carbonbench
