#pragma once
// DatasetCombo: the dataset chooser the Explorer, Train, Compare and Export pages share. Lists the
// workspace's datasets (name shown, id as item data); refilling emits no change signal and keeps the dataset
// that was selected when it still exists, else selects the first one.
#include <QComboBox>
#include <QString>
#include <cstdint>
#include <functional>

namespace tiltbench {

class Workspace;

class DatasetCombo : public QComboBox {
  public:
    using QComboBox::QComboBox;

    // Reads the datasets of `workspace` (none when null); a read error goes to `onError` and leaves the box
    // empty.
    void refill(Workspace* workspace, const std::function<void(const QString&)>& onError);
    // Selects dataset `id` (emitting the change signals when it changes); false when it is not listed.
    bool selectId(int64_t id);
    // The selected dataset's id, -1 when the box is empty.
    int64_t selectedId() const;
};

}  // namespace tiltbench
