// Placeholder until the command lands.
#include "cli/commands.h"

namespace carbonbench::cli {

void AddPlanCommand(CLI::App& app, GlobalOptions& global) {
  (void)app;
  (void)global;
}

}  // namespace carbonbench::cli
