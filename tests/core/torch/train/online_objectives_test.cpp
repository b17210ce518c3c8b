// Issue 16: the RLHF baselines (online DPO and PPO, torch/train/online_objectives.h). The losses against hand
// computations, the exact KL against a direct sum, sampling against the history it must never return, and
// whole runs: recorded, resumable, refused before anything is recorded when an option is bad, and a PPO run
// whose KL weight is very large stays at its reference.
#include "torch/train/online_objectives.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <set>
#include <string>

#include "common/error.h"
#include "store/dataset_writer.h"
#include "store/run_store.h"
#include "support/test_support.h"
#include "torch/train/sasrec_trainer.h"
#include "train/reward_run.h"

using namespace tiltbench;
using tiltbench::test::TempDir;

namespace {

at::Tensor row(std::vector<float> v) {
    return at::tensor(v, at::kFloat).unsqueeze(0);
}

double logSoftmax(const std::vector<double>& z, size_t i) {
    double s = 0.0;
    for (double x : z)
        s += std::exp(x);
    return z[i] - std::log(s);
}

}  // namespace

TEST(DpoLoss, LossAndGradientMatchAHandComputation) {
    // One context, three items; winner 0, loser 2, β = 0.5.
    const std::vector<double> zp{0.3, -0.2, 1.1}, zr{0.0, 0.5, 0.2};
    const double beta = 0.5;
    at::Tensor logits = row({0.3f, -0.2f, 1.1f}).requires_grad_(true);
    const at::Tensor none = at::zeros({1, 3}, at::kBool);
    const at::Tensor lp = maskedLogProbs(logits, none);
    const at::Tensor lr = maskedLogProbs(row({0.0f, 0.5f, 0.2f}), none);
    const at::Tensor loss =
        dpoPairLoss(lp.select(1, 0), lp.select(1, 2), lr.select(1, 0), lr.select(1, 2), beta);
    loss.sum().backward();

    const double m = (logSoftmax(zp, 0) - logSoftmax(zr, 0)) - (logSoftmax(zp, 2) - logSoftmax(zr, 2));
    const double expected = std::log1p(std::exp(-beta * m));  // −log σ(β m)
    EXPECT_NEAR(loss.item<double>(), expected, 1e-6);
    // d loss / d z = −β σ(−β m) (e_winner − e_loser): the softmax's normaliser cancels in the margin.
    const double g = -beta / (1.0 + std::exp(beta * m));
    const at::Tensor grad = logits.grad().squeeze(0);
    EXPECT_NEAR(grad[0].item<double>(), g, 1e-6);
    EXPECT_NEAR(grad[1].item<double>(), 0.0, 1e-6);
    EXPECT_NEAR(grad[2].item<double>(), -g, 1e-6);
}

TEST(PpoObjective, TheClippedObjectiveMatchesADirectComputationInsideAndOutsideTheClip) {
    const double eps = 0.2;
    // ratio ρ and advantage A: inside the clip, above it with A > 0 (clipped), below it with A > 0 (the
    // unclipped value is smaller), below it with A < 0 (clipped), above it with A < 0 (unclipped).
    const std::vector<double> ratio{1.1, 1.5, 0.5, 0.5, 1.5}, adv{2.0, 2.0, 2.0, -1.0, -1.0};
    std::vector<float> oldLp, newLp, a;
    for (size_t i = 0; i < ratio.size(); ++i) {
        oldLp.push_back(-1.0f);
        newLp.push_back(static_cast<float>(-1.0 + std::log(ratio[i])));
        a.push_back(static_cast<float>(adv[i]));
    }
    at::Tensor lpNew = at::tensor(newLp, at::kFloat).requires_grad_(true);
    const at::Tensor obj =
        ppoClippedObjective(lpNew, at::tensor(oldLp, at::kFloat), at::tensor(a, at::kFloat), eps);
    obj.sum().backward();
    for (size_t i = 0; i < ratio.size(); ++i) {
        const double clipped = std::min(std::max(ratio[i], 1.0 - eps), 1.0 + eps);
        const double expected = std::min(ratio[i] * adv[i], clipped * adv[i]);
        EXPECT_NEAR(obj[static_cast<int64_t>(i)].item<double>(), expected, 1e-5) << "case " << i;
        // Gradient ρ·A where the unclipped term is the minimum, 0 where the clip binds.
        const bool unclipped = ratio[i] * adv[i] <= clipped * adv[i];
        EXPECT_NEAR(lpNew.grad()[static_cast<int64_t>(i)].item<double>(), unclipped ? ratio[i] * adv[i] : 0.0,
                    1e-5)
            << "case " << i;
    }
}

