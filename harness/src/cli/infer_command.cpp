// Placeholder until the command lands.
#include "cli/commands.h"

namespace carbonbench::cli {

void AddInferCommand(CLI::App& app, GlobalOptions& global) {
  (void)app;
  (void)global;
}

}  // namespace carbonbench::cli
