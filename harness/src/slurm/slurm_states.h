// What Slurm says about the tasks of a job array, read from the three places
// that may know: squeue (queued and running jobs), sacct (ended jobs, where
// the cluster keeps accounting) and the job completion log of
// jobcomp/filetxt (ended jobs on a cluster without accounting). Each parser
// takes the command's text and returns task -> state, so they are tested on
// plain strings.
#pragma once

#include <map>
#include <string>

namespace carbonbench::slurm {

using TaskStates = std::map<int, std::string>;  // array task -> "RUNNING", ...

// `squeue -h -r -j JOB -o "%i %T"`: "123_2 RUNNING" per line; a line still
// naming a range ("123_[3-5] PENDING") gives each task in it.
TaskStates ParseSqueue(const std::string& text, const std::string& job);

// `sacct -n -P -X -j JOB -o JobID,State`: "123_2|COMPLETED"; "CANCELLED by
// 0" is kept as "CANCELLED"; a range line as in squeue.
TaskStates ParseSacct(const std::string& text, const std::string& job);

// jobcomp/filetxt lines ("JobId=124 ... JobState=COMPLETED ... ArrayJobId=
// 123 ArrayTaskId=2 ..."); a requeued task's later line wins. The state of
// a job that is no array (the merge job) is under task 0.
TaskStates ParseJobComp(const std::string& text, const std::string& job);

// JobCompLoc from `scontrol show config` when JobCompType is
// jobcomp/filetxt; empty otherwise.
std::string JobCompLogOf(const std::string& show_config);

// Whether Slurm may still run the task: pending, running, requeued, ...
bool StillQueued(const std::string& state);

}  // namespace carbonbench::slurm
