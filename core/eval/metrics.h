#pragma once
// Metrics: every evaluation formula in Tiltbench, defined once here, as small pure functions the Evaluator
// calls per user (and tests call directly). Per-user values are averaged over users by the Evaluator, which
// also attaches bootstrap intervals; the list-level (aggregate) metrics are computed from all users' top-K
// lists together.
//
// ─── Definitions ─────────────────────────────────────────────────────────────────────────────────────────
// Notation: one evaluated user u with a single held-out target item t (reward r_t); s_i = model score of item
// i; C_u = candidate set = the whole catalogue minus u's history items other than t (history masking; the
// target is never masked, even when u consumed it before); L_u = u's top-K list over C_u ordered by score,
// ties broken by lower item id except that the target goes after every item it ties with (so t ∈ L_u exactly
// when rank_u ≤ K); NaN scores are left out of L_u; n_i = training count of item i; I = catalogue size.
//
// rank_u = 1 + #{ i ∈ C_u, i ≠ t : s_i ≥ s_t }      (pessimistic ties: every tie ranks above the target, so
//          a constant scorer gets the worst rank and cannot profit from ties — Sun et al., "Are We Evaluating
//          Rigorously?", RecSys 2020). NaN scores never rank above anything; a NaN target score counts as −∞.
// hr@K   = 1[rank_u ≤ K]                                                     (hit rate / recall@K, 1 target)
// ndcg@K = 1[rank_u ≤ K] / log2(rank_u + 1)      binary relevance, single target, so IDCG = 1
//          (Järvelin & Kekäläinen, "Cumulated gain-based evaluation of IR techniques", TOIS 2002)
// mrr@K  = 1[rank_u ≤ K] / rank_u                                         (reciprocal rank truncated at K)
// *_high@K = the same three, averaged only over users whose target reward r_t ≥ τ (τ default = the dataset's
//          maximum reward, i.e. the top rating: the "high-reward held-out items" of Chidambaram et al. 2026)
// item_mean_reward@K = (1/|L_u|) Σ_{i∈L_u} m̃_i,  m̃_i = (Σ_{training rows of i} r + α·μ) / (n_i + α)
//          μ = global mean training reward, α = prior strength (pseudo-counts, default 10): the Bayesian
//          average, so an item seen once with a top rating does not count as a sure top-reward item
// true_reward@K = (1/|L_u|) Σ_{i∈L_u} E[r | u, i]   under a known ground truth (the simulator)
// arp@K  = (1/|L_u|) Σ_{i∈L_u} n_i                  average recommendation popularity
// aplt@K = |L_u ∩ Tail| / |L_u|                    average percentage of long-tail items; Head = the
//          ⌈0.2·I⌉ items with the largest n_i (ties: lower item id first), Tail = the rest
//          (both: Abdollahpouri, Burke & Mobasher, "Managing popularity bias in recommender systems with
//          personalized re-ranking", FLAIRS 2019)
// Aggregate over all evaluated users, with c_i = number of users whose L_u contains i:
// coverage@K = #{i : c_i > 0} / I                                                       (catalogue coverage)
// gini@K = Σ_{j=1..I} (2j − I − 1) c_(j) / (I · Σ_j c_j),  c_(1) ≤ … ≤ c_(I) sorted ascending, zeros
//          included; 0 = every item recommended equally often, → 1 = all recommendations on one item
//          (Gini coefficient of the recommendation distribution; Fleder & Hosanagar, Management Science 2009)
// entropy@K = −Σ_i p_i log2 p_i,  p_i = c_i / Σ_j c_j   Shannon entropy in bits (max log2 I)
// random_ndcg (randomly exposed test set, e.g. Coat's): for each user, the items E_u the user was shown at
//          random, with ratings r_i; order E_u by model score (descending; ties put the lower gain first, the
//          pessimistic order); gain g_i = 2^(r_i − r_min) − 1 with r_min = the dataset's minimum reward, so
//          the worst rating has zero gain (exponential gain: Burges et al., "Learning to rank using gradient
//          descent", ICML 2005); DCG = Σ_{p=1..|E_u|} g_(p) / log2(p + 1) over the whole exposed list;
//          random_ndcg = DCG / IDCG (IDCG = DCG of the gain-sorted list). Users with IDCG = 0 are skipped.
//          Scores are the model's raw scores: no masking, since exposure was random, not chosen by the user.
// Intervals: 95 % percentile bootstrap over users (Efron & Tibshirani 1993, ch. 13), B resamples of the
//          evaluated users with replacement; per-user metrics average the resampled users' values (users
//          outside a subset such as *_high drop out). Percentiles interpolate linearly between order
//          statistics (R's type 7). Paired comparison of two models on the same users: the same resamples
//          applied to the per-user differences. Aggregates (coverage, gini, entropy) get no interval: a
//          resample has fewer distinct users, so its coverage can never exceed the sample's and the
//          percentile interval would not even contain the estimate (see eval/bootstrap.h).
// ─────────────────────────────────────────────────────────────────────────────────────────────────────────
#include <cstdint>
#include <utility>
#include <vector>

#include "eval/split.h"

namespace tiltbench {

namespace metrics {

double hitRate(int64_t rank, int k);
double ndcg(int64_t rank, int k);
double reciprocalRank(int64_t rank, int k);

// Over recommendation counts c_i of every catalogue item (zeros included). Both 0 when Σ c = 0.
double coverage(const std::vector<int64_t>& counts);
double gini(std::vector<int64_t> counts);
double entropy(const std::vector<int64_t>& counts);

// c_i: how often each of the `numItems` items appears in the first k entries of the lists (`lists` holds
// users × kMax items, −1 past a short list's end). `multiplicity`, when given, counts user u's list that many
// times (a bootstrap resample).
std::vector<int64_t> recommendationCounts(const std::vector<int32_t>& lists, int kMax, int k,
                                          int32_t numItems,
                                          const std::vector<uint32_t>* multiplicity = nullptr);

// Pairs (score, reward) of one user's randomly exposed items. Returns NaN when IDCG = 0 (nothing to rank).
double randomExposureNdcg(std::vector<std::pair<float, double>> scoredRewards, double minReward);

// 95 % (or `level`) percentile interval of `samples` (sorted in place), R's type-7 quantiles.
std::pair<double, double> percentileInterval(std::vector<double>& samples, double level = 0.95);

}  // namespace metrics

// Per-item training statistics the list metrics need, built once per split and shared by every evaluation.
struct ItemStatistics {
    std::vector<int64_t> count;      // n_i
    std::vector<double> shrunkMean;  // m̃_i
    std::vector<uint8_t> longTail;   // 1 when i ∈ Tail
    double globalMean = 0.0;         // μ (0 when there is no training row)
    double priorStrength = 10.0;     // α
    double headShare = 0.2;          // share of items in the Head

    static ItemStatistics fromTraining(const TrainingTargets& training, int32_t numItems,
                                       double priorStrength = 10.0, double headShare = 0.2);

    // Per-list values over list[0 .. k); NaN when k = 0. Callers pass the list's true length when it is
    // shorter than K (a catalogue smaller than K once the history is masked).
    double averagePopularity(const int32_t* list, int k) const;
    double longTailShare(const int32_t* list, int k) const;
    double meanItemReward(const int32_t* list, int k) const;
};

}  // namespace tiltbench
