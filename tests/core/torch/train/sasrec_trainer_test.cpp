// SASRec reward-weighted training end to end on a tiny generated dataset: it
// overfits, is reproducible, cancels cleanly, records the run and its best
// checkpoint, and weights items the way the closed-form tilted popularity does.
#include "torch/train/sasrec_trainer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "common/error.h"
#include "eval/evaluator.h"
#include "model/popularity_policy.h"
#include "store/dataset_writer.h"
#include "store/run_store.h"
#include "support/test_support.h"
#include "train/closed_form_run.h"
#include "weighting/reward_level_table.h"
#include "weighting/target_view.h"

using namespace tiltbench;
using tiltbench::test::TempDir;

namespace {

constexpr int kUsers = 20;
constexpr int kItems = 30;
constexpr int kLength = 12;

// Every user walks the item ring one step at a time from their own start, so
// the next item is a deterministic function of the last one. Rewards depend on
// the item only.
void addRingDataset(Workspace& ws) {
    auto w = ws.createDataset({"ring", "test", "{}"});
    w->setHasTime(true);
    for (int i = 0; i < kItems; ++i)
        w->itemIndex("i" + std::to_string(i));
    for (int u = 0; u < kUsers; ++u) {
        const int32_t user = w->userIndex("u" + std::to_string(u));
        const int start = (u * 7) % kItems;
        for (int t = 0; t < kLength; ++t) {
            const int item = (start + t) % kItems;
            w->add(user, w->itemIndex("i" + std::to_string(item)), 1.0 + item % 5, 1000 + t);
        }
    }
    w->commit();
}

SasrecRunConfig tinyRun() {
    SasrecRunConfig c;
    c.dataset = "ring";
    c.dim = 16;
    c.blocks = 1;
    c.heads = 1;
    c.maxLen = 16;
    c.dropout = 0.0;
    c.batchSize = 5;
    c.lr = 0.01;
    c.epochs = 25;
    c.patience = 0;
    c.seed = 7;
    c.device = "cpu";
    c.threads = 2;
    c.bootstrapResamples = 20;
    return c;
}

// Trains `c` whole, then again cancelled at the first step of epoch 2 and resumed: the resumed run must take
// the uninterrupted run's steps (the same loss every epoch, the same test ranks). Returns the resumed run.
SasrecRunResult expectCancelledAtEpochTwoResumesExactly(Workspace& ws, const SasrecRunConfig& c) {
    const SasrecRunResult whole = runSasrec(ws, c);
    EXPECT_THROW(runSasrec(ws, c,
                           [](const TrainProgress& p) {
                               return !(p.epoch == 2 && p.stage == "training" && p.step == 1);
                           }),
                 Cancelled);
    const SasrecRunResult resumed = resumeSasrec(ws, RunStore(ws).runs().back().id);
    EXPECT_EQ(resumed.epochs.size(), whole.epochs.size());
    for (size_t e = 0; e < std::min(resumed.epochs.size(), whole.epochs.size()); ++e)
        EXPECT_EQ(resumed.epochs[e].trainLoss, whole.epochs[e].trainLoss) << "epoch " << e + 1;
    EXPECT_EQ(resumed.test.ranks, whole.test.ranks);
    return resumed;
}

}  // namespace

