#pragma once
// Reading integer fields of a run's stored config (runs.config, JSON) strictly: nlohmann's get<int> casts
// whatever number it finds (2^32 + 8 becomes 8, 1e20 is undefined behaviour), so a field of a crafted
// workspace is taken only when it is an integer within the field's documented range; anything else is an
// Error naming the field.
#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/limits.h"
#include "train/run_config.h"

namespace tiltbench::stored {

// The stored config `text` as a JSON object; anything else (not JSON, a number overflowing a double, an
// array) throws Error "<what>: …" with the parser's reason.
inline nlohmann::json parseObject(const std::string& text, const char* what) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw Error(fmt::format("{}: not valid JSON ({})", what, e.what()));
    }
    if (!j.is_object())
        throw Error(fmt::format("{}: expected a JSON object", what));
    return j;
}

inline int64_t integer(const nlohmann::json& v, const std::string& what, int64_t lo, int64_t hi) {
    bool ok = false;
    int64_t x = 0;
    if (v.is_number_unsigned()) {
        const auto u = v.get<uint64_t>();
        // nlohmann reads every non-negative integer as unsigned: both bounds apply (0 when lo is 1).
        ok = hi >= 0 && u <= static_cast<uint64_t>(hi) && static_cast<int64_t>(u) >= lo;
        x = ok ? static_cast<int64_t>(u) : 0;
    } else if (v.is_number_integer()) {
        x = v.get<int64_t>();
        ok = x >= lo && x <= hi;
    }
    if (!ok)
        throw Error(fmt::format("'{}' must be an integer in {}..{} (got {})", what, lo, hi, v.dump()));
    return x;
}

// Field `key` of object `j`, or `fallback` when absent.
inline int intField(const nlohmann::json& j, const char* key, int fallback, int lo, int hi) {
    if (!j.contains(key))
        return fallback;
    return static_cast<int>(integer(j.at(key), key, lo, hi));
}

inline std::vector<int> intListField(const nlohmann::json& j, const char* key, std::vector<int> fallback,
                                     int lo, int hi) {
    if (!j.contains(key))
        return fallback;
    const auto& v = j.at(key);
    if (!v.is_array())
        throw Error(fmt::format("'{}' must be a list of integers", key));
    std::vector<int> out;
    for (const auto& e : v)
        out.push_back(static_cast<int>(integer(e, key, lo, hi)));
    return out;
}

// The fields every run record has (train/run_config.h), written and read in one place. `threads` is not
// among them: a SASRec run records what it asked for (threads_requested), a closed-form run nothing.
inline void writeRunBase(const RunConfigBase& c, nlohmann::json& j) {
    j["dataset"] = c.dataset;
    j["weighting"] = nlohmann::json::parse(c.scheme.toJson());
    j["split"] = SplitConfig::kindToString(c.split.kind);
    j["ks"] = c.ks;
    j["bootstrap_resamples"] = c.bootstrapResamples;
    j["seed"] = c.seed;
    if (c.highThreshold)
        j["high_threshold"] = *c.highThreshold;
}

// Missing keys keep `c`'s values; sizes are strict integers within the documented limits.
inline void readRunBase(const nlohmann::json& j, RunConfigBase& c) {
    c.dataset = j.value("dataset", c.dataset);
    if (j.contains("weighting"))
        c.scheme = WeightScheme::fromJson(j.at("weighting").dump());
    if (j.contains("split"))
        c.split.kind = SplitConfig::kindFromString(j.at("split").get<std::string>());
    c.ks = intListField(j, "ks", c.ks, 1, limits::kMaxK);
    c.bootstrapResamples =
        intField(j, "bootstrap_resamples", c.bootstrapResamples, 0, limits::kMaxBootstrapResamples);
    c.seed = j.value("seed", c.seed);
    if (j.contains("high_threshold") && !j.at("high_threshold").is_null()) {
        const auto& t = j.at("high_threshold");
        if (!t.is_number() || !std::isfinite(t.get<double>()))
            throw Error(fmt::format("'high_threshold' must be a finite number (got {})", t.dump()));
        c.highThreshold = t.get<double>();
    }
}

}  // namespace tiltbench::stored
