#include "weighting/weight_stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

#include "common/error.h"

namespace tiltbench {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double toWeight(double logWeight) {
    if (logWeight == -kInf) {
        return 0.0;
    }
    return std::clamp(std::exp(logWeight), DBL_MIN, DBL_MAX);
}

// Weights relative to the largest one (so in [DBL_MIN, 1], or 0 where a filter drops the level): every
// statistic here is a ratio, and this keeps all sums finite whatever the scheme's absolute scale.
struct RelativeWeights {
    std::vector<double> e;
    double logMax = 0.0;
    double sum = 0.0;    // Σ_t e_t
    double sumSq = 0.0;  // Σ_t e_t²
};

RelativeWeights relativeWeights(const LevelWeights& lw, const std::vector<int64_t>& count) {
    RelativeWeights r;
    r.logMax = *std::max_element(lw.logWeight.begin(), lw.logWeight.end());
    r.e.resize(lw.size());
    for (size_t l = 0; l < lw.size(); ++l) {
        const double lwl = lw.logWeight[l];
        r.e[l] = lwl == -kInf ? 0.0 : std::max(std::exp(lwl - r.logMax), DBL_MIN);
        const auto c = static_cast<double>(count[l]);
        r.sum += c * r.e[l];
        r.sumSq += c * r.e[l] * r.e[l];
    }
    return r;
}

std::vector<LevelWeightStat> levelRows(const RewardLevelTable& table, const LevelWeights& lw,
                                       const RelativeWeights& rel, const WeightStatsOptions& options,
                                       bool& binned) {
    const auto& reward = table.levelReward();
    const auto& count = table.levelCount();
    const auto n = static_cast<double>(table.numTargets());
    std::vector<LevelWeightStat> rows;
    binned = static_cast<int64_t>(reward.size()) > std::max<int64_t>(options.maxReportedLevels, 1);
    if (!binned) {
        rows.reserve(reward.size());
        for (size_t l = 0; l < reward.size(); ++l) {
            const auto c = static_cast<double>(count[l]);
            rows.push_back({reward[l], count[l], lw.weight[l], c * rel.e[l] / rel.sum, c / n});
        }
        return rows;
    }
    const int32_t bins = std::max(options.levelBins, 1);
    const double lo = reward.front(), hi = reward.back();
    // Halves, so that the width of a range near ±DBL_MAX stays finite.
    const double halfWidth = (hi * 0.5 - lo * 0.5) / bins;
    std::vector<int64_t> binCount(static_cast<size_t>(bins), 0);
    std::vector<double> binMass(static_cast<size_t>(bins), 0.0);
    for (size_t l = 0; l < reward.size(); ++l) {
        auto b = static_cast<int32_t>((reward[l] * 0.5 - lo * 0.5) / halfWidth);
        b = std::clamp(b, 0, bins - 1);
        binCount[static_cast<size_t>(b)] += count[l];
        binMass[static_cast<size_t>(b)] += static_cast<double>(count[l]) * rel.e[l];
    }
    for (int32_t b = 0; b < bins; ++b) {
        const auto bb = static_cast<size_t>(b);
        if (binCount[bb] == 0) {
            continue;
        }
        const auto c = static_cast<double>(binCount[bb]);
        const double centre = lo + (2.0 * b + 1.0) * halfWidth;
        const double weight = binMass[bb] > 0.0 ? toWeight(rel.logMax + std::log(binMass[bb] / c)) : 0.0;
        rows.push_back({centre, binCount[bb], weight, binMass[bb] / rel.sum, c / n});
    }
    return rows;
}

ItemWeightShift shiftOf(const RewardLevelTable& table, const std::vector<double>& share, int32_t item) {
    const auto i = static_cast<size_t>(item);
    ItemWeightShift s;
    s.item = item;
    s.count = table.itemCount()[i];
    s.share = share[i];
    s.uniformShare = table.uniformShare()[i];
    s.change = s.share - s.uniformShare;
    s.lift = s.uniformShare > 0.0 ? s.share / s.uniformShare : 1.0;
    return s;
}

}  // namespace

