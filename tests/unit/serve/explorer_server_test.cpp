// Every route of the server over HTTP on loopback, good and bad requests,
// on a store the test writes and a stand-in for the model side.
#include "serve/explorer_server.h"

#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "serve/api_error.h"
#include "store/results_store.h"
#include "temp_dir_test.h"
#include "unit/report/report_test_util.h"

namespace carbonbench::serve {
namespace {

namespace fs = std::filesystem;

// Answers from the inputs alone, so the test sees what the server passed.
class EchoPredictions : public PredictionService {
 public:
  nlohmann::json Describe(const RunRow& run) override { return {{"described", run.id}}; }
  nlohmann::json Sample(const RunRow& run, std::int64_t index) override {
    return {{"run_id", run.id}, {"index", index}};
  }
  nlohmann::json Predict(const RunRow& run, const ModelInputs& inputs) override {
    ++calls;
    if (!inputs.texts.empty() && inputs.texts[0] == "too long") {
      throw ApiError(400, "text 0 is 300 tokens long; this model reads at most 128");
    }
    return {{"run_id", run.id},
            {"model_path", run.summary.model_path},
            {"inputs", inputs.size()},
            {"images", inputs.images.size()},
            {"width", inputs.images.empty() ? 0 : inputs.images[0].width}};
  }
  std::atomic<int> calls{0};
};

class ExplorerServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_path_ = (fs::path(dir_.path()) / "results" / "store.db").string();
    const fs::path models = fs::path(dir_.path()) / "results" / "models" / "mnist_quick";
    fs::create_directories(models);
    {
      ResultsStore store(store_path_);
      std::vector<RunRow> runs = report_testing::SampleRuns();
      for (std::size_t i = 0; i < runs.size(); ++i) {
        RunRow& run = runs[i];
        // The first run's model is in the models folder; the second's
        // points outside it, as a row written by hand could.
        if (i == 0) {
          run.summary.model_path = (models / "first.pt").string();
          std::ofstream(run.summary.model_path) << "weights";
        } else if (i == 1) {
          run.summary.model_path = (fs::path(dir_.path()) / "elsewhere.pt").string();
          std::ofstream(run.summary.model_path) << "weights";
        }
        const std::int64_t id = store.BeginRun(run.start);
        ids_.push_back(id);
        for (const EpochRecord& epoch : run.epochs) store.AppendEpoch(id, epoch);
        if (run.status == "failed") {
          store.FailRun(id, run.failure_reason, run.summary);
        } else {
          store.FinishRun(id, run.summary);
        }
      }
    }
    ServeSettings settings;
    settings.port = 0;
    settings.max_body_bytes = 64 * 1024;
    // As many as the most clients a test runs at once: a keep-alive
    // connection holds a thread while it is open.
    settings.threads = 16;
    settings.report_options = report_testing::BuiltInOptions();
    chart_path_ = (fs::path(dir_.path()) / "chart.min.js").string();
    std::ofstream(chart_path_) << "/* Chart.js stand-in */";
    settings.chart_js_path = chart_path_;
    predictions_ = std::make_shared<EchoPredictions>();
    server_ = std::make_unique<ExplorerServer>(store_path_, settings, predictions_);
    port_ = server_->Bind();
    thread_ = std::thread([this] { server_->Listen(); });
  }
  void TearDown() override {
    server_->Stop();
    thread_.join();
  }

