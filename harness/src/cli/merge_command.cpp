// Placeholder until the command lands.
#include "cli/commands.h"

namespace carbonbench::cli {

void AddMergeCommand(CLI::App& app, GlobalOptions& global) {
  (void)app;
  (void)global;
}

}  // namespace carbonbench::cli