TEST(SasrecTrainer, OverfitsATinyDatasetAndRecordsTheRun) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRingDataset(ws);
    int calls = 0;
    const SasrecRunResult r = runSasrec(ws, tinyRun(), [&](const TrainProgress& p) {
        ++calls;
        EXPECT_GE(p.epoch, 1);
        EXPECT_LE(p.step, p.stepsPerEpoch);
        return true;
    });
    ASSERT_EQ(r.epochs.size(), 25u);
    EXPECT_GT(calls, 25 * 4);
    EXPECT_EQ(r.trainingPositions, kUsers * (kLength - 3));
    EXPECT_GT(r.epochs.front().trainLoss, 2.5);  // about log(30) at the start
    EXPECT_LT(r.epochs.back().trainLoss, 0.5 * r.epochs.front().trainLoss);
    EXPECT_GE(r.valid.value("hr@10"), 0.9);
    EXPECT_GE(r.test.value("hr@10"), 0.9);
    EXPECT_GE(r.bestEpoch, 1);

    RunStore store(ws);
    const RunRecord run = store.run(r.runId);
    EXPECT_EQ(run.status, "done");
    EXPECT_EQ(run.model, "sasrec");
    EXPECT_EQ(run.device, "cpu");
    EXPECT_NE(run.config.find("\"split_hash\""), std::string::npos);
    EXPECT_NE(run.config.find("\"torch_version\""), std::string::npos);
    EXPECT_NE(run.timings.find("\"seconds_per_epoch\""), std::string::npos);
    int epochLoss = 0, epochNdcg = 0, finalTest = 0;
    for (const auto& m : store.metrics(r.runId)) {
        epochLoss += (m.epoch >= 1 && m.split == "train" && m.name == "loss");
        epochNdcg += (m.epoch >= 1 && m.split == "valid" && m.name == "ndcg@10");
        finalTest += (m.epoch == -1 && m.split == "test");
    }
    EXPECT_EQ(epochLoss, 25);
    EXPECT_EQ(epochNdcg, 25);
    EXPECT_GT(finalTest, 5);
    EXPECT_FALSE(store.perUserMetrics(r.runId).empty());

    // The stored checkpoint is the best state: evaluating it reproduces the
    // recorded test figures.
    const SasrecModel best = loadSasrecCheckpoint(ws, r.runId, "cpu");
    const InteractionLog log = ws.loadLog(ws.datasetByName("ring").id);
    const Split split = Split::make(log);
    EvalConfig ec;
    ec.threads = 1;
    ec.bootstrap.resamples = 0;
    const EvalResult again = Evaluator(log, split, ec).evaluate(SasrecScorer(best), EvalSet::Test);
    EXPECT_DOUBLE_EQ(again.value("ndcg@10"), r.test.value("ndcg@10"));
    EXPECT_EQ(again.ranks, r.test.ranks);
}

TEST(SasrecTrainer, SameSeedGivesIdenticalMetrics) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRingDataset(ws);
    SasrecRunConfig c = tinyRun();
    c.epochs = 3;
    c.dropout = 0.2;  // dropout draws from the seeded generator too
    c.scheme = WeightScheme::exp(0.5);
    const SasrecRunResult a = runSasrec(ws, c);
    const SasrecRunResult b = runSasrec(ws, c);
    ASSERT_EQ(a.epochs.size(), b.epochs.size());
    for (size_t e = 0; e < a.epochs.size(); ++e) {
        EXPECT_EQ(a.epochs[e].trainLoss, b.epochs[e].trainLoss);
        EXPECT_EQ(a.epochs[e].validNdcg10, b.epochs[e].validNdcg10);
    }
    EXPECT_EQ(a.test.ranks, b.test.ranks);
    EXPECT_EQ(a.test.value("ndcg@10"), b.test.value("ndcg@10"));
    c.seed = 8;
    const SasrecRunResult other = runSasrec(ws, c);
    EXPECT_NE(other.epochs.front().trainLoss, a.epochs.front().trainLoss);
}

