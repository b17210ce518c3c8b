#pragma once
// How an evaluation becomes rows of a run record, shared by every kind of run so that all runs store their
// final metrics the same way.
#include <string>
#include <vector>

#include "eval/eval_result.h"
#include "store/run_store.h"

namespace tiltbench {

// Appends the final metrics (epoch −1) of `result` as `split` ("valid" / "test") and their per-user values. A
// metric no user contributes to (NaN, e.g. ndcg_high when no target has the top reward) is left out rather
// than stored, and a per-user value outside the metric's subset is skipped: the workspace never holds a NaN.
void appendFinalMetrics(const EvalResult& result, const std::string& split, std::vector<MetricRow>& rows,
                        std::vector<PerUserMetric>& perUser);

}  // namespace tiltbench
