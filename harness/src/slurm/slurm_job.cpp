#include "slurm/slurm_job.h"

#include <filesystem>

#include <fmt/format.h>

namespace carbonbench::slurm {
namespace {

// #SBATCH lines for what both jobs share; the rest is the array's.
std::string SharedDirectives(const SubmitSettings& settings) {
  std::string lines;
  if (!settings.partition.empty()) lines += "#SBATCH --partition=" + settings.partition + "\n";
  if (!settings.account.empty()) lines += "#SBATCH --account=" + settings.account + "\n";
  return lines;
}

std::string GlobalOptions(const JobCommand& command) {
  std::string words = ShellQuote(command.executable);
  for (const std::string& folder : command.plugin_dirs) {
    words += " --plugin-dir " + ShellQuote(folder);
  }
  return words;
}

}  // namespace

std::string JobFolder::ShardStore(int task) const {
  return folder + fmt::format("/shard-{}.db", task);
}

JobFolder JobFolderFor(const std::string& store_path, const std::string& suite_name) {
  const std::filesystem::path store = std::filesystem::absolute(store_path);
  return {(store.parent_path() / "slurm" / suite_name).lexically_normal().string()};
}

std::string ShellQuote(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789/._-+=:,@%") == std::string::npos) {
    return word;
  }
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string ArraySpec(const std::vector<int>& tasks) {
  std::string spec;
  for (std::size_t i = 0; i < tasks.size();) {
    std::size_t end = i;
    while (end + 1 < tasks.size() && tasks[end + 1] == tasks[end] + 1) ++end;
    if (!spec.empty()) spec += ",";
    spec += end == i ? fmt::format("{}", tasks[i]) : fmt::format("{}-{}", tasks[i], tasks[end]);
    i = end + 1;
  }
  return spec;
}

std::string TaskScript(const JobFolder& folder, const JobCommand& command,
                       const SubmitSettings& settings) {
  std::string directives = SharedDirectives(settings);
  if (!settings.time_limit.empty()) directives += "#SBATCH --time=" + settings.time_limit + "\n";
  if (settings.cpus_per_task > 0) {
    directives += fmt::format("#SBATCH --cpus-per-task={}\n", settings.cpus_per_task);
  }
  if (!settings.gres.empty()) directives += "#SBATCH --gres=" + settings.gres + "\n";
  // --requeue: a preempted task goes back in the queue and resumes from its
  // store; append: its log keeps every attempt.
  return fmt::format(
      "#!/bin/bash\n"
      "# Shard $SLURM_ARRAY_TASK_ID of {tasks} of suite {suite}, written by `carbonbench slurm "
      "submit`.\n"
      "#SBATCH --job-name=carbonbench-{suite}\n"
      "#SBATCH --output={logs}/task-%a.out\n"
      "#SBATCH --open-mode=append\n"
      "#SBATCH --requeue\n"
      "{directives}"
      "set -euo pipefail\n"
      "cd {workdir}\n"
      "exec {carbonbench} --store {folder}/shard-\"$SLURM_ARRAY_TASK_ID\".db \\\n"
      "  run {suite_file} --shard \"$SLURM_ARRAY_TASK_ID\"/{tasks} --shard-plan {plan} \\\n"
      "  --no-report --models-dir {models}\n",
      fmt::arg("tasks", command.tasks), fmt::arg("suite", command.suite_name),
      fmt::arg("logs", ShellQuote(folder.Logs())), fmt::arg("directives", directives),
      fmt::arg("workdir", ShellQuote(command.working_dir)),
      fmt::arg("carbonbench", GlobalOptions(command)),
      fmt::arg("folder", ShellQuote(folder.folder)),
      fmt::arg("suite_file", ShellQuote(command.suite_file)),
      fmt::arg("plan", ShellQuote(folder.ShardPlan())),
      fmt::arg("models", ShellQuote(folder.Models())));
}

std::string MergeScript(const JobFolder& folder, const JobCommand& command,
                        const SubmitSettings& settings) {
  // Merged into a new file, then renamed over the last merge: a merge
  // that fails leaves the previous merged store whole.
  return fmt::format(
      "#!/bin/bash\n"
      "# Merges the shard stores of suite {suite} and writes its report, written by "
      "`carbonbench slurm submit`.\n"
      "#SBATCH --job-name=carbonbench-{suite}-merge\n"
      "#SBATCH --output={logs}/merge.out\n"
      "#SBATCH --open-mode=append\n"
      "{directives}"
      "set -euo pipefail\n"
      "cd {workdir}\n"
      "shopt -s nullglob\n"
      "stores=({folder}/shard-*.db)\n"
      "if [ ${{#stores[@]}} -eq 0 ]; then\n"
      "  echo \"no shard store in {folder}: no task ran\" >&2\n"
      "  exit 1\n"
      "fi\n"
      "rm -f {merged}.partial\n"
      "# Exit code 1 is a conflict (a cell finished in two stores): merged, and said.\n"
      "code=0\n"
      "{carbonbench} merge \"${{stores[@]}}\" -o {merged}.partial || code=$?\n"
      "if [ \"$code\" -gt 1 ]; then exit \"$code\"; fi\n"
      "mv {merged}.partial {merged}\n"
      "exec {carbonbench} --store {merged} --reports-dir {reports} report {suite_file}\n",
      fmt::arg("suite", command.suite_name), fmt::arg("logs", ShellQuote(folder.Logs())),
      fmt::arg("directives", SharedDirectives(settings)),
      fmt::arg("workdir", ShellQuote(command.working_dir)),
      fmt::arg("folder", ShellQuote(folder.folder)),
      fmt::arg("merged", ShellQuote(folder.MergedStore())),
      fmt::arg("carbonbench", GlobalOptions(command)),
      fmt::arg("reports", ShellQuote(command.reports_dir)),
      fmt::arg("suite_file", ShellQuote(command.suite_file)));
}

}  // namespace carbonbench::slurm