// --valid-users: each epoch validates on a fixed seeded sample of users. Training is untouched (the same
// losses, dropout on), the epoch's figure is the mean over exactly the evaluator's sample (checked against
// the final all-user figures of the same best state), a sample as large as the set is every user, and the
// record keeps it.
TEST(SasrecTrainer, ValidationOnASampleOfUsersLeavesTrainingAloneAndTheFinalFiguresWhole) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRingDataset(ws);
    SasrecRunConfig c = tinyRun();
    c.epochs = 4;
    c.dropout = 0.2;
    c.bootstrapResamples = 0;
    const SasrecRunResult all = runSasrec(ws, c);
    c.validUsers = 7;
    const SasrecRunResult sampled = runSasrec(ws, c);
    c.validUsers = kUsers;
    const SasrecRunResult whole = runSasrec(ws, c);

    ASSERT_EQ(sampled.epochs.size(), all.epochs.size());
    ASSERT_EQ(whole.epochs.size(), all.epochs.size());
    bool differs = false;
    for (size_t e = 0; e < all.epochs.size(); ++e) {
        EXPECT_EQ(sampled.epochs[e].trainLoss, all.epochs[e].trainLoss) << "epoch " << e + 1;
        EXPECT_EQ(whole.epochs[e].validNdcg10, all.epochs[e].validNdcg10) << "epoch " << e + 1;
        differs = differs || sampled.epochs[e].validNdcg10 != all.epochs[e].validNdcg10;
    }
    EXPECT_TRUE(differs) << "7 of 20 users gave every epoch the all-user figure: the sample is not used";

    // The sample: the evaluator's seeded choice of 7 validation users, with the run's seed.
    const InteractionLog log = ws.loadLog(ws.datasetByName("ring").id);
    const Split split = Split::make(log);
    EvalConfig ec;
    ec.sampleUsers = 7;
    ec.sampleSeed = c.seed;
    const std::vector<int32_t> sample = Evaluator(log, split, ec).evaluatedUsers(EvalSet::Validation);
    ASSERT_EQ(sample.size(), 7u);
    // The final figures rank every user, from the best state the sampled validation chose.
    ASSERT_EQ(sampled.valid.users.size(), static_cast<size_t>(kUsers));
    ASSERT_EQ(sampled.test.users.size(), static_cast<size_t>(kUsers));
    const std::vector<double>* perUser = sampled.valid.perUser("ndcg@10");
    ASSERT_NE(perUser, nullptr);
    double sum = 0.0;
    for (const int32_t u : sample) {
        const auto it = std::find(sampled.valid.users.begin(), sampled.valid.users.end(), u);
        ASSERT_NE(it, sampled.valid.users.end());
        sum += (*perUser)[static_cast<size_t>(it - sampled.valid.users.begin())];
    }
    ASSERT_GE(sampled.bestEpoch, 1);
    EXPECT_NEAR(sampled.epochs[static_cast<size_t>(sampled.bestEpoch - 1)].validNdcg10, sum / 7.0, 1e-9);

    EXPECT_EQ(SasrecRunConfig::fromJson(RunStore(ws).run(sampled.runId).config).validUsers, 7);
    EXPECT_EQ(SasrecRunConfig::fromJson(RunStore(ws).run(all.runId).config).validUsers, 0);
    c.validUsers = -1;
    EXPECT_THROW(runSasrec(ws, c), Error);
}

TEST(SasrecTrainer, CancelFromProgressStopsAndRecordsCancelled) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRingDataset(ws);
    int lastEpoch = 0;
    EXPECT_THROW(runSasrec(ws, tinyRun(),
                           [&](const TrainProgress& p) {
                               lastEpoch = p.epoch;
                               return !(p.epoch == 2 && p.stage == "training" && p.step == 2);
                           }),
                 Cancelled);
    EXPECT_EQ(lastEpoch, 2);
    RunStore store(ws);
    const auto runs = store.runs();
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].status, "cancelled");
    // It got through the first epoch and its validation, so the best-so-far
    // checkpoint is there.
    EXPECT_NO_THROW(loadSasrecCheckpoint(ws, runs[0].id));
}

TEST(SasrecTrainer, RejectsBadConfigBeforeRecordingARun) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRingDataset(ws);
    SasrecRunConfig c = tinyRun();
    c.heads = 3;  // 16 not divisible by 3
    EXPECT_THROW(runSasrec(ws, c), Error);
    c = tinyRun();
    c.device = "tpu";
    EXPECT_THROW(runSasrec(ws, c), Error);
    EXPECT_TRUE(RunStore(ws).runs().empty());
}

