// `carbonbench slurm submit SUITE` and `carbonbench slurm status SUITE`: a
// suite as a Slurm job array over cost-balanced shards, each into its own
// store, and a job after it that merges them and writes the report.
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "cli/commands.h"
#include "report/export/atomic_file.h"
#include "runner/shard_plan.h"
#include "slurm/slurm_job.h"
#include "slurm/slurm_tools.h"
#include "slurm/submissions.h"
#include "store/store_codec.h"
#include "suites/suite.h"

namespace carbonbench::cli {
namespace {

namespace fs = std::filesystem;
using slurm::JobFolder;

// Per task: its runs (cell repetitions) by state in its shard store.
struct TaskProgress {
  int runs = 0;
  int finished = 0;
  int running = 0;
  int failed = 0;  // failed or pruned, and not finished since
  int NotStarted() const { return runs - finished - running - failed; }
  bool Done() const { return finished == runs; }
};

TaskProgress ProgressOf(const Suite& suite, const ShardPlan& plan, const JobFolder& folder,
                        int task) {
  TaskProgress progress;
  const std::vector<ShardCell> cells = CellsOfShard(plan, task);
  for (const ShardCell& cell : cells) progress.runs += static_cast<int>(cell.repetitions.size());
  const std::string path = folder.ShardStore(task);
  if (!fs::exists(path)) return progress;
  const ResultsStore store(path);
  // The current attempt of each cell repetition, or the one under way.
  std::map<std::pair<std::string, int>, std::string> latest;
  for (const RunRow& run : store.LoadRuns(suite.name)) {
    latest[{run.start.config_hash, run.start.repetition}] = run.status;
  }
  for (const auto& attempt : store.RunningAttempts(suite.name)) latest[attempt] = "running";
  for (const ShardCell& cell : cells) {
    for (int repetition : cell.repetitions) {
      const auto found = latest.find({suite.cells[cell.position].config_hash, repetition});
      if (found == latest.end()) continue;
      if (found->second == "finished") ++progress.finished;
      if (found->second == "running") ++progress.running;
      if (found->second == "failed" || found->second == "pruned") ++progress.failed;
    }
  }
  return progress;
}

slurm::JobCommand JobCommandFor(const GlobalOptions& global, const Suite& suite,
                                const std::string& suite_path, int tasks) {
  slurm::JobCommand command;
  command.executable = fs::absolute(global.executable_path).string();
  for (const std::string& folder : global.plugin_dirs) {
    command.plugin_dirs.push_back(fs::absolute(folder).string());
  }
  command.suite_file = fs::absolute(suite_path).string();
  command.suite_name = suite.name;
  command.working_dir = fs::current_path().string();
  command.reports_dir = fs::absolute(global.reports_dir).string();
  command.tasks = tasks;
  return command;
}

void WriteScript(const std::string& path, const std::string& text) {
  report::WriteFileAtomically(path, text);
  fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
}

// Tasks Slurm may still run, from earlier submissions: "task 2 (job 41_2,
// RUNNING)", to refuse submitting them twice.
std::vector<std::string> StillQueued(const std::vector<slurm::Submission>& submissions) {
  std::vector<std::string> queued;
  std::set<std::string> jobs;
  for (const slurm::Submission& submission : submissions) {
    if (!submission.array_job.empty()) jobs.insert(submission.array_job);
    if (!submission.merge_job.empty()) jobs.insert(submission.merge_job);
  }
  for (const std::string& job : jobs) {
    for (const auto& [task, state] : slurm::QueryStates(job)) {
      if (!slurm::StillQueued(state)) continue;
      queued.push_back(task == 0 ? fmt::format("job {} ({})", job, state)
                                 : fmt::format("task {} (job {}_{}, {})", task, job, task, state));
    }
  }
  return queued;
}

void Submit(GlobalOptions& global, const std::string& suite_path,
            const slurm::SubmitSettings& settings) {
  PluginRegistry registry = LoadPlugins(global);
  const Suite suite = LoadSuiteFile(suite_path, registry.Catalog());
  if (suite.search) {
    throw std::runtime_error(
        suite_path +
        " has a search, whose trials depend on those before them, so it cannot "
        "be split into shards: run it in one Slurm job (`carbonbench run`)");
  }
  const JobFolder folder = slurm::JobFolderFor(global.store_path, suite.name);
  std::optional<ShardPlan> written;
  if (fs::exists(folder.ShardPlan())) written = LoadShardPlan(folder.ShardPlan());
  int tasks = settings.tasks;
  if (written) {
    if (tasks == 0) tasks = written->shard_count;
    if (tasks != written->shard_count) {
      throw std::runtime_error(fmt::format(
          "{} splits suite {} into {} tasks, and their stores are in {}: submit with --tasks "
          "{} to go on with them, or move {} aside to start over with {} tasks",
          folder.ShardPlan(), suite.name, written->shard_count, folder.folder, written->shard_count,
          folder.folder, tasks));
    }
  }
  const int runs = static_cast<int>(suite.cells.size()) * suite.repetitions;
  if (tasks == 0) tasks = std::min(runs, 8);
  if (tasks > runs && !written) {
    // A shard holds whole cell repetitions: more tasks would have nothing to run.
    std::fprintf(stderr, "suite %s has %d cell repetition(s): submitting %d task(s), not %d\n",
                 suite.name.c_str(), runs, runs, tasks);
    tasks = runs;
  }
  tasks = std::max(tasks, 1);

  PlanOptions plan_options;
  plan_options.probe_steps = settings.probe_steps;
  plan_options.executable_path = global.executable_path;
  plan_options.plugin_dirs = global.plugin_dirs;
  plan_options.models_dir = folder.Models();
  auto progress = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  ShardPlan plan;
  if (written) {
    CheckShardPlan(*written, folder.ShardPlan(), suite, tasks);
    plan = *written;
  } else {
    // Predicted from the store the user runs with, and probes here.
    ResultsStore store(global.store_path);
    const SuitePlan predictions = PlanSuite(suite, registry, store, plan_options, progress);
    plan = MakeShardPlan(suite, predictions, tasks, kShardByCost);
  }
  std::printf("%s", FormatShardPlan(plan).c_str());

  std::vector<int> unfinished;
  for (int task = 1; task <= tasks; ++task) {
    if (!ProgressOf(suite, plan, folder, task).Done()) unfinished.push_back(task);
  }
  const std::vector<slurm::Submission> submissions = slurm::ReadSubmissions(folder.Submissions());
  const slurm::JobCommand command = JobCommandFor(global, suite, suite_path, tasks);
  const std::string task_script = slurm::TaskScript(folder, command, settings);
  const std::string merge_script = slurm::MergeScript(folder, command, settings);
  std::vector<std::string> array_args;
  if (!unfinished.empty()) array_args.push_back("--array=" + slurm::ArraySpec(unfinished));
  array_args.insert(array_args.end(), settings.sbatch_args.begin(), settings.sbatch_args.end());
  array_args.push_back(folder.TaskScript());

  if (settings.dry_run) {
    std::printf("\n# %s\n%s\n# %s\n%s\n", folder.TaskScript().c_str(), task_script.c_str(),
                folder.MergeScript().c_str(), merge_script.c_str());
    std::string words;
    for (const std::string& word : array_args) words += " " + slurm::ShellQuote(word);
    if (!unfinished.empty()) std::printf("would run: sbatch --parsable%s\n", words.c_str());
    std::printf(
        "would run: sbatch --parsable %s%s\ndry run: no script was written and nothing submitted\n",
        unfinished.empty() ? "" : "--dependency=afterany:ARRAY_JOB ", folder.MergeScript().c_str());
    return;
  }

  const std::vector<std::string> queued = StillQueued(submissions);
  if (!queued.empty()) {
    std::string list;
    for (const std::string& entry : queued) list += (list.empty() ? "" : ", ") + entry;
    throw std::runtime_error(fmt::format(
        "suite {} is still in Slurm's queue: {}; wait for it (`carbonbench slurm status {}`) "
        "or cancel it with scancel, then submit again",
        suite.name, list, suite_path));
  }
  fs::create_directories(folder.Logs());
  if (!written) WriteShardPlan(folder.ShardPlan(), plan);
  WriteScript(folder.TaskScript(), task_script);
  WriteScript(folder.MergeScript(), merge_script);

  slurm::Submission submission;
  submission.submitted_at = NowIso8601Utc();
  submission.tasks = unfinished;
  if (!unfinished.empty()) submission.array_job = slurm::Sbatch(array_args);
  std::vector<std::string> merge_args;
  if (!submission.array_job.empty()) {
    // afterany: the merge runs whatever the tasks' outcome, so finished
    // cells are reported even when one task failed.
    merge_args.push_back("--dependency=afterany:" + submission.array_job);
  }
  merge_args.push_back(folder.MergeScript());
  submission.merge_job = slurm::Sbatch(merge_args);
  std::vector<slurm::Submission> all = submissions;
  all.push_back(submission);
  report::WriteFileAtomically(folder.Submissions(), slurm::SubmissionsText(all));

  if (unfinished.empty()) {
    std::printf("every task of suite %s has finished: submitted only the merge, job %s\n",
                suite.name.c_str(), submission.merge_job.c_str());
  } else {
    std::printf(
        "submitted job array %s (task%s %s of %d) and merge job %s, which runs after it "
        "whatever its outcome; follow them with `carbonbench slurm status %s`; the merged "
        "store will be %s and the report in %s\n",
        submission.array_job.c_str(), unfinished.size() == 1 ? "" : "s",
        slurm::ArraySpec(unfinished).c_str(), tasks, submission.merge_job.c_str(),
        suite_path.c_str(), folder.MergedStore().c_str(), command.reports_dir.c_str());
  }
}

void Status(GlobalOptions& global, const std::string& suite_path) {
  PluginRegistry registry = LoadPlugins(global);
  const Suite suite = LoadSuiteFile(suite_path, registry.Catalog());
  const JobFolder folder = slurm::JobFolderFor(global.store_path, suite.name);
  if (!fs::exists(folder.ShardPlan())) {
    throw std::runtime_error(fmt::format(
        "suite {} has not been submitted to Slurm from this store ({} does not exist): submit "
        "it with `carbonbench slurm submit {}`",
        suite.name, folder.ShardPlan(), suite_path));
  }
  const ShardPlan plan = LoadShardPlan(folder.ShardPlan());
  CheckShardPlan(plan, folder.ShardPlan(), suite, plan.shard_count);
  const std::vector<slurm::Submission> submissions = slurm::ReadSubmissions(folder.Submissions());
  const std::map<int, std::string> job_of = slurm::LatestJobOfTask(submissions);
  std::map<std::string, slurm::TaskStates> states;
  auto state_of = [&states](const std::string& job, int task) -> std::string {
    if (job.empty()) return "-";
    if (!states.count(job)) states[job] = slurm::QueryStates(job);
    const auto found = states[job].find(task);
    return found == states[job].end() ? "ended (no record)" : found->second;
  };
  std::printf(
      "suite %s: %d task(s), cells split by %s (%s)\n\n"
      "| task | Slurm job | Slurm state | runs | finished | running | interrupted | failed | "
      "not started |\n|---|---|---|---|---|---|---|---|---|\n",
      suite.name.c_str(), plan.shard_count, plan.method.c_str(), folder.ShardPlan().c_str());
  int done = 0;
  for (int task = 1; task <= plan.shard_count; ++task) {
    const TaskProgress progress = ProgressOf(suite, plan, folder, task);
    const auto job = job_of.find(task);
    const std::string job_id = job == job_of.end() ? "" : job->second;
    const std::string state = state_of(job_id, task);
    // A run still marked running in the store of a task Slurm has ended
    // was cut short (killed, out of time, preempted): it runs again when
    // the task is resubmitted.
    const bool ended = !job_id.empty() && !slurm::StillQueued(state);
    std::printf("| %d | %s | %s | %d | %d | %d | %d | %d | %d |\n", task,
                job_id.empty() ? "-" : fmt::format("{}_{}", job_id, task).c_str(), state.c_str(),
                progress.runs, progress.finished, ended ? 0 : progress.running,
                ended ? progress.running : 0, progress.failed, progress.NotStarted());
    if (progress.Done()) ++done;
  }
  if (!submissions.empty()) {
    const std::string merge = submissions.back().merge_job;
    std::printf("\nmerge: job %s, %s", merge.c_str(), state_of(merge, 0).c_str());
    std::printf("; merged store %s%s\n", folder.MergedStore().c_str(),
                fs::exists(folder.MergedStore()) ? "" : " (not yet written)");
  }
  std::printf("%d of %d task(s) finished every run%s\n", done, plan.shard_count,
              done == plan.shard_count
                  ? ""
                  : fmt::format("; `carbonbench slurm submit {}` resubmits the others", suite_path)
                        .c_str());
}

}  // namespace

void AddSlurmCommand(CLI::App& app, GlobalOptions& global) {
  auto* slurm_command = app.add_subcommand(
      "slurm",
      "run a suite on a Slurm cluster: a job array over cost-balanced shards and a "
      "job that merges their stores and writes the report");
  slurm_command->require_subcommand(1);

  auto* submit = slurm_command->add_subcommand(
      "submit",
      "write the job scripts under <store folder>/slurm/<suite>/ and submit them with sbatch; "
      "submitting again resubmits only the tasks that have not finished");
  auto suite_path = std::make_shared<std::string>();
  auto settings = std::make_shared<slurm::SubmitSettings>();
  submit->add_option("suite", *suite_path, "suite YAML file")->required();
  submit
      ->add_option("--tasks", settings->tasks,
                   "array tasks, each a shard (default: the split already made, else one per "
                   "cell repetition up to 8)")
      ->check(CLI::Range(1, 100000));
  submit->add_option("--partition", settings->partition, "Slurm partition (sbatch --partition)");
  submit->add_option("--time", settings->time_limit,
                     "each task's time limit, in Slurm's forms (sbatch --time), e.g. 4:00:00");
  submit
      ->add_option("--cpus-per-task", settings->cpus_per_task,
                   "CPUs per task; the cells' threads default to it")
      ->check(CLI::Range(1, 100000));
  submit->add_option("--gres", settings->gres, "generic resources per task, e.g. gpu:1");
  submit->add_option("--account", settings->account, "Slurm account to charge");
  submit->add_option("--sbatch-arg", settings->sbatch_args,
                     "one more argument for the array's sbatch, e.g. --sbatch-arg=--exclusive; "
                     "repeatable");
  submit
      ->add_option("--probe-steps", settings->probe_steps,
                   "training steps a probe times, here, per cell without stored runs, to "
                   "balance the shards (0: the store only)")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));
  submit->add_flag("--dry-run", settings->dry_run,
                   "print the job scripts and the sbatch commands; write and submit nothing");
  submit->callback([&global, suite_path, settings] { Submit(global, *suite_path, *settings); });

  auto* status = slurm_command->add_subcommand(
      "status",
      "per task: its Slurm state and its runs finished, running, failed and not "
      "started, from Slurm and the shard stores");
  auto status_suite = std::make_shared<std::string>();
  status->add_option("suite", *status_suite, "suite YAML file")->required();
  status->callback([&global, status_suite] { Status(global, *status_suite); });
}

}  // namespace carbonbench::cli
