// weighting_bench: the λ slider's cost on a generated 20 M-interaction dataset (issue 3's goal: one slider
// update — level weights, statistics, item shares — in ≤ 16 ms median).
//
//   TableBuild      once per dataset: distinct reward levels, item × level cells, per-target levels
//   SliderUpdate    computeWeightStats at the next λ of a slider sweep (0.05 … 50, log, then ∞): ESS, level
//                   masses, all 50k item shares, Gini + Lorenz (a sort of the shares), top gainers/losers
//   EssCurve        ESS/N over logLambdaGrid(0.01, 100, 60) + ∞ (61 points)
//   NaiveUpdate     the baseline the table replaces: exp((r − r_max)/λ) for every target, sums for ESS and
//                   level masses, item masses by scatter-add, then the same share/Gini/Lorenz step
//   TransitionBuild / PopularityRefit / MarkovRefit   the closed-form policies: build once, refit per λ
//
// Data (seeded xorshift, generated directly, no SQLite): 200k users × 100 interactions = 20 M, 50k items with
// log-uniform (long-tail) popularity, ratings 1–5 from item quality + user bias + noise; leave-one-out keeps
// the first 98 of each user as training targets (19.6 M). Run:
//   build/<dir>/bench/weighting_bench --benchmark_time_unit=ms
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "model/markov_policy.h"
#include "model/popularity_policy.h"
#include "model/transition_table.h"
#include "weighting/reward_level_table.h"
#include "weighting/target_columns.h"
#include "weighting/weight_stats.h"

namespace {

using namespace tiltbench;

constexpr int32_t kUsers = 200'000;
constexpr int32_t kItems = 50'000;
constexpr int32_t kPerUser = 100;  // 20 M interactions

struct XorShift {  // a fixed stream for the benchmark's data (not common/random.h: keeps its figures
                   // comparable)
    uint64_t x = 0x2545F4914F6CDD1DULL;
    uint64_t next() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    }
    double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
};

const TargetColumns& targets() {
    static const TargetColumns t = [] {
        XorShift rng;
        std::vector<double> quality(kItems);
        for (auto& q : quality) {
            q = rng.uniform() * 2.0 - 1.0;
        }
        TargetColumns c;
        c.numItems = kItems;
        const auto train = static_cast<size_t>(kUsers) * (kPerUser - 2);
        c.item.reserve(train);
        c.reward.reserve(train);
        c.prevItem.reserve(train);
        const double logItems = std::log(static_cast<double>(kItems) + 1.0);
        for (int32_t u = 0; u < kUsers; ++u) {
            const double bias = rng.uniform() - 0.5;
            int32_t prev = -1;
            for (int32_t k = 0; k < kPerUser - 2; ++k) {  // the last two are validation and test
                const auto item =
                    std::min(kItems - 1, static_cast<int32_t>(std::exp(rng.uniform() * logItems)) - 1);
                const double r =
                    3.2 + 1.2 * quality[static_cast<size_t>(item)] + bias + (rng.uniform() - 0.5) * 2.0;
                c.item.push_back(std::max(item, 0));
                c.reward.push_back(std::clamp(std::round(r), 1.0, 5.0));
                c.prevItem.push_back(prev);
                prev = c.item.back();
            }
        }
        return c;
    }();
    return t;
}

const RewardLevelTable& table() {
    static const RewardLevelTable t(targets().view());
    return t;
}

std::vector<double> sliderLambdas() {
    auto grid = logLambdaGrid(0.05, 50.0, 40);  // ends with ∞
    return grid;
}

void BM_TableBuild(benchmark::State& state) {
    const auto view = targets().view();
    for (auto _ : state) {
        RewardLevelTable t(view);
        benchmark::DoNotOptimize(t.numLevels());
    }
    state.counters["targets"] = static_cast<double>(view.size);
}