  // Patient: on a loaded two-core machine a request may wait its turn.
  httplib::Client Client() const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(60);
    return client;
  }

  // GET `path`: the status and the parsed body (which must be JSON).
  std::pair<int, nlohmann::json> Get(const std::string& path) {
    httplib::Client client = Client();
    const auto result = client.Get(path.c_str());
    EXPECT_TRUE(result) << path;
    if (!result) return {0, nullptr};
    return {result->status, nlohmann::json::parse(result->body)};
  }
  std::pair<int, nlohmann::json> Post(const std::string& path, const std::string& body,
                                      const std::string& type = "application/json") {
    httplib::Client client = Client();
    const auto result = client.Post(path.c_str(), body, type.c_str());
    EXPECT_TRUE(result) << path;
    if (!result) return {0, nullptr};
    return {result->status, nlohmann::json::parse(result->body)};
  }
  static std::string Message(const nlohmann::json& body) {
    return body.at("error").at("message").get<std::string>();
  }

  test_support::TempDir dir_;
  std::string store_path_;
  std::string chart_path_;
  std::vector<std::int64_t> ids_;
  std::shared_ptr<EchoPredictions> predictions_;
  std::unique_ptr<ExplorerServer> server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(ExplorerServerTest, ServesThePagesAndChartJsFromTheBinary) {
  httplib::Client client = Client();
  const auto index = client.Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_NE(index->body.find("/static/app.js"), std::string::npos);
  EXPECT_NE(index->body.find("/static/chart.min.js"), std::string::npos);
  EXPECT_EQ(client.Get("/static/app.js")->status, 200);
  EXPECT_EQ(client.Get("/static/style.css")->status, 200);
  const auto chart = client.Get("/static/chart.min.js");
  EXPECT_EQ(chart->body, "/* Chart.js stand-in */");
}

