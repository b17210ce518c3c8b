#pragma once
// TargetColumns: owning training-target columns for code that has an InteractionLog but no core/eval Split
// (tests, benchmarks, tools): the leave-one-out training part of a log, or arrays filled by hand. Everything
// in weighting and the closed-form policies takes its `view()`.
#include <cstdint>
#include <vector>

#include "data/interaction_log.h"
#include "weighting/target_view.h"

namespace tiltbench {

struct TargetColumns {
    std::vector<int32_t> item;
    std::vector<double> reward;
    std::vector<int32_t> prevItem;  // -1 at a user's first interaction
    int32_t numItems = 0;

    size_t size() const { return item.size(); }
    TargetView view() const { return viewOf(*this, numItems); }

    // Leave-one-out training part, as core/eval's Split: per user the last interaction is the test target and
    // the second last the validation target; the rest train. Users with fewer than 3 interactions train on
    // everything. prevItem is the preceding row of the same user.
    static TargetColumns leaveOneOut(const InteractionLog& log);
};

}  // namespace tiltbench
