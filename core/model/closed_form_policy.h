#pragma once
// Closed-form tilted policies by name: what `tiltbench-cli train --model popularity|markov|itemmean` and the
// λ Explorer's live metrics use. PolicyData holds the per-split aggregates (reward levels, transitions),
// built once in O(targets); `fitClosedFormPolicy` then fits any of the three at any weight scheme without
// touching the targets again — milliseconds, so a λ slider can refit on every move. The returned Scorer keeps
// what it needs alive (shared_ptr), so PolicyData may go away first.
#include <memory>
#include <string>
#include <string_view>

#include "eval/scorer.h"
#include "model/item_mean_policy.h"
#include "model/markov_policy.h"
#include "model/transition_table.h"
#include "weighting/reward_level_table.h"
#include "weighting/target_view.h"
#include "weighting/weight_scheme.h"

namespace tiltbench {

enum class PolicyKind { Popularity, Markov, ItemMean };

// "popularity" (alias "pop"), "markov", "itemmean" (alias "item_mean"); throws Error listing the choices.
PolicyKind parsePolicyKind(std::string_view name);
std::string formatPolicyKind(PolicyKind kind);

struct PolicyParams {
    double markovSmoothing = MarkovPolicy::kDefaultSmoothing;      // α, pseudo-targets toward popularity
    double itemMeanPrior = ItemMeanPolicy::kDefaultPriorStrength;  // k, pseudo-targets at the global mean
};

struct PolicyData {
    std::shared_ptr<const RewardLevelTable> levels;
    std::shared_ptr<const TransitionTable> transitions;  // null when built without

    // Throws Error for empty or invalid targets. `withTransitions` = false skips the transition table (only
    // the Markov policy needs it; it costs a sort of the targets by previous item).
    static PolicyData build(const TargetView& targets, bool withTransitions = true);
};

// Throws Error for an invalid scheme or parameter, or `markov` on data built without transitions.
std::unique_ptr<Scorer> fitClosedFormPolicy(PolicyKind kind, const PolicyData& data,
                                            const WeightScheme& scheme, const PolicyParams& params = {});

}  // namespace tiltbench
