#include "eval/evaluator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "common/error.h"
#include "common/limits.h"
#include "common/seeded_random.h"
#include "eval/catalog_ranker.h"

namespace tiltbench {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double meanOfDefined(const std::vector<double>& v, int64_t* count) {
    double sum = 0.0;
    int64_t n = 0;
    for (const double x : v) {
        if (!std::isnan(x)) {
            sum += x;
            ++n;
        }
    }
    *count = n;
    return n > 0 ? sum / static_cast<double>(n) : kNaN;
}

}  // namespace

void validateEvalOptions(const std::vector<int>& ks, int bootstrapResamples, int threads) {
    if (ks.empty())
        throw Error("evaluation: give at least one cut-off K (--k)");
    for (size_t i = 0; i < ks.size(); ++i) {
        if (ks[i] < 1 || ks[i] > limits::kMaxK)
            throw Error(fmt::format("evaluation: every cut-off K (--k) must be in 1..{}, got {}",
                                    limits::kMaxK, ks[i]));
        if (std::find(ks.begin(), ks.begin() + static_cast<std::ptrdiff_t>(i), ks[i]) !=
            ks.begin() + static_cast<std::ptrdiff_t>(i))
            throw Error(fmt::format("evaluation: K = {} is listed twice (--k)", ks[i]));
    }
    if (bootstrapResamples < 0 || bootstrapResamples > limits::kMaxBootstrapResamples) {
        throw Error(fmt::format("evaluation: bootstrap resamples (--bootstrap) must be in 0..{}, got {}",
                                limits::kMaxBootstrapResamples, bootstrapResamples));
    }
    if (threads < 0 || threads > kMaxEvalThreads)
        throw Error(fmt::format("threads (--threads) must be in 0..{} (0 = all cores), got {}",
                                kMaxEvalThreads, threads));
}

Evaluator::Evaluator(const InteractionLog& log, const Split& split, EvalConfig config)
    : m_log(log), m_split(split), m_config(std::move(config)) {
    if (split.numItems() != log.numItems() || split.numUsers() != log.numUsers()) {
        throw Error(fmt::format("evaluation: the split has {} users × {} items but the log '{}' has {} × {}",
                                split.numUsers(), split.numItems(), log.name, log.numUsers(),
                                log.numItems()));
    }
    auto& ks = m_config.ks;
    if (ks.empty())
        throw Error("evaluation: ks must name at least one cut-off K");
    for (size_t i = 0; i < ks.size(); ++i) {
        if (ks[i] < 1)
            throw Error(fmt::format("evaluation: every K must be ≥ 1, got {}", ks[i]));
        if (ks[i] > limits::kMaxK)  // the top lists are users × max K
            throw Error(fmt::format("evaluation: every K must be ≤ {}, got {}", limits::kMaxK, ks[i]));
        if (std::find(ks.begin(), ks.begin() + static_cast<std::ptrdiff_t>(i), ks[i]) !=
            ks.begin() + static_cast<std::ptrdiff_t>(i))
            throw Error(fmt::format("evaluation: K = {} is listed twice", ks[i]));
    }
    if (m_config.batchSize < 1 || m_config.chunkSize < 1 || m_config.threads < 0) {
        throw Error(
            fmt::format("evaluation: batch_size and chunk_size must be ≥ 1 and threads ≥ 0 (got {}, {}, {})",
                        m_config.batchSize, m_config.chunkSize, m_config.threads));
    }
    const auto& b = m_config.bootstrap;
    if (b.resamples < 0 || b.resamples > limits::kMaxBootstrapResamples || b.threads < 0 ||
        !(b.level > 0.0 && b.level < 1.0)) {
        throw Error(
            fmt::format("evaluation: bootstrap resamples must be in 0..{}, threads ≥ 0 and level in (0, 1) "
                        "(got {}, {}, {})",
                        limits::kMaxBootstrapResamples, b.resamples, b.threads, b.level));
    }
    if (m_config.sampleUsers < 0)
        throw Error(fmt::format("evaluation: sample_users must be ≥ 0, got {}", m_config.sampleUsers));
    if (m_config.highThreshold && !std::isfinite(*m_config.highThreshold))
        throw Error("evaluation: the high-reward threshold must be finite");
    m_kMax = *std::max_element(ks.begin(), ks.end());
    m_stats = ItemStatistics::fromTraining(split.training(), log.numItems(), m_config.itemMeanPriorStrength,
                                           m_config.headShare);

    const auto [lo, hi] = std::minmax_element(log.reward.begin(), log.reward.end());
    m_highThreshold = m_config.highThreshold ? *m_config.highThreshold : (hi != log.reward.end() ? *hi : 0.0);
    m_minReward = lo != log.reward.end() ? *lo : 0.0;
    for (const auto& t : log.randomTest) {
        m_minReward = std::min(m_minReward, t.reward);
    }

    m_randomOffsets.assign(static_cast<size_t>(log.numUsers()) + 1, 0);
    for (const auto& t : log.randomTest) {
        ++m_randomOffsets[static_cast<size_t>(t.user) + 1];
    }
    std::partial_sum(m_randomOffsets.begin(), m_randomOffsets.end(), m_randomOffsets.begin());
    m_randomItems.resize(log.randomTest.size());
    m_randomRewards.resize(log.randomTest.size());
    std::vector<int64_t> fill(m_randomOffsets.begin(), m_randomOffsets.end() - 1);
    for (const auto& t : log.randomTest) {
        const auto p = static_cast<size_t>(fill[static_cast<size_t>(t.user)]++);
        m_randomItems[p] = t.item;
        m_randomRewards[p] = t.reward;
    }
}

