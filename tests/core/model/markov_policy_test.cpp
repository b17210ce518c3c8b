#include "model/markov_policy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "common/error.h"
#include "core/weighting/weighting_test_data.h"

using namespace tiltbench;
using tiltbench::test::makeTargets;
using tiltbench::test::randomTargets;

// A namespace of its own: the suite compiles in unity batches (tests/CMakeLists.txt).
namespace markov_policy_test_file {

namespace {

// User A: 0 (5) → 1 (5) → 2 (1); user B: 0 (1) → 2 (1). Item 3 is never logged.
TargetColumns handTargets() {
    return makeTargets(4, {{0, 5.0, -1}, {1, 5.0, 0}, {2, 1.0, 1}, {0, 1.0, -1}, {2, 1.0, 0}});
}

struct Fixture {
    TargetColumns targets = handTargets();
    RewardLevelTable levels{targets.view()};
    std::shared_ptr<const TransitionTable> transitions =
        std::make_shared<const TransitionTable>(targets.view(), levels);
};

std::vector<float> scoreHistory(const Scorer& s, std::vector<int32_t> history, int32_t begin, int32_t end) {
    std::vector<UserContext> ctx(1);
    ctx[0].history = history.data();
    ctx[0].historyLength = static_cast<int64_t>(history.size());
    std::vector<float> out(static_cast<size_t>(end - begin));
    s.score(ctx, begin, end, out.data());
    return out;
}

}  // namespace

TEST(MarkovPolicy, TransitionTableIsSparseCsr) {
    Fixture f;
    const auto& t = *f.transitions;
    EXPECT_EQ(t.numTransitions(), 3);
    EXPECT_EQ(t.sourceOffsets(), (std::vector<int64_t>{0, 2, 3, 3, 3}));
    EXPECT_EQ(t.pairDest(), (std::vector<int32_t>{1, 2, 2}));
    EXPECT_EQ(t.pairOffsets(), (std::vector<int64_t>{0, 1, 2, 3}));
    EXPECT_EQ(t.cells()[0].level, 1);  // 0 → 1 at reward 5
    EXPECT_EQ(t.cells()[1].level, 0);  // 0 → 2 at reward 1
    EXPECT_EQ(t.rowOffsets(), (std::vector<int64_t>{0, 2, 3, 3, 3}));
}

TEST(MarkovPolicy, UniformHandComputed) {
    Fixture f;
    const MarkovPolicy m(f.transitions, f.levels, WeightScheme::uniform(), 1.0);
    // π_pop = (2, 1, 2, 0)/5; row 0: T = {1: 1, 2: 1}, T_0 = 2, α = 1.
    EXPECT_NEAR(m.logProbability(0, 1), std::log((1.0 + 0.2) / 3.0), 1e-12);
    EXPECT_NEAR(m.logProbability(0, 2), std::log((1.0 + 0.4) / 3.0), 1e-12);
    EXPECT_NEAR(m.logProbability(0, 0), std::log(0.4 / 3.0), 1e-12);
    EXPECT_EQ(m.logProbability(0, 3), -std::numeric_limits<double>::infinity());
    EXPECT_NEAR(m.logProbability(-1, 2), std::log(0.4), 1e-12);
    EXPECT_NEAR(m.logProbability(3, 0), std::log(0.4), 1e-12);  // no outgoing transitions: popularity
    const auto s = scoreHistory(m, {2, 0}, 0, 4);               // the last history item (0) selects the row
    EXPECT_FLOAT_EQ(s[2], static_cast<float>(std::log(1.4 / 3.0)));
    EXPECT_GT(s[2], s[1]);
    EXPECT_GT(s[1], s[0]);
    EXPECT_EQ(s[3], std::numeric_limits<float>::lowest());  // zero probability: lowest finite score
}

TEST(MarkovPolicy, TiltedHandComputed) {
    Fixture f;
    // w(1) = 1/3, w(5) = 1, scaled to mean 1 over the 5 targets: 5/9 and 5/3. π_pop = (4, 3, 2, 0)/9.
    // Row 0: T_01 = 5/3, T_02 = 5/9, T_0 = 20/9 → π(1|0) = 18/29, π(2|0) = 7/29, π(0|0) = 4/29.
    // Row 1: T_12 = 5/9 → π(2|1) = 1/2, π(0|1) = 2/7, π(1|1) = 3/14.
    const MarkovPolicy m(f.transitions, f.levels, WeightScheme::exp(4.0 / std::log(3.0)), 1.0);
    EXPECT_NEAR(m.logProbability(0, 1), std::log(18.0 / 29.0), 1e-12);
    EXPECT_NEAR(m.logProbability(0, 2), std::log(7.0 / 29.0), 1e-12);
    EXPECT_NEAR(m.logProbability(0, 0), std::log(4.0 / 29.0), 1e-12);
    EXPECT_NEAR(m.logProbability(1, 2), std::log(0.5), 1e-12);
    EXPECT_NEAR(m.logProbability(1, 0), std::log(2.0 / 7.0), 1e-12);
    EXPECT_NEAR(m.logProbability(1, 1), std::log(3.0 / 14.0), 1e-12);
    EXPECT_NEAR(m.logProbability(-1, 0), std::log(4.0 / 9.0), 1e-12);
    // Tilting flips row 0: uniform prefers 2 (seen as often, more popular), tilted prefers 1 (reward 5).
    const auto s = scoreHistory(m, {0}, 0, 4);
    EXPECT_GT(s[1], s[2]);
    // Mean normalisation of the scheme changes nothing (the policy rescales to mean 1 itself).
    auto mean = WeightScheme::exp(4.0 / std::log(3.0));
    mean.normalization = WeightNormalization::Mean;
    EXPECT_NEAR(MarkovPolicy(f.transitions, f.levels, mean, 1.0).logProbability(0, 1), std::log(18.0 / 29.0),
                1e-12);
}

TEST(MarkovPolicy, SlicesAndEmptyHistory) {
    Fixture f;
    const MarkovPolicy m(f.transitions, f.levels, WeightScheme::exp(1.0));
    const auto full = scoreHistory(m, {0}, 0, 4);
    const auto tail = scoreHistory(m, {0}, 2, 4);
    EXPECT_EQ(tail[0], full[2]);
    EXPECT_EQ(tail[1], full[3]);
    const auto none = scoreHistory(m, {}, 0, 4);
    for (int32_t j = 0; j < 3; ++j) {
        EXPECT_FLOAT_EQ(none[static_cast<size_t>(j)], static_cast<float>(m.logProbability(-1, j)));
    }
    EXPECT_THROW(scoreHistory(m, {0}, 3, 5), Error);
    EXPECT_THROW(scoreHistory(m, {7}, 0, 4), Error);
    EXPECT_THROW(MarkovPolicy(f.transitions, f.levels, WeightScheme::uniform(), 0.0), Error);
}

TEST(MarkovPolicy, RowsAreDistributionsAtAnyLambda) {
    const auto t = randomTargets(3000, 50);
    RewardLevelTable levels(t.view());
    auto transitions = std::make_shared<const TransitionTable>(t.view(), levels);
    for (const double lambda : {1e-4, 0.1, 1.0, 1e6, std::numeric_limits<double>::infinity()}) {
        const MarkovPolicy m(transitions, levels, WeightScheme::exp(lambda), 2.0);
        for (const int32_t from : {-1, 0, 3, 17, 49}) {
            double sum = 0.0;
            for (int32_t j = 0; j < 50; ++j) {
                const double lp = m.logProbability(from, j);
                EXPECT_FALSE(std::isnan(lp));
                sum += std::exp(lp);
            }
            EXPECT_NEAR(sum, 1.0, 1e-9) << "λ " << lambda << " row " << from;
        }
    }
}

TEST(MarkovPolicy, ScoringIsThreadSafe) {
    const auto t = randomTargets(3000, 50);
    RewardLevelTable levels(t.view());
    auto transitions = std::make_shared<const TransitionTable>(t.view(), levels);
    const MarkovPolicy m(std::move(transitions), levels, WeightScheme::exp(0.5));
    std::vector<int32_t> history(50);
    std::vector<UserContext> users(50);
    for (int32_t u = 0; u < 50; ++u) {
        history[static_cast<size_t>(u)] = u;
        users[static_cast<size_t>(u)] = {u, &history[static_cast<size_t>(u)], 1};
    }
    std::vector<float> reference(50 * 50);
    m.score(users, 0, 50, reference.data());
    std::vector<std::vector<float>> results(4, std::vector<float>(50 * 50));
    std::vector<std::thread> threads;
    for (auto& r : results) {
        threads.emplace_back([&] { m.score(users, 0, 50, r.data()); });
    }
    for (auto& th : threads) {
        th.join();
    }
    for (const auto& r : results) {
        EXPECT_EQ(r, reference);
    }
}

}  // namespace markov_policy_test_file
