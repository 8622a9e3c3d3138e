// `carbonbench serve` on the real binary: stored runs of an image, a text
// and a series model, predictions through HTTP prepared as the training
// data was, every refusal a JSON 4xx that leaves the server up, concurrent
// clients, a store left untouched, and a clean stop on SIGTERM.
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cmath>
#include <regex>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e_util.h"
#include "store/results_store.h"

namespace carbonbench::e2e {
namespace {

class ServeEndToEnd : public EndToEnd {
 protected:
  void TearDown() override {
    if (server_ > 0) {
      kill(server_, SIGKILL);
      waitpid(server_, nullptr, 0);
    }
    EndToEnd::TearDown();
  }

  // Starts the server on a free port and waits until it answers.
  void Serve() {
    const fs::path log = root_ / "serve.log";
    server_ = StartInBackground(std::string(CARBONBENCH_BINARY) + " --store " +
                                    (root_ / "results.db").string() + " serve --port 0 --threads 1",
                                log);
    const std::regex listening(R"(http://127\.0\.0\.1:(\d+)/)");
    for (int i = 0; i < 200 && port_ == 0; ++i) {
      std::smatch match;
      const std::string text = fs::exists(log) ? ReadFile(log) : "";
      if (std::regex_search(text, match, listening)) port_ = std::stoi(match[1]);
      if (port_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_NE(port_, 0) << ReadFile(log);
  }

  // Ends the server with SIGTERM: it must stop cleanly.
  void Stop() {
    ASSERT_EQ(kill(server_, SIGTERM), 0);
    int status = 0;
    ASSERT_EQ(waitpid(server_, &status, 0), server_);
    server_ = 0;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ReadFile(root_ / "serve.log");
  }

  std::pair<int, nlohmann::json> Get(const std::string& path) const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(120);
    const auto result = client.Get(path.c_str());
    if (!result) return {0, nullptr};
    return {result->status, nlohmann::json::parse(result->body)};
  }
  std::pair<int, nlohmann::json> Post(const std::string& path, const nlohmann::json& body) const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(120);
    const auto result = client.Post(path.c_str(), body.dump(), "application/json");
    if (!result) return {0, nullptr};
    return {result->status, nlohmann::json::parse(result->body)};
  }
  static std::string Message(const nlohmann::json& body) {
    return body.at("error").at("message").get<std::string>();
  }
  // The only saved model's run id.
  std::string OnlyModel() const {
    const auto [status, body] = Get("/api/models");
    EXPECT_EQ(status, 200);
    EXPECT_EQ(body["models"].size(), 1u) << body.dump();
    return std::to_string(body["models"][0]["run_id"].get<std::int64_t>());
  }

