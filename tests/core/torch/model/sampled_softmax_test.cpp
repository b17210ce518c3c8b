// Sampled softmax with the logQ correction (torch/model/sasrec_ops.h) and the candidates it runs over
// (torch/train/negative_sampler.h), against independent references: the fused node against autograd's chain
// (repeats, accidental hits, float and bfloat16 products); with every item a candidate once and a
// uniform q it is the full softmax (value and both gradients, against autograd's plain chain); a small case
// computed by hand in double precision, with a correction that differs per item and an accidental hit; the
// samplers' draws (range, frequencies against the counts, the batch's distinct targets, reproducibility).
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "torch/model/sasrec_ops.h"
#include "torch/train/negative_sampler.h"

using namespace tiltbench;

namespace {

double maxRelDiff(const at::Tensor& a, const at::Tensor& b) {
    return (a - b).abs().max().item<double>() / std::max(1e-12, b.abs().max().item<double>());
}

}  // namespace

TEST(SampledSoftmax, EveryItemOnceWithAUniformQIsTheFullSoftmax) {
    at::manual_seed(5);
    const int64_t n = 23, d = 8, c = 41;
    const at::Tensor h = at::randn({n, d}), w = at::randn({c, d}).mul_(0.5);
    const at::Tensor targets = at::randint(0, c, {n}, at::kLong);
    const at::Tensor scale = at::rand({n}).add_(0.1);
    SampledCandidates all;
    all.items = at::arange(c, at::kLong);
    all.itemLogQ = at::full({c}, -std::log(static_cast<double>(c)), at::kFloat);
    all.logQ = all.itemLogQ.clone();

    auto h1 = h.clone().requires_grad_(true), w1 = w.clone().requires_grad_(true);
    auto h2 = h.clone().requires_grad_(true), w2 = w.clone().requires_grad_(true);
    const at::Tensor sampled = sampledSoftmaxLoss(h1, w1, targets, scale, all);
    const at::Tensor full =
        (at::log_softmax(at::mm(h2, w2.t()), 1).gather(1, targets.unsqueeze(1)).squeeze(1).neg() * scale)
            .sum();
    EXPECT_NEAR(sampled.item<double>(), full.item<double>(), 1e-5 * std::abs(full.item<double>()));
    sampled.backward();
    full.backward();
    EXPECT_LT(maxRelDiff(h1.grad(), h2.grad()), 1e-5);
    EXPECT_LT(maxRelDiff(w1.grad(), w2.grad()), 1e-5);
}

TEST(SampledSoftmax, HandComputedCaseWithPerItemCorrectionAndAnAccidentalHit) {
    // 2 rows, 2 dimensions, 4 items; candidates {1, 3, 1} (item 1 drawn twice), q = (0.1, 0.2, 0.3, 0.4).
    const std::vector<float> hv{1.0f, 0.5f, -0.5f, 2.0f};
    const std::vector<float> wv{0.3f, -0.2f, 1.0f, 0.4f, -0.7f, 0.9f, 0.2f, 0.2f};
    const std::vector<int64_t> tv{1, 2};  // row 0's target is also a candidate (twice): both are removed
    const std::vector<float> sv{0.25f, 0.75f};
    const std::vector<int64_t> cv{1, 3, 1};
    const double q[4] = {0.1, 0.2, 0.3, 0.4};

    double expected = 0.0;
    for (int i = 0; i < 2; ++i) {
        auto logit = [&](int j) {
            return hv[2 * i] * wv[2 * j] + hv[2 * i + 1] * wv[2 * j + 1] - std::log(q[j]);
        };
        const double pos = logit(static_cast<int>(tv[i]));
        double z = std::exp(pos);
        for (const int64_t k : cv)
            if (k != tv[i])
                z += std::exp(logit(static_cast<int>(k)));
        expected += sv[i] * (std::log(z) - pos);
    }

    const auto f = at::TensorOptions().dtype(at::kFloat);
    const auto l = at::TensorOptions().dtype(at::kLong);
    SampledCandidates cand;
    std::vector<float> lq{std::log(0.1f), std::log(0.2f), std::log(0.3f), std::log(0.4f)};
    cand.itemLogQ = at::from_blob(lq.data(), {4}, f).clone();
    cand.items = at::from_blob(const_cast<int64_t*>(cv.data()), {3}, l).clone();
    cand.logQ = cand.itemLogQ.index_select(0, cand.items);
    const at::Tensor loss = sampledSoftmaxLoss(at::from_blob(const_cast<float*>(hv.data()), {2, 2}, f),
                                               at::from_blob(const_cast<float*>(wv.data()), {4, 2}, f),
                                               at::from_blob(const_cast<int64_t*>(tv.data()), {2}, l),
                                               at::from_blob(const_cast<float*>(sv.data()), {2}, f), cand);
    EXPECT_NEAR(loss.item<double>(), expected, 1e-5);
}

