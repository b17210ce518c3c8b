#include "data/simulator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <numeric>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/random.h"

namespace tiltbench {

namespace {

constexpr uint64_t kStreamActivity = 3;
constexpr uint64_t kStreamUserRowsBase = 1ULL << 32;

// Splits `total` interactions over users: `minPerUser` each, the rest in proportion to log-normal activity,
// nobody above the catalogue size. Water-filling for the cap, then largest remainders, so the sum is exact.
std::vector<int64_t> allocateInteractions(const SimulatorConfig& c) {
    const auto users = static_cast<size_t>(c.users);
    Rng rng(streamSeed(c.seed, kStreamActivity));
    std::vector<double> activity(users);
    for (auto& a : activity) {
        a = std::exp(c.activitySpread * rng.normal());
    }
    const double cap = static_cast<double>(c.items - c.minPerUser);
    std::vector<double> extra(users, 0.0);
    std::vector<char> capped(users, 0);
    double remaining = static_cast<double>(c.interactions - c.users * c.minPerUser);
    for (bool changed = true; changed && remaining > 0;) {
        changed = false;
        double mass = 0.0;
        for (size_t u = 0; u < users; ++u) {
            mass += capped[u] ? 0.0 : activity[u];
        }
        if (!(mass > 0.0)) {
            break;
        }
        double spilled = 0.0;
        for (size_t u = 0; u < users; ++u) {
            if (capped[u]) {
                continue;
            }
            extra[u] = remaining * activity[u] / mass;
            if (extra[u] >= cap) {
                extra[u] = cap;
                capped[u] = 1;
                spilled += cap;
                changed = true;
            }
        }
        if (changed) {
            remaining -= spilled;
            for (size_t u = 0; u < users; ++u) {
                extra[u] = capped[u] ? cap : 0.0;
            }
        }
    }
    std::vector<int64_t> counts(users);
    int64_t assigned = 0;
    std::vector<std::pair<double, uint32_t>> remainders;
    remainders.reserve(users);
    for (size_t u = 0; u < users; ++u) {
        const double whole = std::floor(extra[u]);
        counts[u] = c.minPerUser + static_cast<int64_t>(whole);
        assigned += counts[u];
        remainders.emplace_back(extra[u] - whole, static_cast<uint32_t>(u));
    }
    std::sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    // Rounding can leave a few interactions over or under; hand them out (or take them back) in remainder
    // order, respecting the per-user bounds. The configuration is feasible, so this terminates.
    while (assigned != c.interactions) {
        const bool add = assigned < c.interactions;
        for (const auto& [frac, u] : remainders) {
            if (assigned == c.interactions) {
                break;
            }
            if (add && counts[u] < c.items) {
                ++counts[u];
                ++assigned;
            } else if (!add && counts[u] > c.minPerUser) {
                --counts[u];
                --assigned;
            }
        }
    }
    return counts;
}

// Draws one user's items without replacement from P(i) ∝ w_i · exp(s · taste_u · taste_i), with
// w_i = exposure_i · exp(s · quality_i), exactly. Mostly by rejection from an alias table over w (O(1) per
// draw; item taste vectors have a fixed length, so exp(|s| · |taste_u| · tasteScale) bounds the taste factor
// tightly); when a user wants a large part of the catalogue, or duplicates make rejection slow, the rest of
// the draw is an exhaustive Gumbel-top-k over the items not yet taken. Sampling without replacement is
// sequential, so switching method mid-way keeps the distribution exact.
class ItemSampler {
  public:
    explicit ItemSampler(const GroundTruth& truth)
        : m_truth(truth),
          m_items(static_cast<uint32_t>(truth.itemQuality.size())),
          m_dim(truth.config.tasteDim),
          m_s(truth.config.selfSelection),
          m_logW(m_items),
          m_taken(m_items, -1) {
        for (uint32_t i = 0; i < m_items; ++i) {
            m_logW[i] = std::log(truth.itemExposure[i]) + m_s * truth.itemQuality[i];
        }
        const double top = *std::max_element(m_logW.begin(), m_logW.end());
        std::vector<double> w(m_items);
        for (uint32_t i = 0; i < m_items; ++i) {
            w[i] = std::exp(m_logW[i] - top);
        }
        m_alias = std::make_unique<AliasTable>(w);
        m_keys.reserve(m_items);
    }

    void sample(int32_t user, int64_t k, Rng& rng, std::vector<int32_t>& out) {
        out.clear();
        const float* tu = &m_truth.userTaste[static_cast<size_t>(user) * m_dim];
        double norm2 = 0.0;
        for (int d = 0; d < m_dim; ++d) {
            norm2 += static_cast<double>(tu[d]) * tu[d];
        }
        const double logBound = std::abs(m_s) * std::sqrt(norm2) * m_truth.config.tasteScale;
        const double trialsPerDraw = std::exp(logBound);
        if (2.0 * static_cast<double>(k) * trialsPerDraw < static_cast<double>(m_items)) {
            const uint64_t budget = 2ULL * m_items + 64;
            uint64_t trials = 0;
            while (static_cast<int64_t>(out.size()) < k && trials++ < budget) {
                const uint32_t j = m_alias->sample(rng);
                if (m_taken[j] == user) {
                    continue;
                }
                if (logBound > 0.0 && rng.uniform() >= std::exp(m_s * tasteDot(tu, j) - logBound)) {
                    continue;
                }
                m_taken[j] = user;
                out.push_back(static_cast<int32_t>(j));
            }
        }
        if (static_cast<int64_t>(out.size()) < k) {
            exhaustive(user, tu, k - static_cast<int64_t>(out.size()), rng, out);
        }
    }

