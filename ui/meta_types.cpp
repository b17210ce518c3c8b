#include "meta_types.h"

namespace tiltbench {

void registerMetaTypes() {
    static const bool registered = [] {
        qRegisterMetaType<DatasetInfo>();
        qRegisterMetaType<ImportReport>();
        qRegisterMetaType<LoadedDataset>();
        return true;
    }();
    Q_UNUSED(registered);
}

}  // namespace tiltbench