TEST(ExactKl, MatchesADirectSumOverTheItemsLeftAndIsZeroAtTheReference) {
    const at::Tensor logits = at::tensor({0.4f, -1.0f, 2.0f, 0.1f, 0.0f, 1.0f, -0.5f, 0.3f}).view({2, 4});
    const at::Tensor ref = at::tensor({0.0f, 0.2f, 1.0f, -0.3f, 0.5f, 0.5f, 0.0f, 0.0f}).view({2, 4});
    const at::Tensor excluded = at::tensor({0, 0, 1, 0, 1, 0, 0, 1}, at::kLong).view({2, 4}).to(at::kBool);
    const at::Tensor lp = maskedLogProbs(logits, excluded), lq = maskedLogProbs(ref, excluded);
    EXPECT_EQ(lp.exp()[0][2].item<float>(), 0.0f);  // the history has probability 0
    const at::Tensor kl = exactKl(lp, lq);
    for (int64_t r = 0; r < 2; ++r) {
        std::vector<double> zp, zq;
        for (int64_t i = 0; i < 4; ++i) {
            if (!excluded[r][i].item<bool>()) {
                zp.push_back(logits[r][i].item<double>());
                zq.push_back(ref[r][i].item<double>());
            }
        }
        double direct = 0.0;
        for (size_t i = 0; i < zp.size(); ++i)
            direct += std::exp(logSoftmax(zp, i)) * (logSoftmax(zp, i) - logSoftmax(zq, i));
        EXPECT_NEAR(kl[r].item<double>(), direct, 1e-6) << "row " << r;
    }
    EXPECT_NEAR(exactKl(lp, lp).abs().max().item<double>(), 0.0, 1e-7);
    EXPECT_TRUE(exactKl(lp, lq).isfinite().all().item<bool>());
}

TEST(OnlineSampling, NeverReturnsTheHistoryAndIsReproducibleForASeed) {
    // One user, 8 training items; the window starts at target 3, so targets 0..2 are history at every step.
    const int32_t numItems = 12;
    const std::vector<int32_t> trainingItems{5, 1, 9, 4, 0, 7, 11, 2};
    TrainSequence s;
    s.user = 0;
    s.userBegin = 0;
    s.begin = 3;
    s.items.assign(trainingItems.begin() + 3, trainingItems.end());
    s.weights.assign(s.items.size(), 1.0f);
    const OnlineContexts c = onlineContexts({&s}, trainingItems, numItems, torch::Device(torch::kCPU));
    ASSERT_EQ(c.size(), 4);  // steps 0..3 predict items 4..7 of the window
    // Step t's history: targets 0 .. 3 + t.
    for (int64_t t = 0; t < c.size(); ++t) {
        std::set<int32_t> history(trainingItems.begin(), trainingItems.begin() + 4 + t);
        for (int32_t i = 0; i < numItems; ++i)
            EXPECT_EQ(c.excluded[t][i].item<bool>(), history.count(i) == 1) << "step " << t << " item " << i;
    }
    // A policy that prefers the history strongly still never samples it.
    at::Tensor logits = at::zeros({c.size(), numItems});
    for (int32_t i : trainingItems)
        logits.select(1, i).fill_(8.0);
    const at::Tensor lp = maskedLogProbs(logits, c.excluded);
    auto draw = [&](uint64_t seed) {
        seedTorch(seed);
        return at::cat({sampleItems(lp, 2, false), sampleItems(lp, 16, true)}, 1);
    };
    const at::Tensor a = draw(3), b = draw(3), other = draw(4);
    EXPECT_TRUE(at::equal(a, b));
    EXPECT_FALSE(at::equal(a, other));
    for (int64_t t = 0; t < c.size(); ++t) {
        EXPECT_NE(a[t][0].item<int64_t>(), a[t][1].item<int64_t>());  // a DPO pair is two items
        for (int64_t j = 0; j < a.size(1); ++j)
            EXPECT_FALSE(c.excluded[t][a[t][j].item<int64_t>()].item<bool>()) << "step " << t;
    }
    // A policy peaked to one item in float (every other probability underflows to 0) still yields a pair.
    at::Tensor peaked = at::zeros({c.size(), numItems});
    peaked.select(1, 10).fill_(1e4f);
    const at::Tensor pair = sampleItems(maskedLogProbs(peaked, c.excluded), 2, false);
    for (int64_t t = 0; t < c.size(); ++t) {
        EXPECT_NE(pair[t][0].item<int64_t>(), pair[t][1].item<int64_t>());
        for (int64_t j = 0; j < 2; ++j)
            EXPECT_FALSE(c.excluded[t][pair[t][j].item<int64_t>()].item<bool>()) << "step " << t;
    }
    // A user who has seen all but one item has no context to sample in.
    std::vector<int32_t> all;
    for (int32_t i = 0; i < numItems; ++i)
        all.push_back(i);
    TrainSequence full;
    full.items = all;
    full.weights.assign(all.size(), 1.0f);
    const OnlineContexts none = onlineContexts({&full}, all, numItems, torch::Device(torch::kCPU));
    EXPECT_EQ(none.size(), numItems - 2);  // steps whose history leaves at least two items
}