WeightStats computeWeightStats(const RewardLevelTable& table, const WeightScheme& scheme,
                               const WeightStatsOptions& options) {
    const LevelWeights lw = table.levelWeights(scheme);
    const RelativeWeights rel = relativeWeights(lw, table.levelCount());
    const auto n = static_cast<double>(table.numTargets());

    WeightStats s;
    s.scheme = scheme;
    s.numTargets = table.numTargets();
    s.numItems = table.numItems();
    s.numLevels = table.numLevels();
    s.ess = rel.sum * (rel.sum / rel.sumSq);
    s.essRatio = std::clamp(s.ess / n, 0.0, 1.0);
    s.meanWeight = toWeight(rel.logMax + std::log(rel.sum / n));
    s.maxWeight = toWeight(rel.logMax);
    s.minWeight = *std::min_element(lw.weight.begin(), lw.weight.end());
    s.maxOverMean = n / rel.sum;
    s.topLevelMass = static_cast<double>(table.levelCount().back()) * rel.e.back() / rel.sum;
    s.levels = levelRows(table, lw, rel, options, s.levelsBinned);
    s.uniformGini = table.uniformGini();
    if (!options.itemShares) {
        return s;
    }

    // Item masses: one multiply-add per non-zero (item, level) cell.
    const auto numItems = static_cast<size_t>(table.numItems());
    const auto& offsets = table.itemOffsets();
    const auto& cells = table.cells();
    const double* e = rel.e.data();
    s.itemShare.resize(numItems);
    double total = 0.0;
    for (size_t i = 0; i < numItems; ++i) {
        double m = 0.0;
        for (int64_t c = offsets[i]; c < offsets[i + 1]; ++c) {
            const auto& cell = cells[static_cast<size_t>(c)];
            m += static_cast<double>(cell.count) * e[cell.level];
        }
        s.itemShare[i] = m;
        total += m;
    }
    // Divide, not multiply by 1/total: at λ = ∞ this reproduces count_i / N bit for bit, so the uniform
    // reference and "no change" are exact.
    for (auto& v : s.itemShare) {
        v /= total;
    }

    std::vector<double> sorted = s.itemShare;
    std::sort(sorted.begin(), sorted.end());
    s.gini = giniOfSorted(sorted);
    s.lorenz = lorenzOfSorted(sorted, options.lorenzPoints);
    s.uniformLorenz = table.uniformLorenz(options.lorenzPoints);

    const auto& uniform = table.uniformShare();
    std::vector<int32_t> up, down;
    for (size_t i = 0; i < numItems; ++i) {
        const double change = s.itemShare[i] - uniform[i];
        if (change > 0.0) {
            up.push_back(static_cast<int32_t>(i));
        } else if (change < 0.0) {
            down.push_back(static_cast<int32_t>(i));
        }
    }
    auto changeOf = [&](int32_t i) {
        return s.itemShare[static_cast<size_t>(i)] - uniform[static_cast<size_t>(i)];
    };
    const auto k = static_cast<size_t>(std::max(options.topItems, 0));
    auto top = [&](std::vector<int32_t>& ids, bool largest, std::vector<ItemWeightShift>& out) {
        const size_t keep = std::min(k, ids.size());
        std::partial_sort(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(keep), ids.end(),
                          [&](int32_t a, int32_t b) {
                              const double ca = changeOf(a), cb = changeOf(b);
                              if (ca != cb) {
                                  return largest ? ca > cb : ca < cb;
                              }
                              return a < b;
                          });
        for (size_t j = 0; j < keep; ++j) {
            out.push_back(shiftOf(table, s.itemShare, ids[j]));
        }
    };
    top(up, true, s.gainers);
    top(down, false, s.losers);
    return s;
}

std::vector<EssPoint> essCurve(const RewardLevelTable& table, const WeightScheme& base,
                               const std::vector<double>& lambdas) {
    std::vector<EssPoint> out;
    out.reserve(lambdas.size());
    const auto n = static_cast<double>(table.numTargets());
    WeightScheme scheme = base;
    for (const double lambda : lambdas) {
        scheme.lambda = lambda;
        if (base.kind == WeightKind::Exp) {
            scheme.validate();  // names the bad λ before anything else does
        }
        const LevelWeights lw = table.levelWeights(scheme);
        const RelativeWeights rel = relativeWeights(lw, table.levelCount());
        EssPoint p;
        p.lambda = lambda;
        p.essRatio = std::clamp(rel.sum * (rel.sum / rel.sumSq) / n, 0.0, 1.0);
        p.topLevelMass = static_cast<double>(table.levelCount().back()) * rel.e.back() / rel.sum;
        p.maxOverMean = n / rel.sum;
        out.push_back(p);
    }
    return out;
}

std::vector<double> logLambdaGrid(double lo, double hi, int32_t points, bool withInfinity) {
    if (!(lo > 0.0) || !(hi >= lo) || !std::isfinite(hi) || points < 1) {
        throw Error(
            fmt::format("λ grid: expected 0 < lo ≤ hi < ∞ and at least one point, got lo {}, hi {}, {} "
                        "points",
                        lo, hi, points));
    }
    std::vector<double> grid;
    grid.reserve(static_cast<size_t>(points) + 1);
    if (points == 1) {
        grid.push_back(lo);
    } else {
        const double a = std::log(lo), b = std::log(hi);
        for (int32_t k = 0; k < points; ++k) {
            grid.push_back(std::exp(a + (b - a) * static_cast<double>(k) / static_cast<double>(points - 1)));
        }
        grid.front() = lo;  // exact ends, not exp(log(x))
        grid.back() = hi;
    }
    if (withInfinity) {
        grid.push_back(kInf);
    }
    return grid;
}

double smallestLambdaWithEss(const RewardLevelTable& table, const WeightScheme& base,
                             const std::vector<double>& grid, double floor) {
    std::vector<double> ascending = grid;
    std::sort(ascending.begin(), ascending.end());
    const auto curve = essCurve(table, base, ascending);
    for (const auto& p : curve) {
        if (p.essRatio >= floor) {
            return p.lambda;
        }
    }
    return kInf;
}

}  // namespace tiltbench
