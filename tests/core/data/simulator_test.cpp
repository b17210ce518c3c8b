#include "store/simulated_dataset.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <random>
#include <set>

#include "common/error.h"
#include "store/dataset_writer.h"
#include "support/test_support.h"

using namespace tiltbench;
using tiltbench::test::TempDir;

namespace {

SimulatorConfig smallConfig() {
    SimulatorConfig c;
    c.users = 200;
    c.items = 300;
    c.interactions = 8000;
    c.seed = 7;
    return c;
}

// Ranks with ties averaged, so Spearman stays meaningful for the many items logged 0 or 1 times.
std::vector<double> ranks(const std::vector<double>& v) {
    std::vector<size_t> order(v.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (size_t i = 0; i < order.size();) {
        size_t j = i;
        while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) {
            ++j;
        }
        for (size_t k = i; k <= j; ++k) {
            r[order[k]] = 0.5 * static_cast<double>(i + j);
        }
        i = j + 1;
    }
    return r;
}

double spearman(const std::vector<double>& a, const std::vector<double>& b) {
    const auto ra = ranks(a), rb = ranks(b);
    const double n = static_cast<double>(a.size());
    const double ma = std::accumulate(ra.begin(), ra.end(), 0.0) / n;
    const double mb = std::accumulate(rb.begin(), rb.end(), 0.0) / n;
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < ra.size(); ++i) {
        sab += (ra[i] - ma) * (rb[i] - mb);
        saa += (ra[i] - ma) * (ra[i] - ma);
        sbb += (rb[i] - mb) * (rb[i] - mb);
    }
    return sab / std::sqrt(saa * sbb);
}

std::vector<double> itemCounts(const InteractionLog& log) {
    std::vector<double> counts(static_cast<size_t>(log.numItems()), 0.0);
    for (int32_t i : log.item) {
        counts[static_cast<size_t>(i)] += 1.0;
    }
    return counts;
}

struct Generated {
    DatasetInfo info;
    InteractionLog log;
    GroundTruth truth;
};

Generated generate(Workspace& ws, const std::string& name, const SimulatorConfig& c) {
    Generated g;
    g.info = generateDataset(ws, name, c);
    g.log = ws.loadLog(g.info.id);
    const auto record = ws.loadGroundTruth(g.info.id);
    EXPECT_TRUE(record.has_value());
    if (record) {
        g.truth = GroundTruth::fromRecord(*record);
    }
    return g;
}

void expectBadConfig(const SimulatorConfig& c, const std::string& key) {
    try {
        c.validate();
        ADD_FAILURE() << "expected an error naming '" << key << "'";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("'" + key + "'"), std::string::npos) << e.what();
    }
}

void expectSameTruth(const GroundTruth& a, const GroundTruth& b) {
    EXPECT_EQ(a.config.toJson(), b.config.toJson());
    EXPECT_EQ(a.globalMean, b.globalMean);
    EXPECT_EQ(a.itemQuality, b.itemQuality);
    EXPECT_EQ(a.itemExposure, b.itemExposure);
    EXPECT_EQ(a.userBias, b.userBias);
    EXPECT_EQ(a.userTaste, b.userTaste);
    EXPECT_EQ(a.itemTaste, b.itemTaste);
}

}  // namespace

TEST(Simulator, SameSeedSameLogDifferentSeedDifferentLog) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    auto c = smallConfig();
    const auto a = generate(ws, "a", c);
    const auto b = generate(ws, "b", c);
    c.seed = 8;
    const auto other = generate(ws, "other", c);

    EXPECT_EQ(a.log.user, b.log.user);
    EXPECT_EQ(a.log.item, b.log.item);
    EXPECT_EQ(a.log.reward, b.log.reward);
    EXPECT_EQ(a.log.ts, b.log.ts);
    EXPECT_EQ(a.log.itemTitles, b.log.itemTitles);
    expectSameTruth(a.truth, b.truth);

    EXPECT_NE(a.log.item, other.log.item);
    EXPECT_NE(a.log.ts, other.log.ts);
    EXPECT_NE(a.truth.itemQuality, other.truth.itemQuality);
}

