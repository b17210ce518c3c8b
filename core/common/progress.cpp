#include "common/progress.h"

#include "common/error.h"

namespace tiltbench {

void reportProgress(const ProgressCallback& cb, const Progress& p) {
    if (cb && !cb(p)) {
        throw Cancelled();
    }
}

}  // namespace tiltbench
