#include "reward/reward_metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "common/error.h"
#include "common/seeded_random.h"

namespace tiltbench {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Fenwick tree of counts over prediction ranks.
class Counts {
  public:
    explicit Counts(size_t n) : m_tree(n + 1, 0) {}
    void add(size_t rank) {
        for (size_t i = rank + 1; i < m_tree.size(); i += i & (~i + 1))
            ++m_tree[i];
    }
    // How many added ranks are < rank.
    int64_t below(size_t rank) const {
        int64_t s = 0;
        for (size_t i = rank; i > 0; i -= i & (~i + 1))
            s += m_tree[i];
        return s;
    }

  private:
    std::vector<int64_t> m_tree;
};

// pairwiseAuc over the entries `idx` of the two arrays.
double aucOf(const std::vector<double>& predicted, const std::vector<double>& actual,
             std::vector<size_t> idx) {
    const size_t n = idx.size();
    if (n < 2)
        return kNaN;
    // Prediction ranks (ties share a rank).
    std::vector<double> values(n);
    for (size_t j = 0; j < n; ++j)
        values[j] = predicted[idx[j]];
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    std::vector<size_t> rank(n);
    for (size_t j = 0; j < n; ++j)
        rank[j] =
            static_cast<size_t>(std::lower_bound(sorted.begin(), sorted.end(), values[j]) - sorted.begin());
    // Visit entries by actual value, ascending; each group of equal actual values is compared with every
    // entry of lower actual value seen before it.
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(),
              [&](size_t x, size_t y) { return actual[idx[x]] < actual[idx[y]]; });
    Counts counts(sorted.size());
    int64_t seen = 0;
    double concordant = 0.0;
    double pairs = 0.0;
    for (size_t g = 0; g < n;) {
        size_t end = g;
        while (end < n && actual[idx[order[end]]] == actual[idx[order[g]]])
            ++end;
        for (size_t j = g; j < end; ++j) {
            const size_t r = rank[order[j]];
            const int64_t lower = counts.below(r);
            const int64_t equal = counts.below(r + 1) - lower;
            concordant += static_cast<double>(lower) + 0.5 * static_cast<double>(equal);
            pairs += static_cast<double>(seen);
        }
        for (size_t j = g; j < end; ++j)
            counts.add(rank[order[j]]);
        seen += static_cast<int64_t>(end - g);
        g = end;
    }
    return pairs > 0.0 ? concordant / pairs : kNaN;
}

double meanOf(const std::vector<double>& v, const std::vector<size_t>& idx) {
    double s = 0.0;
    for (const size_t j : idx)
        s += v[j];
    return idx.empty() ? kNaN : s / static_cast<double>(idx.size());
}

// The held-out statistic `name` over the users `idx` (indices into heldOut).
double heldOutStatistic(const RewardHeldOut& h, const std::string& name, const std::vector<size_t>& idx) {
    if (name == "auc")
        return aucOf(h.predicted, h.actual, idx);
    double s = 0.0;
    for (const size_t j : idx) {
        const double e = h.predicted[j] - h.actual[j];
        s += name == "rmse" ? e * e : std::abs(e);
    }
    if (idx.empty())
        return kNaN;
    s /= static_cast<double>(idx.size());
    return name == "rmse" ? std::sqrt(s) : s;
}

std::vector<size_t> allOf(size_t n) {
    std::vector<size_t> idx(n);
    std::iota(idx.begin(), idx.end(), size_t{0});
    return idx;
}