namespace {

void addRing(Workspace& ws) {
    auto w = ws.createDataset({"ring", "test", "{}"});
    w->setHasTime(true);
    for (int i = 0; i < 30; ++i)
        w->itemIndex("i" + std::to_string(i));
    for (int u = 0; u < 20; ++u) {
        const int32_t user = w->userIndex("u" + std::to_string(u));
        for (int t = 0; t < 12; ++t) {
            const int item = (u * 7 + t) % 30;
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
    c.maxLen = 16;
    c.dropout = 0.0;
    c.batchSize = 5;
    c.lr = 0.01;
    c.epochs = 3;
    c.patience = 0;
    c.seed = 7;
    c.device = "cpu";
    c.threads = 1;
    c.bootstrapResamples = 0;
    return c;
}

// A finished SFT parent and an item-mean reward model of the ring data.
struct Fixture {
    TempDir tmp;
    Workspace ws{tmp.file("ws.sqlite"), OpenMode::CreateIfMissing};
    int64_t parent = 0;
    int64_t reward = 0;
    Fixture() {
        addRing(ws);
        parent = runSasrec(ws, tinyRun()).runId;
        RewardRunConfig r;
        r.dataset = "ring";
        r.model.kind = RewardModelKind::ItemMean;
        r.bootstrapResamples = 0;
        reward = runRewardModel(ws, r).runId;
    }
    SasrecRunConfig online(const std::string& objective) const {
        SasrecRunConfig c = tinyRun();
        c.objective = objective;
        c.initFrom = parent;
        c.rewardSource = "model:" + std::to_string(reward);
        c.lr = 0.003;
        return c;
    }
    double finalMetric(int64_t run, const std::string& name) {
        for (const auto& m : RunStore(ws).metrics(run))
            if (m.epoch == -1 && m.split == "valid" && m.name == name)
                return m.value;
        return std::nan("");
    }
};

}  // namespace

TEST(OnlineTraining, DpoAndPpoRunsAreRecordedWithTheirCurvesAndResumeToTheSameResult) {
    Fixture f;
    for (const char* objective : {"dpo", "ppo"}) {
        SCOPED_TRACE(objective);
        const SasrecRunConfig c = f.online(objective);
        const SasrecRunResult whole = runSasrec(f.ws, c);
        const RunRecord rec = RunStore(f.ws).run(whole.runId);
        EXPECT_NE(rec.config.find(std::string("\"objective\":\"") + objective + "\""), std::string::npos);
        // Per epoch: the proxy reward of the top-10 and the KL to the reference.
        int proxyEpochs = 0, klEpochs = 0;
        for (const auto& m : RunStore(f.ws).metrics(whole.runId)) {
            if (m.epoch >= 1 && m.split == "valid" && m.name == "proxy_reward@10")
                ++proxyEpochs;
            if (m.epoch >= 1 && m.split == "valid" && m.name == "kl_ref") {
                ++klEpochs;
                EXPECT_GT(m.value, 0.0) << "the policy moved away from its reference";
            }
        }
        EXPECT_EQ(proxyEpochs, 3);
        EXPECT_EQ(klEpochs, 3);

        EXPECT_THROW(runSasrec(f.ws, c,
                               [](const TrainProgress& p) {
                                   return !(p.epoch == 2 && p.stage == "training" && p.step == 1);
                               }),
                     Cancelled);
        const int64_t id = RunStore(f.ws).lastRunId();
        const SasrecRunResult resumed = resumeSasrec(f.ws, id);
        ASSERT_EQ(resumed.epochs.size(), whole.epochs.size());
        for (size_t e = 0; e < whole.epochs.size(); ++e) {
            EXPECT_EQ(resumed.epochs[e].trainLoss, whole.epochs[e].trainLoss) << "epoch " << e + 1;
            EXPECT_EQ(resumed.epochs[e].validNdcg10, whole.epochs[e].validNdcg10) << "epoch " << e + 1;
        }
        EXPECT_EQ(resumed.test.values(), whole.test.values());
    }
}

TEST(OnlineTraining, PpoWithAVeryLargeKlWeightStaysAtTheReference) {
    Fixture f;
    SasrecRunConfig free = f.online("ppo");
    free.klBeta = 0.0;
    SasrecRunConfig tied = f.online("ppo");
    tied.klBeta = 1e4;
    const double klFree = f.finalMetric(runSasrec(f.ws, free).runId, "kl_ref");
    const double klTied = f.finalMetric(runSasrec(f.ws, tied).runId, "kl_ref");
    std::cout << "KL to the reference after PPO: beta_KL 0 " << klFree << ", beta_KL 1e4 " << klTied << "\n";
    EXPECT_GT(klFree, 1e-3);
    EXPECT_LT(klTied, klFree / 20.0) << "free " << klFree << ", tied " << klTied;
}

TEST(OnlineTraining, EveryBadOptionIsRefusedBeforeARunIsRecorded) {
    Fixture f;
    const int64_t before = RunStore(f.ws).lastRunId();
    auto refused = [&](SasrecRunConfig c, const std::string& expected) {
        try {
            runSasrec(f.ws, c);
            ADD_FAILURE() << "accepted; expected an error containing '" << expected << "'";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
        }
        EXPECT_EQ(RunStore(f.ws).lastRunId(), before) << expected;
    };
    SasrecRunConfig c = f.online("dpo");
    c.objective = "rlhf";
    refused(c, "--objective");
    c = f.online("dpo");
    c.initFrom = 0;
    refused(c, "--init-from");
    c = f.online("ppo");
    c.rewardSource = "logged";
    refused(c, "--reward-source model:RUN");
    c = f.online("dpo");
    c.initFrom = f.reward;  // a reward model is no SFT parent
    refused(c, std::to_string(f.reward));
    c = f.online("dpo");
    c.rewardSource = "model:" + std::to_string(f.parent);  // an SFT run is no reward model
    refused(c, "not a reward model");
    c = f.online("dpo");
    c.dpoBeta = 0.0;
    refused(c, "--dpo-beta");
    c.dpoBeta = std::nan("");
    refused(c, "--dpo-beta");
    c = f.online("dpo");
    c.dpoPairs = 0;
    refused(c, "--dpo-pairs");
    c = f.online("ppo");
    c.ppoSamples = 1;
    refused(c, "--ppo-samples");
    c.ppoSamples = 65;
    refused(c, "--ppo-samples");
    c = f.online("ppo");
    c.ppoClip = 1.0;
    refused(c, "--ppo-clip");
    c = f.online("ppo");
    c.klBeta = -1.0;
    refused(c, "--kl-beta");
    c = f.online("ppo");
    c.ppoEpochs = 0;
    refused(c, "--ppo-epochs");
    // A stored config with a bad value does not read either.
    SasrecRunConfig stored = f.online("ppo");
    stored.ppoClip = 7.0;
    EXPECT_THROW(SasrecRunConfig::fromJson(stored.toJson()), Error);
}
