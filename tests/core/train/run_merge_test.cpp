// Issue 18: `merge` brings finished runs of other workspaces into one — datasets matched by content, run
// links renumbered, equal runs kept once — and a source can come from anyone: every refusal names the file
// and run and leaves the target exactly as it was.
#include "train/run_merge.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "common/error.h"
#include "data/fingerprint.h"
#include "eval/split.h"
#include "store/run_store.h"
#include "store/simulated_dataset.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "train/closed_form_run.h"
#include "train/reward_run.h"
#include "train/sasrec_run_config.h"

namespace tiltbench {
namespace {

using json = nlohmann::json;

SimulatorConfig smallSimulation(uint64_t seed) {
    SimulatorConfig c;
    c.users = 40;
    c.items = 30;
    c.interactions = 500;
    c.seed = seed;
    return c;
}

ClosedFormRunConfig closedForm(const std::string& dataset, PolicyKind model, double lambda) {
    ClosedFormRunConfig c;
    c.dataset = dataset;
    c.model = model;
    c.scheme = WeightScheme::exp(lambda);
    c.bootstrapResamples = 0;
    return c;
}

// A finished SASRec run record as the trainer leaves one (config with the split hash, final figures with
// per-user values, a checkpoint), without training: merge never loads the model.
int64_t recordSasrecRun(Workspace& ws, const std::string& dataset, int64_t initFrom,
                        const std::string& rewardSource, const std::function<void(json&)>& craft = {}) {
    SasrecRunConfig c;
    c.dataset = dataset;
    c.initFrom = initFrom;
    c.rewardSource = rewardSource;
    c.scheme = WeightScheme::exp(0.5);
    json cfg = json::parse(c.toJson());
    const DatasetInfo info = ws.datasetByName(dataset);
    cfg["split_hash"] = Split::make(ws.loadLog(info.id)).hashHex();
    if (craft)
        craft(cfg);
    RunStore store(ws);
    const int64_t id = store.createRun(info.id, "sasrec", cfg.dump(), "cpu");
    store.addMetrics(id, {{-1, "test", "ndcg@10", 0.1 + 0.01 * static_cast<double>(id), 0.05, 0.2}},
                     {{"test", "ndcg@10", {0, 3, 7}, {0.0, 0.5, 1.0}}});
    store.saveModelBlob(id, "checkpoint bytes of run " + std::to_string(id));
    store.finishRun(id, "done", "", R"({"train_seconds": 1.5})");
    return id;
}

struct Fixture {
    test::TempDir dir;
    std::string target = dir.file("target.sqlite");
    std::string source = dir.file("source.sqlite");
    int64_t targetPopularity = 0;  // the target's own run, equal to the source's first
    int64_t sourceMarkov = 0, sourceReward = 0, sourceParent = 0, sourceChild = 0;

    Fixture() {
        {
            Workspace t(target, OpenMode::CreateIfMissing);
            generateDataset(t, "mine", smallSimulation(7));
            targetPopularity = runClosedForm(t, closedForm("mine", PolicyKind::Popularity, 1.0)).runId;
        }
        Workspace s(source, OpenMode::CreateIfMissing);
        generateDataset(s, "other", smallSimulation(8));  // same shape, another content: never carried
        generateDataset(s, "theirs", smallSimulation(7));
        runClosedForm(s, closedForm("other", PolicyKind::Markov, 2.0));
        runClosedForm(s, closedForm("theirs", PolicyKind::Popularity, 1.0));
        sourceMarkov = runClosedForm(s, closedForm("theirs", PolicyKind::Markov, 0.5)).runId;
        RewardRunConfig reward;
        reward.dataset = "theirs";
        reward.bootstrapResamples = 0;
        sourceReward = runRewardModel(s, reward).runId;
        sourceParent = recordSasrecRun(s, "theirs", 0, "logged");
        RunStore store(s);
        const int64_t failed = store.createRun(s.datasetByName("theirs").id, "sasrec", "{}", "cpu");
        store.finishRun(failed, "failed", "out of memory");
        sourceChild = recordSasrecRun(s, "theirs", sourceParent, "model:" + std::to_string(sourceReward));
    }

    MergeResult merge(bool dryRun = false, std::vector<std::string> from = {}) {
        Workspace t(target, OpenMode::OpenExisting);
        MergeOptions o;
        o.dataset = "mine";
        o.sources = from.empty() ? std::vector<std::string>{source} : from;
        o.dryRun = dryRun;
        return mergeRuns(t, o);
    }

