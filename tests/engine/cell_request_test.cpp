// What the suite's process and a cell's process say to each other, and how
// progress is shown: round trips and the text a user reads.
#include "runner/cell_request.h"

#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "runner/progress_display.h"

namespace carbonbench {
namespace {

TEST(CellRequest, RoundTripsThroughJsonWithTheIdleBaseline) {
  CellRequest request;
  request.suite_text = "suite: s\n";
  request.suite_source = "suites/s.yaml";
  request.suite_generated = true;
  request.config_hash = "abc123";
  request.repetition = 2;
  request.store_path = "r.db";
  request.models_dir = "m";
  request.sampler_interval_ms = 250;
  IdleBaseline idle;
  idle.duration_s = 5;
  idle.watts = {{Component::kCpu, 12.5}, {Component::kRam, 3}};
  idle.sources = {{Component::kCpu, "rapl", Provenance::kMeasured},
                  {Component::kRam, "ram_estimate", Provenance::kEstimated}};
  request.idle = idle;

  const CellRequest back = CellRequest::FromJson(request.ToJson());
  EXPECT_EQ(back.suite_text, request.suite_text);
  EXPECT_EQ(back.suite_source, request.suite_source);
  EXPECT_TRUE(back.suite_generated);
  EXPECT_EQ(back.config_hash, "abc123");
  EXPECT_EQ(back.repetition, 2);
  EXPECT_EQ(back.store_path, "r.db");
  EXPECT_EQ(back.models_dir, "m");
  EXPECT_EQ(back.sampler_interval_ms, 250);
  ASSERT_TRUE(back.idle.has_value());
  EXPECT_DOUBLE_EQ(back.idle->duration_s, 5);
  EXPECT_DOUBLE_EQ(back.idle->watts.at(Component::kCpu), 12.5);
  EXPECT_DOUBLE_EQ(back.idle->TotalWatts(), 15.5);
  ASSERT_EQ(back.idle->sources.size(), 2u);
  EXPECT_EQ(back.idle->sources[0].meter, "rapl");
  EXPECT_EQ(back.idle->sources[0].provenance, Provenance::kMeasured);
  EXPECT_EQ(back.idle->sources[1].provenance, Provenance::kEstimated);

  request.idle.reset();
  EXPECT_FALSE(CellRequest::FromJson(request.ToJson()).idle.has_value());
}

TEST(CellRequest, AMissingFieldIsAnError) {
  nlohmann::json json = CellRequest{}.ToJson();
  json.erase("config_hash");
  EXPECT_THROW(CellRequest::FromJson(json), nlohmann::json::exception);
}

CellEvent Epoch(int epoch, int epochs, double elapsed_s) {
  CellEvent event;
  event.type = "epoch";
  event.epoch = epoch;
  event.epochs = epochs;
  event.metric = "test acc 81.25%";
  event.train_loss = 0.5;
  event.elapsed_s = elapsed_s;
  event.epoch_s = 10;
  event.data_wait_pct = 2;
  event.epoch_energy_wh = 0.25;
  event.energy_wh = 0.5;
  event.provenance = "estimated";
  return event;
}

TEST(CellEvent, RoundTripsAsOneLineAndIgnoresNoise) {
  const CellEvent event = Epoch(2, 6, 20);
  const std::string line = event.ToLine();
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const auto back = CellEvent::FromLine(line);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->epoch, 2);
  EXPECT_EQ(back->epochs, 6);
  EXPECT_EQ(back->metric, "test acc 81.25%");
  EXPECT_DOUBLE_EQ(back->energy_wh, 0.5);
  EXPECT_DOUBLE_EQ(back->epoch_energy_band_wh, 0.0);
  EXPECT_FALSE(CellEvent::FromLine("not json").has_value());
  EXPECT_FALSE(CellEvent::FromLine("[1, 2]").has_value());
}

TEST(ProgressDisplay, AnEstimatedEpochCarriesItsBand) {
  CellEvent event = Epoch(2, 6, 20);
  event.epoch_energy_band_wh = 0.1;  // ±40% of 0.25 Wh
  const auto back = CellEvent::FromLine(event.ToLine());
  ASSERT_TRUE(back.has_value());
  EXPECT_DOUBLE_EQ(back->epoch_energy_band_wh, 0.1);
  const std::string text = ProgressDisplay::EpochText(*back);
  EXPECT_NE(text.find("0.2500 Wh (estimated ±40%)"), std::string::npos) << text;
}

TEST(ProgressDisplay, EtaIsTheRestOfTheScheduleAtThePaceSoFar) {
  // 2 of 6 epochs in 20 s: 4 more at 10 s each.
  const std::string text = ProgressDisplay::EpochText(Epoch(2, 6, 20));
  EXPECT_NE(text.find("epoch 2/6"), std::string::npos) << text;
  EXPECT_NE(text.find("test acc 81.25%"), std::string::npos);
  EXPECT_NE(text.find("0.2500 Wh (estimated)"), std::string::npos);
  EXPECT_NE(text.find("20 s elapsed, ETA 40 s"), std::string::npos) << text;
  EXPECT_EQ(ProgressDisplay::EtaText(90), "2 min");
  EXPECT_EQ(ProgressDisplay::EtaText(7200), "2.0 h");
  EXPECT_EQ(ProgressDisplay::EtaText(-1), "?");
}

TEST(ProgressDisplay, EpochsPastThePlannedOnesAreFineTuningWithoutAnEta) {
  const std::string text = ProgressDisplay::EpochText(Epoch(3, 2, 30));
  EXPECT_NE(text.find("fine-tuning epoch 1 after 2:"), std::string::npos) << text;
  EXPECT_EQ(text.find("3/2"), std::string::npos) << text;
  EXPECT_EQ(text.find("ETA"), std::string::npos) << text;
  EXPECT_NE(text.find("30 s elapsed"), std::string::npos) << text;
}

std::string Captured(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string text;
  char buffer[512];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) text.append(buffer, n);
  return text;
}

