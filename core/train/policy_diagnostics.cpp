#include "train/policy_diagnostics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/error.h"

namespace tiltbench {

namespace {
constexpr size_t kUsersPerCall = 256;
}  // namespace

void ScoreRecorder::score(const std::vector<UserContext>& users, int32_t itemBegin, int32_t itemEnd,
                          float* out) const {
    const auto width = static_cast<size_t>(itemEnd - itemBegin);
    const auto items = static_cast<size_t>(numItems());
    std::lock_guard<std::mutex> lock(m_mutex);
    const bool known = std::all_of(users.begin(), users.end(), [&](const UserContext& u) {
        const auto it = m_rows.find({u.user, u.historyLength});
        return it != m_rows.end() && it->second.filled >= items;
    });
    if (!known) {
        m_inner.score(users, itemBegin, itemEnd, out);
        for (size_t k = 0; k < users.size(); ++k) {
            Row& row = m_rows[{users[k].user, users[k].historyLength}];
            if (row.scores.empty())
                row.scores.assign(items, std::numeric_limits<float>::quiet_NaN());
            std::copy(out + k * width, out + (k + 1) * width, row.scores.begin() + itemBegin);
            row.filled += width;
        }
        return;
    }
    for (size_t k = 0; k < users.size(); ++k) {
        const Row& row = m_rows.at({users[k].user, users[k].historyLength});
        std::copy(row.scores.begin() + itemBegin, row.scores.begin() + itemEnd, out + k * width);
    }
}

void ScoreRecorder::clear() {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_rows.clear();
}

PolicyDiagnostics::PolicyDiagnostics(const InteractionLog& log, const Split& split, EvalSet set,
                                     const Scorer* reference, const RewardModel* reward, int k,
                                     const std::vector<size_t>& subset)
    : m_log(log), m_reference(reference), m_reward(reward), m_k(k), m_numItems(split.numItems()) {
    const auto& all = split.targets(set);
    if (subset.empty()) {
        m_targets = all;
        return;
    }
    m_targets.reserve(subset.size());
    for (const size_t i : subset) {
        if (i >= all.size())
            throw Error(fmt::format("policy diagnostics: target {} of a set of {}", i, all.size()));
        m_targets.push_back(all[i]);
    }
}

void PolicyDiagnostics::logSoftmaxRows(const Scorer& scorer, size_t first, size_t count,
                                       std::vector<float>& out) const {
    const auto c = static_cast<size_t>(m_numItems);
    std::vector<UserContext> users;
    for (size_t j = first; j < first + count; ++j) {
        const EvalTarget& t = m_targets[j];
        users.push_back({t.user, m_log.item.data() + t.historyBegin, t.historyLength(),
                         m_log.ts.data() + t.historyBegin});
    }
    out.assign(count * c, 0.0f);
    scorer.score(users, 0, m_numItems, out.data());
    const float excluded = -std::numeric_limits<float>::infinity();
    for (size_t j = 0; j < count; ++j) {
        float* row = out.data() + j * c;
        const EvalTarget& t = m_targets[first + j];
        for (int64_t h = t.historyBegin; h < t.historyEnd; ++h)
            row[static_cast<size_t>(m_log.item[static_cast<size_t>(h)])] = excluded;
        double mx = -std::numeric_limits<double>::infinity();
        for (size_t i = 0; i < c; ++i)
            mx = std::max(mx, static_cast<double>(row[i]));
        double sum = 0.0;
        for (size_t i = 0; i < c; ++i)
            sum += std::exp(static_cast<double>(row[i]) - mx);
        const double lse = mx + std::log(sum);
        for (size_t i = 0; i < c; ++i)
            row[i] = static_cast<float>(static_cast<double>(row[i]) - lse);
    }
}

PolicyFigures PolicyDiagnostics::measure(const Scorer& policy) {
    PolicyFigures f;
    const auto c = static_cast<size_t>(m_numItems);
    if (m_targets.empty())
        return f;
    if (m_reference && m_referenceLogp.empty()) {
        m_referenceLogp.resize(m_targets.size() * c);
        std::vector<float> block;
        for (size_t first = 0; first < m_targets.size(); first += kUsersPerCall) {
            const size_t count = std::min(kUsersPerCall, m_targets.size() - first);
            logSoftmaxRows(*m_reference, first, count, block);
            std::copy(block.begin(), block.end(),
                      m_referenceLogp.begin() + static_cast<std::ptrdiff_t>(first * c));
        }
    }
    double proxySum = 0.0, klSum = 0.0;
    std::vector<float> block;
    std::vector<int32_t> order(c);
    for (size_t first = 0; first < m_targets.size(); first += kUsersPerCall) {
        const size_t count = std::min(kUsersPerCall, m_targets.size() - first);
        logSoftmaxRows(policy, first, count, block);
        for (size_t j = 0; j < count; ++j) {
            const float* lp = block.data() + j * c;
            const int32_t user = m_targets[first + j].user;
            if (m_reference) {
                const float* lq = m_referenceLogp.data() + (first + j) * c;
                double kl = 0.0;
                for (size_t i = 0; i < c; ++i) {
                    if (std::isinf(lp[i]))
                        continue;  // history: probability 0 under both
                    kl += std::exp(static_cast<double>(lp[i])) * (static_cast<double>(lp[i]) - lq[i]);
                }
                klSum += kl;
            }
            if (m_reward) {
                // The top K of the ranking the evaluator judges: history removed, ties to the lower id.
                std::iota(order.begin(), order.end(), 0);
                const size_t k = std::min(static_cast<size_t>(m_k), c);
                std::partial_sort(
                    order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                    [&](int32_t a, int32_t b) { return lp[a] != lp[b] ? lp[a] > lp[b] : a < b; });
                double sum = 0.0;
                size_t taken = 0;
                for (size_t r = 0; r < k; ++r) {
                    if (std::isinf(lp[order[r]]))
                        break;
                    sum += m_reward->predict(user, order[r]);
                    ++taken;
                }
                proxySum += taken ? sum / static_cast<double>(taken) : 0.0;
            }
        }
    }
    const double n = static_cast<double>(m_targets.size());
    if (m_reference)
        f.kl = klSum / n;
    if (m_reward)
        f.proxyReward = proxySum / n;
    return f;
}

}  // namespace tiltbench