// The items the closed-form tilted popularity favours more at small λ are those
// whose summed SASRec loss weight rises: both read the same per-target weights
// (RewardLevelTable::fillTargetWeights), the loss over the targets that have a
// history (every target but a user's first).
TEST(SasrecTrainer, LossWeightsAgreeWithTiltedPopularity) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRingDataset(ws);
    const InteractionLog log = ws.loadLog(ws.datasetByName("ring").id);
    const Split split = Split::make(log);
    const RewardLevelTable table(viewOf(split.training(), split.numItems()));
    const WeightScheme tilted = WeightScheme::exp(0.5);
    const PopularityPolicy uniformPop(table, WeightScheme::uniform()), tiltedPop(table, tilted);

    auto lossShares = [&](const WeightScheme& scheme) {
        std::vector<float> w(static_cast<size_t>(table.numTargets()));
        table.fillTargetWeights(scheme, w.data());
        std::vector<double> perItem(kItems, 0.0);
        double total = 0.0;
        const auto& t = split.training();
        for (size_t i = 0; i < t.size(); ++i) {
            if (t.prevItem[i] < 0)
                continue;  // a user's first item is input only
            perItem[static_cast<size_t>(t.item[i])] += w[i];
            total += w[i];
        }
        for (double& v : perItem)
            v /= total;
        return perItem;
    };
    const auto lossUniform = lossShares(WeightScheme::uniform());
    const auto lossTilted = lossShares(tilted);
    int checked = 0;
    for (int32_t i = 0; i < kItems; ++i) {
        const double popChange =
            std::exp(tiltedPop.logProbability(i)) - std::exp(uniformPop.logProbability(i));
        const double lossChange = lossTilted[static_cast<size_t>(i)] - lossUniform[static_cast<size_t>(i)];
        if (std::abs(popChange) < 1e-3)
            continue;
        ++checked;
        EXPECT_EQ(popChange > 0, lossChange > 0) << "item " << i;
    }
    EXPECT_GT(checked, kItems / 2);
}

// A run cancelled mid-epoch and resumed ends exactly where an uninterrupted
// run with the same seed ends: same losses per epoch, same checkpoint, same
// test figures — dropout on, so the generators have to come back too.
TEST(SasrecTrainer, ResumedRunMatchesAnUninterruptedOne) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRingDataset(ws);
    SasrecRunConfig c = tinyRun();
    c.epochs = 4;
    c.dropout = 0.2;
    c.scheme = WeightScheme::exp(0.5);
    const SasrecRunResult whole = runSasrec(ws, c);

    EXPECT_THROW(runSasrec(ws, c,
                           [](const TrainProgress& p) {
                               return !(p.epoch == 3 && p.stage == "training" && p.step == 1);
                           }),
                 Cancelled);
    RunStore store(ws);
    const int64_t id = store.runs().back().id;
    ASSERT_EQ(store.run(id).status, "cancelled");
    const SasrecRunResult resumed = resumeSasrec(ws, id);
    EXPECT_EQ(resumed.runId, id);
    EXPECT_EQ(store.run(id).status, "done");
    ASSERT_EQ(resumed.epochs.size(), whole.epochs.size());
    for (size_t e = 0; e < whole.epochs.size(); ++e) {
        EXPECT_EQ(resumed.epochs[e].trainLoss, whole.epochs[e].trainLoss) << "epoch " << e + 1;
        EXPECT_EQ(resumed.epochs[e].validNdcg10, whole.epochs[e].validNdcg10) << "epoch " << e + 1;
    }
    EXPECT_EQ(resumed.bestEpoch, whole.bestEpoch);
    EXPECT_EQ(resumed.test.ranks, whole.test.ranks);
    EXPECT_EQ(resumed.test.values(), whole.test.values());

    // Nothing left to resume, and runs that cannot be resumed say why.
    EXPECT_THROW(resumeSasrec(ws, id), Error);
    EXPECT_THROW(resumeSasrec(ws, whole.runId), Error);
    EXPECT_THROW(runSasrec(ws, c, [](const TrainProgress& p) { return p.epoch < 1 || p.step < 1; }),
                 Cancelled);
    try {
        resumeSasrec(ws, store.runs().back().id);
        ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("first epoch"), std::string::npos) << e.what();
    }
}

