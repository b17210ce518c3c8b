#pragma once
// Metatype declarations for the plain structs that workers send over queued signals. registerMetaTypes() is
// idempotent; Worker's constructor calls it, so a queued connection never meets an unknown type.
#include <QMetaType>

#include "io/import.h"
#include "pages/train/train_events.h"
#include "shared/loaded_dataset.h"
#include "store/dataset_info.h"

Q_DECLARE_METATYPE(tiltbench::DatasetInfo)
Q_DECLARE_METATYPE(tiltbench::ImportReport)
Q_DECLARE_METATYPE(tiltbench::LoadedDataset)

namespace tiltbench {

void registerMetaTypes();

}  // namespace tiltbench