void BM_SliderUpdate(benchmark::State& state) {
    const auto& t = table();
    const auto lambdas = sliderLambdas();
    size_t k = 0;
    for (auto _ : state) {
        const auto s = computeWeightStats(t, WeightScheme::exp(lambdas[k++ % lambdas.size()]));
        benchmark::DoNotOptimize(s.gini);
    }
    state.counters["items"] = t.numItems();
    state.counters["cells"] = static_cast<double>(t.cells().size());
    state.counters["levels"] = static_cast<double>(t.numLevels());
}

void BM_EssCurve(benchmark::State& state) {
    const auto& t = table();
    const auto grid = logLambdaGrid(0.01, 100.0, 60);
    for (auto _ : state) {
        const auto curve = essCurve(t, WeightScheme::exp(1.0), grid);
        benchmark::DoNotOptimize(curve.data());
    }
    state.counters["points"] = static_cast<double>(grid.size());
}

void BM_NaiveUpdate(benchmark::State& state) {
    const auto& c = targets();
    const auto lambdas = sliderLambdas();
    const double rMax = *std::max_element(c.reward.begin(), c.reward.end());
    size_t k = 0;
    std::vector<double> itemMass(static_cast<size_t>(c.numItems));
    for (auto _ : state) {
        const double lambda = lambdas[k++ % lambdas.size()];
        std::fill(itemMass.begin(), itemMass.end(), 0.0);
        double s1 = 0.0, s2 = 0.0;
        double levelMass[5] = {0, 0, 0, 0, 0};
        for (size_t t = 0; t < c.size(); ++t) {
            const double w = std::isinf(lambda) ? 1.0 : std::exp((c.reward[t] - rMax) / lambda);
            s1 += w;
            s2 += w * w;
            levelMass[static_cast<int>(c.reward[t]) - 1] += w;
            itemMass[static_cast<size_t>(c.item[t])] += w;
        }
        std::vector<double> share(itemMass.size());
        for (size_t i = 0; i < share.size(); ++i) {
            share[i] = itemMass[i] / s1;
        }
        std::vector<double> sorted = share;
        std::sort(sorted.begin(), sorted.end());
        const double gini = giniOfSorted(sorted);
        const auto lorenz = lorenzOfSorted(sorted, 101);
        benchmark::DoNotOptimize(s1 * s1 / s2 + gini + lorenz[50] + levelMass[4]);
    }
}

const TransitionTable& transitions() {
    static const TransitionTable t(targets().view(), table());
    return t;
}

void BM_TransitionBuild(benchmark::State& state) {
    for (auto _ : state) {
        TransitionTable t(targets().view(), table());
        benchmark::DoNotOptimize(t.numPairs());
    }
}

void BM_PopularityRefit(benchmark::State& state) {
    const auto lambdas = sliderLambdas();
    size_t k = 0;
    for (auto _ : state) {
        PopularityPolicy p(table(), WeightScheme::exp(lambdas[k++ % lambdas.size()]));
        benchmark::DoNotOptimize(p.ranking().data());
    }
}

void BM_MarkovRefit(benchmark::State& state) {
    // A non-owning shared_ptr: the table is a function-local static.
    const std::shared_ptr<const TransitionTable> shared(&transitions(), [](const TransitionTable*) {});
    const auto lambdas = sliderLambdas();
    size_t k = 0;
    for (auto _ : state) {
        MarkovPolicy m(shared, table(), WeightScheme::exp(lambdas[k++ % lambdas.size()]));
        benchmark::DoNotOptimize(m.smoothing());
    }
    state.counters["pairs"] = static_cast<double>(transitions().numPairs());
}

}  // namespace

BENCHMARK(BM_TableBuild)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->Repetitions(3)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_SliderUpdate)->Unit(benchmark::kMillisecond)->Repetitions(10)->ReportAggregatesOnly(true);
BENCHMARK(BM_EssCurve)->Unit(benchmark::kMillisecond)->Repetitions(10)->ReportAggregatesOnly(true);
BENCHMARK(BM_NaiveUpdate)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_TransitionBuild)->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(1);
BENCHMARK(BM_PopularityRefit)->Unit(benchmark::kMillisecond)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK(BM_MarkovRefit)->Unit(benchmark::kMillisecond)->Repetitions(5)->ReportAggregatesOnly(true);

BENCHMARK_MAIN();
