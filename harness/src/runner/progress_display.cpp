#include "runner/progress_display.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "report/analysis/number_format.h"

namespace carbonbench {
namespace {

int TerminalWidth(std::FILE* out) {
  winsize size{};
  if (ioctl(fileno(out), TIOCGWINSZ, &size) == 0 && size.ws_col > 20) return size.ws_col;
  return 100;
}

}  // namespace

ProgressDisplay::ProgressDisplay(bool live, std::FILE* out) : live_(live), out_(out) {}

bool ProgressDisplay::ShouldBeLive() {
  const char* term = std::getenv("TERM");
  const char* ci = std::getenv("CI");
  return isatty(STDERR_FILENO) && term != nullptr && std::strcmp(term, "dumb") != 0 &&
         (ci == nullptr || std::strcmp(ci, "") == 0 || std::strcmp(ci, "false") == 0);
}

std::string ProgressDisplay::EtaText(double seconds) {
  if (!(seconds >= 0) || !std::isfinite(seconds)) return "?";
  if (seconds < 60) return fmt::format("{:.0f} s", seconds);
  if (seconds < 3600) return fmt::format("{:.0f} min", seconds / 60);
  return fmt::format("{:.1f} h", seconds / 3600);
}

std::string ProgressDisplay::EpochText(const CellEvent& event) {
  // Epochs past the planned ones fine-tune a pruned network; how many there
  // are is the optimization's, so they get no ETA.
  const bool fine_tuning = event.epoch > event.epochs;
  const std::string which = fine_tuning ? fmt::format("fine-tuning epoch {} after {}",
                                                      event.epoch - event.epochs, event.epochs)
                                        : fmt::format("epoch {}/{}", event.epoch, event.epochs);
  // The rest of the schedule at the pace so far; early stopping may end it sooner.
  const double eta = event.epoch > 0 && !fine_tuning
                         ? event.elapsed_s / event.epoch * (event.epochs - event.epoch)
                         : -1;
  const std::string eta_text = fine_tuning ? "" : ", ETA " + EtaText(eta);
  // "(estimated ±47%)": the band beside the provenance it qualifies.
  const std::string band = report::BandText(event.epoch_energy_wh, event.epoch_energy_band_wh);
  return fmt::format(
      "{}: loss {:.4f}, {}, {:.1f} s (data wait {:.1f}%), {:.4f} Wh ({}{}); "
      "{} elapsed{}",
      which, event.train_loss, event.metric, event.epoch_s, event.data_wait_pct,
      event.epoch_energy_wh, event.provenance, band.empty() ? "" : " " + band,
      EtaText(event.elapsed_s), eta_text);
}

void ProgressDisplay::CellStarted(const std::string& suite, const std::string& cell, int repetition,
                                  int repetitions, int position, int total) {
  prefix_ = fmt::format("[{}/{}] {}/{} rep {}/{}", position, total, suite, cell, repetition + 1,
                        repetitions);
  status_ = "starting";
  if (live_) Redraw();
}

void ProgressDisplay::Event(const CellEvent& event) {
  if (event.type == "epoch") {
    status_ = EpochText(event);
    if (!live_) {
      std::fprintf(out_, "%s %s\n", prefix_.c_str(), status_.c_str());
      std::fflush(out_);
      return;
    }
  } else if (event.type == "phase") {
    status_ = event.phase + "...";
    if (!live_) return;  // a log gets the epochs and the results, not every phase
  }
  Redraw();
}

void ProgressDisplay::Print(const std::string& line) {
  Clear();
  std::fprintf(out_, "%s\n", line.c_str());
  if (live_ && !prefix_.empty()) Redraw();
  std::fflush(out_);
}

void ProgressDisplay::CellEnded() {
  Clear();
  prefix_.clear();
}

void ProgressDisplay::Clear() {
  if (!live_ || !drawn_) return;
  std::fputs("\r\033[K", out_);
  drawn_ = false;
}

void ProgressDisplay::Redraw() {
  if (!live_) return;
  std::string text = prefix_ + " " + status_;
  const auto width = static_cast<std::size_t>(TerminalWidth(out_) - 1);
  if (text.size() > width) text = text.substr(0, width - 3) + "...";
  std::fprintf(out_, "\r\033[K%s", text.c_str());
  std::fflush(out_);
  drawn_ = true;
}

}  // namespace carbonbench