TEST(Simulator, WritesExactlyTheConfiguredLog) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    const auto c = smallConfig();
    const auto g = generate(ws, "sim", c);
    g.log.validate();

    EXPECT_EQ(g.info.format, "simulator");
    EXPECT_EQ(g.info.rows, c.interactions);
    EXPECT_EQ(g.info.users, c.users);
    EXPECT_EQ(g.info.items, c.items);
    EXPECT_TRUE(g.info.hasTime);
    EXPECT_TRUE(g.info.hasTruth);
    EXPECT_EQ(static_cast<int64_t>(g.log.size()), c.interactions);
    EXPECT_EQ(g.log.userIds.front(), "u1");
    EXPECT_EQ(g.log.itemIds.back(), "i" + std::to_string(c.items));
    EXPECT_EQ(g.log.itemTitles[0].rfind("Item 1 (q=", 0), 0u) << g.log.itemTitles[0];
    EXPECT_EQ(SimulatorConfig::fromJson(g.info.meta).toJson(), c.toJson());

    for (double r : g.log.reward) {
        ASSERT_TRUE(r == 1 || r == 2 || r == 3 || r == 4 || r == 5) << r;
    }
    std::set<int64_t> starts;
    for (int32_t u = 0; u < g.log.numUsers(); ++u) {
        const auto begin = g.log.userOffsets[u], end = g.log.userOffsets[u + 1];
        ASSERT_GE(end - begin, c.minPerUser) << "user " << u;
        std::set<int32_t> seen;
        for (auto k = begin; k < end; ++k) {
            ASSERT_TRUE(seen.insert(g.log.item[k]).second) << "user " << u << " sees item twice";
            ASSERT_GE(g.log.ts[k], c.startTime);
            if (k > begin) {
                ASSERT_GT(g.log.ts[k], g.log.ts[k - 1]) << "user " << u;
            }
        }
        starts.insert(g.log.ts[begin]);
    }
    // Users are interleaved in time rather than one after another: activity windows overlap.
    const auto spanEnd = c.startTime + static_cast<int64_t>(c.timeSpanDays * 86400);
    EXPECT_LT(*starts.rbegin() - *starts.begin(), spanEnd - c.startTime);
    int64_t overlapping = 0;
    for (int32_t u = 1; u < g.log.numUsers(); ++u) {
        overlapping += g.log.ts[g.log.userOffsets[u]] < g.log.ts[g.log.userOffsets[u] - 1];
    }
    EXPECT_GT(overlapping, c.users / 4);
}

TEST(Simulator, ActivityIsHeavyTailedAndCappedByTheCatalogue) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    auto c = smallConfig();
    c.activitySpread = 1.5;
    const auto g = generate(ws, "heavy", c);
    std::vector<int64_t> lengths;
    for (int32_t u = 0; u < g.log.numUsers(); ++u) {
        lengths.push_back(g.log.sequenceLength(u));
    }
    std::sort(lengths.begin(), lengths.end());
    EXPECT_GT(lengths.back(), 4 * lengths[lengths.size() / 2]);
    EXPECT_LE(lengths.back(), c.items);

    // Every user sees every item: the exhaustive path and the per-user cap at once.
    c.users = 20;
    c.items = 30;
    c.interactions = 600;
    const auto full = generate(ws, "full", c);
    EXPECT_EQ(full.info.rows, 600);
    for (int32_t u = 0; u < full.log.numUsers(); ++u) {
        EXPECT_EQ(full.log.sequenceLength(u), 30);
    }

    c = smallConfig();
    c.activitySpread = 0.0;
    const auto even = generate(ws, "even", c);
    for (int32_t u = 0; u < even.log.numUsers(); ++u) {
        EXPECT_EQ(even.log.sequenceLength(u), c.interactions / c.users);
    }
}