// --loss sampled: the same run with the output layer's softmax over a few drawn candidates learns the ring,
// records its loss settings, and a resumed run draws the same candidates as an uninterrupted one (the draws
// come from the generator the state saves).
TEST(SasrecTrainer, SampledSoftmaxLearnsIsRecordedAndResumesExactly) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRingDataset(ws);
    for (const char* negatives : {"uniform", "popularity", "in-batch"}) {
        SasrecRunConfig c = tinyRun();
        c.loss = "sampled";
        c.negatives = negatives;
        c.numNegatives = 8;
        const SasrecRunResult r = runSasrec(ws, c);
        EXPECT_LT(r.epochs.back().trainLoss, 0.5 * r.epochs.front().trainLoss) << negatives;
        EXPECT_GE(r.test.value("hr@10"), 0.8) << negatives;
        RunStore store(ws);
        const SasrecRunConfig stored = SasrecRunConfig::fromJson(store.run(r.runId).config);
        EXPECT_EQ(stored.loss, "sampled");
        EXPECT_EQ(stored.negatives, negatives);
        EXPECT_EQ(stored.numNegatives, 8);
    }

    SasrecRunConfig c = tinyRun();
    c.loss = "sampled";
    c.negatives = "popularity";
    c.numNegatives = 6;
    c.epochs = 3;
    c.dropout = 0.2;
    c.scheme = WeightScheme::exp(0.5);
    expectCancelledAtEpochTwoResumesExactly(ws, c);

    // A record from before the setting existed trained the full softmax; bad values are refused by name.
    EXPECT_EQ(SasrecRunConfig::fromJson(R"({"dataset":"ring"})").loss, "full");
    for (auto bad :
         {+[](SasrecRunConfig& b) { b.loss = "nce"; }, +[](SasrecRunConfig& b) { b.negatives = "zipf"; },
          +[](SasrecRunConfig& b) { b.numNegatives = 0; }}) {
        SasrecRunConfig b = tinyRun();
        b.loss = "sampled";
        bad(b);
        EXPECT_THROW(b.validate(), Error);
    }
}

// --precision bf16-all: the body's products in bfloat16 learn the ring, the run records the precision it
// used, and a resumed run accepts that record and continues in it, taking the uninterrupted run's steps.
TEST(SasrecTrainer, ABodyInBfloat16LearnsIsRecordedAndResumesInIt) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRingDataset(ws);
    SasrecRunConfig c = tinyRun();
    c.precision = "bf16-all";
    const SasrecRunResult learnt = runSasrec(ws, c);
    EXPECT_EQ(learnt.precision, "bf16-all");
    EXPECT_LT(learnt.epochs.back().trainLoss, 0.5 * learnt.epochs.front().trainLoss);
    EXPECT_GE(learnt.test.value("hr@10"), 0.8);
    RunStore store(ws);
    EXPECT_EQ(nlohmann::json::parse(store.run(learnt.runId).config).at("precision"), "bf16-all");

    c.epochs = 3;
    c.dropout = 0.2;
    EXPECT_EQ(expectCancelledAtEpochTwoResumesExactly(ws, c).precision, "bf16-all");
}

TEST(SasrecTrainer, HistoriesLongerThanMaxLenBecomeSeveralWindows) {
    // kLength − 2 = 10 training items per user and a model that reads 3: windows of 4 items from the newest
    // backwards ([6,10), [3,7), [0,4)), so every training item but the user's first is a target exactly
    // once — the same count as with a model that reads everything.
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRingDataset(ws);
    SasrecRunConfig c = tinyRun();
    c.maxLen = 3;
    c.epochs = 1;
    c.bootstrapResamples = 0;
    const SasrecRunResult r = runSasrec(ws, c);
    EXPECT_EQ(r.trainingPositions, kUsers * (kLength - 3));
    c.maxLen = 4;  // 10 items: windows [5,10), [1,6), [0,2)
    EXPECT_EQ(runSasrec(ws, c).trainingPositions, kUsers * (kLength - 3));
}

TEST(SasrecTrainer, BatchingIsRecordedAndRunsBeforeTheOptionResumeBucketed) {
    SasrecRunConfig c = tinyRun();
    EXPECT_FALSE(c.lengthBuckets);  // random batches by default
    EXPECT_FALSE(SasrecRunConfig::fromJson(c.toJson()).lengthBuckets);
    c.lengthBuckets = true;
    EXPECT_TRUE(SasrecRunConfig::fromJson(c.toJson()).lengthBuckets);
    // A config recorded before the key existed was trained on length-bucketed batches.
    EXPECT_TRUE(SasrecRunConfig::fromJson(R"({"dataset": "ring"})").lengthBuckets);

    // Both batchings train on windows of mixed lengths (maxLen 3: windows of 4 and 2 items) and are recorded.
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRingDataset(ws);
    c.maxLen = 3;
    c.epochs = 2;
    c.bootstrapResamples = 0;
    for (const bool buckets : {false, true}) {
        c.lengthBuckets = buckets;
        const SasrecRunResult r = runSasrec(ws, c);
        EXPECT_EQ(r.trainingPositions, kUsers * (kLength - 3));
        for (const auto& e : r.epochs)
            EXPECT_TRUE(std::isfinite(e.trainLoss));
        EXPECT_EQ(SasrecRunConfig::fromJson(RunStore(ws).run(r.runId).config).lengthBuckets, buckets);
    }
}

