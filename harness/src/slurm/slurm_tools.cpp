#include "slurm/slurm_tools.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <stdexcept>

#include "carbonbench/regular_file.h"
#include "process/child_process.h"

namespace carbonbench::slurm {
namespace {

// The text of a command's output or of the job completion log, which on a
// busy cluster grows for years: beyond this it is not read.
constexpr std::int64_t kMaxToolTextBytes = 256LL << 20;

// Empty when the file cannot be read (or is too large to).
std::string ReadText(const std::string& path, const std::string& what) {
  try {
    return ReadRegularFile(path, what, kMaxToolTextBytes);
  } catch (const std::runtime_error&) {
    return "";
  }
}

}  // namespace

ToolOutput RunTool(const std::vector<std::string>& argv, double timeout_s) {
  const char* tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/carbonbench-slurm-XXXXXX";
  const int fd = mkstemp(path.data());
  if (fd < 0) return {};
  close(fd);
  ChildSpec spec;
  spec.argv = argv;
  spec.search_path = true;
  spec.output_path = path;
  spec.limits.timeout_s = timeout_s;
  ToolOutput result;
  try {
    const ChildExit exit = RunChild(spec);
    result.ran = exit.exec_error == 0;
    result.exit_code = exit.signal == 0 ? exit.exit_code : -1;
    result.output = ReadText(path, "output of " + argv.front());
  } catch (const std::exception& error) {
    result.output = error.what();
  }
  std::filesystem::remove(path);
  return result;
}

std::string Sbatch(const std::vector<std::string>& arguments) {
  std::vector<std::string> argv = {"sbatch", "--parsable"};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  const ToolOutput sbatch = RunTool(argv);
  if (!sbatch.ran) {
    throw std::runtime_error(
        "sbatch is not on PATH: submit from a machine of the Slurm cluster (Debian: apt-get "
        "install slurm-client), or run the suite here with `carbonbench run`");
  }
  // --parsable prints "JOBID" or "JOBID;CLUSTER" as its last line.
  static const std::regex id_line(R"((?:^|\n)(\d+)(?:;\S+)?\s*$)");
  std::smatch match;
  if (sbatch.exit_code != 0 || !std::regex_search(sbatch.output, match, id_line)) {
    throw std::runtime_error("sbatch refused the job (exit code " +
                             std::to_string(sbatch.exit_code) + "): " + sbatch.output);
  }
  return match[1].str();
}

TaskStates QueryStates(const std::string& job) {
  TaskStates states;
  const ToolOutput squeue = RunTool({"squeue", "-h", "-r", "-j", job, "-o", "%i %T"});
  if (squeue.ran && squeue.exit_code == 0) states = ParseSqueue(squeue.output, job);
  auto fill = [&states](const TaskStates& ended) {
    for (const auto& [task, state] : ended) states.emplace(task, state);
  };
  const ToolOutput sacct = RunTool({"sacct", "-n", "-P", "-X", "-j", job, "-o", "JobID,State"});
  if (sacct.ran && sacct.exit_code == 0) {
    fill(ParseSacct(sacct.output, job));
    return states;
  }
  // No accounting: the job completion log, where the cluster keeps one.
  const ToolOutput config = RunTool({"scontrol", "show", "config"});
  if (config.ran && config.exit_code == 0) {
    const std::string log = JobCompLogOf(config.output);
    if (!log.empty()) fill(ParseJobComp(ReadText(log, "job completion log"), job));
  }
  return states;
}

}  // namespace carbonbench::slurm