    // Everything the target's runs hold, as text: equal before and after a refused merge.
    std::string targetRuns() const {
        Workspace t(target, OpenMode::ReadOnly);
        RunStore store(t);
        std::string out;
        for (const RunRecord& r : store.runs()) {
            out += std::to_string(r.id) + r.model + r.config + r.status + "\n";
            for (const MetricRow& m : store.metrics(r.id))
                out += m.name + m.split + std::to_string(m.value) + "\n";
            for (const CheckpointRow& c : store.checkpointRows(r.id))
                out += c.blob + "\n";
        }
        return out;
    }
};

TEST(RunMerge, CarriesFinishedRunsRenumbersTheirLinksAndKeepsEqualRunsOnce) {
    Fixture f;
    const std::string before = f.targetRuns();
    const MergeResult dry = f.merge(true);
    EXPECT_TRUE(dry.dryRun);
    EXPECT_EQ(dry.copied, 4u);
    EXPECT_EQ(f.targetRuns(), before) << "a dry run wrote";

    const MergeResult r = f.merge();
    ASSERT_EQ(r.sources.size(), 1u);
    EXPECT_EQ(r.sources[0].datasets, std::vector<std::string>{"theirs"});  // matched by content, not name
    EXPECT_EQ(r.sources[0].unfinished, 1u);
    ASSERT_EQ(r.runs.size(), 5u);
    EXPECT_EQ(r.copied, 4u);
    // The popularity run at λ = 1 is the target's own: kept once.
    EXPECT_TRUE(r.runs[0].existing);
    EXPECT_EQ(r.runs[0].targetRun, f.targetPopularity);
    std::map<int64_t, int64_t> to;
    for (const MergedRun& m : r.runs)
        to[m.sourceRun] = m.targetRun;

    Workspace t(f.target, OpenMode::ReadOnly);
    Workspace s(f.source, OpenMode::ReadOnly);
    RunStore target(t), source(s);
    EXPECT_EQ(target.runs().size(), 5u);
    const json child = json::parse(target.run(to[f.sourceChild]).config);
    EXPECT_EQ(child.at("init_from"), to[f.sourceParent]);
    EXPECT_EQ(child.at("reward_source"), "model:" + std::to_string(to[f.sourceReward]));
    EXPECT_EQ(child.at("dataset"), "mine");
    EXPECT_EQ(child.at("merged_from").at("run"), f.sourceChild);
    EXPECT_EQ(child.at("merged_from").at("workspace"), "source.sqlite");
    // Figures, per-user values, checkpoints and timings come along unchanged.
    for (const int64_t id : {f.sourceMarkov, f.sourceReward, f.sourceParent, f.sourceChild}) {
        const RunRecord a = source.run(id), b = target.run(to[id]);
        EXPECT_EQ(b.status, "done");
        EXPECT_EQ(b.model, a.model);
        EXPECT_EQ(b.timings, a.timings);
        EXPECT_EQ(b.finishedAt, a.finishedAt);
        EXPECT_EQ(b.datasetId, t.datasetByName("mine").id);
        ASSERT_EQ(target.metrics(b.id).size(), source.metrics(id).size());
        for (size_t k = 0; k < source.metrics(id).size(); ++k)
            EXPECT_EQ(target.metrics(b.id)[k].value, source.metrics(id)[k].value);
        ASSERT_EQ(target.perUserMetrics(b.id).size(), source.perUserMetrics(id).size());
        for (size_t k = 0; k < source.perUserMetrics(id).size(); ++k)
            EXPECT_EQ(target.perUserMetrics(b.id)[k].values, source.perUserMetrics(id)[k].values);
        EXPECT_EQ(target.modelBlob(b.id), source.modelBlob(id));
    }
    // Merging again adds nothing: every run is there now.
    const std::string merged = f.targetRuns();
    const MergeResult again = f.merge();
    EXPECT_EQ(again.copied, 0u);
    EXPECT_EQ(f.targetRuns(), merged);
}

TEST(RunMerge, ADatasetWithOtherContentIsRefusedWhateverItsName) {
    Fixture f;
    const std::string before = f.targetRuns();
    test::TempDir dir;
    const std::string impostor = dir.file("impostor.sqlite");
    {
        Workspace w(impostor, OpenMode::CreateIfMissing);
        generateDataset(w, "mine", smallSimulation(9));  // the target's name and shape, other interactions
        runClosedForm(w, closedForm("mine", PolicyKind::Popularity, 2.0));
    }
    try {
        f.merge(false, {impostor});
        ADD_FAILURE() << "merged another dataset";
    } catch (const Error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("has no dataset with the content of 'mine'"), std::string::npos) << what;
        Workspace t(f.target, OpenMode::ReadOnly);
        const InteractionLog log = t.loadLog(t.datasetByName("mine").id);
        EXPECT_NE(
            what.find(fingerprintHex(datasetFingerprint(log, t.loadGroundTruth(t.datasetByName("mine").id)))),
            std::string::npos)
            << what;
    }
    EXPECT_THROW(f.merge(false, {f.target}), Error);                    // into itself
    EXPECT_THROW(f.merge(false, {f.source, f.source}), Error);          // twice
    EXPECT_THROW(f.merge(false, {dir.file("missing.sqlite")}), Error);  // absent
    EXPECT_EQ(f.targetRuns(), before);
    EXPECT_FALSE(std::filesystem::exists(dir.file("missing.sqlite")));
}

TEST(RunMerge, ACraftedRunIsRefusedNamingItAndNothingIsWritten) {
    struct Craft {
        const char* name;
        std::function<void(Workspace&, int64_t parent)> make;
        const char* expected;
    };
    const std::vector<Craft> crafts = {
        {"an architecture out of range",
         [](Workspace& s, int64_t) {
             recordSasrecRun(s, "theirs", 0, "logged", [](json& c) { c["dim"] = 0; });
         },
         "'dim' must be an integer in 1..4096"},
        {"a link to an unfinished run",
         [](Workspace& s, int64_t) {
             RunStore store(s);
             const int64_t failed = store.createRun(s.datasetByName("theirs").id, "sasrec", "{}", "cpu");
             store.finishRun(failed, "failed", "killed");
             recordSasrecRun(s, "theirs", failed, "logged");
         },
         "'init_from' links run"},
        {"a link to a later run",
         [](Workspace& s, int64_t parent) {
             recordSasrecRun(s, "theirs", 0, "logged", [parent](json& c) { c["state_run"] = parent + 100; });
         },
         "'state_run' links run"},
        {"a reward source that is not a reward-model run id",
         [](Workspace& s, int64_t) {
             recordSasrecRun(s, "theirs", 0, "logged", [](json& c) { c["reward_source"] = "model:-3"; });
         },
         "--reward-source"},
        {"another split",
         [](Workspace& s, int64_t) {
             recordSasrecRun(s, "theirs", 0, "logged", [](json& c) { c["split_hash"] = "0123456789abcdef"; });
         },
         "it was trained on another split"},
        {"a per-user value of a user the dataset lacks",
         [](Workspace& s, int64_t) {
             const int64_t id = recordSasrecRun(s, "theirs", 0, "logged", [](json& c) { c["seed"] = 99; });
             RunStore(s).addMetrics(id, {}, {{"test", "hr@10", {1000000}, {1.0}}});
         },
         "names user 1000000 of 40"},
        {"timings that are not JSON",
         [](Workspace& s, int64_t) {
             const int64_t id = recordSasrecRun(s, "theirs", 0, "logged", [](json& c) { c["seed"] = 98; });
             RunStore(s).finishRun(id, "done", "", "not json");
         },
         "timings are not a JSON object"},
    };
    for (const Craft& craft : crafts) {
        Fixture f;
        {
            Workspace s(f.source, OpenMode::OpenExisting);
            craft.make(s, f.sourceParent);
        }
        const std::string before = f.targetRuns();
        try {
            f.merge();
            ADD_FAILURE() << craft.name << ": merged";
        } catch (const Error& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("workspace '" + f.source + "', run "), std::string::npos)
                << craft.name << ": " << what;
            EXPECT_NE(what.find(craft.expected), std::string::npos) << craft.name << ": " << what;
        }
        // The good runs before the crafted one were not written either.
        EXPECT_EQ(f.targetRuns(), before) << craft.name;
    }
}

