// `carbonbench serve`'s HTTP server: the explorer's pages, the JSON API over
// a store opened read-only, and predictions through a PredictionService.
// Routes and their documents: docs/serving.md.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "report/report_options.h"
#include "serve/prediction_request.h"
#include "serve/prediction_service.h"

namespace carbonbench::serve {

struct ServeSettings {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (Bind returns it)
  std::size_t max_body_bytes = std::size_t{8} << 20;
  // Connections served at once; more wait for a free thread. Each
  // keep-alive connection holds one while it is open.
  int threads = 32;
  std::string chart_js_path;  // default: kChartJsPath
  PredictionLimits limits;
  // What the report's analysis needs beside the runs (the installed
  // plugins' declared roles); objective and target come per request.
  report::ReportOptions report_options;
};

class ExplorerServer {
 public:
  // Opens the store read-only and reads Chart.js; throws std::runtime_error
  // naming the file and the fix when either cannot be read.
  // `predictions` may be null: then the prediction routes answer 503.
  ExplorerServer(const std::string& store_path, ServeSettings settings,
                 std::shared_ptr<PredictionService> predictions);
  ~ExplorerServer();
  ExplorerServer(const ExplorerServer&) = delete;
  ExplorerServer& operator=(const ExplorerServer&) = delete;

  // Binds to host:port; returns the port bound. Throws naming both and
  // what to do when the port is taken or the host is not an address here.
  int Bind();
  // Serves until Stop(); call after Bind().
  void Listen();
  // From any thread (a signal handler's thread, a test).
  void Stop();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace carbonbench::serve
