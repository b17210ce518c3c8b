#include "weighting/weight_scheme.h"
#include "common/log_math.h"

#include <fmt/format.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>

#include "common/error.h"
#include "io/value_parsing.h"

namespace tiltbench {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Finite stand-in for the log of a positive weight too small for any double: keeps differences of log
// weights finite (−inf − −inf would be NaN) while still exponentiating to 0.
constexpr double kLogFloor = -1e300;
constexpr double kLn2 = 0.69314718055994530942;

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

bool isInfinityWord(const std::string& s) {
    return s == "inf" || s == "infinity" || s == "∞" || s == "+inf";
}

double toWeight(double logWeight) {
    if (logWeight == -kInf) {
        return 0.0;
    }
    return std::clamp(std::exp(logWeight), DBL_MIN, DBL_MAX);
}

// Water-filling clip under mean normalisation: finds the scale s with Σ c·min(s·raw, clip) = Σ c, in log
// space. `order` lists the positive levels by descending raw log weight. Returns the final log weights.
std::vector<double> waterFill(const std::vector<double>& logRaw, const std::vector<int64_t>& count,
                              double clip) {
    const size_t n = logRaw.size();
    std::vector<size_t> order;
    for (size_t l = 0; l < n; ++l) {
        if (logRaw[l] > -kInf) {
            order.push_back(l);
        }
    }
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return logRaw[a] > logRaw[b]; });
    const size_t p = order.size();
    // suffix[k] = log Σ_{j ≥ k} c·raw over order[j]: the mass left unclipped when the top k levels are.
    std::vector<double> suffix(p + 1, -kInf);
    for (size_t k = p; k-- > 0;) {
        const size_t l = order[k];
        suffix[k] = logAddExp(suffix[k + 1], std::log(static_cast<double>(count[l])) + logRaw[l]);
    }
    const double total = static_cast<double>(std::accumulate(count.begin(), count.end(), int64_t{0}));
    const double logClip = std::log(clip);
    std::vector<double> out(n, -kInf);
    double clippedCount = 0.0;
    for (size_t k = 0; k < p; ++k) {
        const double left = total - clip * clippedCount;
        // The clipped levels already carry the whole mass (exactly, up to rounding): the rest keep only a
        // positive sliver.
        const double logScale = left > 0.0 ? std::log(left) - suffix[k] : -kInf;
        // The tolerance absorbs rounding when a level lands exactly on the clip.
        if (logRaw[order[k]] + logScale <= logClip + 1e-12) {
            for (size_t j = 0; j < p; ++j) {
                const size_t l = order[j];
                out[l] = j < k ? logClip : std::clamp(logRaw[l] + logScale, kLogFloor, logClip);
            }
            return out;
        }
        clippedCount += static_cast<double>(count[order[k]]);
    }
    // Every kept level is clipped: too few targets pass the filter for mean 1 under this clip.
    for (const size_t l : order) {
        out[l] = logClip;
    }
    return out;
}

}  // namespace

size_t LevelWeights::levelOf(double r) const {
    const auto it = std::lower_bound(reward.begin(), reward.end(), r);
    if (it == reward.end() || *it != r) {
        throw Error(fmt::format("reward {} is not one of the {} reward levels of the training targets", r,
                                reward.size()));
    }
    return static_cast<size_t>(it - reward.begin());
}

WeightScheme WeightScheme::exp(double lambda) {
    WeightScheme s;
    s.kind = WeightKind::Exp;
    s.lambda = lambda;
    return s;
}

WeightScheme WeightScheme::linear(double epsilon) {
    WeightScheme s;
    s.kind = WeightKind::Linear;
    s.epsilon = epsilon;
    return s;
}

WeightScheme WeightScheme::filter(std::optional<double> threshold) {
    WeightScheme s;
    s.kind = WeightKind::Filter;
    s.threshold = threshold;
    return s;
}

