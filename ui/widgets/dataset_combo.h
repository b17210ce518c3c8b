#pragma once
// The dataset chooser the Explorer, Train and Compare pages share: refills a combo box with the workspace's
// datasets (name shown, id as item data) without emitting change signals, keeping the dataset that was
// selected when it still exists, else the first one.
#include <QString>
#include <cstdint>
#include <functional>

class QComboBox;

namespace tiltbench {

class Workspace;

// Reads the datasets of `workspace` (none when null); a read error goes to `onError` and leaves the box
// empty.
void refillDatasetCombo(QComboBox* combo, Workspace* workspace, int64_t keepId,
                        const std::function<void(const QString&)>& onError);

}  // namespace tiltbench
