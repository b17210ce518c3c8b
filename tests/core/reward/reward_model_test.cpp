// Issue 16, reward models: each fit checked against something independent — the item mean by hand, the bias
// and factorisation models on rewards they can represent exactly, alternating least squares never raising its
// objective, the pairwise AUC against a brute-force count, and bad options refused by name.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/seeded_random.h"
#include "reward/reward_metrics.h"
#include "reward/reward_model.h"
#include "train/reward_source.h"

namespace tiltbench {
namespace {

RewardModelOptions options(RewardModelKind kind) {
    RewardModelOptions o;
    o.kind = kind;
    return o;
}

TEST(RewardModel, ItemMeanIsTheShrunkMeanByHand) {
    // Item 0: rewards 5, 4; item 1: 1; item 2: never logged. Global mean μ = 10/3.
    const RewardObservations d{2, 3, {0, 1, 1}, {0, 0, 1}, {5.0, 4.0, 1.0}};
    RewardModelOptions o = options(RewardModelKind::ItemMean);
    o.prior = 2.0;
    const auto m = fitRewardModel(d, o);
    const double mu = 10.0 / 3.0;
    EXPECT_NEAR(m->predict(0, 0), (9.0 + 2.0 * mu) / 4.0, 1e-12);
    EXPECT_NEAR(m->predict(1, 1), (1.0 + 2.0 * mu) / 3.0, 1e-12);
    EXPECT_NEAR(m->predict(0, 2), mu, 1e-12);  // never logged: the global mean
    o.prior = 0.0;
    EXPECT_NEAR(fitRewardModel(d, o)->predict(1, 0), 4.5, 1e-12);  // no shrinkage: the plain mean
    EXPECT_TRUE(std::isnan(m->objective()));
}

// Every (user, item) of a 12 × 9 grid observed with reward base + b_u + b_i (+ u·v for rank 2).
RewardObservations grid(bool lowRank, double keepShare, uint64_t seed, std::vector<double>* truth = nullptr) {
    const int32_t users = 12, items = 9;
    RewardObservations d{users, items, {}, {}, {}};
    SeededRandom rng(seed);
    std::vector<double> bu(users), bi(items), p(users * 2), q(items * 2);
    for (auto& v : bu)
        v = rng.uniform() - 0.5;
    for (auto& v : bi)
        v = rng.uniform() - 0.5;
    for (auto& v : p)
        v = 2.0 * (rng.uniform() - 0.5);
    for (auto& v : q)
        v = 2.0 * (rng.uniform() - 0.5);
    if (truth)
        truth->assign(static_cast<size_t>(users * items), 0.0);
    for (int32_t u = 0; u < users; ++u) {
        for (int32_t i = 0; i < items; ++i) {
            double r = 3.0 + bu[u] + bi[i];
            if (lowRank)
                r += p[u * 2] * q[i * 2] + p[u * 2 + 1] * q[i * 2 + 1];
            if (truth)
                (*truth)[static_cast<size_t>(u * items + i)] = r;
            if (rng.uniform() < keepShare) {
                d.user.push_back(u);
                d.item.push_back(i);
                d.reward.push_back(r);
            }
        }
    }
    return d;
}

TEST(RewardModel, BiasModelRecoversAdditiveRewards) {
    const RewardObservations d = grid(false, 1.0, 3);
    RewardModelOptions o = options(RewardModelKind::Bias);
    o.l2 = 1e-6;
    o.iterations = 200;
    const auto m = fitRewardModel(d, o);
    for (size_t n = 0; n < d.user.size(); ++n)
        EXPECT_NEAR(m->predict(d.user[n], d.item[n]), d.reward[n], 1e-4) << n;
}

TEST(RewardModel, FactorisationRecoversAKnownLowRankMatrixFromPartOfIt) {
    std::vector<double> truth;
    const RewardObservations d = grid(true, 0.75, 11, &truth);
    RewardModelOptions o = options(RewardModelKind::Factorisation);
    o.dim = 2;
    o.l2 = 1e-4;
    o.iterations = 300;
    const auto m = fitRewardModel(d, o);
    double heldOut = 0.0, count = 0.0, baseline = 0.0;
    const auto bias = fitRewardModel(d, [] {
        RewardModelOptions b = options(RewardModelKind::Bias);
        b.l2 = 1e-4;
        return b;
    }());
    std::vector<bool> seen(truth.size(), false);
    for (size_t n = 0; n < d.user.size(); ++n)
        seen[static_cast<size_t>(d.user[n] * 9 + d.item[n])] = true;
    for (int32_t u = 0; u < 12; ++u) {
        for (int32_t i = 0; i < 9; ++i) {
            if (seen[static_cast<size_t>(u * 9 + i)])
                continue;
            const double t = truth[static_cast<size_t>(u * 9 + i)];
            heldOut += std::pow(m->predict(u, i) - t, 2);
            baseline += std::pow(bias->predict(u, i) - t, 2);
            count += 1.0;
        }
    }
    ASSERT_GT(count, 10.0);
    EXPECT_LT(std::sqrt(heldOut / count), 0.05) << "held-out entries of the rank-2 matrix";
    EXPECT_GT(std::sqrt(baseline / count), 0.2) << "the biases alone cannot represent it";
}

TEST(RewardModel, MoreSweepsNeverRaiseTheObjective) {
    const RewardObservations d = grid(true, 0.6, 5);
    RewardModelOptions o = options(RewardModelKind::Factorisation);
    o.dim = 3;
    double previous = INFINITY;
    for (const int sweeps : {1, 2, 5, 20, 60}) {
        o.iterations = sweeps;
        const double objective = fitRewardModel(d, o)->objective();
        EXPECT_LE(objective, previous + 1e-12) << sweeps << " sweeps";
        previous = objective;
    }
}

TEST(RewardModel, ASeedNamesTheSameFit) {
    const RewardObservations d = grid(true, 0.6, 5);
    RewardModelOptions o = options(RewardModelKind::Factorisation);
    o.iterations = 3;
    const auto a = fitRewardModel(d, o);
    const auto b = fitRewardModel(d, o);
    o.seed = 2;
    const auto c = fitRewardModel(d, o);
    EXPECT_EQ(a->predict(3, 4), b->predict(3, 4));
    EXPECT_NE(a->predict(3, 4), c->predict(3, 4));
}

double bruteForceAuc(const std::vector<double>& p, const std::vector<double>& a) {
    double concordant = 0.0, pairs = 0.0;
    for (size_t i = 0; i < p.size(); ++i) {
        for (size_t j = 0; j < p.size(); ++j) {
            if (a[i] <= a[j])
                continue;
            pairs += 1.0;
            concordant += p[i] > p[j] ? 1.0 : (p[i] == p[j] ? 0.5 : 0.0);
        }
    }
    return concordant / pairs;
}

TEST(RewardMetrics, PairwiseAucEqualsTheBruteForceCountWithTies) {
    SeededRandom rng(9);
    for (int trial = 0; trial < 20; ++trial) {
        std::vector<double> p(40), a(40);
        for (size_t j = 0; j < p.size(); ++j) {
            a[j] = 1.0 + static_cast<double>(rng.below(5));          // five reward levels: many ties
            p[j] = static_cast<double>(rng.below(8)) + 0.25 * a[j];  // ties in the prediction too
        }
        EXPECT_NEAR(pairwiseAuc(p, a), bruteForceAuc(p, a), 1e-12) << trial;
    }
    EXPECT_DOUBLE_EQ(pairwiseAuc({1, 2, 3}, {1, 2, 3}), 1.0);
    EXPECT_DOUBLE_EQ(pairwiseAuc({3, 2, 1}, {1, 2, 3}), 0.0);
    EXPECT_DOUBLE_EQ(pairwiseAuc({7, 7, 7}, {1, 2, 3}), 0.5);
    EXPECT_TRUE(std::isnan(pairwiseAuc({1, 2}, {4, 4})));  // no pair with different rewards
}

TEST(RewardModel, BadOptionsAreRefusedByName) {
    const RewardObservations d{1, 1, {0}, {0}, {1.0}};
    const auto refusal = [&](RewardModelOptions o) -> std::string {
        try {
            (void)fitRewardModel(d, o);
        } catch (const Error& e) {
            return e.what();
        }
        return {};
    };
    RewardModelOptions o;
    o.prior = -1.0;
    EXPECT_NE(refusal(o).find("--prior"), std::string::npos);
    o = {};
    o.l2 = 0.0;
    EXPECT_NE(refusal(o).find("--l2"), std::string::npos);
    o = {};
    o.dim = 257;
    EXPECT_NE(refusal(o).find("--dim"), std::string::npos);
    o = {};
    o.iterations = 0;
    EXPECT_NE(refusal(o).find("--iterations"), std::string::npos);
    o = {};
    o.l2 = NAN;
    EXPECT_NE(refusal(o).find("--l2"), std::string::npos);
    EXPECT_THROW(parseRewardModelKind("neural"), Error);
    const RewardObservations outOfRange{1, 1, {0}, {1}, {1.0}};
    EXPECT_THROW((void)fitRewardModel(outOfRange, {}), Error);
    const RewardObservations empty{1, 1, {}, {}, {}};
    EXPECT_THROW((void)fitRewardModel(empty, {}), Error);
}

// A stored fit predicts what the fitted model predicts, for every kind; damaged bytes are refused by name
// before anything is allocated from a count in them.
TEST(RewardModel, AStoredFitPredictsTheSameAndDamagedBytesAreRefused) {
    const RewardObservations d = grid(true, 0.7, 3);
    // The head's states: one per user and one per observation's context, dimension 3.
    RewardStates states;
    states.dim = 3;
    SeededRandom rng(5);
    states.user.resize(static_cast<size_t>(d.numUsers) * 3);
    for (auto& v : states.user)
        v = static_cast<float>(rng.uniform() - 0.5);
    states.context.resize(d.user.size() * 3);
    for (auto& v : states.context)
        v = static_cast<float>(rng.uniform() - 0.5);
    states.hasContext.assign(d.user.size(), 1);
    for (const auto kind : {RewardModelKind::ItemMean, RewardModelKind::Bias, RewardModelKind::Factorisation,
                            RewardModelKind::SasrecHead}) {
        RewardModelOptions o = options(kind);
        o.dim = 3;
        o.stateRun = kind == RewardModelKind::SasrecHead ? 1 : 0;
        const auto fitted = fitRewardModel(d, o, {}, kind == RewardModelKind::SasrecHead ? &states : nullptr);
        const std::string bytes = fitted->serialize();
        ASSERT_FALSE(bytes.empty());
        const auto loaded = loadRewardModel(bytes, d.numUsers, d.numItems, "test");
        for (int32_t u = 0; u < d.numUsers; ++u)
            for (int32_t i = 0; i < d.numItems; ++i)
                ASSERT_EQ(loaded->predict(u, i), fitted->predict(u, i)) << formatRewardModelKind(kind);

        const auto refused = [&](std::string damaged, int32_t users, int32_t items,
                                 const std::string& expected) {
            try {
                loadRewardModel(damaged, users, items, "run 9: checkpoints.blob");
                ADD_FAILURE() << formatRewardModelKind(kind) << ": accepted; expected '" << expected << "'";
            } catch (const Error& e) {
                EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
                EXPECT_NE(std::string(e.what()).find("run 9: checkpoints.blob"), std::string::npos);
            }
        };
        refused(bytes.substr(0, bytes.size() - 1), d.numUsers, d.numItems, "bytes where");
        refused(bytes + "x", d.numUsers, d.numItems, "bytes where");
        refused(bytes.substr(0, 10), d.numUsers, d.numItems, "header");
        refused("X" + bytes.substr(1), d.numUsers, d.numItems, "header");
        refused(bytes, d.numUsers + 1, d.numItems, "users");
        refused(bytes, d.numUsers, d.numItems - 1, "items");
        std::string badKind = bytes;
        badKind[8] = 7;
        refused(badKind, d.numUsers, d.numItems, "unknown kind");
        std::string badDim = bytes;
        badDim[12] = kind == RewardModelKind::Factorisation || kind == RewardModelKind::SasrecHead ? 0 : 2;
        refused(badDim, d.numUsers, d.numItems, "dimension");
        std::string nan = bytes;
        const double q = std::numeric_limits<double>::quiet_NaN();
        std::memcpy(&nan[nan.size() - sizeof(double)], &q, sizeof(q));
        refused(nan, d.numUsers, d.numItems, "not finite");
    }
}

// The sasrec-head on states it can represent exactly: each target's reward is 2.5 + b_i + c·q_i for its own
// context state c, so with a vanishing ridge the head recovers b_i and q_i, and predicts through the user's
// final state. A user's first interaction (no context) is left out of the fit, whatever its reward. The
// stored fit predicts the same; damaged or mis-sized states are refused.
TEST(RewardModel, SasrecHeadIsTheExactRidgeSolutionOverEachTargetsContext) {
    const int32_t users = 40, items = 6, dim = 3;
    SeededRandom rng(11);
    std::vector<double> b(items), q(items * dim);
    for (auto& v : b)
        v = rng.uniform() - 0.5;
    for (auto& v : q)
        v = 2.0 * (rng.uniform() - 0.5);
    RewardObservations d{users, items, {}, {}, {}};
    RewardStates s;
    s.dim = dim;
    s.user.resize(static_cast<size_t>(users * dim));
    for (auto& v : s.user)
        v = static_cast<float>(rng.uniform() - 0.5);
    const auto truth = [&](const float* c, int32_t i) {
        double r = 2.5 + b[static_cast<size_t>(i)];
        for (int f = 0; f < dim; ++f)
            r += c[f] * q[static_cast<size_t>(i * dim + f)];
        return r;
    };
    for (int32_t u = 0; u < users; ++u) {
        for (int t = 0; t < 5; ++t) {
            const auto i = static_cast<int32_t>(rng.below(items));
            std::vector<float> c(dim);
            for (auto& v : c)
                v = static_cast<float>(2.0 * (rng.uniform() - 0.5));
            d.user.push_back(u);
            d.item.push_back(i);
            s.hasContext.push_back(t > 0 ? 1 : 0);
            d.reward.push_back(t > 0 ? truth(c.data(), i) : 1e3);  // a first item's reward never counts
            s.context.insert(s.context.end(), c.begin(), c.end());
        }
    }
    // μ is the mean over the targets with a context; the fitted b_i absorbs 2.5 − μ.
    RewardModelOptions o = options(RewardModelKind::SasrecHead);
    o.stateRun = 1;
    o.l2 = 1e-9;
    const auto m = fitRewardModel(d, o, {}, &s);
    for (int32_t u = 0; u < users; ++u)
        for (int32_t i = 0; i < items; ++i)
            ASSERT_NEAR(m->predict(u, i), truth(&s.user[static_cast<size_t>(u * dim)], i), 1e-6)
                << u << " " << i;
    EXPECT_LT(m->objective(), 1e-9);

    const auto loaded = loadRewardModel(m->serialize(), users, items, "test");
    EXPECT_EQ(loaded->predict(3, 2), m->predict(3, 2));

    // With a real ridge the fit is the ridge solution: for one item, against normal equations solved here by
    // Gaussian elimination (an independent solver), over [c; 1] with λ on every coefficient.
    o.l2 = 4.0;
    const auto ridge = fitRewardModel(d, o, {}, &s);
    double mu = 0.0, n = 0.0;
    for (size_t k = 0; k < d.reward.size(); ++k)
        if (s.hasContext[k]) {
            mu += d.reward[k];
            n += 1.0;
        }
    mu /= n;
    const int32_t item = 4, w = dim + 1;
    std::vector<double> a(static_cast<size_t>(w * (w + 1)), 0.0);  // augmented [A | y]
    for (int r = 0; r < w; ++r)
        a[static_cast<size_t>(r * (w + 1) + r)] = o.l2;
    for (size_t k = 0; k < d.reward.size(); ++k) {
        if (!s.hasContext[k] || d.item[k] != item)
            continue;
        std::vector<double> z(&s.context[k * dim], &s.context[k * dim] + dim);
        z.push_back(1.0);
        for (int r = 0; r < w; ++r) {
            a[static_cast<size_t>(r * (w + 1) + w)] += (d.reward[k] - mu) * z[static_cast<size_t>(r)];
            for (int c = 0; c < w; ++c)
                a[static_cast<size_t>(r * (w + 1) + c)] +=
                    z[static_cast<size_t>(r)] * z[static_cast<size_t>(c)];
        }
    }
    for (int p = 0; p < w; ++p)
        for (int r = p + 1; r < w; ++r) {
            const double f =
                a[static_cast<size_t>(r * (w + 1) + p)] / a[static_cast<size_t>(p * (w + 1) + p)];
            for (int c = p; c <= w; ++c)
                a[static_cast<size_t>(r * (w + 1) + c)] -= f * a[static_cast<size_t>(p * (w + 1) + c)];
        }
    std::vector<double> x(static_cast<size_t>(w));
    for (int r = w - 1; r >= 0; --r) {
        double v = a[static_cast<size_t>(r * (w + 1) + w)];
        for (int c = r + 1; c < w; ++c)
            v -= a[static_cast<size_t>(r * (w + 1) + c)] * x[static_cast<size_t>(c)];
        x[static_cast<size_t>(r)] = v / a[static_cast<size_t>(r * (w + 1) + r)];
    }
    for (int32_t u = 0; u < 5; ++u) {
        double expected = mu + x[static_cast<size_t>(dim)];
        for (int f = 0; f < dim; ++f)
            expected += s.user[static_cast<size_t>(u * dim + f)] * x[static_cast<size_t>(f)];
        EXPECT_NEAR(ridge->predict(u, item), expected, 1e-9) << u;
    }

    // The states are checked: none, a wrong size, a non-finite value, a dimension out of range; and the run
    // that gives them is a required option.
    EXPECT_THROW((void)fitRewardModel(d, o), Error);
    RewardStates bad = s;
    bad.user.pop_back();
    EXPECT_THROW((void)fitRewardModel(d, o, {}, &bad), Error);
    bad = s;
    bad.context[7] = std::numeric_limits<float>::infinity();
    EXPECT_THROW((void)fitRewardModel(d, o, {}, &bad), Error);
    bad = s;
    bad.dim = 0;
    EXPECT_THROW((void)fitRewardModel(d, o, {}, &bad), Error);
    o.stateRun = 0;
    try {
        (void)fitRewardModel(d, o, {}, &s);
        ADD_FAILURE() << "a sasrec-head without --state-run was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("--state-run"), std::string::npos) << e.what();
    }
}

TEST(RewardSource, ParsesLoggedAndModelRunAndRefusesTheRest) {
    EXPECT_TRUE(RewardSource::parse("logged").logged());
    EXPECT_EQ(RewardSource::parse("model:12").modelRun, 12);
    EXPECT_EQ(RewardSource::parse("model:12").format(), "model:12");
    EXPECT_EQ(RewardSource::parse("logged").format(), "logged");
    for (const char* bad : {"", "model:", "model:0", "model:-3", "model:1x", "model: 4", "Model:4", "learned",
                            "model:99999999999999999999"}) {
        try {
            RewardSource::parse(bad);
            ADD_FAILURE() << "accepted '" << bad << "'";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("--reward-source"), std::string::npos) << e.what();
        }
    }
}

}  // namespace
}  // namespace tiltbench