// The fused node (the default) against autograd's chain over the same formula, written out here: candidates
// drawn with replacement (repeats), several accidental hits, one row whose only candidate is its target, a
// correction that differs per item; value and both gradients, in float tightly and with the products in
// bfloat16 within bfloat16's precision.
TEST(SampledSoftmax, FusedNodeMatchesAutogradsChainWithRepeatsAndHits) {
    at::manual_seed(11);
    const int64_t n = 29, d = 16, c = 37, k = 24;
    const at::Tensor h = at::randn({n, d}).mul_(0.7), w = at::randn({c, d}).mul_(0.5);
    at::Tensor targets = at::randint(0, c, {n}, at::kLong);
    const at::Tensor scale = at::rand({n}).add_(0.1).div_(static_cast<double>(n));
    SampledCandidates cand;
    cand.items = at::randint(0, 12, {k}, at::kLong);            // 24 draws from 12 items: repeats
    targets.narrow(0, 0, 10).copy_(at::arange(10, at::kLong));  // targets 0..9: hits, some repeated
    cand.itemLogQ = at::rand({c}).add_(0.05).log_();
    cand.logQ = cand.itemLogQ.index_select(0, cand.items);
    ASSERT_GT(targets.unsqueeze(1).eq(cand.items.unsqueeze(0)).sum().item<int64_t>(), 10);

    auto chain = [&](const at::Tensor& hh, const at::Tensor& ww, const at::Tensor& tt,
                     const SampledCandidates& cc) {
        const at::Tensor pos = (hh * ww.index_select(0, tt)).sum(1) - cc.itemLogQ.index_select(0, tt);
        at::Tensor neg = at::mm(hh, ww.index_select(0, cc.items).t()) - cc.logQ.unsqueeze(0);
        neg = neg.masked_fill(tt.unsqueeze(1).eq(cc.items.unsqueeze(0)),
                              -std::numeric_limits<float>::infinity());
        return ((at::logsumexp(at::cat({pos.unsqueeze(1), neg}, 1), 1) - pos) * scale).sum();
    };
    for (const bool bf16 : {false, true}) {
        auto h1 = h.clone().requires_grad_(true), w1 = w.clone().requires_grad_(true);
        auto h2 = h.clone().requires_grad_(true), w2 = w.clone().requires_grad_(true);
        const at::Tensor fused = sampledSoftmaxLoss(h1, w1, targets, scale, cand, bf16);
        const at::Tensor ref = chain(h2, w2, targets, cand);
        const double tol = bf16 ? 2e-2 : 1e-5;
        EXPECT_NEAR(fused.item<double>(), ref.item<double>(), tol * std::abs(ref.item<double>())) << bf16;
        fused.backward();
        ref.backward();
        EXPECT_LT(maxRelDiff(h1.grad(), h2.grad()), bf16 ? 3e-2 : 1e-5) << bf16;
        EXPECT_LT(maxRelDiff(w1.grad(), w2.grad()), bf16 ? 3e-2 : 1e-5) << bf16;
    }

    // A row whose only candidate is its own target: its softmax is over the target alone, loss 0, no
    // gradient.
    SampledCandidates one;
    one.items = at::full({1}, 3, at::kLong);
    one.itemLogQ = cand.itemLogQ;
    one.logQ = one.itemLogQ.index_select(0, one.items);
    auto h3 = h.narrow(0, 0, 1).clone().requires_grad_(true), w3 = w.clone().requires_grad_(true);
    const at::Tensor lone = sampledSoftmaxLoss(h3, w3, at::full({1}, 3, at::kLong), at::ones({1}), one);
    EXPECT_NEAR(lone.item<double>(), 0.0, 1e-7);
    lone.backward();
    EXPECT_EQ(h3.grad().abs().max().item<double>(), 0.0);
    EXPECT_EQ(w3.grad().abs().max().item<double>(), 0.0);
}

TEST(NegativeSampler, UniformDrawsCoverTheCatalogueEvenly) {
    at::manual_seed(1);
    const std::vector<int32_t> targets{0, 0, 0, 1};  // counts do not matter for uniform
    const NegativeSampler s("uniform", 4000, targets, 8, c10::Device(c10::kCPU));
    const SampledCandidates c = s.draw({0, 1, -1});
    ASSERT_EQ(c.items.numel(), 4000);
    EXPECT_GE(c.items.min().item<int64_t>(), 0);
    EXPECT_LE(c.items.max().item<int64_t>(), 7);
    const at::Tensor counts = at::bincount(c.items, {}, 8).to(at::kDouble);
    const double sd = std::sqrt(4000.0 * (1.0 / 8) * (7.0 / 8));
    EXPECT_LT((counts - 500.0).abs().max().item<double>(), 5.0 * sd);
    EXPECT_NEAR(c.logQ[0].item<double>(), -std::log(8.0), 1e-6);
    EXPECT_NEAR(c.itemLogQ[3].item<double>(), -std::log(8.0), 1e-6);
}

