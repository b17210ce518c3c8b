#pragma once
// EvalResult: everything one evaluation of one model on one split produced — the protocol it followed, the
// per-user values of every per-user metric (so intervals and paired comparisons can be computed at any time
// without re-ranking), each user's rank and top-K list, and the summary figures with their bootstrap
// intervals. Plain data, cheap to move across threads and queued signals; nothing here refers back to the
// model, the log or the split. Formulas: eval/metrics.h.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tiltbench {

// List-level metrics are recomputed from the lists, not averaged from per-user values.
enum class Aggregate { None, Coverage, Gini, Entropy };

struct MetricValue {
    std::string name;  // "ndcg@10", "hr_high@20", "coverage@10", "random_ndcg", …
    int k = 0;         // cut-off; 0 for metrics without one
    Aggregate aggregate = Aggregate::None;
    double value = 0.0;  // mean over contributing users, or the aggregate; NaN when no user contributes
    double lo = 0.0;     // bootstrap percentile interval at EvalProtocol::level; NaN when not computed
    double hi = 0.0;
    int64_t users = 0;  // users contributing (the subset size for *_high and random_ndcg)
    bool perUser() const { return aggregate == Aggregate::None; }
};

// How the figures were obtained; written next to every reported number.
struct EvalProtocol {
    std::string splitKind;         // "loo" | "time"
    std::string splitDescription;  // Split::description()
    uint64_t splitHash = 0;
    std::string targets;        // "valid" | "test"
    int32_t numItems = 0;       // candidates: the whole catalogue (full ranking, no sampled negatives)
    bool fullRanking = true;    // always true today; sampled-negative metrics, if ever added, set it false
    bool historyMasked = true;  // the user's earlier items are removed; the target never is
    std::string ties = "pessimistic";
    int64_t eligibleUsers = 0;   // users with a target in this set
    int64_t evaluatedUsers = 0;  // after the optional sample
    bool sampled = false;
    uint64_t sampleSeed = 0;
    std::vector<int> ks;
    double highThreshold = 0.0;
    double itemMeanPriorStrength = 0.0;
    double headShare = 0.0;
    bool hasTrueReward = false;
    bool hasRandomExposure = false;
    int bootstrapResamples = 0;  // 0 = no intervals
    uint64_t bootstrapSeed = 0;
    double level = 0.95;

    // One line, e.g. "test targets, leave-one-out split 0123…; full ranking of 1682 items; history masked
    // (target never); pessimistic ties; all 943 users; 95% bootstrap over users (1000 resamples, seed 1)".
    std::string toString() const;
};

struct EvalResult {
    EvalProtocol protocol;
    // Per evaluated user, ascending user id; every per-user array below follows this order.
    std::vector<int32_t> users;
    std::vector<int32_t> targetItems;
    std::vector<double> targetRewards;
    std::vector<int64_t> ranks;
    int kMax = 0;
    std::vector<int32_t> topItems;  // users × kMax, best first, −1 past a short list's end
    // perUserValues[m][j] = metric perUserNames[m] for users[j]; NaN where the user is outside the metric's
    // subset (a low-reward target for *_high, no random exposures for random_ndcg, an empty list).
    std::vector<std::string> perUserNames;
    std::vector<std::vector<double>> perUserValues;
    std::vector<MetricValue> metrics;  // per-user metrics first, in a fixed order, then the aggregates

    const MetricValue* find(const std::string& name) const;  // nullptr when absent
    double value(const std::string& name) const;             // NaN when absent
    const std::vector<double>* perUser(const std::string& name) const;
    std::map<std::string, double> values() const;  // name → value
    // {"protocol": {…}, "metrics": {"ndcg@10": {"value": …, "lo": …, "hi": …, "users": …}, …}}; NaN → null.
    std::string toJson() const;
};

}  // namespace tiltbench
