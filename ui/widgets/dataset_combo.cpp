#include "widgets/dataset_combo.h"

#include <QSignalBlocker>
#include <exception>
#include <vector>

#include "store/workspace.h"

namespace tiltbench {

void DatasetCombo::refill(Workspace* workspace, const std::function<void(const QString&)>& onError) {
    const int64_t keepId = selectedId();
    std::vector<DatasetInfo> datasets;
    try {
        if (workspace)
            datasets = workspace->datasets();
    } catch (const std::exception& e) {
        onError(QString::fromStdString(e.what()));
    }
    const QSignalBlocker block(this);
    clear();
    for (const DatasetInfo& d : datasets)
        addItem(QString::fromStdString(d.name), static_cast<qlonglong>(d.id));
    const int row = findData(static_cast<qlonglong>(keepId));
    setCurrentIndex(row >= 0 ? row : (datasets.empty() ? -1 : 0));
}

bool DatasetCombo::selectId(int64_t id) {
    const int row = findData(static_cast<qlonglong>(id));
    if (row < 0)
        return false;
    setCurrentIndex(row);
    return true;
}

int64_t DatasetCombo::selectedId() const {
    return currentIndex() >= 0 ? currentData().toLongLong() : -1;
}

}  // namespace tiltbench