void WeightScheme::validate() const {
    if (kind == WeightKind::Exp && !(lambda > 0.0)) {
        throw Error(fmt::format("weighting: lambda must be > 0 (or inf for uniform), got {}", lambda));
    }
    if (kind == WeightKind::Linear && !(epsilon > 0.0 && std::isfinite(epsilon))) {
        throw Error(fmt::format("weighting: epsilon of the linear scheme must be a finite number > 0, got {}",
                                epsilon));
    }
    if (kind == WeightKind::Filter && threshold && !std::isfinite(*threshold)) {
        throw Error(fmt::format("weighting: the filter threshold must be finite, got {}", *threshold));
    }
    if (!(clip > 0.0)) {
        throw Error(fmt::format("weighting: clip must be > 0 (or inf for none), got {}", clip));
    }
    if (normalization != WeightNormalization::None && clip < 1.0) {
        throw Error(fmt::format(
            "weighting: clip must be ≥ 1 when weights are normalised to mean 1 ({} normalisation), got {}",
            formatWeightNormalization(normalization), clip));
    }
}

double WeightScheme::logRawWeight(double r, double rMin, double rMax) const {
    switch (kind) {
        case WeightKind::Uniform:
            return 0.0;
        case WeightKind::Exp: {
            if (std::isinf(lambda)) {
                return 0.0;
            }
            // Halves: r − rMax overflows for rewards near ±DBL_MAX; halving is exact, so this rounds the
            // same.
            const double halfGap = r * 0.5 - rMax * 0.5;
            return std::max(halfGap / lambda * 2.0, kLogFloor);
        }
        case WeightKind::Linear: {
            const double halfGap = std::max(0.0, r * 0.5 - rMin * 0.5);
            return std::log(halfGap + epsilon * 0.5) + kLn2;
        }
        case WeightKind::Filter:
            return r >= threshold.value_or(rMax) ? 0.0 : -kInf;
    }
    return 0.0;
}

LevelWeights WeightScheme::levelWeights(const std::vector<double>& levelReward,
                                        const std::vector<int64_t>& levelCount) const {
    validate();
    if (levelReward.empty()) {
        throw Error("weighting: there are no training targets to weight (empty dataset or split)");
    }
    if (levelCount.size() != levelReward.size()) {
        throw Error(
            fmt::format("weighting: {} reward levels but {} counts", levelReward.size(), levelCount.size()));
    }
    for (size_t l = 0; l < levelReward.size(); ++l) {
        if (!std::isfinite(levelReward[l]) || (l > 0 && !(levelReward[l] > levelReward[l - 1]))) {
            throw Error(fmt::format("weighting: reward level {} ({}) is not finite and ascending", l,
                                    levelReward[l]));
        }
        if (levelCount[l] <= 0) {
            throw Error(
                fmt::format("weighting: reward level {} has count {}, expected > 0", l, levelCount[l]));
        }
    }
    const double rMin = levelReward.front(), rMax = levelReward.back();
    const size_t n = levelReward.size();
    std::vector<double> logRaw(n);
    double logMass = -kInf;
    for (size_t l = 0; l < n; ++l) {
        logRaw[l] = logRawWeight(levelReward[l], rMin, rMax);
        logMass = logAddExp(logMass, std::log(static_cast<double>(levelCount[l])) + logRaw[l]);
    }
    if (logMass == -kInf) {
        throw Error(fmt::format("weighting: the filter threshold {} keeps no training target (top reward {})",
                                threshold.value_or(rMax), rMax));
    }

    LevelWeights out;
    out.reward = levelReward;
    if (normalization == WeightNormalization::Mean) {
        if (std::isfinite(clip)) {
            out.logWeight = waterFill(logRaw, levelCount, clip);
        } else {
            const double total =
                static_cast<double>(std::accumulate(levelCount.begin(), levelCount.end(), int64_t{0}));
            const double shift = std::log(total) - logMass;
            out.logWeight.resize(n);
            for (size_t l = 0; l < n; ++l) {
                out.logWeight[l] = logRaw[l] == -kInf ? -kInf : std::max(logRaw[l] + shift, kLogFloor);
            }
        }
    } else {
        out.logWeight = logRaw;
        if (normalization == WeightNormalization::None && std::isfinite(clip)) {
            const double logClip = std::log(clip);
            for (auto& v : out.logWeight) {
                v = std::min(v, logClip);
            }
        }
    }
    out.weight.resize(n);
    for (size_t l = 0; l < n; ++l) {
        out.weight[l] = toWeight(out.logWeight[l]);
    }
    return out;
}