  pid_t server_ = 0;
  int port_ = 0;
};

TEST_F(ServeEndToEnd, PredictsOnImagesAsTrainedAndRefusesBadOnesWithoutStopping) {
  const fs::path suite = WriteSuite("served", R"(defaults:
  model: cnn
  epochs: 2
  batch_size: 32
  lr: 0.01
  threads: 1
  cnn: {channels: 4, hidden: 16}
inference: {batch_sizes: [1], min_time_s: 0.05, min_iterations: 5, warmup_iterations: 1}
carbon: {region: FR}
)");
  const CommandResult run = RunCarbonbench(RunSuite(suite));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string store_before = ReadFile(root_ / "results.db");
  Serve();
  const std::string id = OnlyModel();

  const auto [card_status, card] = Get("/api/models/" + id);
  ASSERT_EQ(card_status, 200) << card.dump();
  EXPECT_EQ(card["input"], "image");
  EXPECT_EQ(card["input_shape"], nlohmann::json({1, 12, 12}));
  EXPECT_EQ(card["test_size"], 128);

  const auto [sample_status, sample] = Get("/api/models/" + id + "/samples/3");
  ASSERT_EQ(sample_status, 200) << sample.dump();
  ASSERT_EQ(sample["pixels"].size(), 144u);

  const auto [by_index_status, by_index] = Post("/api/models/" + id + "/predict", {{"sample", 3}});
  ASSERT_EQ(by_index_status, 200) << by_index.dump();
  const nlohmann::json& prediction = by_index["predictions"][0];
  EXPECT_EQ(prediction["label"], sample["label"]);
  double total = 0;
  for (const auto& p : prediction["probabilities"]) total += p["p"].get<double>();
  EXPECT_NEAR(total, 1.0, 1e-4);
  EXPECT_GT(by_index["latency_ms"].get<double>(), 0);
  EXPECT_GE(by_index["energy_wh"].get<double>(), 0);
  EXPECT_EQ(by_index["energy_provenance"], "estimated");
  EXPECT_NE(by_index["energy_method"].get<std::string>().find("cpu:"), std::string::npos);
  EXPECT_EQ(by_index["region"], "FRA");

  // The same pixels sent as an image are prepared as training prepared the
  // test split: the same probabilities.
  const nlohmann::json image = {
      {"width", 12}, {"height", 12}, {"channels", 1}, {"pixels", sample["pixels"]}};
  const auto [by_pixels_status, by_pixels] =
      Post("/api/models/" + id + "/predict", {{"image", image}});
  ASSERT_EQ(by_pixels_status, 200) << by_pixels.dump();
  EXPECT_EQ(by_pixels["predictions"][0]["class"], prediction["class"]);
  EXPECT_NEAR(by_pixels["predictions"][0]["probabilities"][0]["p"].get<double>(),
              prediction["probabilities"][0]["p"].get<double>(), 0.02);

  // And as an uploaded PGM file.
  std::string pgm = "P5\n12 12\n255\n";
  for (const auto& value : sample["pixels"]) pgm.push_back(static_cast<char>(value.get<int>()));
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(120);
  const auto upload = client.Post(
      ("/api/models/" + id + "/predict").c_str(),
      httplib::MultipartFormDataItems{{"image", pgm, "sample.pgm", "image/x-portable-graymap"}});
  ASSERT_TRUE(upload);
  ASSERT_EQ(upload->status, 200) << upload->body;
  EXPECT_EQ(nlohmann::json::parse(upload->body)["predictions"][0]["class"], prediction["class"]);

  // Refusals: each a JSON 4xx naming the problem.
  nlohmann::json wrong_size = {
      {"width", 28}, {"height", 28}, {"channels", 1}, {"pixels", std::vector<int>(28 * 28, 0)}};
  const auto [size_status, size_error] =
      Post("/api/models/" + id + "/predict", {{"image", wrong_size}});
  EXPECT_EQ(size_status, 400);
  EXPECT_NE(Message(size_error).find("takes 12x12"), std::string::npos) << size_error.dump();
  const auto [text_status, text_error] = Post("/api/models/" + id + "/predict", {{"text", "hi"}});
  EXPECT_EQ(text_status, 400);
  EXPECT_NE(Message(text_error).find("not texts"), std::string::npos);
  const auto [range_status, range_error] =
      Post("/api/models/" + id + "/predict", {{"sample", 9999}});
  EXPECT_EQ(range_status, 400);
  EXPECT_NE(Message(range_error).find("holds 128"), std::string::npos);
  EXPECT_EQ(Post("/api/models/12345/predict", {{"sample", 1}}).first, 404);
  EXPECT_EQ(Get("/api/models/" + id + "/samples/128").first, 400);

  // Concurrent clients: every prediction answered, none lost.
  std::atomic<int> answered{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; i < 5; ++i) {
        if (Post("/api/models/" + id + "/predict", {{"samples", {c, i}}}).first == 200) ++answered;
      }
    });
  }
  for (std::thread& thread : clients) thread.join();
  EXPECT_EQ(answered.load(), 40);

  EXPECT_EQ(Get("/api/suites").first, 200);
  Stop();
  // Serving read-only left the store's file as it was.
  EXPECT_EQ(ReadFile(root_ / "results.db"), store_before);
}

