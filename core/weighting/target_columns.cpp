#include "weighting/target_columns.h"

namespace tiltbench {

TargetColumns TargetColumns::leaveOneOut(const InteractionLog& log) {
    TargetColumns t;
    t.numItems = log.numItems();
    for (int32_t u = 0; u < log.numUsers(); ++u) {
        const int64_t b = log.userOffsets[static_cast<size_t>(u)];
        const int64_t e = log.userOffsets[static_cast<size_t>(u) + 1];
        const int64_t end = e - b >= 3 ? e - 2 : e;
        for (int64_t k = b; k < end; ++k) {
            const auto kk = static_cast<size_t>(k);
            t.item.push_back(log.item[kk]);
            t.reward.push_back(log.reward[kk]);
            t.prevItem.push_back(k > b ? log.item[kk - 1] : -1);
        }
    }
    return t;
}

}  // namespace tiltbench