TEST(Simulator, QualityAndPopularityAreDecorrelatedAsConfigured) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    SimulatorConfig c;
    c.users = 400;
    c.items = 1000;
    c.interactions = 30000;
    c.selfSelection = 0.0;  // otherwise users' own choices tie logged counts to quality
    c.seed = 3;

    c.qualityPopularityCorrelation = 0.0;
    const auto none = generate(ws, "corr0", c);
    const double exposureNone = spearman(none.truth.itemQuality, none.truth.itemExposure);
    const double loggedNone = spearman(none.truth.itemQuality, itemCounts(none.log));
    EXPECT_LT(std::abs(exposureNone), 0.1);
    EXPECT_LT(std::abs(loggedNone), 0.1);

    c.qualityPopularityCorrelation = 0.8;
    const auto strong = generate(ws, "corr08", c);
    const double exposureStrong = spearman(strong.truth.itemQuality, strong.truth.itemExposure);
    const double loggedStrong = spearman(strong.truth.itemQuality, itemCounts(strong.log));
    EXPECT_NEAR(exposureStrong, 0.8, 0.06);
    EXPECT_GT(loggedStrong, 0.5);

    c.qualityPopularityCorrelation = -0.5;
    const auto negative = generate(ws, "corr-05", c);
    EXPECT_NEAR(spearman(negative.truth.itemQuality, negative.truth.itemExposure), -0.5, 0.08);
    std::printf(
        "[ spearman ] quality vs exposure / logged count: corr 0: %.3f / %.3f, corr 0.8: %.3f / %.3f\n",
        exposureNone, loggedNone, exposureStrong, loggedStrong);
}

TEST(Simulator, PopularItemsAreLoggedMoreAndSelfSelectionRaisesRewards) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    auto c = smallConfig();
    c.selfSelection = 0.0;
    const auto plain = generate(ws, "plain", c);
    const auto counts = itemCounts(plain.log);
    EXPECT_GT(spearman(plain.truth.itemExposure, counts), 0.7);
    // The most exposed fifth of the catalogue gets most of the log.
    std::vector<size_t> byExposure(counts.size());
    std::iota(byExposure.begin(), byExposure.end(), size_t{0});
    std::sort(byExposure.begin(), byExposure.end(),
              [&](size_t a, size_t b) { return plain.truth.itemExposure[a] > plain.truth.itemExposure[b]; });
    double head = 0;
    for (size_t k = 0; k < counts.size() / 5; ++k) {
        head += counts[byExposure[k]];
    }
    EXPECT_GT(head / static_cast<double>(c.interactions), 0.5);

    // Self-selection: users log what they expect to like, so logged rewards exceed the all-pairs average.
    c.selfSelection = 1.0;
    const auto selected = generate(ws, "selected", c);
    const auto mean = [](const std::vector<double>& v) {
        return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    };
    EXPECT_GT(mean(selected.log.reward), mean(plain.log.reward) + 0.2);
}

TEST(Simulator, ExpectedRewardMatchesMonteCarlo) {
    SimulatorConfig c = smallConfig();
    c.noise = 1.1;
    const auto truth = GroundTruth::sample(c);
    std::mt19937_64 rng(123);
    std::normal_distribution<double> normal(0.0, c.noise);
    const int samples = 200000;
    for (auto [u, i] : {std::pair<int32_t, int32_t>{0, 0}, {5, 17}, {199, 299}, {42, 150}}) {
        const double mean = truth.globalMean + truth.userBias[static_cast<size_t>(u)] + truth.affinity(u, i);
        double sum = 0;
        for (int s = 0; s < samples; ++s) {
            sum += std::clamp(std::floor(mean + normal(rng) + 0.5), 1.0, 5.0);
        }
        const double expected = truth.expectedReward(u, i);
        EXPECT_GE(expected, 1.0);
        EXPECT_LE(expected, 5.0);
        // Reward std ≤ 2, so the Monte-Carlo error is below 2 / √200000 ≈ 0.0045.
        EXPECT_NEAR(expected, sum / samples, 0.02) << "user " << u << " item " << i;
    }
    EXPECT_THROW(truth.expectedReward(200, 0), Error);
    EXPECT_THROW(truth.expectedReward(0, -1), Error);

    // Far outside the scale, and without noise: plain rounding and clipping.
    auto extreme = truth;
    extreme.globalMean = 50;
    EXPECT_NEAR(extreme.expectedReward(1, 1), 5.0, 1e-12);
    extreme.globalMean = -50;
    EXPECT_NEAR(extreme.expectedReward(1, 1), 1.0, 1e-12);
    auto noiseless = truth;
    noiseless.config.noise = 0.0;
    const double m = noiseless.globalMean + noiseless.userBias[3] + noiseless.affinity(3, 4);
    EXPECT_EQ(noiseless.expectedReward(3, 4), std::clamp(std::floor(m + 0.5), 1.0, 5.0));
}

