#include "weighting/target_view.h"

#include <fmt/format.h>

#include <cmath>

#include "common/error.h"

namespace tiltbench {

void TargetView::validate() const {
    if (size > 0 && (item == nullptr || reward == nullptr || prevItem == nullptr)) {
        throw Error(
            fmt::format("training targets: {} targets but the item, reward or previous-item column is "
                        "missing",
                        size));
    }
    if (numItems < 0) {
        throw Error(fmt::format("training targets: numItems is {}, expected ≥ 0", numItems));
    }
    for (size_t k = 0; k < size; ++k) {
        if (item[k] < 0 || item[k] >= numItems) {
            throw Error(fmt::format("training targets: target {} has item {}, expected 0..{}", k, item[k],
                                    numItems - 1));
        }
        if (prevItem[k] < -1 || prevItem[k] >= numItems) {
            throw Error(fmt::format("training targets: target {} has previous item {}, expected -1..{}", k,
                                    prevItem[k], numItems - 1));
        }
        if (!std::isfinite(reward[k])) {
            throw Error(fmt::format("training targets: target {} has a non-finite reward", k));
        }
    }
}

}  // namespace tiltbench
