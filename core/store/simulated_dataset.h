#pragma once
// The simulator's dataset (data/simulator.h) written into a workspace as one dataset, with its ground truth
// (format "simulator"; source and meta: the config as JSON). One transaction, like an import.
#include <string>

#include "common/progress.h"
#include "data/ground_truth.h"
#include "store/dataset_info.h"
#include "store/workspace.h"

namespace tiltbench {

DatasetInfo generateDataset(Workspace& ws, const std::string& name, const SimulatorConfig& config,
                            const ProgressCallback& progress = {});

}  // namespace tiltbench