TEST(ProgressDisplay, PlainModeWritesOneLinePerEpochAndNoControlCodes) {
  std::FILE* out = std::tmpfile();
  ProgressDisplay display(false, out);
  display.CellStarted("s", "cnn/baseline", 0, 3, 1, 6);
  display.Event(Epoch(1, 2, 10));
  display.Print("warning: something");
  display.Event(Epoch(2, 2, 20));
  display.CellEnded();
  const std::string text = Captured(out);
  std::fclose(out);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(text.find("\033["), std::string::npos);
  EXPECT_NE(text.find("[1/6] s/cnn/baseline rep 1/3 epoch 1/2"), std::string::npos) << text;
  EXPECT_NE(text.find("\nwarning: something\n"), std::string::npos) << text;
  EXPECT_NE(text.find("[1/6] s/cnn/baseline rep 1/3 epoch 2/2"), std::string::npos);
}

TEST(ProgressDisplay, LiveModeRewritesOneLineAndClearsItForOtherOutput) {
  std::FILE* out = std::tmpfile();
  ProgressDisplay display(true, out);
  display.CellStarted("s", "cnn/baseline", 0, 1, 2, 4);
  display.Event(Epoch(1, 2, 10));
  display.Print("a line from the cell");
  display.CellEnded();
  const std::string text = Captured(out);
  std::fclose(out);
  EXPECT_NE(text.find("\r\033[K[2/4] s/cnn/baseline rep 1/1 epoch 1/2"), std::string::npos);
  // Cleared, printed on its own line, then the live line drawn again.
  EXPECT_NE(text.find("\r\033[Ka line from the cell\n\r\033[K[2/4]"), std::string::npos) << text;
  EXPECT_EQ(text.substr(text.size() - 4), "\r\033[K");  // nothing left behind
}

}  // namespace
}  // namespace carbonbench
