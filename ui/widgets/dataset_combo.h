#pragma once
// DatasetCombo: the dataset chooser the Explorer, Train, Compare and Export pages share. Lists the
// workspace's datasets (name shown, id as item data); refilling emits no change signal and keeps the dataset
// that was selected when it still exists, else selects the first one. The box is as wide as its longest
// name, so a name is never cut; a name longer than kShownChars characters (names may have 200 bytes) is shown
// shortened in the middle ("first words … (seed 7)"), its whole text in the entry's and the box's tooltip.
#include <QComboBox>
#include <QString>
#include <cstdint>
#include <functional>

namespace tiltbench {

class Workspace;

class DatasetCombo : public QComboBox {
  public:
    explicit DatasetCombo(QWidget* parent = nullptr);
    static constexpr int kShownChars = 64;
    // Never narrower than its longest (shown) name: layouts that squeeze to minimum sizes keep it whole.
    QSize minimumSizeHint() const override { return sizeHint(); }

    // Reads the datasets of `workspace` (none when null); a read error goes to `onError` and leaves the box
    // empty.
    void refill(Workspace* workspace, const std::function<void(const QString&)>& onError);
    // Selects dataset `id` (emitting the change signals when it changes); false when it is not listed.
    bool selectId(int64_t id);
    // The selected dataset's id, -1 when the box is empty.
    int64_t selectedId() const;
};

}  // namespace tiltbench