void WeightScheme::normalizeBatch(float* weights, size_t n) const {
    if (n == 0) {
        return;
    }
    double sum = 0.0;
    for (size_t k = 0; k < n; ++k) {
        sum += static_cast<double>(weights[k]);
    }
    if (!(sum > 0.0)) {
        return;
    }
    const double target = static_cast<double>(n);
    double scale = target / sum;
    if (std::isfinite(clip)) {
        // Water-filling by repeated rescaling of the unclipped part: each round clips at least one more
        // weight or stops, so it ends within n rounds (in practice one to three).
        std::vector<uint8_t> clipped(n, 0);
        double clippedCount = 0.0;
        for (size_t round = 0; round <= n; ++round) {
            bool changed = false;
            for (size_t k = 0; k < n; ++k) {
                if (clipped[k] == 0 && static_cast<double>(weights[k]) * scale > clip) {
                    clipped[k] = 1;
                    clippedCount += 1.0;
                    changed = true;
                }
            }
            if (!changed) {
                break;
            }
            double rest = 0.0;
            for (size_t k = 0; k < n; ++k) {
                if (clipped[k] == 0) {
                    rest += static_cast<double>(weights[k]);
                }
            }
            const double left = target - clip * clippedCount;
            if (!(rest > 0.0) || !(left > 0.0)) {
                break;
            }
            scale = left / rest;
        }
        for (size_t k = 0; k < n; ++k) {
            weights[k] = clipped[k] != 0
                             ? static_cast<float>(clip)
                             : static_cast<float>(std::min(static_cast<double>(weights[k]) * scale, clip));
        }
        return;
    }
    for (size_t k = 0; k < n; ++k) {
        weights[k] = static_cast<float>(static_cast<double>(weights[k]) * scale);
    }
}

std::string WeightScheme::describe() const {
    std::string s = formatWeightKind(kind);
    switch (kind) {
        case WeightKind::Exp:
            s += " lambda=" + formatLambda(lambda);
            break;
        case WeightKind::Linear:
            s += fmt::format(" epsilon={}", epsilon);
            break;
        case WeightKind::Filter:
            s += threshold ? fmt::format(" tau={}", *threshold) : std::string(" tau=top");
            break;
        case WeightKind::Uniform:
            break;
    }
    if (normalization != WeightNormalization::None) {
        s += " norm=" + formatWeightNormalization(normalization);
    }
    if (std::isfinite(clip)) {
        s += fmt::format(" clip={}", clip);
    }
    return s;
}

std::string WeightScheme::toJson() const {
    nlohmann::json j;
    j["scheme"] = formatWeightKind(kind);
    j["lambda"] = std::isinf(lambda) ? nlohmann::json("inf") : nlohmann::json(lambda);
    j["epsilon"] = epsilon;
    j["threshold"] = threshold ? nlohmann::json(*threshold) : nlohmann::json(nullptr);
    j["normalization"] = formatWeightNormalization(normalization);
    j["clip"] = std::isinf(clip) ? nlohmann::json("inf") : nlohmann::json(clip);
    return j.dump();
}

