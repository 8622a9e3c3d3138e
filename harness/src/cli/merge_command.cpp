// `carbonbench merge A.db B.db ... -o all.db`: the stores of machines that
// split a suite (`run --shard i/n`), combined into a new one.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "store/store_merge.h"

namespace carbonbench::cli {

void AddMergeCommand(CLI::App& app, GlobalOptions& global) {
  auto* command = app.add_subcommand(
      "merge",
      "combine results stores (e.g. from `run --shard i/n` on several machines) into a "
      "new store; the inputs are only read");
  auto inputs = std::make_shared<std::vector<std::string>>();
  auto output = std::make_shared<std::string>();
  command->add_option("stores", *inputs, "input stores, in order of precedence")->required();
  command->add_option("-o,--output", *output, "the merged store to create")->required();
  command->callback([&global, inputs, output] {
    MergeSummary summary;
    try {
      summary = MergeStores(*inputs, *output);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "merge: %s\nnothing was written\n", e.what());
      global.exit_code = 2;
      return;
    }
    for (const MergeInputSummary& input : summary.inputs) {
      std::printf("%s: %d run(s) taken, %d duplicate(s), %d superseded, %d unfinished skipped\n",
                  input.path.c_str(), input.runs_taken, input.duplicates, input.superseded,
                  input.unfinished);
    }
    for (const MergeConflict& conflict : summary.conflicts) {
      std::printf(
          "conflict: %s/%s repetition %d finished in both %s (started %s, kept) and %s "
          "(started %s, dropped)\n",
          conflict.suite.c_str(), conflict.cell_name.c_str(), conflict.repetition + 1,
          conflict.kept_file.c_str(), conflict.kept_started_at.c_str(),
          conflict.dropped_file.c_str(), conflict.dropped_started_at.c_str());
    }
    std::printf(
        "%d run(s) written to %s; report from it with `carbonbench --store %s report "
        "SUITE`\n",
        summary.runs_written, output->c_str(), output->c_str());
    global.exit_code = summary.conflicts.empty() ? 0 : 1;
  });
}

}  // namespace carbonbench::cli