// Percentile interval of `stat` over `resamples` bootstrap draws of n users (seeded by `seed`, stream
// `stream`).
template <typename Stat>
std::pair<double, double> percentileInterval(size_t n, int resamples, uint64_t seed, uint64_t stream,
                                             Stat stat) {
    if (resamples <= 0 || n == 0)
        return {kNaN, kNaN};
    std::vector<double> values;
    values.reserve(static_cast<size_t>(resamples));
    std::vector<size_t> idx(n);
    for (int b = 0; b < resamples; ++b) {
        SeededRandom rng(SeededRandom::derive(seed, stream * 100003u + static_cast<uint64_t>(b)));
        for (size_t j = 0; j < n; ++j)
            idx[j] = static_cast<size_t>(rng.below(n));
        const double v = stat(idx);
        if (std::isfinite(v))
            values.push_back(v);
    }
    if (values.empty())
        return {kNaN, kNaN};
    std::sort(values.begin(), values.end());
    const auto at = [&](double q) {
        const double pos = q * static_cast<double>(values.size() - 1);
        const auto lo = static_cast<size_t>(std::floor(pos));
        const size_t hi = std::min(lo + 1, values.size() - 1);
        return values[lo] + (pos - static_cast<double>(lo)) * (values[hi] - values[lo]);
    };
    return {at(0.025), at(0.975)};
}

// A user's AUC joins the per-user figures when it is defined (two different rewards among their items).
void keepFinite(std::vector<int32_t>& users, std::vector<double>& values, int32_t user, double auc) {
    if (std::isfinite(auc)) {
        users.push_back(user);
        values.push_back(auc);
    }
}

RewardFigure figureOf(const std::string& name, size_t n, const RewardEvalOptions& o, uint64_t stream,
                      const std::function<double(const std::vector<size_t>&)>& stat) {
    RewardFigure f;
    f.name = name;
    f.users = static_cast<int64_t>(n);
    f.value = stat(allOf(n));
    std::tie(f.lo, f.hi) = percentileInterval(n, o.bootstrapResamples, o.seed, stream, stat);
    return f;
}

// Per-user AUC of r̂ against `reward` over `items` (NaN when the user's rewards do not differ).
double userAuc(const RewardModel& model, int32_t user, const std::vector<int32_t>& items,
               const std::vector<double>& reward) {
    std::vector<double> predicted(items.size());
    for (size_t j = 0; j < items.size(); ++j)
        predicted[j] = model.predict(user, items[j]);
    return pairwiseAuc(predicted, reward);
}

}  // namespace

double pairwiseAuc(const std::vector<double>& predicted, const std::vector<double>& actual) {
    if (predicted.size() != actual.size())
        throw Error("pairwiseAuc: predicted and actual differ in length");
    return aucOf(predicted, actual, allOf(predicted.size()));
}

const RewardFigure* RewardEvaluation::find(const std::string& name) const {
    for (const RewardFigure& f : figures)
        if (f.name == name)
            return &f;
    return nullptr;
}

RewardEvaluation evaluateRewardModel(const RewardModel& model, const InteractionLog& log, const Split& split,
                                     EvalSet set, const RewardEvalOptions& options,
                                     const ExpectedRewardFunction& trueReward,
                                     const ProgressCallback& progress) {
    RewardEvaluation out;
    out.split = evalSetName(set);
    reportProgress(progress, {"judging rewards", 0, 0, ""});
    for (const EvalTarget& t : split.targets(set)) {
        out.heldOut.users.push_back(t.user);
        out.heldOut.predicted.push_back(model.predict(t.user, t.item));
        out.heldOut.actual.push_back(t.reward);
    }
    const RewardHeldOut& h = out.heldOut;
    uint64_t stream = 0;
    for (const char* name : {"rmse", "mae", "auc"})
        out.figures.push_back(
            figureOf(name, h.users.size(), options, stream++,
                     [&](const std::vector<size_t>& idx) { return heldOutStatistic(h, name, idx); }));
    const auto perUserFigure = [&](const char* name, const std::vector<double>& values) {
        out.figures.push_back(
            figureOf(name, values.size(), options, stream++,
                     [&values](const std::vector<size_t>& idx) { return meanOf(values, idx); }));
    };

    if (set == EvalSet::Test && !log.randomTest.empty()) {
        std::vector<std::vector<int32_t>> items(static_cast<size_t>(log.numUsers()));
        std::vector<std::vector<double>> rewards(static_cast<size_t>(log.numUsers()));
        for (const RandomTestEntry& e : log.randomTest) {
            items[static_cast<size_t>(e.user)].push_back(e.item);
            rewards[static_cast<size_t>(e.user)].push_back(e.reward);
        }
        for (int32_t u = 0; u < log.numUsers(); ++u) {
            const double a =
                userAuc(model, u, items[static_cast<size_t>(u)], rewards[static_cast<size_t>(u)]);
            keepFinite(out.randomUsers, out.randomAuc, u, a);
        }
        perUserFigure("auc_random", out.randomAuc);
    }
    if (trueReward) {
        std::vector<int32_t> catalogue(static_cast<size_t>(log.numItems()));
        std::iota(catalogue.begin(), catalogue.end(), 0);
        std::vector<double> truth(catalogue.size());
        const auto users = static_cast<uint64_t>(h.users.size());
        for (size_t j = 0; j < h.users.size(); ++j) {
            if (j % 64 == 0)
                reportProgress(progress, {"judging against the true reward", j, users, "users"});
            const int32_t u = h.users[j];
            for (size_t i = 0; i < catalogue.size(); ++i)
                truth[i] = trueReward(u, catalogue[i]);
            const double a = userAuc(model, u, catalogue, truth);
            keepFinite(out.trueUsers, out.trueAuc, u, a);
        }
        perUserFigure("auc_true", out.trueAuc);
    }
    return out;
}

