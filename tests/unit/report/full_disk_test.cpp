// A reports folder whose disk fills: the failure names the file, the OS's
// reason and what to do, and no empty or cut-off file is left behind. The
// full disk is a file size limit (RLIMIT_FSIZE), which fails writes past it
// as a full disk does, for this process and the gnuplot it starts.
#include <signal.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "report/export/atomic_file.h"
#include "report/export/plots.h"
#include "unit/report/report_test_util.h"
#include "unit/store/store_test_util.h"

namespace carbonbench::report {
namespace {

namespace fs = std::filesystem;

// Files may grow to `bytes` while it lives.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &before_);
    // Past the limit a write fails with EFBIG instead of killing the process.
    previous_ = signal(SIGXFSZ, SIG_IGN);
    rlimit limit = before_;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &before_);
    signal(SIGXFSZ, previous_);
  }

 private:
  rlimit before_{};
  sighandler_t previous_ = SIG_DFL;
};

using ReportsOnAFullDisk = store_testing::TempDirTest;

TEST_F(ReportsOnAFullDisk, AFileThatDoesNotFitIsNamedAndTheOldOneIsKept) {
  const fs::path path = dir_ / "suite.md";
  WriteFileAtomically(path, "the earlier report\n");
  try {
    const FileSizeLimit full(1024);
    WriteFileAtomically(path, std::string(64 * 1024, 'x'));
    FAIL() << "64 KiB written under a 1 KiB limit";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.rfind("cannot write " + path.string() + ": File too large; ", 0), 0u)
        << message;
    EXPECT_NE(message.find("run `carbonbench report SUITE`"), std::string::npos) << message;
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "the earlier report\n");
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path(), path) << "left behind: " << entry.path();
  }
}

TEST_F(ReportsOnAFullDisk, PlotsLeaveNoEmptyOrCutOffImage) {
  PlotsOutcome outcome;
  {
    // Room for the data files and the script (15 KB), not for every image
    // (gnuplot ignores the failed writes and leaves them cut off at 18 KB).
    const FileSizeLimit full(18 * 1024);
    try {
      outcome = DrawPlots("mixed_quick", report_testing::MixedRuns(), dir_.string());
    } catch (const std::runtime_error& error) {
      EXPECT_NE(std::string(error.what()).find("cannot write "), std::string::npos) << error.what();
    }
  }
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir_)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    const std::string name = entry.path().filename().string();
    EXPECT_EQ(name.find(".partial"), std::string::npos) << "left behind: " << entry.path();
    EXPECT_EQ(name.find(".tmp-"), std::string::npos) << "left behind: " << entry.path();
    if (name != "gnuplot.log") EXPECT_GT(entry.file_size(), 0u) << entry.path();
    // An image left in place is whole, not cut off at the limit.
    EXPECT_LT(entry.file_size(), 18u * 1024) << entry.path();
  }
  EXPECT_GT(files, 0);
  EXPECT_LT(outcome.plots.size(), 5u) << "every image fitted: the limit tests nothing";
  EXPECT_EQ(outcome.note.rfind("not drawn: ", 0), 0u) << outcome.note;
  for (const PlotLink& plot : outcome.plots) {
    EXPECT_GT(fs::file_size(dir_ / plot.svg_path), 0u);
    EXPECT_GT(fs::file_size(dir_ / plot.png_path), 0u);
  }
}

}  // namespace
}  // namespace carbonbench::report
