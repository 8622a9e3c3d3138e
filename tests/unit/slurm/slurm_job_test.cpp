// The job scripts `slurm submit` writes.
#include "slurm/slurm_job.h"

#include <gtest/gtest.h>

#include "slurm/submissions.h"

namespace carbonbench::slurm {
namespace {

JobCommand Command() {
  JobCommand command;
  command.executable = "/opt/cb/bin/carbonbench";
  command.plugin_dirs = {"/home/me/my plugins"};
  command.suite_file = "/home/me/suites/q.yaml";
  command.suite_name = "q";
  command.working_dir = "/home/me";
  command.reports_dir = "/home/me/reports";
  command.tasks = 3;
  return command;
}

TEST(SlurmJob, TheFolderIsBesideTheStore) {
  const JobFolder folder = JobFolderFor("/data/results/carbonbench.db", "q");
  EXPECT_EQ(folder.folder, "/data/results/slurm/q");
  EXPECT_EQ(folder.ShardStore(2), "/data/results/slurm/q/shard-2.db");
  EXPECT_EQ(folder.ShardPlan(), "/data/results/slurm/q/shards.json");
}

TEST(SlurmJob, ATaskRunsItsShardIntoItsOwnStoreAndAsksForWhatItWasGiven) {
  SubmitSettings settings;
  settings.partition = "gpu";
  settings.time_limit = "4:00:00";
  settings.cpus_per_task = 8;
  settings.gres = "gpu:1";
  settings.account = "green";
  const std::string script = TaskScript(JobFolderFor("/d/r.db", "q"), Command(), settings);
  for (const char* line :
       {"#SBATCH --partition=gpu\n", "#SBATCH --account=green\n", "#SBATCH --time=4:00:00\n",
        "#SBATCH --cpus-per-task=8\n", "#SBATCH --gres=gpu:1\n", "#SBATCH --requeue\n",
        "#SBATCH --output=/d/slurm/q/logs/task-%a.out\n", "set -euo pipefail\n",
        "--store /d/slurm/q/shard-\"$SLURM_ARRAY_TASK_ID\".db",
        "run /home/me/suites/q.yaml --shard \"$SLURM_ARRAY_TASK_ID\"/3 --shard-plan "
        "/d/slurm/q/shards.json",
        "--plugin-dir '/home/me/my plugins'", "--no-report"}) {
    EXPECT_NE(script.find(line), std::string::npos) << line << "\n" << script;
  }
  EXPECT_EQ(script.rfind("#!/bin/bash\n", 0), 0u);
}

TEST(SlurmJob, TheMergeJobAsksOnlyForWhereToRunAndReplacesTheMergedStoreWhole) {
  SubmitSettings settings;
  settings.partition = "gpu";
  settings.gres = "gpu:1";
  settings.time_limit = "9:00";
  const std::string script = MergeScript(JobFolderFor("/d/r.db", "q"), Command(), settings);
  EXPECT_NE(script.find("#SBATCH --partition=gpu\n"), std::string::npos);
  EXPECT_EQ(script.find("--gres"), std::string::npos);
  EXPECT_EQ(script.find("--time"), std::string::npos);
  EXPECT_NE(script.find("merge \"${stores[@]}\" -o /d/slurm/q/merged.db.partial"),
            std::string::npos)
      << script;
  EXPECT_NE(script.find("mv /d/slurm/q/merged.db.partial /d/slurm/q/merged.db"), std::string::npos);
  EXPECT_NE(script.find("--reports-dir /home/me/reports report /home/me/suites/q.yaml"),
            std::string::npos);
}

TEST(SlurmJob, ArraySpecsFoldRuns) {
  EXPECT_EQ(ArraySpec({1, 2, 3, 4}), "1-4");
  EXPECT_EQ(ArraySpec({1, 3, 4, 5, 8}), "1,3-5,8");
  EXPECT_EQ(ArraySpec({2}), "2");
  EXPECT_EQ(ArraySpec({}), "");
}

TEST(SlurmJob, ShellQuotingKeepsEveryWordWhole) {
  EXPECT_EQ(ShellQuote("/plain/path-1.db"), "/plain/path-1.db");
  EXPECT_EQ(ShellQuote("it's here"), "'it'\\''s here'");
  EXPECT_EQ(ShellQuote(""), "''");
  EXPECT_EQ(ShellQuote("$HOME"), "'$HOME'");
}

TEST(SlurmJob, TheLatestSubmissionOfATaskNamesItsJob) {
  const std::vector<Submission> submissions = {{"t1", "10", {1, 2, 3}, "11"},
                                               {"t2", "12", {2}, "13"}};
  EXPECT_EQ(LatestJobOfTask(submissions),
            (std::map<int, std::string>{{1, "10"}, {2, "12"}, {3, "10"}}));
}

}  // namespace
}  // namespace carbonbench::slurm