std::vector<size_t> Evaluator::selectedTargets(EvalSet set) const {
    const size_t eligible = m_split.targets(set).size();
    std::vector<size_t> idx(eligible);
    std::iota(idx.begin(), idx.end(), size_t{0});
    const auto want = static_cast<size_t>(m_config.sampleUsers);
    if (want == 0 || want >= eligible)
        return idx;
    // Partial Fisher–Yates from the seed: the same seed and eligible set give the same users everywhere.
    SeededRandom rng(m_config.sampleSeed);
    for (size_t i = 0; i < want; ++i) {
        std::swap(idx[i], idx[i + rng.below(eligible - i)]);
    }
    idx.resize(want);
    std::sort(idx.begin(), idx.end());
    return idx;
}

std::vector<int32_t> Evaluator::evaluatedUsers(EvalSet set) const {
    std::vector<int32_t> users;
    for (const size_t i : selectedTargets(set)) {
        users.push_back(m_split.targets(set)[i].user);
    }
    return users;
}

EvalResult Evaluator::evaluate(const Scorer& scorer, EvalSet set, const ProgressCallback& progress) const {
    const auto& targets = m_split.targets(set);
    const auto selected = selectedTargets(set);
    const size_t n = selected.size();
    const bool withRandom = m_config.randomExposure && set == EvalSet::Test && !m_log.randomTest.empty();

    std::vector<RankRequest> requests(n);
    std::vector<int64_t> probeOffsets;
    std::vector<int32_t> probeItems;
    if (withRandom)
        probeOffsets.assign(n + 1, 0);
    for (size_t j = 0; j < n; ++j) {
        const auto& t = targets[selected[j]];
        requests[j] = RankRequest{t.user, t.item, m_log.item.data() + t.historyBegin, t.historyLength(),
                                  m_log.ts.data() + t.historyBegin};
        if (withRandom) {
            const auto u = static_cast<size_t>(t.user);
            probeItems.insert(probeItems.end(), m_randomItems.begin() + m_randomOffsets[u],
                              m_randomItems.begin() + m_randomOffsets[u + 1]);
            probeOffsets[j + 1] = static_cast<int64_t>(probeItems.size());
        }
    }
    RankingOptions options;
    options.kMax = m_kMax;
    options.batchSize = m_config.batchSize;
    options.chunkSize = m_config.chunkSize;
    options.threads = m_config.threads;
    RankingOutput ranked =
        rankCatalog(scorer, m_log.numItems(), requests, options, probeOffsets, probeItems, progress);

    EvalResult r;
    auto& p = r.protocol;
    p.splitKind = SplitConfig::kindToString(m_split.config().kind);
    p.splitDescription = m_split.description();
    p.splitHash = m_split.hash();
    p.targets = evalSetName(set);
    p.numItems = m_log.numItems();
    p.eligibleUsers = static_cast<int64_t>(targets.size());
    p.evaluatedUsers = static_cast<int64_t>(n);
    p.sampled = n < targets.size();
    p.sampleSeed = m_config.sampleSeed;
    p.ks = m_config.ks;
    p.highThreshold = m_highThreshold;
    p.itemMeanPriorStrength = m_stats.priorStrength;
    p.headShare = m_stats.headShare;
    p.hasTrueReward = static_cast<bool>(m_config.trueReward);
    p.hasRandomExposure = withRandom;

    r.kMax = m_kMax;
    r.ranks = std::move(ranked.rank);
    r.topItems = std::move(ranked.topItems);
    r.users.reserve(n);
    for (const size_t i : selected) {
        r.users.push_back(targets[i].user);
        r.targetItems.push_back(targets[i].item);
        r.targetRewards.push_back(targets[i].reward);
    }

    // True reward of each list entry, computed once and shared by every K.
    std::vector<double> trueValue;
    if (m_config.trueReward) {
        trueValue.assign(r.topItems.size(), kNaN);
        for (size_t j = 0; j < n; ++j) {
            for (int q = 0; q < ranked.topLength[j]; ++q) {
                const size_t at = j * static_cast<size_t>(m_kMax) + static_cast<size_t>(q);
                trueValue[at] = m_config.trueReward(r.users[j], r.topItems[at]);
            }
        }
    }

    const auto addPerUser = [&r](std::string name, int k, std::vector<double> values) {
        MetricValue m;
        m.name = name;
        m.k = k;
        m.value = meanOfDefined(values, &m.users);
        r.metrics.push_back(m);
        r.perUserNames.push_back(std::move(name));
        r.perUserValues.push_back(std::move(values));
    };
    for (const int k : m_config.ks) {
        std::vector<double> hr(n), nd(n), mrr(n), hrHigh(n, kNaN), ndHigh(n, kNaN), mrrHigh(n, kNaN);
        std::vector<double> imr(n), arp(n), aplt(n), tr;
        if (m_config.trueReward)
            tr.assign(n, kNaN);
        for (size_t j = 0; j < n; ++j) {
            hr[j] = metrics::hitRate(r.ranks[j], k);
            nd[j] = metrics::ndcg(r.ranks[j], k);
            mrr[j] = metrics::reciprocalRank(r.ranks[j], k);
            if (r.targetRewards[j] >= m_highThreshold) {
                hrHigh[j] = hr[j];
                ndHigh[j] = nd[j];
                mrrHigh[j] = mrr[j];
            }
            const int len = std::min(k, ranked.topLength[j]);
            const int32_t* list = r.topItems.data() + j * static_cast<size_t>(m_kMax);
            imr[j] = m_stats.meanItemReward(list, len);
            arp[j] = m_stats.averagePopularity(list, len);
            aplt[j] = m_stats.longTailShare(list, len);
            if (!tr.empty() && len > 0) {
                const double* v = trueValue.data() + j * static_cast<size_t>(m_kMax);
                tr[j] = std::accumulate(v, v + len, 0.0) / len;
            }
        }
        const auto at = [k](const char* base) { return fmt::format("{}@{}", base, k); };
        addPerUser(at("hr"), k, std::move(hr));
        addPerUser(at("ndcg"), k, std::move(nd));
        addPerUser(at("mrr"), k, std::move(mrr));
        addPerUser(at("hr_high"), k, std::move(hrHigh));
        addPerUser(at("ndcg_high"), k, std::move(ndHigh));
        addPerUser(at("mrr_high"), k, std::move(mrrHigh));
        addPerUser(at("item_mean_reward"), k, std::move(imr));
        addPerUser(at("arp"), k, std::move(arp));
        addPerUser(at("aplt"), k, std::move(aplt));
        if (!tr.empty())
            addPerUser(at("true_reward"), k, std::move(tr));
    }
    if (withRandom) {
        std::vector<double> rnd(n, kNaN);
        for (size_t j = 0; j < n; ++j) {
            const auto u = static_cast<size_t>(r.users[j]);
            std::vector<std::pair<float, double>> scored;
            for (int64_t q = probeOffsets[j]; q < probeOffsets[j + 1]; ++q) {
                const auto src = static_cast<size_t>(m_randomOffsets[u] + (q - probeOffsets[j]));
                scored.emplace_back(ranked.probeScores[static_cast<size_t>(q)], m_randomRewards[src]);
            }
            if (!scored.empty())
                rnd[j] = metrics::randomExposureNdcg(std::move(scored), m_minReward);
        }
        addPerUser("random_ndcg", 0, std::move(rnd));
    }
    for (const int k : m_config.ks) {
        const auto counts = metrics::recommendationCounts(r.topItems, m_kMax, k, m_log.numItems());
        const std::pair<const char*, Aggregate> kinds[] = {
            {"coverage", Aggregate::Coverage}, {"gini", Aggregate::Gini}, {"entropy", Aggregate::Entropy}};
        for (const auto& [base, kind] : kinds) {
            MetricValue m;
            m.name = fmt::format("{}@{}", base, k);
            m.k = k;
            m.aggregate = kind;
            m.value = n == 0                        ? kNaN
                      : kind == Aggregate::Coverage ? metrics::coverage(counts)
                      : kind == Aggregate::Gini     ? metrics::gini(counts)
                                                    : metrics::entropy(counts);
            m.users = static_cast<int64_t>(n);
            r.metrics.push_back(m);
        }
    }
    attachIntervals(r, m_config.bootstrap);
    return r;
}

}  // namespace tiltbench
