// The job scripts `carbonbench slurm submit` writes: an array whose task i
// runs shard i of the suite into its own store, and a job that runs after
// the array, whatever its outcome, to merge the shard stores and write the
// report. Everything a task needs is in its script, so a failed or
// preempted task is simply run again and resumes from its store.
#pragma once

#include <string>
#include <vector>

namespace carbonbench::slurm {

// What `slurm submit` was asked for; empty/0 fields are left to Slurm.
struct SubmitSettings {
  int tasks = 0;  // 0: the split already written, else one per cell up to 8
  std::string partition;
  std::string time_limit;  // Slurm's forms: "90", "4:00:00", "1-12"
  int cpus_per_task = 0;
  std::string gres;  // "gpu:1"
  std::string account;
  std::vector<std::string> sbatch_args;  // passed to sbatch for the array as given
  int probe_steps = 5;                   // for the split when there is none yet
  bool dry_run = false;
};

// Where a suite's Slurm run lives: <store folder>/slurm/<suite>/.
struct JobFolder {
  std::string folder;
  std::string ShardPlan() const { return folder + "/shards.json"; }
  std::string TaskScript() const { return folder + "/task.sh"; }
  std::string MergeScript() const { return folder + "/merge.sh"; }
  std::string Submissions() const { return folder + "/submissions.json"; }
  std::string Logs() const { return folder + "/logs"; }
  std::string MergedStore() const { return folder + "/merged.db"; }
  std::string ShardStore(int task) const;  // shard-<task>.db
  std::string Models() const { return folder + "/models"; }
};

JobFolder JobFolderFor(const std::string& store_path, const std::string& suite_name);

// The absolute paths and options every script runs carbonbench with.
struct JobCommand {
  std::string executable;  // absolute
  std::vector<std::string> plugin_dirs;
  std::string suite_file;  // absolute
  std::string suite_name;
  std::string working_dir;
  std::string reports_dir;  // absolute
  int tasks = 1;
};

std::string TaskScript(const JobFolder& folder, const JobCommand& command,
                       const SubmitSettings& settings);
std::string MergeScript(const JobFolder& folder, const JobCommand& command,
                        const SubmitSettings& settings);

// "1-4" or "1,3": the array indices of `tasks` (sorted, 1-based).
std::string ArraySpec(const std::vector<int>& tasks);

// A word as a shell reads it back unchanged: 'it'\''s'.
std::string ShellQuote(const std::string& word);

}  // namespace carbonbench::slurm
