// The HSTU backbone (--model hstu) against a second implementation: plain loops over the checkpoint's
// numbers, written from the published equations (pointwise SiLU attention divided by the window, relative
// bias over position and log-bucketed time gaps, LN(A V) ⊙ U gating), give the model's scores. And the
// properties the rest of Tiltbench relies on: a history scores the same whatever it is batched with, the time
// gaps move the scores (SASRec ignores them), a checkpoint of one backbone does not load into the other, and
// the scorer's cache of user states never serves stale states (both backbones).
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/tensor_archive.h"
#include "torch/model/sasrec.h"
#include "torch/model/sasrec_module.h"

using namespace tiltbench;

namespace {

SasrecConfig tinyHstu() {
    SasrecConfig c;
    c.backbone = Backbone::Hstu;
    c.numItems = 7;
    c.dim = 4;
    c.heads = 2;
    c.blocks = 2;
    c.maxLen = 5;
    c.dropout = 0.0;
    return c;
}

// The checkpoint's tensors by name, as floats.
std::map<std::string, std::vector<float>> tensorsOf(const SasrecModel& m) {
    const std::string bytes = m.saveState();
    const TensorArchive a = decodeTensorArchive(bytes, "test");
    std::map<std::string, std::vector<float>> out;
    for (const auto& t : a.tensors) {
        int64_t n = 1;
        for (int64_t s : t.shape)
            n *= s;
        std::vector<float> v(static_cast<size_t>(n));
        copyTensorData(t, v.data());
        out[t.name] = std::move(v);
    }
    return out;
}

// The relative biases drawn at N(0, 0.02²) barely move a score; larger ones make the check sensitive to them.
void widenBiases(SasrecModel& m, uint64_t seed) {
    std::vector<NamedTensor> tensors;
    const std::string bytes = m.saveState();
    const TensorArchive a = decodeTensorArchive(bytes, "test");
    std::vector<std::vector<float>> keep;
    keep.reserve(a.tensors.size());
    uint64_t state = seed;
    for (const auto& t : a.tensors) {
        int64_t n = 1;
        for (int64_t s : t.shape)
            n *= s;
        keep.emplace_back(static_cast<size_t>(n));
        copyTensorData(t, keep.back().data());
        if (t.name.find("_bias") != std::string::npos) {
            for (float& x : keep.back()) {
                state = state * 6364136223846793005ull + 1442695040888963407ull;
                x = static_cast<float>(static_cast<double>(state >> 11) / 9007199254740992.0 * 4.0 - 2.0);
            }
        }
        tensors.push_back(NamedTensor::f32(t.name, t.shape, keep.back().data()));
    }
    m.loadState(encodeTensorArchive(tensors, {}), "widened");
}

using Vec = std::vector<double>;

Vec layerNorm(const Vec& x, const std::vector<float>& w, const std::vector<float>& b) {
    double mean = 0, var = 0;
    for (double v : x)
        mean += v;
    mean /= static_cast<double>(x.size());
    for (double v : x)
        var += (v - mean) * (v - mean);
    var /= static_cast<double>(x.size());
    Vec out(x.size());
    for (size_t i = 0; i < x.size(); ++i)
        out[i] = (x[i] - mean) / std::sqrt(var + 1e-5) * w[i] + b[i];
    return out;
}

Vec linear(const Vec& x, const std::vector<float>& w, const std::vector<float>& b) {
    Vec out(b.size());
    for (size_t o = 0; o < b.size(); ++o) {
        double s = b[o];
        for (size_t i = 0; i < x.size(); ++i)
            s += w[o * x.size() + i] * x[i];
        out[o] = s;
    }
    return out;
}

double silu(double x) {
    return x / (1.0 + std::exp(-x));
}

int bucket(int64_t gap) {
    const double g = std::max<double>(1.0, std::abs(static_cast<double>(gap)));
    return std::min(kHstuTimeBuckets - 1, static_cast<int>(std::floor(std::log(g) / 0.301)));
}

// Scores of every item after `history` (times may be empty = unknown), by loops over the published equations.
std::vector<double> loopScores(const SasrecConfig& c, const std::map<std::string, std::vector<float>>& p,
                               std::vector<int32_t> history, std::vector<int64_t> times) {
    const size_t d = static_cast<size_t>(c.dim), dh = d / static_cast<size_t>(c.heads);
    if (history.size() > static_cast<size_t>(c.maxLen)) {
        history.erase(history.begin(), history.end() - c.maxLen);
        if (!times.empty())
            times.erase(times.begin(), times.end() - c.maxLen);
    }
    const size_t len = history.size();
    std::vector<Vec> h(len, Vec(d));
    for (size_t t = 0; t < len; ++t)
        for (size_t k = 0; k < d; ++k)
            h[t][k] =
                p.at("items.weight")[(static_cast<size_t>(history[t]) + 1) * d + k] * std::sqrt(double(d)) +
                p.at("positions.weight")[(len - 1 - t) * d + k];
    for (int b = 0; b < c.blocks; ++b) {
        const std::string pre = "blocks." + std::to_string(b) + ".";
        std::vector<Vec> z(len);
        for (size_t t = 0; t < len; ++t) {
            z[t] = linear(layerNorm(h[t], p.at(pre + "norm1.weight"), p.at(pre + "norm1.bias")),
                          p.at(pre + "uvqk.weight"), p.at(pre + "uvqk.bias"));
            for (double& v : z[t])
                v = silu(v);
        }
        std::vector<Vec> next = h;
        for (size_t i = 0; i < len; ++i) {
            Vec ctx(d, 0.0);
            for (size_t head = 0; head < static_cast<size_t>(c.heads); ++head) {
                for (size_t j = 0; j <= i; ++j) {
                    double qk = 0;
                    for (size_t e = 0; e < dh; ++e)
                        qk += z[i][2 * d + head * dh + e] * z[j][3 * d + head * dh + e];
                    const int tb = times.empty() ? 0 : bucket(times[i] - times[j]);
                    const double a = silu(qk + p.at(pre + "pos_bias")[i - j] +
                                          p.at(pre + "time_bias")[static_cast<size_t>(tb)]) /
                                     c.maxLen;
                    for (size_t e = 0; e < dh; ++e)
                        ctx[head * dh + e] += a * z[j][d + head * dh + e];
                }
            }
            Vec gated = layerNorm(ctx, p.at(pre + "norm_attn.weight"), p.at(pre + "norm_attn.bias"));
            for (size_t k = 0; k < d; ++k)
                gated[k] *= z[i][k];  // ⊙ U
            const Vec o = linear(gated, p.at(pre + "out.weight"), p.at(pre + "out.bias"));
            for (size_t k = 0; k < d; ++k)
                next[i][k] += o[k];
        }
        h = next;
    }
    const Vec last = layerNorm(h[len - 1], p.at("final_norm.weight"), p.at("final_norm.bias"));
    std::vector<double> out(static_cast<size_t>(c.numItems));
    for (size_t item = 0; item < out.size(); ++item)
        for (size_t k = 0; k < d; ++k)
            out[item] += last[k] * p.at("items.weight")[(item + 1) * d + k];
    return out;
}

std::vector<float> modelScores(const SasrecModel& m, const std::vector<std::vector<int32_t>>& histories,
                               const std::vector<std::vector<int64_t>>& times) {
    std::vector<UserContext> users;
    for (size_t u = 0; u < histories.size(); ++u) {
        UserContext c;
        c.history = histories[u].data();
        c.historyLength = static_cast<int64_t>(histories[u].size());
        c.times = times.empty() ? nullptr : times[u].data();
        users.push_back(c);
    }
    std::vector<float> out(histories.size() * static_cast<size_t>(m.config().numItems));
    m.score(users, 0, m.config().numItems, out.data());
    return out;
}

}  // namespace

