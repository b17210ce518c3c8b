#pragma once
// Weight statistics: what the λ Explorer and `tiltbench-cli weights` show about a weight scheme on a
// dataset's training targets — effective sample size, weight and weight mass per reward level against the
// uniform mass, per-item weight share and its change against uniform (λ = ∞), Gini and Lorenz curve of the
// item shares, the items gaining and losing most, and the ESS/N-against-λ curve. Everything is computed from
// a RewardLevelTable, so one update costs O(levels + non-zero item × level cells + items·log items) and
// never touches the individual targets: a few milliseconds on a 20 M-interaction log. Weights enter only
// through their ratios (every statistic here is scale-free) except the reported per-example weights.
// `batch` normalisation is shown as raw weights: its scaling and clip happen per batch in the trainer.
//
// Definitions (N targets, w_t the weight of target t, m_i = Σ_{t: item i} w_t):
//   ESS = (Σ w_t)² / Σ w_t² (Kish), essRatio = ESS / N ∈ (0, 1]
//   mass of reward level l = Σ_{t at l} w_t / Σ w_t; uniform mass = count_l / N
//   item share s_i = m_i / Σ m; uniform share u_i = count_i / N; change = s_i − u_i; lift = s_i / u_i
//   Gini over all catalogue items (unlogged items included, as zeros): Σ_k (2k − n − 1)·s_(k) / (n·Σ s),
//   s sorted ascending, k = 1..n
#include <cstdint>
#include <vector>

#include "weighting/reward_level_table.h"
#include "weighting/weight_scheme.h"

namespace tiltbench {

struct LevelWeightStat {
    double reward = 0.0;  // the level (bin centre when levels are binned)
    int64_t count = 0;    // training targets at this level
    double weight = 0.0;  // weight of one target here (bins: their count-weighted mean)
    double mass = 0.0;    // share of the total weight
    double uniformMass = 0.0;
};

struct ItemWeightShift {
    int32_t item = 0;
    int64_t count = 0;
    double share = 0.0;
    double uniformShare = 0.0;
    double change = 0.0;  // share − uniformShare
    double lift = 1.0;    // share / uniformShare (1 for items with no training targets)
};

struct WeightStatsOptions {
    int32_t topItems = 20;       // gainers and losers to list
    int32_t lorenzPoints = 101;  // points of the Lorenz curves (≥ 2)
    // Reward levels are reported one by one up to this many; beyond it (continuous rewards) the per-level
    // rows are grouped into `levelBins` equal-width bins and `levelsBinned` says so. The statistics
    // themselves always use the exact levels.
    int32_t maxReportedLevels = 256;
    int32_t levelBins = 64;
    bool itemShares = true;  // false: skip the per-item part (shares, Gini, Lorenz, gainers, losers)
};

struct WeightStats {
    WeightScheme scheme;
    int64_t numTargets = 0;
    int32_t numItems = 0;
    size_t numLevels = 0;
    double ess = 0.0;
    double essRatio = 0.0;
    double meanWeight = 0.0;  // over the targets: 1 under `mean` normalisation
    double maxWeight = 0.0;   // over the targets
    double minWeight = 0.0;
    double maxOverMean = 0.0;   // largest weight in units of the mean weight (the normalised maximum)
    double topLevelMass = 0.0;  // mass on the highest reward level
    std::vector<LevelWeightStat> levels;  // ascending reward
    bool levelsBinned = false;

    std::vector<double> itemShare;  // per dense item id; sums to 1 (uniform ones: RewardLevelTable)
    double gini = 0.0;
    double uniformGini = 0.0;
    std::vector<double> lorenz;            // lorenzPoints values at x = k / (lorenzPoints − 1)
    std::vector<double> uniformLorenz;     // the same at λ = ∞
    std::vector<ItemWeightShift> gainers;  // change > 0, largest first (ties: lower id first)
    std::vector<ItemWeightShift> losers;   // change < 0, most negative first
};

// Statistics of `scheme` on the table's training targets. Throws Error for an invalid scheme or a filter
// that keeps no target.
WeightStats computeWeightStats(const RewardLevelTable& table, const WeightScheme& scheme,
                               const WeightStatsOptions& options = {});

struct EssPoint {
    double lambda = 0.0;
    double essRatio = 0.0;
    double topLevelMass = 0.0;
    double maxOverMean = 0.0;
};

// ESS/N (and the top-level mass and normalised maximum weight) of `base` with its λ replaced by each of
// `lambdas` — the λ Explorer's ESS curve. O(levels) per point. For schemes other than `exp` the curve is
// flat.
std::vector<EssPoint> essCurve(const RewardLevelTable& table, const WeightScheme& base,
                               const std::vector<double>& lambdas);

// `points` λ values spaced evenly in log between lo and hi (inclusive), ascending, then +∞ when asked. The
// grids users see are weighting/lambda_grid.h's.
std::vector<double> logLambdaGrid(double lo, double hi, int32_t points, bool withInfinity = true);

// Smallest λ on `grid` whose ESS/N under `base` is at least `floor` (the "keeps ESS/N above" suggestion);
// +∞ when none is.
double smallestLambdaWithEss(const RewardLevelTable& table, const WeightScheme& base,
                             const std::vector<double>& grid, double floor);

}  // namespace tiltbench