// Issue 15, post-training: a run started with --init-from begins at its parent's best checkpoint. With a
// learning rate too small to move the weights, its first validation is the parent's best validation, exactly;
// a run from random weights is far from it. The parent is recorded in the run's config.
TEST(PostTraining, StartsFromTheParentsBestCheckpoint) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRingDataset(ws);
    const SasrecRunResult parent = runSasrec(ws, tinyRun());  // the SFT parent (uniform weights, 25 epochs)
    const double parentBest = parent.epochs[static_cast<size_t>(parent.bestEpoch - 1)].validNdcg10;
    ASSERT_GT(parentBest, 0.5);

    SasrecRunConfig post = tinyRun();
    post.epochs = 1;
    post.lr = 1e-12;
    post.seed = 99;  // another seed: the weights come from the parent, not from the initialisation
    post.initFrom = parent.runId;
    post.scheme = WeightScheme::exp(0.5);
    const SasrecRunResult child = runSasrec(ws, post);
    ASSERT_EQ(child.epochs.size(), 1u);
    EXPECT_NEAR(child.epochs.front().validNdcg10, parentBest, 1e-9);
    EXPECT_EQ(SasrecRunConfig::fromJson(RunStore(ws).run(child.runId).config).initFrom, parent.runId);

    post.initFrom = 0;
    const SasrecRunResult scratch = runSasrec(ws, post);
    EXPECT_LT(scratch.epochs.front().validNdcg10, 0.5 * parentBest);
}

// --select picks the checkpoint (and drives early stopping) on the named validation metric, and
// --high-threshold decides which targets that metric counts; both are recorded and reach the evaluation.
TEST(SasrecTrainer, SelectPicksTheCheckpointOnTheNamedValidationMetric) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRingDataset(ws);
    // The epoch each curve peaks first at, read back from the recorded per-epoch rows.
    const auto firstPeak = [&](int64_t runId, const std::string& name) {
        int best = 0;
        double bestValue = -1.0;
        for (const MetricRow& row : RunStore(ws).metrics(runId)) {
            if (row.epoch > 0 && row.split == "valid" && row.name == name && row.value > bestValue) {
                bestValue = row.value;
                best = row.epoch;
            }
        }
        return best;
    };
    SasrecRunConfig c = tinyRun();
    c.epochs = 12;
    c.lr = 0.003;
    c.bootstrapResamples = 0;
    c.highThreshold = 4.0;  // rewards 1..5 by item: items 3, 4 (mod 5) are high
    const SasrecRunResult overall = runSasrec(ws, c);
    c.select = "ndcg_high@10";
    const SasrecRunResult high = runSasrec(ws, c);  // same seed: the same training, another choice

    EXPECT_EQ(overall.bestEpoch, firstPeak(overall.runId, "ndcg@10"));
    EXPECT_EQ(high.bestEpoch, firstPeak(high.runId, "ndcg_high@10"));
    ASSERT_NE(firstPeak(high.runId, "ndcg_high@10"), firstPeak(high.runId, "ndcg@10"))
        << "the two curves peak together here: the test cannot tell the metrics apart";
    EXPECT_DOUBLE_EQ(high.valid.protocol.highThreshold, 4.0);
    EXPECT_DOUBLE_EQ(high.test.protocol.highThreshold, 4.0);
    const SasrecRunConfig recorded = SasrecRunConfig::fromJson(RunStore(ws).run(high.runId).config);
    EXPECT_EQ(recorded.select, "ndcg_high@10");
    ASSERT_TRUE(recorded.highThreshold.has_value());
    EXPECT_DOUBLE_EQ(*recorded.highThreshold, 4.0);

    SasrecRunConfig bad = c;
    bad.select = "coverage@10";
    EXPECT_THROW(runSasrec(ws, bad), Error);
    bad = c;
    bad.highThreshold = std::numeric_limits<double>::infinity();
    EXPECT_THROW(runSasrec(ws, bad), Error);
}