TEST(Hstu, ScoresEqualLoopsOverThePublishedEquations) {
    seedTorch(11);
    SasrecModel m(tinyHstu());
    widenBiases(m, 5);
    const auto p = tensorsOf(m);
    // Per block: norm1, uvqk, norm_attn, out (weight and bias), pos_bias [maxLen], time_bias [buckets].
    EXPECT_EQ(p.at("blocks.1.uvqk.weight").size(), 4u * 4u * 4u);
    EXPECT_EQ(p.at("blocks.0.pos_bias").size(), 5u);
    EXPECT_EQ(p.at("blocks.0.time_bias").size(), static_cast<size_t>(kHstuTimeBuckets));

    // The first history is longer than maxLen (the newest 5 are read); gaps from 0 to a day.
    const std::vector<std::vector<int32_t>> histories = {{1, 3, 2, 5, 6, 0}, {4}, {2, 2, 3}};
    const std::vector<std::vector<int64_t>> times = {
        {0, 10, 100, 5000, 5001, 90000}, {7}, {100, 100, 2000000}};
    for (const bool timed : {true, false}) {
        const auto scores = modelScores(m, histories, timed ? times : std::vector<std::vector<int64_t>>{});
        for (size_t u = 0; u < histories.size(); ++u) {
            const auto expected =
                loopScores(m.config(), p, histories[u], timed ? times[u] : std::vector<int64_t>{});
            for (size_t i = 0; i < expected.size(); ++i)
                EXPECT_NEAR(scores[u * expected.size() + i], expected[i], 1e-4)
                    << "user " << u << ", item " << i << (timed ? ", timed" : ", untimed");
        }
    }
}

