#include "slurm/submissions.h"

#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "carbonbench/regular_file.h"

namespace carbonbench::slurm {

std::vector<Submission> ReadSubmissions(const std::string& path) {
  std::vector<Submission> submissions;
  if (!std::filesystem::exists(path)) return submissions;
  // A line per submission: far below this however often a suite is resubmitted.
  constexpr std::int64_t kMaxSubmissionsBytes = 64LL << 20;
  const std::string text = ReadRegularFile(path, "record of submissions", kMaxSubmissionsBytes);
  try {
    const nlohmann::json document = nlohmann::json::parse(text);
    for (const nlohmann::json& entry : document.at("submissions")) {
      Submission submission;
      submission.submitted_at = entry.value("submitted_at", "");
      submission.array_job = entry.value("array_job", "");
      submission.tasks = entry.value("tasks", std::vector<int>{});
      submission.merge_job = entry.value("merge_job", "");
      submissions.push_back(std::move(submission));
    }
  } catch (const std::exception& error) {
    throw std::runtime_error(path + " is not a record of submissions (" + error.what() +
                             "): move it aside; `slurm status` then knows only the stores");
  }
  return submissions;
}

std::string SubmissionsText(const std::vector<Submission>& submissions) {
  nlohmann::json list = nlohmann::json::array();
  for (const Submission& submission : submissions) {
    list.push_back({{"submitted_at", submission.submitted_at},
                    {"array_job", submission.array_job},
                    {"tasks", submission.tasks},
                    {"merge_job", submission.merge_job}});
  }
  return nlohmann::json{{"submissions", list}}.dump(2) + "\n";
}

std::map<int, std::string> LatestJobOfTask(const std::vector<Submission>& submissions) {
  std::map<int, std::string> jobs;
  for (const Submission& submission : submissions) {
    for (int task : submission.tasks) jobs[task] = submission.array_job;
  }
  return jobs;
}

}  // namespace carbonbench::slurm