  private:
    double tasteDot(const float* tu, uint32_t item) const {
        const float* ti = &m_truth.itemTaste[static_cast<size_t>(item) * m_dim];
        double dot = 0.0;
        for (int d = 0; d < m_dim; ++d) {
            dot += static_cast<double>(tu[d]) * ti[d];
        }
        return dot;
    }

    // Gumbel-top-k: the k largest log-weight + Gumbel keys are a sample without replacement.
    void exhaustive(int32_t user, const float* tu, int64_t k, Rng& rng, std::vector<int32_t>& out) {
        m_keys.clear();
        for (uint32_t j = 0; j < m_items; ++j) {
            if (m_taken[j] != user) {
                m_keys.emplace_back(m_logW[j] + m_s * tasteDot(tu, j) - std::log(rng.exponential()), j);
            }
        }
        const auto kth = m_keys.begin() + k;
        std::nth_element(m_keys.begin(), kth - 1, m_keys.end(),
                         [](const auto& a, const auto& b) { return a.first > b.first; });
        for (auto it = m_keys.begin(); it != kth; ++it) {
            m_taken[it->second] = user;
            out.push_back(static_cast<int32_t>(it->second));
        }
    }

    const GroundTruth& m_truth;
    uint32_t m_items;
    int m_dim;
    double m_s;
    std::vector<double> m_logW;
    std::vector<int32_t> m_taken;  // last user that took the item: no per-user clearing needed
    std::unique_ptr<AliasTable> m_alias;
    std::vector<std::pair<double, uint32_t>> m_keys;
};

}  // namespace

void simulate(const SimulatorConfig& config, const GroundTruth& truth, SimulationSink& sink,
              const ProgressCallback& progress) {
    const uint64_t total = static_cast<uint64_t>(config.interactions);
    reportProgress(progress, Progress{"generating", 0, total, "rows"});
    const std::vector<int64_t> perUser = allocateInteractions(config);
    // Every user and item first, in order, so dense ids equal the ground truth's indices (and items that the
    // logging policy never showed still exist for evaluation).
    for (int64_t u = 0; u < config.users; ++u)
        sink.addUser("u" + std::to_string(u + 1));
    std::vector<uint32_t> rankOf(truth.itemExposure.size());
    {
        std::vector<uint32_t> order(rankOf.size());
        std::iota(order.begin(), order.end(), 0u);
        std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
            return truth.itemExposure[a] > truth.itemExposure[b];
        });
        for (size_t r = 0; r < order.size(); ++r) {
            rankOf[order[r]] = static_cast<uint32_t>(r + 1);
        }
    }
    for (int64_t i = 0; i < config.items; ++i) {
        sink.addItem("i" + std::to_string(i + 1),
                     fmt::format("Item {} (q={:+.2f}, pop #{})", i + 1,
                                 truth.itemQuality[static_cast<size_t>(i)], rankOf[static_cast<size_t>(i)]));
    }

    ItemSampler sampler(truth);
    const double span = config.timeSpanDays * 86400.0;
    std::vector<int32_t> chosen;
    std::vector<double> gaps;
    uint64_t done = 0, nextReport = 1 << 16;
    for (int64_t u = 0; u < config.users; ++u) {
        const auto user = static_cast<int32_t>(u);
        const int64_t n = perUser[static_cast<size_t>(u)];
        Rng rng(streamSeed(config.seed, kStreamUserRowsBase + static_cast<uint64_t>(u)));
        sampler.sample(user, n, rng, chosen);
        // Successive sampling draws the likeliest items first; random time order keeps that order from
        // leaking into position (the held-out last item would otherwise be systematically less popular and
        // less liked).
        for (size_t k = chosen.size(); k > 1; --k) {
            std::swap(chosen[k - 1], chosen[rng.below(static_cast<uint32_t>(k))]);
        }
        // Each user is active in a random window of the period (so users interleave in time), at Poisson-like
        // moments inside it: normalised cumulative exponential gaps are sorted uniforms in O(n).
        double a = rng.uniform() * span, b = rng.uniform() * span;
        if (a > b) {
            std::swap(a, b);
        }
        gaps.resize(static_cast<size_t>(n) + 1);
        double cumulative = 0.0;
        for (auto& g : gaps) {
            cumulative += rng.exponential();
            g = cumulative;
        }
        int64_t previous = std::numeric_limits<int64_t>::min();
        for (int64_t k = 0; k < n; ++k) {
            const auto item = chosen[static_cast<size_t>(k)];
            const double when = a + (b - a) * gaps[static_cast<size_t>(k)] / cumulative;
            const int64_t ts = std::max(config.startTime + static_cast<int64_t>(when), previous + 1);
            previous = ts;
            const double latent = truth.globalMean + truth.userBias[static_cast<size_t>(u)] +
                                  truth.affinity(user, item) + config.noise * rng.normal();
            sink.addInteraction(user, item, simulatorRewardLevel(latent), ts);
        }
        done += static_cast<uint64_t>(n);
        if (done >= nextReport) {
            reportProgress(progress, Progress{"generating", done, total, "rows"});
            nextReport = done + (1 << 16);
        }
    }
    reportProgress(progress, Progress{"generating", done, total, "rows"});
}

}  // namespace tiltbench
