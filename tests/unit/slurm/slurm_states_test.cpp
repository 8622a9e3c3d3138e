// What squeue, sacct and the job completion log say, read into task states.
#include "slurm/slurm_states.h"

#include <gtest/gtest.h>

namespace carbonbench::slurm {
namespace {

TEST(SlurmStates, SqueueGivesEachTaskAndExpandsPendingRanges) {
  const TaskStates states =
      ParseSqueue("123_1 RUNNING\n123_[3-5,7%2] PENDING\n99_1 RUNNING\n123_2 COMPLETING\n", "123");
  EXPECT_EQ(states, (TaskStates{{1, "RUNNING"},
                                {2, "COMPLETING"},
                                {3, "PENDING"},
                                {4, "PENDING"},
                                {5, "PENDING"},
                                {7, "PENDING"}}));
}

TEST(SlurmStates, SacctKeepsTheStateWordAndTheJobWithoutArrayIsTaskZero) {
  EXPECT_EQ(ParseSacct("123_1|COMPLETED\n123_2|CANCELLED by 0\n123_3|FAILED\n", "123"),
            (TaskStates{{1, "COMPLETED"}, {2, "CANCELLED"}, {3, "FAILED"}}));
  EXPECT_EQ(ParseSacct("124|COMPLETED\n", "124"), (TaskStates{{0, "COMPLETED"}}));
  EXPECT_TRUE(ParseSacct("sacct: error: Slurm accounting storage is disabled\n", "124").empty());
}

TEST(SlurmStates, JobCompLinesNameTheArrayAndTheLaterLineOfARequeuedTaskWins) {
  const std::string log =
      "JobId=124 UserId=root(0) GroupId=root(0) Name=carbonbench-q JobState=NODE_FAIL "
      "Partition=debug ArrayJobId=123 ArrayTaskId=1 ExitCode=0:0\n"
      "JobId=125 UserId=root(0) Name=carbonbench-q JobState=COMPLETED ArrayJobId=123 "
      "ArrayTaskId=2\n"
      "JobId=124 UserId=root(0) Name=carbonbench-q JobState=COMPLETED ArrayJobId=123 "
      "ArrayTaskId=1\n"
      "JobId=126 UserId=root(0) Name=carbonbench-q-merge JobState=COMPLETED ArrayJobId=0\n";
  EXPECT_EQ(ParseJobComp(log, "123"), (TaskStates{{1, "COMPLETED"}, {2, "COMPLETED"}}));
  EXPECT_EQ(ParseJobComp(log, "126"), (TaskStates{{0, "COMPLETED"}}));
  EXPECT_TRUE(ParseJobComp(log, "12").empty());
}

TEST(SlurmStates, TheCompletionLogIsReadOnlyWhenItIsAFile) {
  EXPECT_EQ(JobCompLogOf("JobCompHost = localhost\nJobCompLoc              = /var/log/jobs.txt\n"
                         "JobCompType             = jobcomp/filetxt\n"),
            "/var/log/jobs.txt");
  EXPECT_EQ(JobCompLogOf("JobCompLoc = /x\nJobCompType = jobcomp/none\n"), "");
}

TEST(SlurmStates, QueuedStatesAreThoseSlurmMayStillRun) {
  for (const char* state : {"PENDING", "RUNNING", "REQUEUED", "COMPLETING", "SUSPENDED"}) {
    EXPECT_TRUE(StillQueued(state)) << state;
  }
  for (const char* state : {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "PREEMPTED", ""}) {
    EXPECT_FALSE(StillQueued(state)) << state;
  }
}

}  // namespace
}  // namespace carbonbench::slurm