std::vector<RewardDifference> compareRewardModels(const RewardEvaluation& a, const RewardEvaluation& b,
                                                  const RewardEvalOptions& options) {
    if (a.heldOut.users != b.heldOut.users || a.heldOut.actual != b.heldOut.actual || a.split != b.split)
        throw Error("reward models judged on different held-out targets cannot be compared pairwise");
    std::vector<RewardDifference> out;
    uint64_t stream = 50;
    using Statistic = std::function<double(const std::vector<size_t>&)>;
    // One paired difference over n users: the statistics on all of them, and the interval of their
    // difference.
    const auto add = [&](const std::string& name, size_t n, const Statistic& ofA, const Statistic& ofB) {
        RewardDifference d;
        d.name = name;
        d.users = static_cast<int64_t>(n);
        const std::vector<size_t> all = allOf(n);
        d.a = ofA(all);
        d.b = ofB(all);
        d.diff = d.a - d.b;
        std::tie(d.lo, d.hi) =
            percentileInterval(n, options.bootstrapResamples, options.seed, stream++,
                               [&](const std::vector<size_t>& idx) { return ofA(idx) - ofB(idx); });
        out.push_back(std::move(d));
    };
    for (const char* name : {"rmse", "mae", "auc"})
        add(
            name, a.heldOut.users.size(),
            [&a, name](const std::vector<size_t>& idx) { return heldOutStatistic(a.heldOut, name, idx); },
            [&b, name](const std::vector<size_t>& idx) { return heldOutStatistic(b.heldOut, name, idx); });
    // Per-user AUCs: over the users both have.
    const auto perUser = [&](const std::string& name, const std::vector<int32_t>& ua,
                             const std::vector<double>& va, const std::vector<int32_t>& ub,
                             const std::vector<double>& vb) {
        if (ua.empty() || ub.empty())
            return;
        std::vector<double> xa, xb;
        for (size_t i = 0, j = 0; i < ua.size() && j < ub.size();) {
            if (ua[i] < ub[j]) {
                ++i;
            } else if (ub[j] < ua[i]) {
                ++j;
            } else {
                xa.push_back(va[i++]);
                xb.push_back(vb[j++]);
            }
        }
        add(
            name, xa.size(), [&xa](const std::vector<size_t>& idx) { return meanOf(xa, idx); },
            [&xb](const std::vector<size_t>& idx) { return meanOf(xb, idx); });
    };
    perUser("auc_random", a.randomUsers, a.randomAuc, b.randomUsers, b.randomAuc);
    perUser("auc_true", a.trueUsers, a.trueAuc, b.trueUsers, b.trueAuc);
    return out;
}

}  // namespace tiltbench
