#include "eval/seeded_comparison.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "common/error.h"
#include "common/seeded_random.h"
#include "eval/metrics.h"

namespace tiltbench {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

bool SeededDifference::seedsAgree() const {
    if (perSeed.empty() || !std::isfinite(diff) || diff == 0.0)
        return false;
    for (const double d : perSeed) {
        if (!(d * diff > 0.0))
            return false;
    }
    return true;
}

SeededDifference compareAcrossSeeds(const std::vector<SeedPairSeries>& seeds, const BootstrapConfig& config) {
    if (config.resamples < 0 || !(config.level > 0.0 && config.level < 1.0)) {
        throw Error(fmt::format("seeded comparison: resamples must be ≥ 0 and level in (0, 1) (got {}, {})",
                                config.resamples, config.level));
    }
    if (seeds.empty())
        throw Error("seeded comparison: no seed to compare");
    const size_t n = seeds.front().users.size();
    for (const auto& s : seeds) {
        if (s.users != seeds.front().users) {
            throw Error(
                "seeded comparison: the seeds were evaluated on different users; every seed must use the "
                "same "
                "split and user sample");
        }
        if (s.config.size() != n || s.baseline.size() != n)
            throw Error("seeded comparison: a series has not one value per user");
    }
    const size_t S = seeds.size();
    // d[s][u] and its weight (0 where the pair is undefined).
    std::vector<std::vector<double>> d(S, std::vector<double>(n, 0.0)), w(S, std::vector<double>(n, 0.0));
    SeededDifference out;
    out.seeds = static_cast<int>(S);
    std::vector<char> anyPair(n, 0);
    double sumDiff = 0.0, sumConfig = 0.0, sumBaseline = 0.0;
    int seedsWithPairs = 0;
    for (size_t s = 0; s < S; ++s) {
        double sd = 0.0, sc = 0.0, sb = 0.0, count = 0.0;
        for (size_t u = 0; u < n; ++u) {
            const double a = seeds[s].config[u], b = seeds[s].baseline[u];
            if (std::isnan(a) || std::isnan(b))
                continue;
            d[s][u] = a - b;
            w[s][u] = 1.0;
            anyPair[u] = 1;
            sd += a - b;
            sc += a;
            sb += b;
            count += 1.0;
        }
        out.perSeed.push_back(count > 0.0 ? sd / count : kNaN);
        if (count > 0.0) {
            sumDiff += sd / count;
            sumConfig += sc / count;
            sumBaseline += sb / count;
            ++seedsWithPairs;
        }
    }
    for (const char p : anyPair)
        out.users += p;
    const double k = static_cast<double>(seedsWithPairs);
    out.diff = seedsWithPairs ? sumDiff / k : kNaN;
    out.config = seedsWithPairs ? sumConfig / k : kNaN;
    out.baseline = seedsWithPairs ? sumBaseline / k : kNaN;
    out.lo = out.hi = kNaN;
    if (config.resamples == 0 || n == 0 || seedsWithPairs == 0)
        return out;

    std::vector<double> replicates;
    replicates.reserve(static_cast<size_t>(config.resamples));
    std::vector<double> count(n);
    std::vector<size_t> drawnSeeds(S);
    for (int b = 0; b < config.resamples; ++b) {
        SeededRandom rng(SeededRandom::derive(config.seed, static_cast<uint64_t>(b)));
        for (size_t i = 0; i < S; ++i)
            drawnSeeds[i] = static_cast<size_t>(rng.below(S));
        std::fill(count.begin(), count.end(), 0.0);
        for (size_t i = 0; i < n; ++i)
            count[static_cast<size_t>(rng.below(n))] += 1.0;
        double sum = 0.0;
        int used = 0;
        for (const size_t s : drawnSeeds) {
            double num = 0.0, den = 0.0;
            for (size_t u = 0; u < n; ++u) {
                num += count[u] * d[s][u];
                den += count[u] * w[s][u];
            }
            if (den > 0.0) {
                sum += num / den;
                ++used;
            }
        }
        if (used > 0)
            replicates.push_back(sum / static_cast<double>(used));
    }
    std::tie(out.lo, out.hi) = metrics::percentileInterval(replicates, config.level);
    return out;
}

}  // namespace tiltbench
