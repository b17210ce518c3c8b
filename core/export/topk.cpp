#include "export/topk.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.h"

namespace tiltbench {
namespace {

UserContext contextOf(const InteractionLog& log, int32_t user) {
    UserContext c;
    c.user = user;
    const int64_t begin = log.userOffsets[static_cast<size_t>(user)];
    c.history = log.item.data() + begin;
    c.historyLength = log.sequenceLength(user);
    c.times = log.ts.data() + begin;
    return c;
}

}  // namespace

TopKSelector::TopKSelector(int32_t numItems) : m_stamp(static_cast<size_t>(numItems), 0) {
    m_candidates.reserve(static_cast<size_t>(numItems));
}

std::vector<ScoredItem> TopKSelector::select(const float* scores, const int32_t* history,
                                             int64_t historyLength, int k) {
    if (++m_generation == 0) {  // wrapped: clear the stamps once every 2^32 calls
        std::fill(m_stamp.begin(), m_stamp.end(), 0);
        m_generation = 1;
    }
    const auto n = static_cast<int32_t>(m_stamp.size());
    for (int64_t h = 0; h < historyLength; ++h) {
        const int32_t item = history[h];
        if (item >= 0 && item < n)
            m_stamp[static_cast<size_t>(item)] = m_generation;
    }
    m_candidates.clear();
    for (int32_t i = 0; i < n; ++i) {
        if (m_stamp[static_cast<size_t>(i)] != m_generation)
            m_candidates.push_back(i);
    }
    const auto better = [scores](int32_t a, int32_t b) {
        const float sa = scores[a], sb = scores[b];
        return sa > sb || (sa == sb && a < b);
    };
    const size_t keep = std::min(m_candidates.size(), static_cast<size_t>(std::max(k, 0)));
    const auto mid = m_candidates.begin() + static_cast<std::ptrdiff_t>(keep);
    std::partial_sort(m_candidates.begin(), mid, m_candidates.end(), better);
    std::vector<ScoredItem> out(keep);
    for (size_t r = 0; r < keep; ++r)
        out[r] = {m_candidates[r], scores[m_candidates[r]]};
    return out;
}

void forEachUserTopK(const InteractionLog& log, const Scorer& scorer, int k, const ProgressCallback& progress,
                     const std::function<void(int32_t, const std::vector<ScoredItem>&)>& onUser) {
    const int32_t n = scorer.numItems();
    if (n != log.numItems())
        throw Error(fmt::format("top-k: the model scores {} items, dataset '{}' has {}", n, log.name,
                                log.numItems()));
    const int32_t users = log.numUsers();
    const int64_t perBatch = std::clamp<int64_t>((int64_t{16} << 20) / std::max<int32_t>(n, 1), 1, 1024);
    std::vector<float> scores;
    TopKSelector selector(n);
    std::vector<UserContext> batch;
    reportProgress(progress, {"scoring", 0, static_cast<uint64_t>(users), "users"});
    for (int32_t begin = 0; begin < users; begin += static_cast<int32_t>(perBatch)) {
        const int32_t end = static_cast<int32_t>(std::min<int64_t>(users, begin + perBatch));
        batch.clear();
        for (int32_t u = begin; u < end; ++u)
            batch.push_back(contextOf(log, u));
        scores.resize(batch.size() * static_cast<size_t>(n));
        scorer.score(batch, 0, n, scores.data());
        for (size_t b = 0; b < batch.size(); ++b) {
            const float* row = scores.data() + b * static_cast<size_t>(n);
            onUser(batch[b].user, selector.select(row, batch[b].history, batch[b].historyLength, k));
        }
        reportProgress(progress,
                       {"scoring", static_cast<uint64_t>(end), static_cast<uint64_t>(users), "users"});
    }
}

std::vector<ScoredItem> userTopK(const InteractionLog& log, const Scorer& scorer, int32_t user, int k) {
    const int32_t n = scorer.numItems();
    if (n != log.numItems())
        throw Error(fmt::format("top-k: the model scores {} items, dataset '{}' has {}", n, log.name,
                                log.numItems()));
    const std::vector<UserContext> one{contextOf(log, user)};
    std::vector<float> scores(static_cast<size_t>(n));
    scorer.score(one, 0, n, scores.data());
    return TopKSelector(n).select(scores.data(), one[0].history, one[0].historyLength, k);
}

std::string csvField(const std::string& text) {
    const bool quote = text.find_first_of(",\"\r\n") != std::string::npos ||
                       (!text.empty() && (text.front() == ' ' || text.back() == ' '));
    if (!quote)
        return text;
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
    return out;
}

}  // namespace tiltbench
