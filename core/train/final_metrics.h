#pragma once
// How an evaluation becomes rows of a run record, shared by every kind of run so that all runs store their
// final metrics the same way.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "eval/eval_result.h"
#include "eval/popularity_profile.h"
#include "store/run_store.h"

namespace tiltbench {

// Appends the final metrics (epoch −1) of `result` as `split` ("valid" / "test") and their per-user values. A
// metric no user contributes to (NaN, e.g. ndcg_high when no target has the top reward) is left out rather
// than stored, and a per-user value outside the metric's subset is skipped: the workspace never holds a NaN.
void appendFinalMetrics(const EvalResult& result, const std::string& split, std::vector<MetricRow>& rows,
                        std::vector<PerUserMetric>& perUser);

// The top-10 popularity profile of the test lists (eval/popularity_profile.h: ten groups of items by training
// count, the share of training interactions and of top-10 slots each receives), computed once when a run
// finishes and stored with it — so the Compare page and the report show it without scoring anything. Stored
// as run_metrics rows of split "profile" (epoch −1; the valid/test readers never see them): per group g =
// 01..10 "top10_share_gNN", "training_share_gNN", "min_count_gNN", "max_count_gNN", and "k", "lists".
inline constexpr const char* kProfileSplit = "profile";
void appendPopularityProfile(const EvalResult& test, const std::vector<int64_t>& trainingCount,
                             std::vector<MetricRow>& rows);

struct StoredProfile {
    PopularityProfile profile;
    int k = 10;
    int64_t lists = 0;
};
// The profile a run stored, or nullopt for a run recorded before profiles were stored (or a damaged one).
std::optional<StoredProfile> storedPopularityProfile(const std::vector<MetricRow>& rows);

}  // namespace tiltbench