TEST(Simulator, LoggedRewardsFollowTheStoredTruth) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    auto c = smallConfig();
    c.interactions = 20000;
    const auto g = generate(ws, "sim", c);
    expectSameTruth(g.truth, GroundTruth::sample(c));
    // The noise is independent of which items were logged, so E[r − E(r | u, i)] = 0 over the log.
    double residual = 0;
    for (size_t k = 0; k < g.log.size(); ++k) {
        residual += g.log.reward[k] - g.truth.expectedReward(g.log.user[k], g.log.item[k]);
    }
    EXPECT_NEAR(residual / static_cast<double>(g.log.size()), 0.0, 0.03);
}

TEST(Simulator, RecordRoundTripIsExactAndMalformedRecordsThrow) {
    auto c = smallConfig();
    c.qualityPopularityCorrelation = 0.3;
    c.tasteDim = 5;
    const auto truth = GroundTruth::sample(c);
    const auto record = truth.toRecord();
    EXPECT_EQ(record.kind, "simulator-v1");
    const auto back = GroundTruth::fromRecord(record);
    expectSameTruth(truth, back);
    EXPECT_EQ(back.toRecord().blob, record.blob);
    EXPECT_EQ(back.expectedReward(3, 7), truth.expectedReward(3, 7));

    auto truncated = record;
    truncated.blob.resize(record.blob.size() - 1);
    EXPECT_THROW(GroundTruth::fromRecord(truncated), Error);
    auto headerOnly = record;
    headerOnly.blob.resize(10);
    EXPECT_THROW(GroundTruth::fromRecord(headerOnly), Error);
    auto longer = record;
    longer.blob.push_back(0);
    EXPECT_THROW(GroundTruth::fromRecord(longer), Error);
    auto badMagic = record;
    badMagic.blob[0] = 'X';
    EXPECT_THROW(GroundTruth::fromRecord(badMagic), Error);
    auto badKind = record;
    badKind.kind = "simulator-v9";
    EXPECT_THROW(GroundTruth::fromRecord(badKind), Error);
    auto badJson = record;
    badJson.config = "{\"users\": ";
    EXPECT_THROW(GroundTruth::fromRecord(badJson), Error);
    auto otherSize = record;
    auto otherConfig = c;
    otherConfig.users += 1;
    otherSize.config = otherConfig.toJson();
    EXPECT_THROW(GroundTruth::fromRecord(otherSize), Error);
    auto nan = record;
    const double bad = std::nan("");
    uint64_t bits;
    std::memcpy(&bits, &bad, sizeof bits);
    for (size_t b = 0; b < 8; ++b) {  // the first item quality, right after the 32-byte header
        nan.blob[32 + b] = static_cast<uint8_t>(bits >> (8 * b));
    }
    EXPECT_THROW(GroundTruth::fromRecord(nan), Error);
}

TEST(Simulator, ConfigJsonRoundTripsAndRejectsUnknownKeys) {
    SimulatorConfig c;
    c.users = 12;
    c.noise = 0.123456789012345;
    c.seed = 18446744073709551615ULL;
    const auto back = SimulatorConfig::fromJson(c.toJson());
    EXPECT_EQ(back.toJson(), c.toJson());
    EXPECT_EQ(back.seed, c.seed);
    EXPECT_EQ(back.noise, c.noise);
    EXPECT_EQ(SimulatorConfig::fromJson("{\"items\": 50}").items, 50);
    EXPECT_EQ(SimulatorConfig::fromJson("{}").toJson(), SimulatorConfig().toJson());
    EXPECT_THROW(SimulatorConfig::fromJson("{\"itemz\": 50}"), Error);
    EXPECT_THROW(SimulatorConfig::fromJson("{\"items\": \"50\"}"), Error);
    EXPECT_THROW(SimulatorConfig::fromJson("{\"items\": 5.5}"), Error);
    EXPECT_THROW(SimulatorConfig::fromJson("[1]"), Error);
}

