#include "widgets/dataset_combo.h"

#include <QComboBox>
#include <QSignalBlocker>
#include <exception>
#include <vector>

#include "store/workspace.h"

namespace tiltbench {

void refillDatasetCombo(QComboBox* combo, Workspace* workspace, int64_t keepId,
                        const std::function<void(const QString&)>& onError) {
    std::vector<DatasetInfo> datasets;
    try {
        if (workspace)
            datasets = workspace->datasets();
    } catch (const std::exception& e) {
        onError(QString::fromStdString(e.what()));
    }
    const QSignalBlocker block(combo);
    combo->clear();
    for (const DatasetInfo& d : datasets)
        combo->addItem(QString::fromStdString(d.name), static_cast<qlonglong>(d.id));
    const int row = combo->findData(static_cast<qlonglong>(keepId));
    combo->setCurrentIndex(row >= 0 ? row : (datasets.empty() ? -1 : 0));
}

}  // namespace tiltbench
