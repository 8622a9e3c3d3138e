#include "slurm/slurm_states.h"

#include <regex>
#include <set>
#include <sstream>
#include <vector>

namespace carbonbench::slurm {
namespace {

// "5", "3-5" or "1,3-4" inside "JOB_[...]" (a "%4" throttle suffix dropped).
std::vector<int> TasksIn(const std::string& spec) {
  std::vector<int> tasks;
  std::stringstream parts(spec.substr(0, spec.find('%')));
  std::string part;
  while (std::getline(parts, part, ',')) {
    const auto dash = part.find('-');
    try {
      if (dash == std::string::npos) {
        tasks.push_back(std::stoi(part));
      } else {
        for (int t = std::stoi(part.substr(0, dash)); t <= std::stoi(part.substr(dash + 1)); ++t) {
          tasks.push_back(t);
        }
      }
    } catch (const std::exception&) {
      // Not a task list: nothing to add.
    }
  }
  return tasks;
}

// A job id column ("123_2", "123_[3-5]", "123") of `job` into its tasks;
// the job itself (no array) is task 0.
std::vector<int> TasksOfId(const std::string& id, const std::string& job) {
  if (id == job) return {0};
  if (id.rfind(job + "_", 0) != 0) return {};
  std::string spec = id.substr(job.size() + 1);
  if (!spec.empty() && spec.front() == '[') spec = spec.substr(1, spec.find(']') - 1);
  return TasksIn(spec);
}

TaskStates ParseColumns(const std::string& text, const std::string& job, char separator) {
  TaskStates states;
  std::stringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const auto split = line.find(separator);
    if (split == std::string::npos) continue;
    std::string state = line.substr(split + 1);
    state = state.substr(0, state.find_first_of(" |\r"));
    for (int task : TasksOfId(line.substr(0, split), job)) states[task] = state;
  }
  return states;
}

std::string Field(const std::string& line, const std::string& key) {
  const std::regex pattern("(?:^| )" + key + "=(\\S*)");
  std::smatch match;
  return std::regex_search(line, match, pattern) ? match[1].str() : "";
}

}  // namespace

TaskStates ParseSqueue(const std::string& text, const std::string& job) {
  return ParseColumns(text, job, ' ');
}

TaskStates ParseSacct(const std::string& text, const std::string& job) {
  return ParseColumns(text, job, '|');
}

TaskStates ParseJobComp(const std::string& text, const std::string& job) {
  TaskStates states;
  std::stringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const std::string state = Field(line, "JobState");
    if (state.empty()) continue;
    if (Field(line, "ArrayJobId") == job) {
      for (int task : TasksIn(Field(line, "ArrayTaskId"))) states[task] = state;
    } else if (Field(line, "JobId") == job) {
      states[0] = state;
    }
  }
  return states;
}

std::string JobCompLogOf(const std::string& show_config) {
  std::string type;
  std::string location;
  std::stringstream lines(show_config);
  std::string line;
  const std::regex setting(R"(^\s*(\w+)\s*=\s*(.*?)\s*$)");
  while (std::getline(lines, line)) {
    std::smatch match;
    if (!std::regex_match(line, match, setting)) continue;
    if (match[1] == "JobCompType") type = match[2];
    if (match[1] == "JobCompLoc") location = match[2];
  }
  return type == "jobcomp/filetxt" ? location : "";
}

bool StillQueued(const std::string& state) {
  static const std::set<std::string> queued = {
      "PENDING",      "RUNNING",     "CONFIGURING",  "COMPLETING", "REQUEUED",
      "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING",     "SUSPENDED",  "STOPPED",
      "SIGNALING",    "STAGE_OUT",   "RESV_DEL_HOLD"};
  return queued.count(state) > 0;
}

}  // namespace carbonbench::slurm
