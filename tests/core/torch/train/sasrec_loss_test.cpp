// The weighted next-item loss of SASRec: against a hand computation, against
// torch's unweighted cross-entropy, its gradient against the per-example
// gradients, and padding invariance.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "torch/model/sasrec.h"

using namespace tiltbench;

namespace {

SasrecConfig tinyConfig() {
    SasrecConfig c;
    c.numItems = 10;
    c.dim = 16;
    c.blocks = 1;
    c.heads = 2;
    c.maxLen = 8;
    c.dropout = 0.0;  // deterministic forward: the checks compare exact sums
    return c;
}

// Two rows: a full one and a shorter, right-padded one.
SequenceBatch tinyBatch() {
    SequenceBatch b;
    b.rows = 2;
    b.length = 4;
    b.inputs = {1 + 3, 1 + 1, 1 + 4, 1 + 1, 1 + 5, 1 + 9, 0, 0};
    b.targets = {1, 4, 1, 5, 9, 2, -1, -1};
    b.weights = {0.5f, 2.0f, 1.0f, 0.25f, 3.0f, 1.5f, 0.0f, 0.0f};
    return b;
}

// A gradient against a second computation of it: not all zero, and equal to within 1e-5 of its largest entry.
void expectSameGradient(const std::vector<float>& got, const std::vector<double>& expected) {
    ASSERT_EQ(got.size(), expected.size());
    double maxAbs = 0.0, maxDiff = 0.0;
    for (size_t k = 0; k < got.size(); ++k) {
        maxAbs = std::max(maxAbs, std::abs(static_cast<double>(got[k])));
        maxDiff = std::max(maxDiff, std::abs(static_cast<double>(got[k]) - expected[k]));
    }
    ASSERT_GT(maxAbs, 1e-4);
    EXPECT_LT(maxDiff, 1e-5 * std::max(1.0, maxAbs));
}

}  // namespace

TEST(SasrecLoss, WeightedLossMatchesHandComputation) {
    const std::vector<float> logits = {1.0f, 2.0f,  0.5f,  //
                                       0.0f, -1.0f, 3.0f};
    const std::vector<int64_t> targets = {1, 0};
    const std::vector<float> weights = {2.0f, 0.5f};
    // Row 0: −log softmax[1] = log(e^1 + e^2 + e^0.5) − 2; row 1: log(e^0 + e^−1
    // + e^3) − 0.
    const double ce0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(0.5)) - 2.0;
    const double ce1 = std::log(std::exp(0.0) + std::exp(-1.0) + std::exp(3.0)) - 0.0;
    const double expected = (2.0 * ce0 + 0.5 * ce1) / 2.0;
    EXPECT_NEAR(weightedCrossEntropy(logits.data(), 2, 3, targets.data(), weights.data(), 2.0), expected,
                1e-6);
}

TEST(SasrecLoss, UniformWeightsEqualUnweightedCrossEntropy) {
    at::manual_seed(3);
    const auto logits = at::randn({7, 11}, at::kFloat);
    const auto targets = at::randint(0, 11, {7}, at::kLong);
    const std::vector<float> ones(7, 1.0f);
    const double plain = at::cross_entropy_loss(logits, targets).item<double>();
    const double weighted =
        weightedCrossEntropy(logits.data_ptr<float>(), 7, 11, targets.data_ptr<int64_t>(), ones.data(), 7.0);
    EXPECT_NEAR(weighted, plain, 1e-6);
}

TEST(SasrecLoss, GradientIsWeightedSumOfPerExampleGradients) {
    seedTorch(11);
    SasrecModel model(tinyConfig(), "cpu");
    model.setTraining(false);
    const SequenceBatch batch = tinyBatch();

    model.zeroGrad();
    model.loss(batch, true);
    const std::vector<float> full = model.gradients();

    // The normaliser (steps with a target) does not depend on the weights, so the
    // loss is linear in them: its gradient must be Σ_i w_i · (gradient with
    // weight 1 on step i and 0 elsewhere).
    std::vector<double> sum(full.size(), 0.0);
    for (size_t i = 0; i < batch.targets.size(); ++i) {
        if (batch.targets[i] < 0)
            continue;
        SequenceBatch one = batch;
        std::fill(one.weights.begin(), one.weights.end(), 0.0f);
        one.weights[i] = 1.0f;
        model.zeroGrad();
        model.loss(one, true);
        const std::vector<float> g = model.gradients();
        for (size_t k = 0; k < g.size(); ++k)
            sum[k] += static_cast<double>(batch.weights[i]) * g[k];
    }
    expectSameGradient(full, sum);
}

