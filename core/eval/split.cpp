#include "eval/split.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/error.h"
#include "common/seeded_random.h"
#include "common/word_hash.h"

namespace tiltbench {

namespace {

void checkLogShape(const InteractionLog& log) {
    const size_t n = log.item.size();
    if (log.user.size() != n || log.reward.size() != n || log.ts.size() != n ||
        log.userOffsets.size() != static_cast<size_t>(log.numUsers()) + 1 ||
        (n > 0 && log.userOffsets.back() != static_cast<int64_t>(n))) {
        throw Error(
            fmt::format("split: log '{}' is malformed (column sizes or user offsets disagree)", log.name));
    }
}

}  // namespace

SplitKind SplitConfig::kindFromString(const std::string& s) {
    if (s == "loo" || s == "leave-one-out")
        return SplitKind::LeaveOneOut;
    if (s == "time")
        return SplitKind::Time;
    throw Error(fmt::format("split: unknown protocol '{}' (expected 'loo' or 'time')", s));
}

std::string SplitConfig::kindToString(SplitKind kind) {
    return kind == SplitKind::LeaveOneOut ? "loo" : "time";
}

const char* evalSetName(EvalSet set) {
    return set == EvalSet::Validation ? "valid" : "test";
}

void Split::addTraining(const InteractionLog& log, int64_t row, int64_t userBegin) {
    const auto r = static_cast<size_t>(row);
    m_training.user.push_back(log.user[r]);
    m_training.item.push_back(log.item[r]);
    m_training.reward.push_back(log.reward[r]);
    m_training.prevItem.push_back(row > userBegin ? log.item[r - 1] : -1);
    m_training.logIndex.push_back(row);
}

Split Split::make(const InteractionLog& log, const SplitConfig& config) {
    checkLogShape(log);
    Split s;
    s.m_config = config;
    s.m_numUsers = log.numUsers();
    s.m_numItems = log.numItems();
    auto& tr = s.m_training;
    for (auto* v : {&tr.user, &tr.item, &tr.prevItem}) {
        v->reserve(log.size());
    }
    tr.reward.reserve(log.size());
    tr.logIndex.reserve(log.size());
    const auto makeTarget = [&log](int64_t row, int64_t begin) {
        EvalTarget t;
        const auto r = static_cast<size_t>(row);
        t.user = log.user[r];
        t.item = log.item[r];
        t.reward = log.reward[r];
        t.logIndex = row;
        t.historyBegin = begin;
        t.historyEnd = row;
        return t;
    };

    if (config.kind == SplitKind::LeaveOneOut) {
        for (int32_t u = 0; u < log.numUsers(); ++u) {
            const int64_t b = log.userOffsets[static_cast<size_t>(u)];
            const int64_t e = log.userOffsets[static_cast<size_t>(u) + 1];
            // Fewer than 3 rows cannot give a training prefix plus two targets, so such users only teach.
            const int64_t trainEnd = e - b >= 3 ? e - 2 : e;
            for (int64_t k = b; k < trainEnd; ++k) {
                s.addTraining(log, k, b);
            }
            if (e - b >= 3) {
                s.m_validation.push_back(makeTarget(e - 2, b));
                s.m_test.push_back(makeTarget(e - 1, b));
            }
        }
    } else {
        if (!(config.timeQuantile > 0.0 && config.timeQuantile < 1.0)) {
            throw Error(fmt::format("split: time_quantile must lie strictly between 0 and 1, got {}",
                                    config.timeQuantile));
        }
        if (!(config.validationShare >= 0.0 && config.validationShare <= 1.0)) {
            throw Error(
                fmt::format("split: validation_share must lie in [0, 1], got {}", config.validationShare));
        }
        if (log.size() > 0) {
            std::vector<int64_t> ts = log.ts;
            const auto pos = std::min(
                ts.size() - 1,
                static_cast<size_t>(std::floor(config.timeQuantile * static_cast<double>(ts.size()))));
            std::nth_element(ts.begin(), ts.begin() + static_cast<std::ptrdiff_t>(pos), ts.end());
            s.m_cutTime = ts[pos];
        }
        for (int32_t u = 0; u < log.numUsers(); ++u) {
            const int64_t b = log.userOffsets[static_cast<size_t>(u)];
            const int64_t e = log.userOffsets[static_cast<size_t>(u) + 1];
            int64_t k = b;
            while (k < e && log.ts[static_cast<size_t>(k)] < s.m_cutTime) {
                s.addTraining(log, k, b);
                ++k;
            }
            // A user with nothing before the cut is a cold start, which no sequential model can be judged on
            // by its history; one with nothing after it has no target.
            if (k == b || k == e)
                continue;
            SeededRandom deal(SeededRandom::derive(config.seed, static_cast<uint64_t>(u)));
            (deal.uniform() < config.validationShare ? s.m_validation : s.m_test).push_back(makeTarget(k, b));
        }
    }
    s.computeHash();
    return s;
}

void Split::computeHash() {
    WordHash h;
    h.text("tiltbench-split-v1");
    h.text(SplitConfig::kindToString(m_config.kind));
    if (m_config.kind == SplitKind::Time) {
        h.real(m_config.timeQuantile);
        h.real(m_config.validationShare);
        h.word(m_config.seed);
        h.word(static_cast<uint64_t>(m_cutTime));
    }
    h.word(static_cast<uint64_t>(m_numUsers));
    h.word(static_cast<uint64_t>(m_numItems));
    h.word(m_training.size());
    for (size_t k = 0; k < m_training.size(); ++k) {
        h.word(static_cast<uint64_t>(m_training.user[k]));
        h.word(static_cast<uint64_t>(m_training.item[k]));
        h.real(m_training.reward[k]);
        h.word(static_cast<uint64_t>(m_training.logIndex[k]));
    }
    for (const auto* set : {&m_validation, &m_test}) {
        h.word(set->size());
        for (const auto& t : *set) {
            h.word(static_cast<uint64_t>(t.user));
            h.word(static_cast<uint64_t>(t.item));
            h.real(t.reward);
            h.word(static_cast<uint64_t>(t.logIndex));
            h.word(static_cast<uint64_t>(t.historyBegin));
        }
    }
    m_hash = h.value();
}

std::string Split::hashHex() const {
    return fmt::format("{:016x}", m_hash);
}

std::string Split::description() const {
    if (m_config.kind == SplitKind::LeaveOneOut)
        return "leave-one-out (per user: last = test, second last = validation; users with < 3 rows train "
               "only)";
    return fmt::format(
        "time split at the {} quantile (ts < {} = training; per user the first row at or after it is the "
        "target; users dealt to validation with share {} by seed {})",
        m_config.timeQuantile, m_cutTime, m_config.validationShare, m_config.seed);
}

}  // namespace tiltbench
