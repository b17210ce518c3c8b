#pragma once
// WeightScheme: how a training target's reward becomes its weight in the weighted next-item likelihood —
// the one knob of reward-weighted SFT. Schemes: `uniform` (plain SFT), `exp` (w ∝ exp(r/λ), the KL-tilted
// optimum; λ = ∞ is uniform), `linear` (w = r − r_min + ε) and `filter` (w = 1[r ≥ τ]); normalisation `none`,
// `mean` (mean weight 1 over the training targets) or `batch` (self-normalised per batch by the trainer);
// optional clip at a maximum normalised weight. Weights are computed per distinct reward level and in log
// space: `exp` uses (r − r_max)/λ, so nothing overflows at λ = 1e-4 with rewards of ±1e6 or any finite size,
// and a positive scheme never yields a zero, infinite or NaN weight (a weight that underflows a double is
// held at the smallest normal double). Every weight-consuming part (statistics, closed-form policies, the
// trainer) goes through `levelWeights`, so they all agree on the numbers.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tiltbench {

enum class WeightKind { Uniform, Exp, Linear, Filter };
enum class WeightNormalization { None, Mean, Batch };

// Final weights of the distinct reward levels of a set of training targets (ascending reward).
struct LevelWeights {
    std::vector<double> reward;     // the levels, ascending
    std::vector<double> logWeight;  // natural log of the weight; −inf only where `filter` drops the level
    std::vector<double> weight;     // exp(logWeight), held within [DBL_MIN, DBL_MAX] unless it is exactly 0

    size_t size() const { return reward.size(); }
    // Index of the level equal to `reward` (exact match); throws Error when it is not one of the levels.
    size_t levelOf(double reward) const;
    double weightOf(double r) const { return weight[levelOf(r)]; }
};

struct WeightScheme {
    static constexpr double kInfinity = std::numeric_limits<double>::infinity();
    static constexpr double kDefaultEpsilon = 0.01;

    WeightKind kind = WeightKind::Uniform;
    double lambda = kInfinity;         // exp: temperature, > 0; +inf = uniform
    double epsilon = kDefaultEpsilon;  // linear: offset so the lowest reward keeps some weight, > 0
    std::optional<double> threshold;   // filter: τ; unset = the top training reward
    WeightNormalization normalization = WeightNormalization::None;
    double clip = kInfinity;  // maximum normalised weight (+inf = none); ≥ 1 under `mean`/`batch`

    static WeightScheme uniform() { return {}; }
    static WeightScheme exp(double lambda);
    static WeightScheme linear(double epsilon = kDefaultEpsilon);
    static WeightScheme filter(std::optional<double> threshold = std::nullopt);

    // Throws Error naming the field and what was expected (λ > 0, ε > 0 and finite, τ finite, clip > 0 and
    // ≥ 1 under `mean`/`batch`).
    void validate() const;

    // Log of the weight of reward `r` before normalisation and clip, given the training targets' reward
    // range. exp: (r − rMax)/λ (so the top reward weighs 1); linear: log(r − rMin + ε); filter: 0 or −inf;
    // uniform and exp at λ = ∞: 0. Finite rewards of any size are fine: differences are taken on halves.
    double logRawWeight(double r, double rMin, double rMax) const;

    // The weight of each distinct reward level (ascending, with its count among the training targets), after
    // normalisation and clip. `mean`: mean weight over the targets is 1; with a clip the mass cut off the top
    // is spread over the unclipped levels (water-filling), so the mean stays 1 and no weight exceeds the clip
    // — unless a filter leaves too few targets for that, then every kept target weighs `clip`. `none`: the
    // raw weights, clipped. `batch`: the raw weights; the trainer calls `normalizeBatch` per batch (the clip
    // is applied there, to batch-normalised weights). Throws Error on an invalid scheme, no levels, levels
    // not ascending, a count ≤ 0, or a filter that keeps no target.
    LevelWeights levelWeights(const std::vector<double>& levelReward,
                              const std::vector<int64_t>& levelCount) const;

    // `batch` normalisation of one batch in place: scale to mean 1 over the batch, then apply the clip with
    // the same water-filling as `mean`. A batch whose weights are all 0 (filter) is left as is.
    void normalizeBatch(float* weights, size_t n) const;

    // "exp lambda=0.5 norm=mean clip=10", "uniform", "filter tau=top" — for logs, titles and run lists.
    std::string describe() const;
    // JSON object {"scheme", "lambda", "epsilon", "threshold", "normalization", "clip"}; infinite λ / clip
    // are written as the string "inf", an unset threshold as null. `fromJson` accepts what `toJson` writes,
    // with missing keys at their defaults, and validates.
    std::string toJson() const;
    static WeightScheme fromJson(const std::string& json);
};

// Names as the CLI and the GUI spell them. Parsers throw Error naming the bad text and the choices.
WeightKind parseWeightKind(std::string_view name);  // uniform (alias sft), exp, linear, filter
std::string formatWeightKind(WeightKind kind);
WeightNormalization parseWeightNormalization(std::string_view name);  // none, mean, batch
std::string formatWeightNormalization(WeightNormalization normalization);
// λ: a positive finite number, or "inf" / "infinity" / "∞" (any case) for +∞.
double parseLambda(std::string_view text);
std::string formatLambda(double lambda);  // shortest round-trip decimal, "inf" for +∞
// Clip: a positive number, or "none" / "inf" for no clip.
double parseClip(std::string_view text);

}  // namespace tiltbench
