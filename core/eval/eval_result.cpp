#include "eval/eval_result.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace tiltbench {

std::string EvalProtocol::toString() const {
    std::string ks_;
    for (size_t i = 0; i < ks.size(); ++i) {
        ks_ += (i ? ", " : "") + std::to_string(ks[i]);
    }
    std::string s = fmt::format("{} targets, {} split {:016x}; {} of {} items; {}; {} ties; ",
                                targets == "valid" ? "validation" : targets, splitKind, splitHash,
                                fullRanking ? "full ranking" : "sampled ranking", numItems,
                                historyMasked ? "history masked (target never)" : "no masking", ties);
    s += sampled ? fmt::format("seeded sample of {} of {} users (seed {})", evaluatedUsers, eligibleUsers,
                               sampleSeed)
                 : fmt::format("all {} users", evaluatedUsers);
    s += fmt::format("; K = {}; high reward ≥ {}", ks_, highThreshold);
    if (bootstrapResamples > 0) {
        s += fmt::format("; {}% bootstrap over users ({} resamples, seed {})", level * 100.0,
                         bootstrapResamples, bootstrapSeed);
    }
    return s;
}

const MetricValue* EvalResult::find(const std::string& name) const {
    for (const auto& m : metrics) {
        if (m.name == name)
            return &m;
    }
    return nullptr;
}

double EvalResult::value(const std::string& name) const {
    const auto* m = find(name);
    return m ? m->value : std::numeric_limits<double>::quiet_NaN();
}

const std::vector<double>* EvalResult::perUser(const std::string& name) const {
    for (size_t i = 0; i < perUserNames.size(); ++i) {
        if (perUserNames[i] == name)
            return &perUserValues[i];
    }
    return nullptr;
}

std::map<std::string, double> EvalResult::values() const {
    std::map<std::string, double> out;
    for (const auto& m : metrics) {
        out[m.name] = m.value;
    }
    return out;
}

std::string EvalResult::toJson() const {
    // nlohmann writes NaN as null, which is what a reader should see for "not computed".
    const auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    nlohmann::ordered_json p;
    p["split"] = protocol.splitKind;
    p["split_description"] = protocol.splitDescription;
    p["split_hash"] = fmt::format("{:016x}", protocol.splitHash);
    p["targets"] = protocol.targets;
    p["full_ranking"] = protocol.fullRanking;
    p["items"] = protocol.numItems;
    p["history_masked"] = protocol.historyMasked;
    p["ties"] = protocol.ties;
    p["eligible_users"] = protocol.eligibleUsers;
    p["evaluated_users"] = protocol.evaluatedUsers;
    p["sampled"] = protocol.sampled;
    if (protocol.sampled)
        p["sample_seed"] = protocol.sampleSeed;
    p["ks"] = protocol.ks;
    p["high_threshold"] = num(protocol.highThreshold);
    p["item_mean_prior_strength"] = protocol.itemMeanPriorStrength;
    p["head_share"] = protocol.headShare;
    p["bootstrap_resamples"] = protocol.bootstrapResamples;
    p["bootstrap_seed"] = protocol.bootstrapSeed;
    p["level"] = protocol.level;
    p["summary"] = protocol.toString();
    nlohmann::ordered_json m = nlohmann::ordered_json::object();
    for (const auto& v : metrics) {
        m[v.name] = {{"value", num(v.value)}, {"lo", num(v.lo)}, {"hi", num(v.hi)}, {"users", v.users}};
    }
    nlohmann::ordered_json j;
    j["protocol"] = std::move(p);
    j["metrics"] = std::move(m);
    return j.dump();
}

}  // namespace tiltbench
