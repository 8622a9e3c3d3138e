// `carbonbench serve`: the results explorer and the inference playground in
// the browser, over a store opened read-only (docs/serving.md).
#include <signal.h>

#include <cstdio>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "cli/commands.h"
#include "plugins/declared_roles.h"
#include "runner/model_service.h"
#include "serve/explorer_server.h"

namespace carbonbench::cli {
namespace {

struct ServeArguments {
  serve::ServeSettings server;
  double max_body_mib = 8;
  ModelServiceSettings models;
  bool no_models = false;
};

void Serve(ServeArguments& a, GlobalOptions& global) {
  // SIGINT and SIGTERM end the server cleanly: blocked here, before any
  // thread starts, and waited for by one thread that stops the server.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  if (!(a.max_body_mib > 0 && a.max_body_mib <= 1024)) {
    throw std::invalid_argument(
        fmt::format("--max-body-mib {}: give a size from above 0 to 1024 MiB", a.max_body_mib));
  }
  a.server.max_body_bytes = static_cast<std::size_t>(a.max_body_mib * 1024 * 1024);
  PluginRegistry registry = LoadPlugins(global);
  a.server.report_options.roles = DeclaredRolesOf(registry.Catalog());
  std::shared_ptr<serve::PredictionService> models;
  if (!a.no_models) models = std::make_shared<ModelService>(registry, a.models);
  serve::ExplorerServer server(global.store_path, a.server, models);
  const int port = server.Bind();
  std::printf("serving %s on http://%s:%d/ (Ctrl-C stops)\n", global.store_path.c_str(),
              a.server.host.c_str(), port);
  if (a.server.host != "127.0.0.1" && a.server.host != "localhost" && a.server.host != "::1") {
    std::printf(
        "warning: listening on %s: anyone who reaches this port can read the store and run its "
        "models\n",
        a.server.host.c_str());
  }
  std::fflush(stdout);
  std::thread waiter([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    server.Stop();
  });
  server.Listen();
  // Listen returned on its own (not by a signal): wake the waiter.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  std::printf("stopped\n");
}

}  // namespace

void AddServeCommand(CLI::App& app, GlobalOptions& global) {
  auto* command = app.add_subcommand(
      "serve",
      "serve the results store in the browser: the suites live, leaderboards, Pareto charts, "
      "cells side by side, the reports, and a playground that runs the saved models "
      "(docs/serving.md)");
  auto a = std::make_shared<ServeArguments>();
  command->add_option("--host", a->server.host, "address to listen on (0.0.0.0: every interface)")
      ->capture_default_str();
  command->add_option("--port", a->server.port, "port (0: any free one, printed)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  command->add_option("--max-body-mib", a->max_body_mib, "largest request body accepted, MiB")
      ->capture_default_str();
  command->add_option("--http-threads", a->server.threads, "connections served at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  command->add_option("--threads", a->models.threads,
                      "torch threads per prediction (0: all cores)");
  command->add_option("--meters", a->models.meters, "meters to try for predictions, in order")
      ->delimiter(',');
  command->add_option("--region", a->models.region,
                      "region for a prediction's CO2 (default: the run's)");
  command->add_option("--dataset-path", a->models.dataset_path,
                      "folder to read the models' test data from (default: the run's)");
  command->add_flag("--no-models", a->no_models, "serve the results only, no predictions");
  command->callback([&global, a] { Serve(*a, global); });
}

}  // namespace carbonbench::cli