TEST(Simulator, BadConfigErrorsNameTheField) {
    auto c = smallConfig();
    c.users = 0;
    expectBadConfig(c, "users");
    c = smallConfig();
    c.items = 1;
    expectBadConfig(c, "items");
    c = smallConfig();
    c.interactions = c.users * c.minPerUser - 1;
    expectBadConfig(c, "interactions");
    c = smallConfig();
    c.interactions = c.users * c.items + 1;
    expectBadConfig(c, "interactions");
    c = smallConfig();
    c.minPerUser = c.items + 1;
    expectBadConfig(c, "min_per_user");
    c = smallConfig();
    c.tasteDim = 0;
    expectBadConfig(c, "taste_dim");
    c = smallConfig();
    c.qualityPopularityCorrelation = 1.5;
    expectBadConfig(c, "quality_popularity_correlation");
    c = smallConfig();
    c.noise = -1;
    expectBadConfig(c, "noise");
    c = smallConfig();
    c.popularityExponent = std::nan("");
    expectBadConfig(c, "popularity_exponent");
    c = smallConfig();
    c.timeSpanDays = 0;
    expectBadConfig(c, "time_span_days");

    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    c = smallConfig();
    c.items = 1;
    EXPECT_THROW(generateDataset(ws, "bad", c), Error);
    EXPECT_TRUE(ws.datasets().empty());
}

TEST(Simulator, CancelLeavesNoDataset) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    auto c = smallConfig();
    c.interactions = 100000;
    c.users = 500;
    int calls = 0;
    EXPECT_THROW(generateDataset(ws, "cancelled", c, [&](const Progress&) { return ++calls < 2; }),
                 Cancelled);
    EXPECT_TRUE(ws.datasets().empty());
    // The name is free again afterwards.
    EXPECT_EQ(generateDataset(ws, "cancelled", smallConfig()).rows, smallConfig().interactions);
}

TEST(Simulator, DefaultConfigIsAboutMovieLens100kSize) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    const SimulatorConfig c;
    const auto start = std::chrono::steady_clock::now();
    const auto info = generateDataset(ws, "demo", c);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(info.rows, 100000);
    EXPECT_EQ(info.users, 943);
    EXPECT_EQ(info.items, 1682);
    EXPECT_GT(info.rewardMean, 3.0);
    EXPECT_LT(info.rewardMean, 4.0);
    std::printf("[ timing   ] default config (100,000 rows) generated and committed in %.3f s\n", seconds);
}

TEST(Simulator, LoggingPolicyDrawsFromExposureTimesSelfSelection) {
    // One item per user, so each row is a single draw from P_u(i) ∝ exposure_i · exp(s · affinity(u, i)):
    // compare the logged item counts with Σ_u P_u(i). 50 items takes the rejection sampler, 3 items the
    // exhaustive Gumbel-top-k.
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    for (int64_t items : {50, 3}) {
        SimulatorConfig c;
        c.users = 4000;
        c.items = items;
        c.interactions = c.users;
        c.minPerUser = 1;
        c.selfSelection = 1.2;
        c.seed = 11;
        const auto g = generate(ws, "one-" + std::to_string(items), c);
        std::vector<double> expected(static_cast<size_t>(items), 0.0), p(static_cast<size_t>(items));
        for (int32_t u = 0; u < c.users; ++u) {
            double z = 0;
            for (int32_t i = 0; i < items; ++i) {
                p[static_cast<size_t>(i)] = g.truth.itemExposure[static_cast<size_t>(i)] *
                                            std::exp(c.selfSelection * g.truth.affinity(u, i));
                z += p[static_cast<size_t>(i)];
            }
            for (size_t i = 0; i < p.size(); ++i) {
                expected[i] += p[i] / z;
            }
        }
        const auto observed = itemCounts(g.log);
        double chi2 = 0;
        for (size_t i = 0; i < expected.size(); ++i) {
            chi2 += (observed[i] - expected[i]) * (observed[i] - expected[i]) / expected[i];
        }
        // Mean items − 1 under the model (sd ≈ √(2·(items − 1))); a wrong tilt gives hundreds or more.
        EXPECT_LT(chi2, 2.0 * static_cast<double>(items) + 20) << items << " items";
        std::printf("[ policy   ] %lld items: chi-square %.1f on %lld degrees of freedom\n",
                    static_cast<long long>(items), chi2, static_cast<long long>(items - 1));
    }
}
