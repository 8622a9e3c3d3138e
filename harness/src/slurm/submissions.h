// What `slurm submit` sent to Slurm, kept beside the shard stores
// (submissions.json) so `slurm status` and the next submit know which job
// ran each task last.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace carbonbench::slurm {

struct Submission {
  std::string submitted_at;  // ISO 8601 UTC
  std::string array_job;     // empty when every task had finished
  std::vector<int> tasks;    // the array's task indices
  std::string merge_job;
};

// Empty when the file does not exist; a std::runtime_error names a file
// that cannot be read as submissions.
std::vector<Submission> ReadSubmissions(const std::string& path);
// The file's text, for the caller to write whole (WriteFileAtomically).
std::string SubmissionsText(const std::vector<Submission>& submissions);

// The job that ran each task most recently.
std::map<int, std::string> LatestJobOfTask(const std::vector<Submission>& submissions);

}  // namespace carbonbench::slurm
