// `carbonbench calibrate`: fits this machine's CPU power curve against a
// counter and saves it as the profile CPU estimates use.
#include <memory>

#include "cli/calibrate_counter.h"
#include "cli/commands.h"

namespace carbonbench::cli {

void AddCalibrateCommand(CLI::App& app, GlobalOptions& global) {
  auto* command = app.add_subcommand(
      "calibrate",
      "fit this machine's CPU power curve against a counter (a load ladder from idle to full "
      "load) and save it as the profile CPU estimates use");
  auto options = std::make_shared<CounterCalibrationOptions>();
  AddCounterCalibrationOptions(command, *options);
  command->callback(
      [&global, options] { global.exit_code = RunCounterCalibration(*options, global); });
}

}  // namespace carbonbench::cli