TEST(SasrecLoss, UniformModelLossIsMeanCrossEntropyAndPaddingCostsNothing) {
    seedTorch(5);
    SasrecModel model(tinyConfig(), "cpu");
    model.setTraining(false);
    SequenceBatch batch = tinyBatch();
    std::fill(batch.weights.begin(), batch.weights.end(), 1.0f);
    const double both = model.loss(batch, false);

    // Each row alone, unpadded: the batch loss is the mean over its 6 real steps.
    SequenceBatch a;
    a.rows = 1;
    a.length = 4;
    a.inputs.assign(batch.inputs.begin(), batch.inputs.begin() + 4);
    a.targets.assign(batch.targets.begin(), batch.targets.begin() + 4);
    a.weights.assign(4, 1.0f);
    SequenceBatch b;
    b.rows = 1;
    b.length = 2;
    b.inputs.assign(batch.inputs.begin() + 4, batch.inputs.begin() + 6);
    b.targets.assign(batch.targets.begin() + 4, batch.targets.begin() + 6);
    b.weights.assign(2, 1.0f);
    const double la = model.loss(a, false), lb = model.loss(b, false);
    EXPECT_NEAR(both, (4.0 * la + 2.0 * lb) / 6.0, 1e-5);

    // More padding changes nothing.
    SequenceBatch padded = b;
    padded.length = 6;
    padded.inputs = {b.inputs[0], b.inputs[1], 0, 0, 0, 0};
    padded.targets = {b.targets[0], b.targets[1], -1, -1, -1, -1};
    padded.weights = {1.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    EXPECT_NEAR(model.loss(padded, false), lb, 1e-5);
}

TEST(SasrecLoss, StateRoundTripGivesIdenticalScores) {
    seedTorch(1);
    SasrecModel a(tinyConfig(), "cpu");
    seedTorch(2);
    SasrecModel b(tinyConfig(), "cpu");
    const std::vector<int32_t> history = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3};  // longer than maxLen: newest 8 read
    const std::vector<UserContext> users = {{0, history.data(), 10}, {1, history.data(), 3}, {2, nullptr, 0}};
    std::vector<float> sa(3 * 10), sb(3 * 10);
    a.score(users, 0, 10, sa.data());
    b.score(users, 0, 10, sb.data());
    EXPECT_NE(sa, sb);
    b.loadState(a.saveState());
    b.score(users, 0, 10, sb.data());
    EXPECT_EQ(sa, sb);
    // A slice scores the same as the full catalogue's columns.
    std::vector<float> slice(3 * 4);
    a.score(users, 3, 7, slice.data());
    for (int u = 0; u < 3; ++u)
        for (int j = 0; j < 4; ++j)
            EXPECT_FLOAT_EQ(slice[static_cast<size_t>(u * 4 + j)], sa[static_cast<size_t>(u * 10 + 3 + j)]);
    for (int j = 0; j < 10; ++j)
        EXPECT_EQ(sa[static_cast<size_t>(20 + j)], 0.0f);  // empty history
    SasrecConfig other = tinyConfig();
    other.dim = 8;
    SasrecModel c(other, "cpu");
    EXPECT_ANY_THROW(c.loadState(a.saveState()));
}

// The trainer runs a random batch as length-sorted slices with one optimizer step: the slices' losses and
// gradients, weighted by their share of the batch's targets, must add up to the whole batch's.
TEST(SasrecLoss, SlicedBatchGivesTheWholeBatchsLossAndGradient) {
    seedTorch(4);
    SasrecConfig config = tinyConfig();
    config.numItems = 30;
    config.maxLen = 12;
    SasrecModel model(config, "cpu");
    model.setTraining(false);
    // 11 rows of lengths 1..11 (sorted, as makeBatches sorts a random batch), padded to the longest.
    SequenceBatch batch;
    batch.rows = 11;
    batch.length = 11;
    batch.inputs.assign(121, 0);
    batch.targets.assign(121, -1);
    batch.weights.assign(121, 0.0f);
    for (int64_t r = 0; r < batch.rows; ++r) {
        for (int64_t t = 0; t <= r; ++t) {
            const auto i = static_cast<size_t>(r * batch.length + t);
            batch.inputs[i] = 1 + (r * 7 + t * 3) % 30;
            batch.targets[i] = (r * 5 + t * 11 + 1) % 30;
            batch.weights[i] = 0.25f + static_cast<float>((r + t) % 4);
        }
    }
    const int64_t n = countTargets(batch);
    ASSERT_EQ(n, 66);

    model.zeroGrad();
    const double whole = model.loss(batch, true);
    const std::vector<float> wholeGrad = model.gradients();

    const std::vector<SequenceBatch> slices = sliceRows(batch, 4);
    ASSERT_EQ(slices.size(), 3u);
    EXPECT_EQ(slices[0].length, 4);  // rows of lengths 1..4: cut to 4 steps, not 11
    EXPECT_EQ(slices[2].rows, 3);
    double sliced = 0.0;
    std::vector<double> slicedGrad(wholeGrad.size(), 0.0);
    int64_t targets = 0;
    for (const SequenceBatch& s : slices) {
        const int64_t ns = countTargets(s);
        targets += ns;
        model.zeroGrad();
        const double share = static_cast<double>(ns) / static_cast<double>(n);
        sliced += share * model.loss(s, true);
        const std::vector<float> g = model.gradients();
        for (size_t k = 0; k < g.size(); ++k)
            slicedGrad[k] += share * g[k];
    }
    EXPECT_EQ(targets, n);
    EXPECT_NEAR(sliced, whole, 1e-5 * whole);
    expectSameGradient(wholeGrad, slicedGrad);
}