TEST(DatasetFingerprint, ChangesWithEveryPartOfTheContentAndNotWithTitles) {
    test::TempDir dir;
    Workspace w(dir.file("w.sqlite"), OpenMode::CreateIfMissing);
    generateDataset(w, "a", smallSimulation(3));
    const InteractionLog log = w.loadLog(w.datasetByName("a").id);
    const auto truth = w.loadGroundTruth(w.datasetByName("a").id);
    const uint64_t base = datasetFingerprint(log, truth);
    EXPECT_EQ(fingerprintHex(base).size(), 16u);
    EXPECT_TRUE(sameContent(log, truth, log, truth));
    const std::vector<std::pair<const char*, std::function<void(InteractionLog&)>>> changes = {
        {"reward", [](InteractionLog& l) { l.reward[5] += 1.0; }},
        {"time", [](InteractionLog& l) { l.ts[5] += 1; }},
        {"item", [](InteractionLog& l) { l.item[5] = (l.item[5] + 1) % l.numItems(); }},
        {"user id", [](InteractionLog& l) { l.userIds[0] += "x"; }},
        {"item id", [](InteractionLog& l) { l.itemIds[0] += "x"; }},
        {"has time", [](InteractionLog& l) { l.hasTime = !l.hasTime; }},
        {"random test",
         [](InteractionLog& l) {
             l.randomTest.push_back({0, 0, 1.0});
         }},
    };
    for (const auto& [what, change] : changes) {
        InteractionLog changed = log;
        change(changed);
        EXPECT_NE(datasetFingerprint(changed, truth), base) << what;
        EXPECT_FALSE(sameContent(changed, truth, log, truth)) << what;
    }
    InteractionLog titled = log;
    titled.itemTitles.assign(titled.itemIds.size(), "a title");
    EXPECT_EQ(datasetFingerprint(titled, truth), base);
    ASSERT_TRUE(truth.has_value());
    GroundTruthRecord otherTruth = *truth;
    otherTruth.blob[0] ^= 1;
    EXPECT_NE(datasetFingerprint(log, otherTruth), base);
    EXPECT_FALSE(sameContent(log, otherTruth, log, truth));
    EXPECT_NE(datasetFingerprint(log, std::nullopt), base);
}

}  // namespace
}  // namespace tiltbench
