#include "shared/meta_types.h"

namespace tiltbench {

void registerMetaTypes() {
    static const bool registered = [] {
        qRegisterMetaType<DatasetInfo>();
        qRegisterMetaType<ImportReport>();
        qRegisterMetaType<LoadedDataset>();
        qRegisterMetaType<TrainProgressEvent>();
        qRegisterMetaType<TrainEpochEvent>();
        qRegisterMetaType<TrainOutcome>();
        return true;
    }();
    Q_UNUSED(registered);
}

}  // namespace tiltbench
