#include "process/stop_signal.h"

#include <signal.h>

namespace carbonbench {
namespace {

volatile sig_atomic_t g_requested = 0;
struct sigaction g_previous_int {};
struct sigaction g_previous_term {};

// Async-signal-safe: a flag, or the default action on a second signal.
void OnStopSignal(int signal) {
  if (g_requested == signal) {
    struct sigaction fallback {};
    fallback.sa_handler = SIG_DFL;
    sigemptyset(&fallback.sa_mask);
    sigaction(signal, &fallback, nullptr);
    raise(signal);
    return;
  }
  g_requested = signal;
}

}  // namespace

StopSignals::StopSignals() {
  g_requested = 0;
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocked poll or wait returns at once
  sigaction(SIGINT, &action, &g_previous_int);
  sigaction(SIGTERM, &action, &g_previous_term);
}

StopSignals::~StopSignals() {
  sigaction(SIGINT, &g_previous_int, nullptr);
  sigaction(SIGTERM, &g_previous_term, nullptr);
}

int StopRequested() { return g_requested; }

void RequestStop(int signal) { g_requested = signal; }

std::string StopSignalName(int signal) {
  if (signal == SIGINT) return "SIGINT";
  if (signal == SIGTERM) return "SIGTERM";
  return "signal " + std::to_string(signal);
}

int ExitCodeForStop(int signal) { return 128 + signal; }

}  // namespace carbonbench
