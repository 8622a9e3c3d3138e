// A disk that fills at any moment of a run: every write step of the run
// (each write, truncation and sync SQLite makes, opening the store
// included) is made to fail in turn, as on a full disk, and after each:
// the finished result the store held is still there, current and whole,
// the file is intact, the failure names the store and its cause, and the
// same run, once space is freed, stores its result.
#include <filesystem>
#include <stdexcept>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "faulty_vfs.h"
#include "store_test_util.h"

namespace carbonbench {
namespace {

using namespace store_testing;

// Beyond any run below: a loop that reaches it has stopped finding steps.
constexpr int kMaxSteps = 5000;

class StoreFaultTest : public TempDirTest {
 protected:
  std::string StorePath() const { return (dir_ / "results.db").string(); }

  // A store holding one finished run (two epochs), its WAL folded in.
  void MakeStoreWithAFinishedRun() {
    ResultsStore store(template_);
    const std::int64_t id = store.BeginRun(start_);
    store.AppendEpoch(id, SampleEpoch(1));
    store.AppendEpoch(id, SampleEpoch(2));
    store.FinishRun(id, SampleSummary());
    finished_id_ = id;
  }

  void CopyTemplate() const {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(StorePath() + suffix);
    }
    std::filesystem::copy_file(template_, StorePath());
  }

  // A re-run of the cell as the runner stores it: three epochs, then the
  // summary; a failure on the way is stored as the run's failure when it
  // can be. Throws what the store threw.
  void ReRun() const {
    ResultsStore store(StorePath());
    const std::int64_t id = store.BeginRun(start_);
    try {
      for (int epoch = 1; epoch <= 3; ++epoch) store.AppendEpoch(id, SampleEpoch(epoch));
      store.FinishRun(id, SampleSummary());
    } catch (const std::runtime_error& error) {
      store.FailRun(id, error.what(), RunSummary{});
      throw;
    }
  }

  // The store after a failure: intact, the earlier finished run kept with
  // its epochs, current unless the re-run's result was stored.
  void ExpectNothingLost(int step) const {
    {
      SQLite::Database db(StorePath(), SQLite::OPEN_READONLY);
      EXPECT_EQ(db.execAndGet("PRAGMA integrity_check").getString(), "ok") << "step " << step;
    }
    ResultsStore store(StorePath());
    const auto current = store.FindFinished(start_.suite, start_.config_hash, 0);
    ASSERT_TRUE(current) << "step " << step << ": the cell has no finished run";
    std::vector<RunRow> all = store.LoadRuns(start_.suite);
    for (RunRow& run : store.LoadSupersededRuns(start_.suite)) all.push_back(std::move(run));
    bool kept = false;
    for (const RunRow& run : all) {
      if (run.id != finished_id_) continue;
      kept = true;
      EXPECT_EQ(run.status, "finished") << "step " << step;
      EXPECT_EQ(run.epochs.size(), 2u) << "step " << step;
      EXPECT_DOUBLE_EQ(run.summary.energy_wh, SampleSummary().energy_wh) << "step " << step;
    }
    EXPECT_TRUE(kept) << "step " << step << ": the earlier finished run is gone";
    if (current->id != finished_id_) {
      EXPECT_EQ(current->epochs.size(), 3u) << "step " << step;  // the re-run, whole
    }
  }

  std::string template_ = (dir_ / "template.db").string();
  RunStart start_ = SampleStart("s", "cell", 0);
  std::int64_t finished_id_ = 0;
};

TEST_F(StoreFaultTest, AFullDiskAtAnyStepOfAReRunLosesNothingAndTheNextRunRecovers) {
  MakeStoreWithAFinishedRun();
  const FaultyVfsScope faulty;
  int failures = 0;
  int step = 1;
  for (; step <= kMaxSteps; ++step) {
    CopyTemplate();
    FaultyVfs::FailFromStep(step);
    try {
      ReRun();
    } catch (const std::runtime_error& error) {
      ++failures;
      const std::string message = error.what();
      EXPECT_NE(message.find("store " + StorePath() + ": "), std::string::npos)
          << "step " << step << ": " << message;
      EXPECT_TRUE(message.find("(No space left on device)") != std::string::npos ||
                  message.find("disk I/O error") != std::string::npos)
          << "step " << step << ": " << message;
    }
    const bool reached = FaultyVfs::Failed();
    FaultyVfs::FailFromStep(0);  // space is freed
    if (!reached) break;         // the run made fewer write steps than this
    ExpectNothingLost(step);
    if (HasFailure()) break;
    // The same command again: it stores its result, the earlier kept as history.
    ReRun();
    ResultsStore store(StorePath());
    const auto current = store.FindFinished(start_.suite, start_.config_hash, 0);
    ASSERT_TRUE(current);
    EXPECT_NE(current->id, finished_id_) << "step " << step;
    EXPECT_EQ(current->epochs.size(), 3u) << "step " << step;
    EXPECT_EQ(store.LoadRuns(start_.suite).size(), 1u) << "step " << step;
  }
  EXPECT_LT(step, kMaxSteps);
  // The last steps are the checkpoint as the store closes, after the result
  // was stored: failing them fails nothing. Every earlier one failed the run.
  EXPECT_GT(failures, 10);
}

TEST_F(StoreFaultTest, AFullDiskAtAnyStepOfAFirstRunLeavesAStoreTheNextRunUses) {
  const FaultyVfsScope faulty;
  int step = 1;
  for (; step <= kMaxSteps; ++step) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(StorePath() + suffix);
    FaultyVfs::FailFromStep(step);
    try {
      ReRun();
    } catch (const std::runtime_error& error) {
      EXPECT_NE(std::string(error.what()).find("store " + StorePath() + ": "), std::string::npos)
          << "step " << step << ": " << error.what();
    }
    const bool reached = FaultyVfs::Failed();
    FaultyVfs::FailFromStep(0);
    if (!reached) break;
    ReRun();
    ResultsStore store(StorePath());
    const auto runs = store.LoadRuns(start_.suite);
    ASSERT_EQ(runs.size(), 1u) << "step " << step;
    EXPECT_EQ(runs[0].status, "finished") << "step " << step;
    EXPECT_EQ(runs[0].epochs.size(), 3u) << "step " << step;
    SQLite::Database db(StorePath(), SQLite::OPEN_READONLY);
    EXPECT_EQ(db.execAndGet("PRAGMA integrity_check").getString(), "ok") << "step " << step;
  }
  EXPECT_LT(step, kMaxSteps);
  EXPECT_GT(step, 10);
}

}  // namespace
}  // namespace carbonbench
