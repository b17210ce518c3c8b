#pragma once
// LoadedDataset: what DatasetLoadWorker hands to the Data page — the catalogue row, the summary and a display
// label per item. The InteractionLog itself stays on the worker thread and is dropped there: at 20 M rows it
// is half a gigabyte the Data page has no use for.
#include <string>
#include <vector>

#include "data/summary.h"
#include "store/dataset_info.h"

namespace tiltbench {

struct LoadedDataset {
    DatasetInfo info;
    DatasetSummary summary;
    bool hasTime = false;
    std::vector<std::string> itemLabels;  // dense item id -> title, or the external id when there is none
};

}  // namespace tiltbench