TEST_F(ExplorerServerTest, RevalidatesPagesByETagAndCompressesWithGzipNotBrotli) {
  httplib::Client client = Client();
  const auto first = client.Get("/static/app.js");
  ASSERT_TRUE(first);
  const std::string etag = first->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  const auto again = client.Get("/static/app.js", {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  EXPECT_EQ(client.Get("/static/app.js", {{"If-None-Match", "\"other\""}})->status, 200);

  client.set_decompress(false);
  const auto compressed =
      client.Get("/api/suites/mnist_quick", {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_TRUE(compressed);
  EXPECT_EQ(compressed->status, 200);
  EXPECT_EQ(compressed->get_header_value("Content-Encoding"), "gzip");
}

TEST_F(ExplorerServerTest, ListsSuitesWithTheirState) {
  const auto [status, body] = Get("/api/suites");
  ASSERT_EQ(status, 200);
  ASSERT_EQ(body["suites"].size(), 1u);
  EXPECT_EQ(body["suites"][0]["name"], "mnist_quick");
  EXPECT_EQ(body["suites"][0]["cells_failed"], 1);
  EXPECT_EQ(body["suites"][0]["cells_running"], 0);
}

TEST_F(ExplorerServerTest, ShowsARunningCellLiveWhileASuiteWritesTheStore) {
  ResultsStore writer(store_path_);
  RunStart start = report_testing::SampleRuns().front().start;
  start.repetition = 5;
  const std::int64_t id = writer.BeginRun(start);
  writer.AppendEpoch(id, report_testing::SampleRuns().front().epochs.front());
  const auto [status, body] = Get("/api/suites");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(body["suites"][0]["runs_running"], 1);
  EXPECT_EQ(body["suites"][0]["cells_running"], 1);
  const auto [run_status, run] = Get("/api/runs/" + std::to_string(id) + "/epochs");
  EXPECT_EQ(run_status, 200);
  EXPECT_EQ(run["status"], "running");
  EXPECT_EQ(run["epochs"].size(), 1u);
}

TEST_F(ExplorerServerTest, GivesASuiteForEachObjectiveAndRefusesBadOnes) {
  const auto [status, body] = Get("/api/suites/mnist_quick?objective=co2&target=50");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(body["objective"], "co2");
  EXPECT_EQ(body["leaderboards"][0]["target_accuracy_percent"], 50);
  EXPECT_FALSE(body["pareto"].empty());
  EXPECT_FALSE(body["recommendations"].empty());

  const auto [bad_objective, objective_error] = Get("/api/suites/mnist_quick?objective=speed");
  EXPECT_EQ(bad_objective, 400);
  EXPECT_NE(Message(objective_error).find("acc_per_kwh"), std::string::npos);
  EXPECT_EQ(Get("/api/suites/mnist_quick?target=101").first, 400);
  EXPECT_EQ(Get("/api/suites/mnist_quick?target=abc").first, 400);
  const auto [missing, missing_error] = Get("/api/suites/nope");
  EXPECT_EQ(missing, 404);
  EXPECT_NE(Message(missing_error).find("no suite 'nope'"), std::string::npos);
}

TEST_F(ExplorerServerTest, GivesCellsRunsEpochsAndTheRenderedReport) {
  const auto [suite_status, suite] = Get("/api/suites/mnist_quick");
  ASSERT_EQ(suite_status, 200);
  // The test's hashes hold a '/', sent escaped.
  std::string hash = suite["cells"][0]["config_hash"];
  hash.replace(hash.find('/'), 1, "%2F");
  const auto [cell_status, cell] = Get("/api/suites/mnist_quick/cells/" + hash);
  ASSERT_EQ(cell_status, 200);
  EXPECT_FALSE(cell["runs"].empty());
  EXPECT_EQ(Get("/api/suites/mnist_quick/cells/unknown").first, 404);

  const auto [run_status, run] = Get("/api/runs/" + std::to_string(ids_[0]));
  ASSERT_EQ(run_status, 200);
  EXPECT_EQ(run["run_id"], ids_[0]);
  EXPECT_TRUE(run.contains("measurement"));
  EXPECT_EQ(Get("/api/runs/" + std::to_string(ids_[0]) + "/epochs").second["epochs"].size(), 2u);
  EXPECT_EQ(Get("/api/runs/999").first, 404);
  EXPECT_EQ(Get("/api/runs/abc").first, 400);
  EXPECT_EQ(Get("/api/runs/-1").first, 400);

  const auto [report_status, report] = Get("/api/suites/mnist_quick/report");
  ASSERT_EQ(report_status, 200);
  EXPECT_NE(report["markdown"].get<std::string>().find("## Leaderboard"), std::string::npos);
  EXPECT_NE(report["html"].get<std::string>().find("<table>"), std::string::npos);
}

TEST_F(ExplorerServerTest, ServesModelsOnlyFromTheModelsFolderBesideTheStore) {
  const auto [status, body] = Get("/api/models");
  ASSERT_EQ(status, 200);
  ASSERT_EQ(body["models"].size(), 1u) << body.dump();
  EXPECT_EQ(body["models"][0]["run_id"], ids_[0]);

  const auto [ok, prediction] =
      Post("/api/models/" + std::to_string(ids_[0]) + "/predict", R"({"samples": [1, 2]})");
  EXPECT_EQ(ok, 200);
  EXPECT_EQ(prediction["inputs"], 2);
  EXPECT_EQ(fs::path(prediction["model_path"].get<std::string>()).filename(), "first.pt");

  const auto [outside, outside_error] =
      Post("/api/models/" + std::to_string(ids_[1]) + "/predict", R"({"samples": [1]})");
  EXPECT_EQ(outside, 404);
  EXPECT_NE(Message(outside_error).find("outside the models folder"), std::string::npos);
  EXPECT_EQ(Post("/api/models/999/predict", R"({"samples": [1]})").first, 404);
  EXPECT_EQ(Get("/api/models/" + std::to_string(ids_[0]) + "/samples/3").second["index"], 3);
  EXPECT_EQ(Get("/api/models/" + std::to_string(ids_[0]) + "/samples/x").first, 400);
}

TEST_F(ExplorerServerTest, RefusesBadPredictionsWithJsonErrorsAndStaysUp) {
  const std::string path = "/api/models/" + std::to_string(ids_[0]) + "/predict";
  EXPECT_EQ(Post(path, "{broken").first, 400);
  const auto [type, type_error] = Post(path, R"({"samples": [1]})", "text/plain");
  EXPECT_EQ(type, 415);
  EXPECT_NE(Message(type_error).find("application/json"), std::string::npos);
  const auto [model, model_error] = Post(path, R"({"text": "too long"})");
  EXPECT_EQ(model, 400);
  EXPECT_NE(Message(model_error).find("at most 128"), std::string::npos);
  const auto [big, big_error] = Post(path, std::string(100 * 1024, ' '));
  EXPECT_EQ(big, 413);
  EXPECT_NE(Message(big_error).find("limit"), std::string::npos);
  const auto [route, route_error] = Get("/api/nothing");
  EXPECT_EQ(route, 404);
  EXPECT_NE(Message(route_error).find("/api/nothing"), std::string::npos);
  // Still serving.
  EXPECT_EQ(Get("/api/suites").first, 200);
}

TEST_F(ExplorerServerTest, TakesAnImageUploadAndRefusesAnotherFormat) {
  const std::string path = "/api/models/" + std::to_string(ids_[0]) + "/predict";
  httplib::Client client = Client();
  const httplib::MultipartFormDataItems pgm = {
      {"image", std::string("P5 3 2 255\n") + "abcdef", "digit.pgm", "image/x-portable-graymap"}};
  const auto ok = client.Post(path.c_str(), pgm);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(nlohmann::json::parse(ok->body)["width"], 3);
  const httplib::MultipartFormDataItems gif = {{"image", "GIF89a", "cat.gif", "image/gif"}};
  const auto refused = client.Post(path.c_str(), gif);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 415);
  EXPECT_NE(refused->body.find("cat.gif"), std::string::npos);
  const httplib::MultipartFormDataItems none = {{"file", "x", "x.txt", "text/plain"}};
  EXPECT_EQ(client.Post(path.c_str(), none)->status, 400);
}

TEST_F(ExplorerServerTest, AnswersConcurrentClientsCorrectly) {
  const std::string path = "/api/models/" + std::to_string(ids_[0]) + "/predict";
  std::atomic<int> good{0};
  std::mutex failures_mutex;
  std::vector<std::string> failures;
  std::vector<std::thread> clients;
  for (int c = 0; c < 16; ++c) {
    clients.emplace_back([&, c] {
      httplib::Client client = Client();
      for (int i = 0; i < 10; ++i) {
        const auto result =
            (c + i) % 2 == 0
                ? client.Post(path.c_str(), R"({"samples": [1, 2, 3]})", "application/json")
                : client.Get("/api/suites/mnist_quick");
        if (result && result->status == 200) {
          ++good;
        } else {
          std::lock_guard<std::mutex> lock(failures_mutex);
          failures.push_back(result ? std::to_string(result->status) + " " + result->body
                                    : httplib::to_string(result.error()));
        }
      }
    });
  }
  for (std::thread& thread : clients) thread.join();
  EXPECT_EQ(good.load(), 160) << (failures.empty() ? "" : failures.front());
  EXPECT_EQ(predictions_->calls.load(), 80);
}

TEST_F(ExplorerServerTest, ASecondServerOnTheSamePortFailsToBindNamingIt) {
  ServeSettings settings;
  settings.port = port_;
  settings.chart_js_path = chart_path_;
  ExplorerServer second(store_path_, settings, nullptr);
  try {
    second.Bind();
    FAIL() << "a second server bound port " << port_;
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(":" + std::to_string(port_)), std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find("--port"), std::string::npos);
  }
}

TEST(ExplorerServerOpenTest, RefusesAMissingStoreOrChartJsNamingTheFix) {
  test_support::TempDir dir;
  ServeSettings settings;
  try {
    ExplorerServer server((fs::path(dir.path()) / "none.db").string(), settings, nullptr);
    FAIL() << "a missing store was opened";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("no such file"), std::string::npos) << error.what();
  }
  const std::string store = (fs::path(dir.path()) / "store.db").string();
  { ResultsStore create(store); }
  settings.chart_js_path = (fs::path(dir.path()) / "missing.js").string();
  try {
    ExplorerServer server(store, settings, nullptr);
    FAIL() << "a missing Chart.js was accepted";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("libjs-chart.js"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace carbonbench::serve