TEST_F(ServeEndToEnd, PredictsOnTextsAndRefusesOneLongerThanTheModelReads) {
  const fs::path corpus = root_ / "corpus";
  WriteTwoTopicCorpus(corpus);
  const fs::path suite = root_ / "text.yaml";
  std::ofstream(suite)
      << "suite: text\n"
      << "dataset: {name: text_folder, path: " << corpus.string()
      << ", max_length: 16, test_fraction: 0.25}\n"
      << "defaults: {model: bert, epochs: 2, batch_size: 8, lr: 0.001, threads: 1}\n"
      << "inference: {batch_sizes: [1], min_time_s: 0.05, min_iterations: 2}\n"
      << "carbon: {region: FR}\n";
  const CommandResult run = RunCarbonbench(RunSuite(suite));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  Serve();
  const std::string id = OnlyModel();
  const auto [card_status, card] = Get("/api/models/" + id);
  ASSERT_EQ(card_status, 200) << card.dump();
  EXPECT_EQ(card["input"], "text");
  EXPECT_EQ(card["max_length"], 16);

  const auto [sample_status, sample] = Get("/api/models/" + id + "/samples/0");
  ASSERT_EQ(sample_status, 200);
  EXPECT_NE(sample["text"].get<std::string>().find("number"), std::string::npos) << sample.dump();

  const auto [status, body] =
      Post("/api/models/" + id + "/predict", {{"texts", {"the rocket launch", "the bread oven"}}});
  ASSERT_EQ(status, 200) << body.dump();
  ASSERT_EQ(body["predictions"].size(), 2u);
  EXPECT_EQ(body["batch_size"], 2);
  for (const auto& prediction : body["predictions"]) {
    const std::string predicted = prediction["class"];
    EXPECT_TRUE(predicted == "space" || predicted == "kitchen") << predicted;
  }
  const auto [long_status, long_error] =
      Post("/api/models/" + id + "/predict",
           {{"text",
             "the rocket orbit planet moon launch star the bread oven butter soup recipe salt "
             "and one more sentence of words"}});
  EXPECT_EQ(long_status, 400);
  EXPECT_NE(Message(long_error).find("at most 16"), std::string::npos) << long_error.dump();
  EXPECT_EQ(Post("/api/models/" + id + "/predict", {{"values", {1, 2}}}).first, 400);
  Stop();
}

TEST_F(ServeEndToEnd, ForecastsAWindowInTheSeriesUnits) {
  const fs::path csv = root_ / "series.csv";
  {
    std::ofstream out(csv);
    out << "date,value\n";
    for (int i = 0; i < 200; ++i) out << 20000101 + i << "," << 300.0 + 0.1 * i + (i % 4) << "\n";
  }
  const CommandResult run = RunCarbonbench(
      Common() + " train --model linear --dataset timeseries_csv --dataset_path " + csv.string() +
      " --set dataset.window=8 --epochs 3 --batch_size 16 --lr 0.01 --threads 1 --region FR");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  Serve();
  const std::string id = OnlyModel();
  const auto [sample_status, sample] = Get("/api/models/" + id + "/samples/2");
  ASSERT_EQ(sample_status, 200) << sample.dump();
  ASSERT_EQ(sample["values"].size(), 8u);
  EXPECT_GT(sample["values"][0].get<double>(), 290);  // in the series' units

  const auto [by_index_status, by_index] = Post("/api/models/" + id + "/predict", {{"sample", 2}});
  ASSERT_EQ(by_index_status, 200) << by_index.dump();
  const auto [by_values_status, by_values] =
      Post("/api/models/" + id + "/predict", {{"values", sample["values"]}});
  ASSERT_EQ(by_values_status, 200) << by_values.dump();
  EXPECT_NEAR(by_values["predictions"][0]["value"].get<double>(),
              by_index["predictions"][0]["value"].get<double>(), 1e-3);
  EXPECT_GT(by_values["predictions"][0]["value"].get<double>(), 250);
  const auto [short_status, short_error] =
      Post("/api/models/" + id + "/predict", {{"values", {300, 301}}});
  EXPECT_EQ(short_status, 400);
  EXPECT_NE(Message(short_error).find("exactly 8"), std::string::npos);
  Stop();
}

}  // namespace
}  // namespace carbonbench::e2e
