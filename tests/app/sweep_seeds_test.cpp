// Issue 15's sweep protocol through the real CLI: `sweep --init-from sft --seeds …` trains one SFT parent per
// seed (or reuses a finished one with the same settings), post-trains every configuration of that seed from
// it, and summarises each configuration as its mean over seeds and its paired difference against the uniform
// (λ = ∞) post-training run of the same seed — checked here against a direct computation from the per-user
// values the workspace stores.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "engine/requests.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "support/cli_json.h"
#include "support/test_support.h"
#include "train/sasrec_run_config.h"

namespace tiltbench {
namespace {

using test::runCli;
using test::TempDir;

engine::SweepRequest tinySeededSweep(const std::string& ws) {
    engine::SweepRequest s;
    s.train.workspace = ws;
    s.train.model = "sasrec";
    SasrecRunConfig& c = s.train.run;
    c.dataset = "sim";
    c.dim = 8;
    c.blocks = 1;
    c.heads = 1;
    c.maxLen = 12;
    c.epochs = 1;
    c.patience = 0;
    c.batchSize = 32;
    c.device = "cpu";
    c.threads = 1;
    c.bootstrapResamples = 50;
    s.lambdas = {WeightScheme::kInfinity, 0.5};
    s.schemes = {"exp"};
    s.seeds = {3, 4};
    s.sftParents = true;
    s.sftEpochs = 2;
    s.sftLr = 0.005;
    s.sftPatience = 0;
    return s;
}

TEST(SeededSweep, PostTrainsEachSeedFromItsOwnSftParentAndPairsAgainstItsBaseline) {
    TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    ASSERT_EQ(runCli({"generate", "-w", ws, "-n", "sim", "--users", "60", "--items", "80", "--interactions",
                      "1200", "--seed", "5"})
                  .exitCode,
              0);
    const engine::SweepRequest request = tinySeededSweep(ws);
    const auto result = runCli(request.arguments());
    ASSERT_EQ(result.exitCode, 0) << result.err;
    const nlohmann::json sweep = test::parseJson(result);

    // One parent per seed, trained by this sweep: uniform weights, the SFT budget, from scratch.
    ASSERT_EQ(sweep.at("parents").size(), 2u) << sweep.dump();
    std::map<uint64_t, int64_t> parentOf;
    Workspace w(ws, OpenMode::ReadOnly);
    const RunStore store(w);
    for (const auto& p : sweep.at("parents")) {
        EXPECT_FALSE(p.at("reused").get<bool>());
        const int64_t id = p.at("run_id").get<int64_t>();
        parentOf[p.at("seed").get<uint64_t>()] = id;
        const SasrecRunConfig c = SasrecRunConfig::fromJson(store.run(id).config);
        EXPECT_EQ(c.scheme.kind, WeightKind::Uniform);
        EXPECT_EQ(c.epochs, 2);
        EXPECT_DOUBLE_EQ(c.lr, 0.005);
        EXPECT_EQ(c.initFrom, 0);
        EXPECT_EQ(c.seed, p.at("seed").get<uint64_t>());
    }
    // Every configuration of a seed starts from that seed's parent, with the sweep's own budget.
    ASSERT_EQ(sweep.at("runs").size(), 4u);
    std::map<std::pair<uint64_t, std::string>, int64_t> runOf;  // (seed, lambda) → run
    for (const auto& r : sweep.at("runs")) {
        const uint64_t seed = r.at("seed").get<uint64_t>();
        const int64_t id = r.at("run_id").get<int64_t>();
        EXPECT_EQ(r.at("parent_run_id").get<int64_t>(), parentOf.at(seed));
        const SasrecRunConfig c = SasrecRunConfig::fromJson(store.run(id).config);
        EXPECT_EQ(c.initFrom, parentOf.at(seed));
        EXPECT_EQ(c.seed, seed);
        EXPECT_EQ(c.epochs, 1);
        runOf[{seed, r.at("lambda").get<std::string>()}] = id;
    }

    // The summary's difference is the mean over seeds of each seed's paired mean difference on test targets.
    const auto& rows = sweep.at("summary").at("rows");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_TRUE(rows[0].at("baseline").get<bool>());
    const auto& cell = rows[1].at("metrics").at("ndcg@10");
    double expected = 0.0;
    for (const uint64_t seed : {3u, 4u}) {
        auto values = [&](int64_t run) {
            for (const PerUserMetric& m : store.perUserMetrics(run)) {
                if (m.split == "test" && m.name == "ndcg@10")
                    return m.values;
            }
            ADD_FAILURE() << "run " << run << " stored no per-user test ndcg@10";
            return std::vector<double>{};
        };
        const auto a = values(runOf.at({seed, "0.5"}));
        const auto b = values(runOf.at({seed, "inf"}));
        ASSERT_EQ(a.size(), b.size());
        double sum = 0.0;
        int n = 0;
        for (size_t u = 0; u < a.size(); ++u) {
            if (!std::isnan(a[u]) && !std::isnan(b[u])) {
                sum += a[u] - b[u];
                ++n;
            }
        }
        ASSERT_GT(n, 0);
        expected += sum / n / 2.0;
    }
    EXPECT_NEAR(cell.at("diff").get<double>(), expected, 1e-9);
    EXPECT_LE(cell.at("lo").get<double>(), cell.at("diff").get<double>());
    EXPECT_GE(cell.at("hi").get<double>(), cell.at("diff").get<double>());
    EXPECT_EQ(cell.at("per_seed_diff").size(), 2u);

    // The same settings again (one seed, one configuration, to stay short) find the parent and train none.
    engine::SweepRequest same = request;
    same.seeds = {4};
    same.lambdas = {WeightScheme::kInfinity};
    const nlohmann::json again = test::parseJson(runCli(same.arguments()));
    ASSERT_EQ(again.at("parents").size(), 1u);
    for (const auto& p : again.at("parents")) {
        EXPECT_TRUE(p.at("reused").get<bool>());
        EXPECT_EQ(p.at("run_id").get<int64_t>(), parentOf.at(p.at("seed").get<uint64_t>()));
    }

    // Bad seed lists are refused before anything is recorded.
    const int64_t before = RunStore(w).lastRunId();
    for (const char* seeds : {"x", "1,1"}) {
        engine::SweepRequest bad = request;
        bad.seeds.clear();
        auto args = bad.arguments();
        args.insert(args.end() - 1, {"--seeds", seeds});
        const auto refused = runCli(args);
        EXPECT_EQ(refused.exitCode, 1) << seeds;
        EXPECT_NE(refused.err.find("error: --seeds: "), std::string::npos) << refused.err;
    }
    EXPECT_EQ(RunStore(w).lastRunId(), before);
}

// Issue 18: `sweep --shard I/N` on N machines, then `merge`, gives the runs of the unsharded sweep: the
// shards partition the plan, each shard trains (or finds) the SFT parents of its seeds, two shards' copies of
// one parent become one run, and every run's figures are those of the same run in the unsharded sweep
// (training on one CPU thread is deterministic).
TEST(SeededSweep, ShardsOnSeveralWorkspacesMergeIntoTheUnshardedSweep) {
    TempDir dir;
    std::vector<std::string> ws;
    for (int i = 0; i < 4; ++i) {
        ws.push_back(dir.file("w" + std::to_string(i) + ".sqlite"));
        // The same content under other names: merge matches datasets by content.
        ASSERT_EQ(runCli({"generate", "-w", ws.back(), "-n", i == 0 ? "sim" : "sim" + std::to_string(i),
                          "--users", "60", "--items", "80", "--interactions", "1200", "--seed", "5"})
                      .exitCode,
                  0);
    }
    const auto result = runCli(tinySeededSweep(ws[0]).arguments());
    ASSERT_EQ(result.exitCode, 0) << result.err;
    for (int i = 1; i <= 3; ++i) {
        engine::SweepRequest shard = tinySeededSweep(ws[static_cast<size_t>(i)]);
        shard.train.run.dataset = "sim" + std::to_string(i);
        std::vector<std::string> args = shard.arguments();
        args.insert(args.end(), {"--shard", std::to_string(i) + "/3"});
        const auto r = runCli(args);
        ASSERT_EQ(r.exitCode, 0) << r.err;
        // 4 runs in 3 near-equal contiguous blocks: 1, 1, 2.
        const char* expected[] = {"", "shard 1/3: runs 1-1 of the sweep's 4",
                                  "shard 2/3: runs 2-2 of the sweep's 4",
                                  "shard 3/3: runs 3-4 of the sweep's 4"};
        EXPECT_NE(r.err.find(expected[i]), std::string::npos) << r.err;
        EXPECT_EQ(test::parseJson(r).at("runs").size(), i == 3 ? 2u : 1u);
    }
    const auto merged =
        runCli({"merge", "-w", ws[1], "-d", "sim1", "--from", ws[2], "--from", ws[3], "--json"});
    ASSERT_EQ(merged.exitCode, 0) << merged.err;
    const nlohmann::json m = test::parseJson(merged);
    EXPECT_EQ(m.at("copied").get<int>(), 4) << m.dump();  // shard 2's parent of seed 3 is shard 1's
    EXPECT_EQ(m.at("runs").size(), 5u) << m.dump();

    // Run for run, the merged workspace holds the unsharded sweep: same settings, same figures.
    auto figures = [](const std::string& path) {
        Workspace w(path, OpenMode::ReadOnly);
        const RunStore store(w);
        std::map<std::string, std::vector<double>>
            out;  // settings (links and names aside) -> test ndcg@10 by user
        for (const RunRecord& r : store.runs()) {
            nlohmann::json key = nlohmann::json::parse(r.config);
            for (const char* k : {"init_from", "dataset", "merged_from", "split_description"})
                key.erase(k);
            for (const PerUserMetric& p : store.perUserMetrics(r.id)) {
                if (p.split == "test" && p.name == "ndcg@10")
                    out[key.dump()] = p.values;
            }
        }
        return out;
    };
    const auto unsharded = figures(ws[0]), sharded = figures(ws[1]);
    EXPECT_EQ(unsharded.size(), 6u);  // 2 parents + 4 configurations
    EXPECT_EQ(sharded, unsharded);

    // A shard that is not I/N with 1 <= I <= N is refused before anything runs.
    for (const char* bad : {"0/3", "4/3", "1/3/4"}) {
        std::vector<std::string> args = tinySeededSweep(ws[0]).arguments();
        args.insert(args.end(), {"--shard", bad});
        const auto r = runCli(args);
        EXPECT_NE(r.exitCode, 0) << bad;
        EXPECT_NE(r.err.find("--shard: expected I/N"), std::string::npos) << bad << ": " << r.err;
    }
}

}  // namespace
}  // namespace tiltbench