TEST(NegativeSampler, PopularityDrawsFollowTheTargetCountsAndNeverAnItemWithNone) {
    std::vector<int32_t> targets;
    for (int32_t item = 0; item < 4; ++item)  // counts 1, 2, 3, 4; items 4 and 5 are never a target
        for (int k = 0; k <= item; ++k)
            targets.push_back(item);
    at::manual_seed(2);
    const NegativeSampler s("popularity", 20000, targets, 6, c10::Device(c10::kCPU));
    const SampledCandidates c = s.draw({0});
    const at::Tensor counts = at::bincount(c.items, {}, 6).to(at::kDouble);
    for (int j = 0; j < 4; ++j) {
        const double p = (j + 1) / 10.0;
        EXPECT_NEAR(counts[j].item<double>(), 20000.0 * p, 5.0 * std::sqrt(20000.0 * p * (1 - p))) << j;
        EXPECT_NEAR(c.itemLogQ[j].item<double>(), std::log(p), 1e-6);
    }
    EXPECT_EQ(counts[4].item<double>(), 0.0);
    EXPECT_EQ(counts[5].item<double>(), 0.0);
    EXPECT_TRUE(std::isfinite(c.itemLogQ[5].item<double>()));
    // The candidates' correction is their items' log q.
    EXPECT_TRUE(at::allclose(c.logQ, c.itemLogQ.index_select(0, c.items)));
    // Reproducible from the seed.
    at::manual_seed(2);
    EXPECT_TRUE(at::equal(s.draw({0}).items, c.items));
}

TEST(NegativeSampler, InBatchTakesTheBatchsDistinctTargets) {
    const std::vector<int32_t> targets{0, 1, 1, 2, 2, 2, 2, 3};
    const NegativeSampler s("in-batch", 2, targets, 5, c10::Device(c10::kCPU));  // the cap: not reached
    const SampledCandidates c = s.draw({3, -1, 1, 3, 1, -1});
    ASSERT_EQ(c.items.numel(), 2);
    EXPECT_EQ(c.items[0].item<int64_t>(), 1);
    EXPECT_EQ(c.items[1].item<int64_t>(), 3);
    EXPECT_NEAR(c.logQ[0].item<double>(), std::log(2.0 / 8.0), 1e-6);
    EXPECT_NEAR(c.logQ[1].item<double>(), std::log(1.0 / 8.0), 1e-6);
}

// --num-negatives K caps in-batch candidates: a batch with D > K distinct targets keeps K of them, each with
// probability K / D (uniformly without replacement), distinct, with their own log q (a common factor K / D on
// every q cancels in the loss); reproducible from the seed.
TEST(NegativeSampler, InBatchKeepsAtMostKOfTheBatchsDistinctTargetsUniformly) {
    std::vector<int32_t> targets;
    for (int32_t i = 0; i < 10; ++i)
        targets.insert(targets.end(), static_cast<size_t>(i + 1), i);  // item i counted i + 1 times
    const NegativeSampler s("in-batch", 4, targets, 12, c10::Device(c10::kCPU));
    const std::vector<int64_t> batch{9, 0, 3, 3, -1, 7, 1, 2, 9, 5, 6, 4, 8, 0};  // 10 distinct targets
    at::manual_seed(3);
    std::vector<int> seen(12, 0);
    const int draws = 5000;
    at::Tensor first;
    for (int d = 0; d < draws; ++d) {
        const SampledCandidates c = s.draw(batch);
        ASSERT_EQ(c.items.numel(), 4);
        if (d == 0)
            first = c.items.clone();
        EXPECT_EQ(std::get<0>(at::_unique(c.items)).numel(), 4);  // without replacement
        EXPECT_TRUE(at::allclose(c.logQ, c.itemLogQ.index_select(0, c.items)));
        for (int64_t k = 0; k < 4; ++k)
            ++seen[static_cast<size_t>(c.items[k].item<int64_t>())];
    }
    const double p = 0.4;  // K / D
    for (int i = 0; i < 10; ++i)
        EXPECT_NEAR(seen[static_cast<size_t>(i)], draws * p, 5.0 * std::sqrt(draws * p * (1 - p))) << i;
    EXPECT_EQ(seen[10], 0);  // never a target of the batch
    EXPECT_EQ(seen[11], 0);
    EXPECT_NEAR(s.draw(batch).itemLogQ[9].item<double>(), std::log(10.0 / 55.0), 1e-6);
    at::manual_seed(3);
    EXPECT_TRUE(at::equal(s.draw(batch).items, first));
    // K at least the distinct count: every distinct target, as without a cap.
    const NegativeSampler all("in-batch", 10, targets, 12, c10::Device(c10::kCPU));
    EXPECT_TRUE(at::equal(all.draw(batch).items, at::arange(10, at::TensorOptions().dtype(at::kLong))));
}

TEST(NegativeSampler, RefusesWhatItCannotDraw) {
    const std::vector<int32_t> targets{0, 1};
    EXPECT_THROW(NegativeSampler("zipf", 4, targets, 2, c10::Device(c10::kCPU)), std::exception);
    EXPECT_THROW(NegativeSampler("uniform", 0, targets, 2, c10::Device(c10::kCPU)), std::exception);
    EXPECT_THROW(NegativeSampler("in-batch", 0, targets, 2, c10::Device(c10::kCPU)), std::exception);
    EXPECT_THROW(NegativeSampler("uniform", 4, {0, 5}, 2, c10::Device(c10::kCPU)), std::exception);
}
