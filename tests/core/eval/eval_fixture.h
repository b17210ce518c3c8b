#pragma once
// Helpers for the evaluation suites: tiny hand-made logs, a scorer with a fixed score table, a
// popularity-like scorer and a generated ML-100K-sized log.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "common/seeded_random.h"
#include "data/interaction_log.h"
#include "eval/scorer.h"
#include "support/toy_log.h"

namespace tiltbench::test {

// Scores from a users × items table; counts its calls' item slices so tests can see the chunking.
class TableScorer : public Scorer {
  public:
    TableScorer(int32_t items, std::vector<std::vector<float>> table)
        : m_items(items), m_table(std::move(table)) {}
    int32_t numItems() const override { return m_items; }
    void score(const std::vector<UserContext>& users, int32_t itemBegin, int32_t itemEnd,
               float* out) const override {
        const auto w = static_cast<size_t>(itemEnd - itemBegin);
        for (size_t k = 0; k < users.size(); ++k) {
            const auto& row = m_table[static_cast<size_t>(users[k].user)];
            for (int32_t i = itemBegin; i < itemEnd; ++i) {
                out[k * w + static_cast<size_t>(i - itemBegin)] = row[static_cast<size_t>(i)];
            }
        }
    }

  private:
    int32_t m_items;
    std::vector<std::vector<float>> m_table;
};

// Same score vector for every user (e.g. training counts): the simplest "popularity" model.
class GlobalScorer : public Scorer {
  public:
    explicit GlobalScorer(std::vector<float> scores) : m_scores(std::move(scores)) {}
    int32_t numItems() const override { return static_cast<int32_t>(m_scores.size()); }
    void score(const std::vector<UserContext>& users, int32_t itemBegin, int32_t itemEnd,
               float* out) const override {
        const auto w = static_cast<size_t>(itemEnd - itemBegin);
        for (size_t k = 0; k < users.size(); ++k) {
            std::copy(m_scores.begin() + itemBegin, m_scores.begin() + itemEnd, out + k * w);
        }
    }

  private:
    std::vector<float> m_scores;
};

// `users` users with Zipf-like item popularity and 1..5 rewards, `rows` interactions in all (at least 5 per
// user), distinct items per user, timestamps increasing per user and interleaved across users.
inline InteractionLog makeRandomLog(int32_t users, int32_t items, int64_t rows, uint64_t seed) {
    SeededRandom rng(seed);
    std::vector<double> cdf(static_cast<size_t>(items));
    double total = 0.0;
    for (int32_t i = 0; i < items; ++i) {
        total += 1.0 / (1.0 + i);
        cdf[static_cast<size_t>(i)] = total;
    }
    std::vector<int64_t> perUser(static_cast<size_t>(users), 5);
    for (int64_t r = 5LL * users; r < rows; ++r) {
        ++perUser[rng.below(static_cast<uint64_t>(users))];
    }
    std::vector<LogRow> out;
    std::vector<char> seen(static_cast<size_t>(items));
    for (int32_t u = 0; u < users; ++u) {
        std::fill(seen.begin(), seen.end(), 0);
        const int64_t n = std::min<int64_t>(perUser[static_cast<size_t>(u)], items);
        int64_t ts = static_cast<int64_t>(rng.below(1000));
        for (int64_t k = 0; k < n; ++k) {
            int32_t item = 0;
            do {
                const double x = rng.uniform() * total;
                item = static_cast<int32_t>(std::lower_bound(cdf.begin(), cdf.end(), x) - cdf.begin());
                item = std::min(item, items - 1);
            } while (seen[static_cast<size_t>(item)]);
            seen[static_cast<size_t>(item)] = 1;
            ts += 1 + static_cast<int64_t>(rng.below(100000));
            out.push_back({u, item, static_cast<double>(1 + rng.below(5)), ts});
        }
    }
    return makeEvalLog(users, items, out);
}

}  // namespace tiltbench::test