// A parent that does not fit is refused with a clear error before the run is recorded or trained.
TEST(PostTraining, AParentThatDoesNotFitIsRefusedBeforeAnythingIsRecorded) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRingDataset(ws);
    SasrecRunConfig sft = tinyRun();
    sft.epochs = 1;
    sft.bootstrapResamples = 0;
    const SasrecRunResult parent = runSasrec(ws, sft);
    {  // a second dataset, and a closed-form run
        auto w = ws.createDataset({"other", "test", "{}"});
        w->setHasTime(true);
        for (int u = 0; u < 5; ++u)
            for (int t = 0; t < 5; ++t)
                w->add(w->userIndex("u" + std::to_string(u)), w->itemIndex("i" + std::to_string(t)), 1.0, t);
        w->commit();
    }
    ClosedFormRunConfig closedForm;
    closedForm.dataset = "ring";
    closedForm.model = PolicyKind::Popularity;
    closedForm.bootstrapResamples = 0;
    const int64_t closedFormRun = runClosedForm(ws, closedForm).runId;
    const int64_t before = RunStore(ws).lastRunId();
    const auto refused = [&](SasrecRunConfig c, const std::string& expected) {
        try {
            runSasrec(ws, c);
            ADD_FAILURE() << "accepted; expected an error containing '" << expected << "'";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("--init-from"), std::string::npos) << e.what();
        }
        EXPECT_EQ(RunStore(ws).lastRunId(), before) << expected;  // nothing was recorded
    };
    SasrecRunConfig c = tinyRun();
    c.epochs = 1;
    c.initFrom = parent.runId;
    SasrecRunConfig wider = c;
    wider.dim = 32;
    refused(wider, "dim 16, this run 32");
    SasrecRunConfig longer = c;
    longer.maxLen = 8;
    refused(longer, "max length");
    SasrecRunConfig otherData = c;
    otherData.dataset = "other";
    refused(otherData, "another dataset");
    SasrecRunConfig otherSplit = c;
    otherSplit.split.kind = SplitKind::Time;
    refused(otherSplit, "another split");
    SasrecRunConfig fromClosedForm = c;
    fromClosedForm.initFrom = closedFormRun;
    refused(fromClosedForm, "'popularity' run");
    SasrecRunConfig missing = c;
    missing.initFrom = parent.runId + 100;
    refused(missing, "no such run");
}

// --model hstu: the same trainer on HSTU blocks learns the ring, is recorded as an hstu run whose checkpoint
// loads as HSTU, resumes exactly, and post-training refuses a parent of the other backbone by name.
TEST(SasrecTrainer, HstuLearnsTheRingIsRecordedAndResumesExactly) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRingDataset(ws);
    SasrecRunConfig c = tinyRun();
    c.model = "hstu";
    const SasrecRunResult r = runSasrec(ws, c);
    EXPECT_LT(r.epochs.back().trainLoss, 0.5 * r.epochs.front().trainLoss);
    EXPECT_GE(r.test.value("hr@10"), 0.8);
    RunStore store(ws);
    EXPECT_EQ(store.run(r.runId).model, "hstu");
    EXPECT_EQ(SasrecRunConfig::fromJson(store.run(r.runId).config).model, "hstu");
    EXPECT_EQ(loadSasrecCheckpoint(ws, r.runId, "cpu").config().backbone, Backbone::Hstu);

    c.epochs = 3;
    c.dropout = 0.2;
    c.scheme = WeightScheme::exp(0.5);
    expectCancelledAtEpochTwoResumesExactly(ws, c);

    SasrecRunConfig parent = tinyRun();
    parent.epochs = 1;
    const int64_t sasrecRun = runSasrec(ws, parent).runId;
    SasrecRunConfig child = c;
    child.initFrom = sasrecRun;
    const size_t before = store.runs().size();
    try {
        runSasrec(ws, child);
        ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("is a sasrec model, this run hstu"), std::string::npos)
            << e.what();
    }
    EXPECT_EQ(store.runs().size(), before);
    // A stored config whose model is neither backbone is refused by name.
    EXPECT_THROW(SasrecRunConfig::fromJson(R"({"dataset":"ring","model":"gru4rec"})"), Error);
}
