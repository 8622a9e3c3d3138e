#include "serve/explorer_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "carbonbench/regular_file.h"
#include "report/analysis/leaderboard.h"
#include "report/analysis/search_trials.h"
#include "report/render/history_note.h"
#include "report/render/markdown_report.h"
#include "serve/api_error.h"
#include "serve/assets.h"
#include "serve/explorer_json.h"
#include "serve/markdown_html.h"
#include "serve/model_files.h"
#include "store/results_store.h"

namespace carbonbench::serve {
namespace {

constexpr const char* kJson = "application/json";
// Chart.js is 200 KiB; anything far beyond is not the file we want.
constexpr std::int64_t kMaxChartJsBytes = std::int64_t{16} << 20;

void SendJson(httplib::Response& response, const nlohmann::json& document, int status = 200) {
  response.status = status;
  // Replace, not throw, on invalid UTF-8 a store row might hold.
  response.set_content(document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                       kJson);
}

nlohmann::json ErrorDocument(int status, const std::string& message) {
  return {{"error", {{"status", status}, {"message", message}}}};
}

// The whole of `text` as an integer; empty when it is not one.
std::optional<std::int64_t> WholeInteger(const std::string& text) {
  try {
    std::size_t used = 0;
    const long long value = std::stoll(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::int64_t IdOf(const std::string& text, const char* what) {
  const std::optional<std::int64_t> id = WholeInteger(text);
  if (id && *id > 0) return *id;
  throw ApiError(400, fmt::format("'{}' is not a {} (a positive integer)", text, what));
}

}  // namespace

struct ExplorerServer::State {
  ServeSettings settings;
  std::string store_path;
  std::string models_dir;
  std::string chart_js;
  std::shared_ptr<PredictionService> predictions;
  httplib::Server http;
  int listening_fd = -1;  // the socket Bind made, set by its socket options
  // httplib's stop() does nothing until listening has begun, so a Stop()
  // racing a Listen() that has not started would be lost: these make it
  // wait for the start, or keep Listen() from starting.
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> listen_entered{false};

  // One read-only connection, used under this lock; a suite's runs are
  // kept until another connection commits (the store's data version moves).
  std::mutex store_mutex;
  std::unique_ptr<ResultsStore> store;
  struct SuiteRuns {
    std::int64_t data_version = -1;
    std::shared_ptr<const std::vector<RunRow>> runs;
    std::shared_ptr<const std::vector<RunRow>> running;
  };
  std::map<std::string, SuiteRuns> cache;
  std::int64_t cache_version = -1;

  // The suite's runs as of now; an ApiError 404 for a suite the store does
  // not hold.
  SuiteRuns RunsOf(const std::string& suite) {
    std::lock_guard<std::mutex> lock(store_mutex);
    const std::int64_t version = store->DataVersion();
    if (version != cache_version) {
      cache.clear();
      cache_version = version;
    }
    if (const auto it = cache.find(suite); it != cache.end()) return it->second;
    const std::vector<std::string> suites = store->Suites();
    if (std::find(suites.begin(), suites.end(), suite) == suites.end()) {
      throw ApiError(404, fmt::format("no suite '{}' in store {}; GET /api/suites lists the "
                                      "suites it holds",
                                      suite, store_path));
    }
    SuiteRuns entry;
    entry.data_version = version;
    entry.runs = std::make_shared<const std::vector<RunRow>>(store->LoadRuns(suite));
    entry.running = std::make_shared<const std::vector<RunRow>>(store->LoadRunningRuns(suite));
    if (cache.size() > 64) cache.clear();  // bounded: a store with many suites
    cache[suite] = entry;
    return entry;
  }

  RunRow RunById(std::int64_t id) {
    std::lock_guard<std::mutex> lock(store_mutex);
    std::optional<RunRow> run = store->LoadRun(id);
    if (!run) {
      throw ApiError(404, fmt::format("no run {} in store {}; GET /api/suites/NAME lists a "
                                      "suite's cells and GET /api/models the runs with a saved "
                                      "model",
                                      id, store_path));
    }
    return std::move(*run);
  }

  report::ReportOptions OptionsFrom(const httplib::Request& request) const {
    report::ReportOptions options = settings.report_options;
    if (request.has_param("objective")) {
      options.objective = request.get_param_value("objective");
      if (!report::ParseObjective(options.objective)) {
        throw ApiError(400, fmt::format("objective '{}' is not one of {}", options.objective,
                                        report::ObjectiveChoices()));
      }
    }
    if (request.has_param("target") && !request.get_param_value("target").empty()) {
      const std::string text = request.get_param_value("target");
      double target = 0;
      try {
        std::size_t used = 0;
        target = std::stod(text, &used);
        if (used != text.size()) target = NAN;
      } catch (const std::exception&) {
        target = NAN;
      }
      if (!(target > 0 && target <= 100)) {
        throw ApiError(400,
                       fmt::format("target '{}' is not an accuracy in percent in (0, 100]", text));
      }
      options.target_accuracy_percent = target;
    }
    return options;
  }

  PredictionService& Predictions() {
    if (!predictions) {
      throw ApiError(503, "this server was started without models; predictions are off");
    }
    return *predictions;
  }

  // Runs whose model may be served, with its real path, kept until another
  // connection commits: a prediction would otherwise read the run and
  // resolve its file each time, which costs as much as a small forward pass.
  std::map<std::int64_t, std::shared_ptr<const RunRow>> servable;
  std::int64_t servable_version = -1;

  // The run, when its saved model may be served; else an ApiError.
  std::shared_ptr<const RunRow> ServableRun(const std::string& id_text) {
    const std::int64_t id = IdOf(id_text, "run id");
    {
      std::lock_guard<std::mutex> lock(store_mutex);
      const std::int64_t version = store->DataVersion();
      if (version != servable_version) {
        servable.clear();
        servable_version = version;
      }
      if (const auto it = servable.find(id); it != servable.end()) return it->second;
    }
    RunRow run = RunById(id);
    const ModelFile file = ModelFileOf(run, models_dir);
    if (!file.problem.empty()) throw ApiError(404, file.problem);
    run.summary.model_path = file.path;
    auto shared = std::make_shared<const RunRow>(std::move(run));
    std::lock_guard<std::mutex> lock(store_mutex);
    if (servable.size() > 256) servable.clear();
    servable[id] = shared;
    return shared;
  }

  void Routes();
};

void ExplorerServer::State::Routes() {
  // The pages change only with the binary and Chart.js only with its
  // package: a browser revalidates them by ETag and gets a 304, not the
  // bytes (and their compression) again.
  auto serve_static = [](std::string_view body, const std::string& type) {
    const std::string etag = fmt::format("\"{:x}\"", std::hash<std::string_view>{}(body));
    return [body, type, etag](const httplib::Request& request, httplib::Response& response) {
      response.set_header("ETag", etag);
      response.set_header("Cache-Control", "no-cache");
      if (request.get_header_value("If-None-Match") == etag) {
        response.status = 304;
        return;
      }
      response.set_content(body.data(), body.size(), type.c_str());
    };
  };
  for (const Asset& asset : ExplorerAssets()) {
    http.Get(asset.url, serve_static(asset.body, asset.content_type));
  }
  http.Get("/static/chart.min.js", serve_static(chart_js, "text/javascript; charset=utf-8"));

  http.Get("/api/suites", [this](const httplib::Request&, httplib::Response& response) {
    std::vector<std::string> names;
    {
      std::lock_guard<std::mutex> lock(store_mutex);
      names = store->Suites();
    }
    nlohmann::json suites = nlohmann::json::array();
    for (const std::string& name : names) {
      const SuiteRuns runs = RunsOf(name);
      suites.push_back(ToJson(StateOf(name, *runs.runs, *runs.running)));
    }
    SendJson(response, {{"store", store_path}, {"suites", std::move(suites)}});
  });
  http.Get(R"(/api/suites/([^/]+))",
           [this](const httplib::Request& request, httplib::Response& response) {
             const std::string suite = request.matches[1];
             const report::ReportOptions options = OptionsFrom(request);
             const SuiteRuns runs = RunsOf(suite);
             SendJson(response, SuiteDocument(suite, *runs.runs, *runs.running, options));
           });
  http.Get(R"(/api/suites/([^/]+)/cells/(.+))",
           [this](const httplib::Request& request, httplib::Response& response) {
             const std::string suite = request.matches[1];
             const std::string hash = request.matches[2];
             const SuiteRuns runs = RunsOf(suite);
             const auto document = CellDocument(hash, *runs.runs, *runs.running);
             if (!document) {
               throw ApiError(404, fmt::format("suite '{}' has no cell of configuration {}; GET "
                                               "/api/suites/{} lists its cells",
                                               suite, hash, suite));
             }
             SendJson(response, *document);
           });
  http.Get(R"(/api/suites/([^/]+)/report)", [this](const httplib::Request& request,
                                                   httplib::Response& response) {
    const std::string suite = request.matches[1];
    report::ReportOptions options = OptionsFrom(request);
    const SuiteRuns runs = RunsOf(suite);
    if (runs.runs->empty()) {
      throw ApiError(404, fmt::format("suite '{}' has no finished or failed run yet: its report "
                                      "is written once one ends",
                                      suite));
    }
    {
      std::lock_guard<std::mutex> lock(store_mutex);
      options.history = report::HistoryOf(store->LoadSupersededRuns(suite));
      options.search = report::LoadSearch(*store, suite);
    }
    options.plots_note = "plots are drawn by `carbonbench report`, not by the server";
    const std::string markdown = report::RenderMarkdownReport(suite, *runs.runs, options);
    SendJson(response,
             {{"suite", suite}, {"markdown", markdown}, {"html", MarkdownToHtml(markdown)}});
  });
  http.Get(R"(/api/runs/([^/]+))",
           [this](const httplib::Request& request, httplib::Response& response) {
             SendJson(response, RunDocument(RunById(IdOf(request.matches[1], "run id"))));
           });
  http.Get(R"(/api/runs/([^/]+)/epochs)",
           [this](const httplib::Request& request, httplib::Response& response) {
             SendJson(response, EpochsDocument(RunById(IdOf(request.matches[1], "run id"))));
           });

  http.Get("/api/models", [this](const httplib::Request&, httplib::Response& response) {
    std::vector<std::string> names;
    {
      std::lock_guard<std::mutex> lock(store_mutex);
      names = store->Suites();
    }
    std::vector<const RunRow*> servable;
    std::vector<SuiteRuns> kept;
    for (const std::string& name : names) {
      kept.push_back(RunsOf(name));
      for (const RunRow& run : *kept.back().runs) {
        if (ModelFileOf(run, models_dir).problem.empty()) servable.push_back(&run);
      }
    }
    std::sort(servable.begin(), servable.end(),
              [](const RunRow* a, const RunRow* b) { return a->id > b->id; });
    nlohmann::json models = nlohmann::json::array();
    for (const RunRow* run : servable) {
      const bool regression = run->start.task == kRegressionTask;
      nlohmann::json card = {
          {"run_id", run->id},
          {"suite", run->start.suite},
          {"cell", run->start.cell_name},
          {"config_hash", run->start.config_hash},
          {"repetition", run->start.repetition},
          {"model", run->start.model},
          {"dataset", run->start.dataset},
          {"task", run->start.task},
          {"final_accuracy_percent",
           regression ? nlohmann::json() : nlohmann::json(run->summary.final_accuracy * 100)},
          {"final_rmse", regression && std::isfinite(run->summary.final_rmse)
                             ? nlohmann::json(run->summary.final_rmse)
                             : nlohmann::json()},
          {"energy_provenance", run->summary.energy_provenance}};
      card.update(InputCardOf(run->summary.model_path));
      models.push_back(std::move(card));
    }
    SendJson(response, {{"models", std::move(models)}});
  });
  http.Get(R"(/api/models/([^/]+))",
           [this](const httplib::Request& request, httplib::Response& response) {
             const auto servable_run = ServableRun(request.matches[1]);
             const RunRow& run = *servable_run;
             nlohmann::json card = Predictions().Describe(run);
             card["run_id"] = run.id;
             card["suite"] = run.start.suite;
             card["cell"] = run.start.cell_name;
             SendJson(response, card);
           });
  http.Get(R"(/api/models/([^/]+)/samples/([^/]+))",
           [this](const httplib::Request& request, httplib::Response& response) {
             const auto run = ServableRun(request.matches[1]);
             const std::string index_text = request.matches[2];
             const std::int64_t index = WholeInteger(index_text).value_or(-1);
             if (index < 0) {
               throw ApiError(400, fmt::format("sample '{}' is not an index of the test split (an "
                                               "integer from 0)",
                                               index_text));
             }
             SendJson(response, Predictions().Sample(*run, index));
           });
  http.Post(R"(/api/models/([^/]+)/predict)", [this](const httplib::Request& request,
                                                     httplib::Response& response) {
    const auto run = ServableRun(request.matches[1]);
    ModelInputs inputs;
    if (request.is_multipart_form_data()) {
      if (!request.has_file("image")) {
        throw ApiError(400,
                       "a multipart prediction takes one file field named 'image' (PNG, PGM "
                       "or PPM)");
      }
      const httplib::MultipartFormData file = request.get_file_value("image");
      inputs.images.push_back(
          DecodeImage(file.content, file.filename.empty() ? "the uploaded image" : file.filename,
                      settings.limits));
    } else {
      const std::string type = request.get_header_value("Content-Type");
      if (type.rfind("application/json", 0) != 0) {
        throw ApiError(415, fmt::format("Content-Type '{}': send application/json (or "
                                        "multipart/form-data with an 'image' file)",
                                        type));
      }
      inputs = ParsePredictionJson(request.body, settings.limits);
    }
    SendJson(response, Predictions().Predict(*run, inputs));
  });

  // A 4xx or 5xx without a body (no route, a body over the limit, a
  // malformed request) gets the JSON error shape too.
  http.set_error_handler([](const httplib::Request& request, httplib::Response& response) {
    if (!response.body.empty()) return;
    std::string message;
    switch (response.status) {
      case 404:
        message = fmt::format("no such page or API route: {} {} (docs/serving.md lists them)",
                              request.method, request.path);
        break;
      case 413:
        message = "the request body is larger than the server's limit (--max-body-mib)";
        break;
      case 414:
        message = "the request line is too long";
        break;
      default:
        message = fmt::format("the request was refused with HTTP {}", response.status);
    }
    SendJson(response, ErrorDocument(response.status, message), response.status);
  });
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& response, std::exception_ptr thrown) {
        try {
          std::rethrow_exception(thrown);
        } catch (const ApiError& error) {
          SendJson(response, ErrorDocument(error.status(), error.what()), error.status());
        } catch (const std::exception& error) {
          SendJson(response, ErrorDocument(500, error.what()), 500);
        } catch (...) {
          SendJson(response, ErrorDocument(500, "an unknown error"), 500);
        }
      });
}

ExplorerServer::ExplorerServer(const std::string& store_path, ServeSettings settings,
                               std::shared_ptr<PredictionService> predictions)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.settings = std::move(settings);
  s.store_path = store_path;
  s.models_dir = ModelsFolderOf(store_path);
  s.predictions = std::move(predictions);
  s.store = std::make_unique<ResultsStore>(store_path, StoreAccess::kReadOnly);
  const std::string chart_path =
      s.settings.chart_js_path.empty() ? kChartJsPath : s.settings.chart_js_path;
  try {
    s.chart_js = ReadRegularFile(chart_path, "Chart.js", kMaxChartJsBytes);
  } catch (const std::exception& error) {
    throw std::runtime_error(fmt::format(
        "serve: cannot read Chart.js ({}); install Debian's libjs-chart.js (apt-get install "
        "libjs-chart.js, or scripts/install_deps.sh)",
        error.what()));
  }
  s.http.set_payload_max_length(s.settings.max_body_bytes);
  // The listening socket: SO_REUSEADDR, so a restarted server binds at
  // once; not httplib's default SO_REUSEPORT, which lets a second server
  // share the port (and half the requests) instead of failing to bind.
  s.http.set_socket_options([&s](int fd) {
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    s.listening_fd = fd;
  });
  // Headers and body go out in two writes: without TCP_NODELAY the second
  // waits for the client's delayed ACK, 40 ms on Linux, on every request
  // after a connection's first.
  s.http.set_tcp_nodelay(true);
  // httplib compresses with brotli at its highest quality when a browser
  // offers it, on every response: hundreds of ms for Chart.js or a big
  // suite. gzip costs a few ms; so brotli is taken out of what the request
  // offers (the Request is the server's own, passed const).
  s.http.set_pre_routing_handler([](const httplib::Request& request, httplib::Response&) {
    auto& headers = const_cast<httplib::Headers&>(request.headers);
    const auto it = headers.find("Accept-Encoding");
    if (it != headers.end() && it->second.find("br") != std::string::npos) {
      std::string offered;
      for (const std::string& coding : {"gzip", "deflate"}) {
        if (it->second.find(coding) != std::string::npos) {
          offered += (offered.empty() ? "" : ", ") + coding;
        }
      }
      it->second = offered;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  const int threads = std::max(1, s.settings.threads);
  s.http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.Routes();
}

ExplorerServer::~ExplorerServer() = default;

int ExplorerServer::Bind() {
  State& s = *state_;
  int port = s.settings.port;
  bool bound = false;
  if (port == 0) {
    port = s.http.bind_to_any_port(s.settings.host);
    bound = port > 0;
  } else {
    bound = s.http.bind_to_port(s.settings.host, port);
  }
  // httplib listens with a backlog of 5: clients connecting at once beyond
  // that lose their handshake and stall or fail. Listening again on the
  // bound socket raises it.
  if (bound && s.listening_fd >= 0) ::listen(s.listening_fd, SOMAXCONN);
  if (!bound) {
    throw std::runtime_error(fmt::format(
        "serve: cannot listen on {}:{} (the port is taken, or {} is not an address of this "
        "machine); choose another with --port or --host",
        s.settings.host, s.settings.port, s.settings.host));
  }
  return port;
}

void ExplorerServer::Listen() {
  State& s = *state_;
  s.listen_entered = true;
  if (!s.stop_requested) s.http.listen_after_bind();
  s.listen_entered = false;
}

void ExplorerServer::Stop() {
  State& s = *state_;
  s.stop_requested = true;
  while (s.listen_entered && !s.http.is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  s.http.stop();
}

}  // namespace carbonbench::serve
