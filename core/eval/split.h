#pragma once
// Split: which logged interactions a model may learn from and which it is judged on. Two protocols:
// leave-one-out (per user the last interaction is the test target, the second last the validation target,
// the rest is training; users with fewer than 3 interactions are training only) and a global time split (one
// timestamp cut at a quantile of all timestamps; everything before it is training, each user's first
// interaction at or after it is that user's evaluation target, and users are dealt to validation or test by a
// seeded hash). Training positions come out as plain parallel arrays so weighting and the closed-form models
// can run over them without touching the log again; evaluation targets carry the log range of their history.
// A split never copies the log: targets index into it, so the log must outlive whatever uses them.
#include <cstdint>
#include <string>
#include <vector>

#include "data/interaction_log.h"

namespace tiltbench {

enum class SplitKind { LeaveOneOut, Time };

struct SplitConfig {
    SplitKind kind = SplitKind::LeaveOneOut;
    // Time split only.
    // cut = the timestamp at 0-based position floor(q · N) of all N timestamps sorted ascending (clamped to
    // N − 1), so about a share q of rows is training (fewer when timestamps tie at the cut). q in (0, 1).
    double timeQuantile = 0.8;
    double validationShare = 0.5;  // share of evaluated users dealt to validation, in [0, 1]
    uint64_t seed = 0;             // seeds the validation/test deal of users

    // "loo" or "time"; parsing accepts "leave-one-out" too. Throws Error for anything else.
    static SplitKind kindFromString(const std::string& s);
    static std::string kindToString(SplitKind kind);
};

// One row per training position, in log order (by user, then time). Parallel arrays, all of size().
struct TrainingTargets {
    std::vector<int32_t> user;
    std::vector<int32_t> item;
    std::vector<double> reward;
    std::vector<int32_t> prevItem;  // the user's previous item in the log, -1 at their first interaction
    std::vector<int64_t> logIndex;  // row in the InteractionLog
    size_t size() const { return item.size(); }
};

// A held-out next item. Its history is the user's log rows [historyBegin, historyEnd), oldest first; the
// target itself is row historyEnd (both protocols take the target right after its history).
struct EvalTarget {
    int32_t user = 0;
    int32_t item = 0;
    double reward = 0.0;
    int64_t logIndex = 0;
    int64_t historyBegin = 0;
    int64_t historyEnd = 0;
    int64_t historyLength() const { return historyEnd - historyBegin; }
};

enum class EvalSet { Validation, Test };
const char* evalSetName(EvalSet set);  // "valid" / "test"

class Split {
  public:
    // Throws Error for a bad config (quantile outside (0, 1), share outside [0, 1]) or an invalid log shape.
    static Split make(const InteractionLog& log, const SplitConfig& config = {});

    const SplitConfig& config() const { return m_config; }
    int32_t numUsers() const { return m_numUsers; }
    int32_t numItems() const { return m_numItems; }
    const TrainingTargets& training() const { return m_training; }
    const std::vector<EvalTarget>& validation() const { return m_validation; }
    const std::vector<EvalTarget>& test() const { return m_test; }
    const std::vector<EvalTarget>& targets(EvalSet set) const {
        return set == EvalSet::Validation ? m_validation : m_test;
    }
    // Time split: rows with ts < cutTime() are training. Leave-one-out: 0.
    int64_t cutTime() const { return m_cutTime; }

    // A 64-bit hash of the protocol, its parameters, the catalogue shape and every training row / target
    // (user, item, reward bits, log row), chained word by word through the SplitMix64 finaliser: the same on
    // every platform and run, and different whenever any assignment changes. Run records store it so that two
    // runs can be checked to share a split before a paired comparison. Not cryptographic.
    uint64_t hash() const { return m_hash; }
    std::string hashHex() const;  // 16 lowercase hex digits
    // Human-readable protocol, e.g. "leave-one-out (last = test, second last = validation)".
    std::string description() const;

  private:
    SplitConfig m_config;
    int32_t m_numUsers = 0;
    int32_t m_numItems = 0;
    int64_t m_cutTime = 0;
    TrainingTargets m_training;
    std::vector<EvalTarget> m_validation;
    std::vector<EvalTarget> m_test;
    uint64_t m_hash = 0;

    void addTraining(const InteractionLog& log, int64_t row, int64_t userBegin);
    void computeHash();
};

}  // namespace tiltbench
