#include "widgets/dataset_combo.h"

#include <QSignalBlocker>
#include <exception>
#include <vector>

#include "store/workspace.h"

namespace tiltbench {

DatasetCombo::DatasetCombo(QWidget* parent) : QComboBox(parent) {
    setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(this, &QComboBox::currentIndexChanged, this, [this] {
        setToolTip(currentIndex() >= 0 ? itemData(currentIndex(), Qt::ToolTipRole).toString() : QString());
    });
}

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
    for (const DatasetInfo& d : datasets) {
        const QString name = QString::fromStdString(d.name);
        const QString shown = name.size() <= kShownChars
                                  ? name
                                  : name.left(kShownChars - 21) + QStringLiteral(" … ") + name.right(18);
        addItem(shown, static_cast<qlonglong>(d.id));
        setItemData(count() - 1, name, Qt::ToolTipRole);
    }
    const int row = findData(static_cast<qlonglong>(keepId));
    setCurrentIndex(row >= 0 ? row : (datasets.empty() ? -1 : 0));
    setToolTip(currentIndex() >= 0 ? itemData(currentIndex(), Qt::ToolTipRole).toString() : QString());
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