WeightScheme WeightScheme::fromJson(const std::string& json) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(json);
    } catch (const nlohmann::json::exception& e) {
        throw Error(fmt::format("weighting scheme JSON does not parse: {}", e.what()));
    }
    if (!j.is_object()) {
        throw Error("weighting scheme JSON: expected an object");
    }
    auto number = [&](const char* key, double fallback) {
        if (!j.contains(key)) {
            return fallback;
        }
        const auto& v = j[key];
        if (v.is_number()) {
            return v.get<double>();
        }
        if (v.is_string() && isInfinityWord(lower(v.get<std::string>()))) {
            return kInf;
        }
        throw Error(fmt::format("weighting scheme JSON: '{}' must be a number or \"inf\"", key));
    };
    WeightScheme s;
    for (const auto& [key, value] : j.items()) {
        if (key != "scheme" && key != "lambda" && key != "epsilon" && key != "threshold" &&
            key != "normalization" && key != "clip") {
            throw Error(fmt::format("weighting scheme JSON: unknown key '{}'", key));
        }
        if ((key == "scheme" || key == "normalization") && !value.is_string()) {
            throw Error(fmt::format("weighting scheme JSON: '{}' must be a string", key));
        }
    }
    if (j.contains("scheme")) {
        s.kind = parseWeightKind(j["scheme"].get<std::string>());
    }
    if (j.contains("normalization")) {
        s.normalization = parseWeightNormalization(j["normalization"].get<std::string>());
    }
    s.lambda = number("lambda", s.lambda);
    s.epsilon = number("epsilon", s.epsilon);
    s.clip = number("clip", s.clip);
    if (j.contains("threshold") && !j["threshold"].is_null()) {
        if (!j["threshold"].is_number()) {
            throw Error("weighting scheme JSON: 'threshold' must be a number or null");
        }
        s.threshold = j["threshold"].get<double>();
    }
    s.validate();
    return s;
}

WeightKind parseWeightKind(std::string_view name) {
    const std::string s = lower(trim(name));
    if (s == "uniform" || s == "sft") {
        return WeightKind::Uniform;
    }
    if (s == "exp") {
        return WeightKind::Exp;
    }
    if (s == "linear") {
        return WeightKind::Linear;
    }
    if (s == "filter") {
        return WeightKind::Filter;
    }
    throw Error(
        fmt::format("unknown weighting scheme '{}': expected uniform (or sft), exp, linear or filter", name));
}

std::string formatWeightKind(WeightKind kind) {
    switch (kind) {
        case WeightKind::Uniform:
            return "uniform";
        case WeightKind::Exp:
            return "exp";
        case WeightKind::Linear:
            return "linear";
        case WeightKind::Filter:
            return "filter";
    }
    return "uniform";
}

WeightNormalization parseWeightNormalization(std::string_view name) {
    const std::string s = lower(trim(name));
    if (s == "none") {
        return WeightNormalization::None;
    }
    if (s == "mean") {
        return WeightNormalization::Mean;
    }
    if (s == "batch") {
        return WeightNormalization::Batch;
    }
    throw Error(fmt::format("unknown weight normalisation '{}': expected none, mean or batch", name));
}

std::string formatWeightNormalization(WeightNormalization normalization) {
    switch (normalization) {
        case WeightNormalization::None:
            return "none";
        case WeightNormalization::Mean:
            return "mean";
        case WeightNormalization::Batch:
            return "batch";
    }
    return "none";
}

double parseLambda(std::string_view text) {
    const std::string_view t = trim(text);
    if (isInfinityWord(lower(t))) {
        return kInf;
    }
    double v = 0.0;
    if (parseReward(t, v) != NumberStatus::Ok || !(v > 0.0)) {
        throw Error(fmt::format("lambda must be a number > 0 or 'inf', got '{}'", text));
    }
    return v;
}

std::string formatLambda(double lambda) {
    return std::isinf(lambda) ? std::string("inf") : fmt::format("{}", lambda);
}

double parseClip(std::string_view text) {
    const std::string_view t = trim(text);
    const std::string l = lower(t);
    if (l == "none" || isInfinityWord(l)) {
        return kInf;
    }
    double v = 0.0;
    if (parseReward(t, v) != NumberStatus::Ok || !(v > 0.0)) {
        throw Error(fmt::format("clip must be a number > 0, 'none' or 'inf', got '{}'", text));
    }
    return v;
}

}  // namespace tiltbench