TEST(Hstu, AHistoryScoresTheSameWhateverItIsBatchedWithAndTimeGapsMoveIt) {
    seedTorch(3);
    SasrecModel m(tinyHstu());
    widenBiases(m, 9);
    const std::vector<int32_t> shortHistory = {4, 1};
    const std::vector<int64_t> shortTimes = {50, 60};
    const auto alone = modelScores(m, {shortHistory}, {shortTimes});
    // Batched after a longer history: padded to its length inside the model.
    const auto batched = modelScores(m, {{1, 3, 2, 5, 6}, shortHistory}, {{1, 2, 3, 4, 5}, shortTimes});
    for (size_t i = 0; i < alone.size(); ++i)
        EXPECT_NEAR(batched[alone.size() + i], alone[i], 1e-5) << "item " << i;

    // A gap of 10 and a gap of 10⁶ fall in different buckets: the scores move.
    const auto farApart = modelScores(m, {shortHistory}, {{50, 1000050}});
    double moved = 0;
    for (size_t i = 0; i < alone.size(); ++i)
        moved = std::max(moved, std::abs(static_cast<double>(farApart[i] - alone[i])));
    EXPECT_GT(moved, 1e-3);

    // SASRec reads no times.
    SasrecConfig sc = tinyHstu();
    sc.backbone = Backbone::Sasrec;
    seedTorch(3);
    const SasrecModel sasrec(sc);
    EXPECT_EQ(modelScores(sasrec, {shortHistory}, {shortTimes}),
              modelScores(sasrec, {shortHistory}, {{1, 99999999}}));
}

TEST(Hstu, ACheckpointOfOneBackboneDoesNotLoadIntoTheOther) {
    seedTorch(1);
    SasrecModel hstu(tinyHstu());
    SasrecConfig sc = tinyHstu();
    sc.backbone = Backbone::Sasrec;
    SasrecModel sasrec(sc);
    try {
        sasrec.loadState(hstu.saveState(), "the hstu checkpoint");
        ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("does not fit this model (sasrec"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(hstu.loadState(sasrec.saveState(), "the sasrec checkpoint"), Error);
    EXPECT_EQ(backboneFromName("hstu"), Backbone::Hstu);
    EXPECT_THROW(backboneFromName("HSTU"), Error);
}

// SasrecModel::score keeps the users' states of its last call, because the catalogue ranker scores one batch
// of users in slices of the catalogue (one call per slice): slices of one batch equal one whole call, and the
// states are computed afresh when the parameters change in place (an optimizer step, a checkpoint load) or
// when the same buffers hold other histories. Checked for both backbones against a second model that never
// scored anything (no cache) holding the same weights.
TEST(ModelScores, SlicesOfOneBatchEqualOneCallAndChangedWeightsOrHistoriesAreNeverServedStale) {
    for (const Backbone backbone : {Backbone::Sasrec, Backbone::Hstu}) {
        SasrecConfig c = tinyHstu();
        c.backbone = backbone;
        seedTorch(5);
        SasrecModel m(c);
        std::vector<std::vector<int32_t>> histories = {{1, 3, 2, 5}, {4}, {2, 2, 3, 6, 0, 1}};
        const std::vector<std::vector<int64_t>> times = {{1, 2, 30, 4000}, {7}, {1, 2, 3, 4, 5, 6}};
        auto fresh = [&](const SasrecModel& from) {
            SasrecModel copy(c);
            copy.loadState(from.saveState());
            return modelScores(copy, histories, times);
        };
        const auto whole = modelScores(m, histories, times);
        EXPECT_EQ(whole, fresh(m));

        std::vector<UserContext> users;
        for (size_t u = 0; u < histories.size(); ++u)
            users.push_back(UserContext{static_cast<int32_t>(u), histories[u].data(),
                                        static_cast<int64_t>(histories[u].size()), times[u].data()});
        const int32_t n = c.numItems;
        std::vector<float> low(users.size() * 3), high(users.size() * static_cast<size_t>(n - 3));
        m.score(users, 0, 3, low.data());
        m.score(users, 3, n, high.data());
        for (size_t u = 0; u < users.size(); ++u)
            for (int32_t i = 0; i < n; ++i) {
                const float sliced = i < 3
                                         ? low[u * 3 + static_cast<size_t>(i)]
                                         : high[u * static_cast<size_t>(n - 3) + static_cast<size_t>(i - 3)];
                EXPECT_NEAR(sliced, whole[u * static_cast<size_t>(n) + static_cast<size_t>(i)], 1e-6);
            }

        // A step in place, as the optimizer takes it: the next call sees the new weights.
        {
            torch::NoGradGuard noGrad;
            for (auto& p : m.impl().module->parameters())
                p.add_(at::full_like(p, 0.05));
        }
        const auto stepped = modelScores(m, histories, times);
        EXPECT_NE(stepped, whole);
        EXPECT_EQ(stepped, fresh(m));

        // A checkpoint load.
        seedTorch(6);
        const SasrecModel other(c);
        m.loadState(other.saveState());
        EXPECT_EQ(modelScores(m, histories, times), fresh(other));

        // The same buffers, other histories.
        const auto before = modelScores(m, histories, times);
        histories[0][3] = 6;
        histories[2][5] = 4;
        const auto after = modelScores(m, histories, times);
        EXPECT_NE(after, before);
        EXPECT_EQ(after, fresh(m));
    }
}
