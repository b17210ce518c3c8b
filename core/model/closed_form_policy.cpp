#include "model/closed_form_policy.h"

#include <fmt/format.h>

#include "common/error.h"
#include "model/popularity_policy.h"

namespace tiltbench {

namespace {

std::string lower(std::string_view s) {
    std::string out;
    for (const char c : s) {
        if (c != ' ' && c != '\t') {
            out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
        }
    }
    return out;
}

}  // namespace

PolicyKind parsePolicyKind(std::string_view name) {
    const std::string s = lower(name);
    if (s == "popularity" || s == "pop") {
        return PolicyKind::Popularity;
    }
    if (s == "markov") {
        return PolicyKind::Markov;
    }
    if (s == "itemmean" || s == "item_mean") {
        return PolicyKind::ItemMean;
    }
    throw Error(fmt::format("unknown closed-form model '{}': expected popularity, markov or itemmean", name));
}

std::string formatPolicyKind(PolicyKind kind) {
    switch (kind) {
        case PolicyKind::Popularity:
            return "popularity";
        case PolicyKind::Markov:
            return "markov";
        case PolicyKind::ItemMean:
            return "itemmean";
    }
    return "popularity";
}

PolicyData PolicyData::build(const TargetView& targets, bool withTransitions) {
    PolicyData data;
    auto levels = std::make_shared<const RewardLevelTable>(targets);
    if (withTransitions) {
        data.transitions = std::make_shared<const TransitionTable>(targets, *levels);
    }
    data.levels = std::move(levels);
    return data;
}

std::unique_ptr<Scorer> fitClosedFormPolicy(PolicyKind kind, const PolicyData& data,
                                            const WeightScheme& scheme, const PolicyParams& params) {
    if (!data.levels) {
        throw Error("closed-form policy: no training data (PolicyData was not built)");
    }
    switch (kind) {
        case PolicyKind::Popularity:
            return std::make_unique<PopularityPolicy>(*data.levels, scheme);
        case PolicyKind::Markov:
            if (!data.transitions) {
                throw Error(
                    "closed-form policy: markov needs the transition table (PolicyData built without it)");
            }
            return std::make_unique<MarkovPolicy>(data.transitions, *data.levels, scheme,
                                                  params.markovSmoothing);
        case PolicyKind::ItemMean:
            return std::make_unique<ItemMeanPolicy>(*data.levels, scheme, params.itemMeanPrior);
    }
    throw Error("closed-form policy: unknown kind");
}

}  // namespace tiltbench
