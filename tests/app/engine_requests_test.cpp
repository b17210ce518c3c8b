// The engine protocol's requests (core/engine/requests.h) against the real tiltbench-cli: each request's
// arguments are accepted, do what they say, and what the run records reads back as what was asked — the
// round trip request → arguments → CLI options → run record. Every SASRec setting of the one table
// (sasrecSettings) is set away from its default, so an option the CLI binds differently, or a key the record
// spells differently, fails here.
#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>
#include <sstream>
#include <variant>

#include "engine/protocol.h"
#include "engine/requests.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "support/cli_json.h"
#include "support/test_support.h"

namespace tiltbench {
namespace {

using test::runCli;
using test::TempDir;

std::string makeSimWorkspace(TempDir& dir) {
    const std::string ws = dir.file("w.sqlite");
    const auto r = runCli({"generate", "-w", ws, "-n", "sim", "--users", "50", "--items", "120",
                           "--interactions", "1500", "--seed", "3"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    return ws;
}

// The events on stderr, in order (log lines left out).
std::vector<engine::Event> eventsOf(const std::string& stderrText) {
    std::vector<engine::Event> out;
    std::istringstream lines(stderrText);
    std::string line;
    while (std::getline(lines, line)) {
        const engine::ParsedLine parsed = engine::parseLine(line);
        if (parsed.event)
            out.push_back(*parsed.event);
    }
    return out;
}

std::string configOf(const std::string& ws, int64_t runId) {
    Workspace w(ws, OpenMode::ReadOnly);
    return RunStore(w).run(runId).config;
}

TEST(EngineRequests, AClosedFormTrainRequestIsRecordedAsAsked) {
    TempDir dir;
    engine::TrainRequest r;
    r.workspace = makeSimWorkspace(dir);
    r.model = "markov";
    r.run.dataset = "sim";
    r.run.scheme = WeightScheme::exp(0.375);
    r.run.scheme.normalization = WeightNormalization::None;
    r.run.scheme.clip = 7.5;
    r.run.split.kind = SplitKind::Time;
    r.run.ks = {5, 10};
    r.run.bootstrapResamples = 40;
    r.run.threads = 1;
    r.seed = 11;
    r.params.markovSmoothing = 2.5;
    const auto result = runCli(r.arguments());
    const nlohmann::json reply = test::parseJson(result);
    const engine::Reply parsedReply = engine::parseReply(result.out);
    EXPECT_TRUE(parsedReply.valid);
    EXPECT_TRUE(parsedReply.error.empty());

    const auto events = eventsOf(result.err);
    ASSERT_GE(events.size(), 2u) << result.err;
    ASSERT_TRUE(std::holds_alternative<engine::FinishedEvent>(events.back()));
    EXPECT_EQ(std::get<engine::FinishedEvent>(events.back()).status, engine::FinishedEvent::Status::Done);
    const int64_t runId = reply.at("run_id").get<int64_t>();
    EXPECT_EQ(std::get<engine::FinishedEvent>(events.back()).runId, runId);

    const ClosedFormRunConfig recorded = ClosedFormRunConfig::fromJson(configOf(r.workspace, runId));
    const ClosedFormRunConfig asked = r.closedFormConfig();
    EXPECT_EQ(recorded.toJson(), asked.toJson());  // every recorded field, one comparison
    EXPECT_EQ(recorded.seed, 11u);
    EXPECT_EQ(recorded.split.kind, SplitKind::Time);
    EXPECT_DOUBLE_EQ(recorded.scheme.lambda, 0.375);
    EXPECT_DOUBLE_EQ(recorded.params.markovSmoothing, 2.5);
}

TEST(EngineRequests, EverySasrecSettingTravelsFromTheRequestToTheRunRecord) {
    TempDir dir;
    engine::TrainRequest r;
    r.workspace = makeSimWorkspace(dir);
    r.model = "sasrec";
    r.run.dataset = "sim";
    r.run.scheme = WeightScheme::exp(0.5);
    r.run.bootstrapResamples = 0;
    r.run.threads = 1;
    r.seed = 9;
    // Each setting away from its default (the test fails if a new one is added without a value here).
    SasrecRunConfig& c = r.run;
    c.epochs = 1;
    c.batchSize = 17;
    c.lengthBuckets = true;
    c.lr = 0.0025;
    c.weightDecay = 0.0001;
    c.dim = 8;
    c.blocks = 1;
    c.heads = 2;
    c.maxLen = 12;
    c.dropout = 0.125;
    c.patience = 3;
    c.device = "cpu";
    c.precision = "fp32";
    c.select = "ndcg_high@10";
    c.objective = "ppo";  // post-trains the parent below against the reward model below
    c.dpoBeta = 0.25;
    c.dpoPairs = 2;
    c.ppoSamples = 3;
    c.ppoClip = 0.1;
    c.klBeta = 0.5;
    c.ppoEpochs = 1;
    c.loss = "sampled";  // recorded; ppo keeps its own loss
    c.negatives = "uniform";
    c.numNegatives = 9;
    c.validUsers = 50;
    c.highThreshold = 4.0;  // a shared field (RunConfigBase), not a row of the table
    {                       // --init-from needs a finished parent of the same architecture
        engine::TrainRequest parent = r;
        parent.run.initFrom = 0;
        parent.run.objective = "weighted";
        const nlohmann::json done = test::parseJson(runCli(parent.arguments()));
        c.initFrom = done.at("run_id").get<int64_t>();
    }
    {  // --reward-source needs a reward-model run of the same dataset and split
        const nlohmann::json fitted = test::parseJson(
            runCli({"reward", "-w", r.workspace, "-d", "sim", "-m", "bias", "--bootstrap", "0", "--json"}));
        c.rewardSource = "model:" + std::to_string(fitted.at("runs").at(0).at("run_id").get<int64_t>());
    }
    const SasrecRunConfig defaults;
    for (const SasrecSetting& s : sasrecSettings()) {
        EXPECT_NE(sasrecSettingText(s, c), sasrecSettingText(s, defaults))
            << s.option << " is at its default: give it another value in this test";
    }
    const auto result = runCli(r.arguments());
    const nlohmann::json reply = test::parseJson(result);
    ASSERT_TRUE(reply.contains("run_id")) << result.err;
    const SasrecRunConfig recorded = SasrecRunConfig::fromJson(configOf(r.workspace, reply.at("run_id")));
    for (const SasrecSetting& s : sasrecSettings())
        EXPECT_EQ(sasrecSettingText(s, recorded), sasrecSettingText(s, c)) << s.option;
    EXPECT_EQ(recorded.seed, 9u);
    ASSERT_TRUE(recorded.highThreshold.has_value());
    EXPECT_DOUBLE_EQ(*recorded.highThreshold, 4.0);
    EXPECT_DOUBLE_EQ(recorded.scheme.lambda, 0.5);

    // The stream: the run first, then progress and the epoch, `finished` last with the epoch recorded.
    const auto events = eventsOf(result.err);
    ASSERT_GE(events.size(), 3u) << result.err;
    ASSERT_TRUE(std::holds_alternative<engine::RunEvent>(events.front()));
    EXPECT_EQ(std::get<engine::RunEvent>(events.front()).runId, reply.at("run_id").get<int64_t>());
    ASSERT_TRUE(std::holds_alternative<engine::FinishedEvent>(events.back()));
    EXPECT_EQ(std::get<engine::FinishedEvent>(events.back()).epochsDone, 1);
    int epochs = 0;
    for (const auto& e : events) {
        if (const auto* epoch = std::get_if<engine::EpochEvent>(&e)) {
            ++epochs;
            // A post-training run's epoch carries the proxy and true reward of its top-10 and its KL.
            EXPECT_TRUE(std::isfinite(epoch->validProxyReward10));
            EXPECT_TRUE(std::isfinite(epoch->validTrueReward10));
            EXPECT_GE(epoch->validKlRef, 0.0);
        }
    }
    EXPECT_EQ(epochs, 1);
}

TEST(EngineRequests, SweepEvalExportRecommendAndRuntimeDoWhatTheySay) {
    TempDir dir;
    engine::SweepRequest sweep;
    sweep.train.workspace = makeSimWorkspace(dir);
    sweep.train.model = "popularity";
    sweep.train.run.dataset = "sim";
    sweep.train.run.bootstrapResamples = 0;
    sweep.lambdas = {0.25, 2.0};
    sweep.schemes = {"exp", "uniform"};
    const nlohmann::json swept = test::parseJson(runCli(sweep.arguments()));
    ASSERT_EQ(swept.at("runs").size(), 3u) << swept.dump();
    const int64_t runId = swept.at("runs").at(0).at("run_id").get<int64_t>();

    engine::EvalRequest eval;
    eval.workspace = sweep.train.workspace;
    eval.runId = runId;
    eval.topCounts = true;
    const nlohmann::json evaluated = test::parseJson(runCli(eval.arguments()));
    EXPECT_EQ(evaluated.at("run_id").get<int64_t>(), runId);
    EXPECT_EQ(evaluated.at("top_counts").at("k").get<int>(), 10);

    engine::ExportRequest exportRequest;
    exportRequest.workspace = sweep.train.workspace;
    exportRequest.runId = runId;
    exportRequest.format = "topk-csv";
    exportRequest.outPath = dir.file("top.csv");
    exportRequest.k = 3;
    const auto exported = runCli(exportRequest.arguments());
    EXPECT_EQ(test::parseJson(exported).at("users").get<int>(), 50);
    const auto events = eventsOf(exported.err);
    ASSERT_FALSE(events.empty()) << exported.err;
    ASSERT_TRUE(std::holds_alternative<engine::FinishedEvent>(events.back()));
    const auto& finished = std::get<engine::FinishedEvent>(events.back());
    EXPECT_EQ(finished.files, std::vector<std::string>{exportRequest.outPath});
    EXPECT_EQ(finished.users, 50);

    engine::RecommendRequest recommend;
    recommend.workspace = sweep.train.workspace;
    recommend.runId = runId;
    recommend.user = "u1";
    recommend.k = 4;
    const nlohmann::json recommended = test::parseJson(runCli(recommend.arguments()));
    EXPECT_EQ(recommended.at("items").size(), 4u);

    const nlohmann::json runtime = test::parseJson(runCli(engine::RuntimeRequest().arguments()));
    EXPECT_TRUE(runtime.contains("torch_version"));

    // A failing request: the reply says why, and so does the stream's `finished`.
    engine::TrainRequest missing;
    missing.workspace = sweep.train.workspace;
    missing.model = "markov";
    missing.run.dataset = "nope";
    const auto failed = runCli(missing.arguments());
    EXPECT_EQ(failed.exitCode, 1);
    const engine::Reply reply = engine::parseReply(failed.out);
    EXPECT_NE(reply.error.find("nope"), std::string::npos) << failed.out;
}

}  // namespace
}  // namespace tiltbench
