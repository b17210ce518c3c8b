#include "pages/data/dataset_list_model.h"

#include <utility>

#include "shared/formatting.h"

namespace tiltbench {

DatasetListModel::DatasetListModel(QObject* parent) : QAbstractTableModel(parent) {}

void DatasetListModel::setData(std::vector<DatasetInfo> datasets) {
    beginResetModel();
    m_datasets = std::move(datasets);
    endResetModel();
}

void DatasetListModel::clear() {
    setData({});
}

const DatasetInfo* DatasetListModel::datasetAt(int row) const {
    if (row < 0 || row >= static_cast<int>(m_datasets.size())) {
        return nullptr;
    }
    return &m_datasets[static_cast<size_t>(row)];
}

int DatasetListModel::rowOfId(int64_t id) const {
    for (size_t i = 0; i < m_datasets.size(); ++i) {
        if (m_datasets[i].id == id) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

int DatasetListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_datasets.size());
}

int DatasetListModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QVariant DatasetListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const DatasetInfo& d = m_datasets[static_cast<size_t>(index.row())];
    switch (role) {
        case Qt::DisplayRole:
            return display(d, index.column());
        case SortRole:
            return sortValue(d, index.column());
        case DatasetIdRole:
            return static_cast<qlonglong>(d.id);
        case Qt::ToolTipRole:
            return toolTip(d);
        case Qt::TextAlignmentRole:
            if (index.column() == Rows || index.column() == Users || index.column() == Items) {
                return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
            }
            return QVariant::fromValue(Qt::Alignment(Qt::AlignLeft | Qt::AlignVCenter));
        default:
            return {};
    }
}

QVariant DatasetListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= NUM_COLUMNS) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (static_cast<Columns>(section)) {
        case Name:
            return tr("Name");
        case Format:
            return tr("Format");
        case Rows:
            return tr("Rows");
        case Users:
            return tr("Users");
        case Items:
            return tr("Items");
        case RewardRange:
            return tr("Reward range");
        case Created:
            return tr("Created");
        case NUM_COLUMNS:
            break;
    }
    return {};
}

QVariant DatasetListModel::display(const DatasetInfo& d, int column) const {
    switch (static_cast<Columns>(column)) {
        case Name:
            return QString::fromStdString(d.name);
        case Format:
            return QString::fromStdString(d.format);
        case Rows:
            return formatCount(d.rows);
        case Users:
            return formatCount(d.users);
        case Items:
            return formatCount(d.items);
        case RewardRange:
            return formatRange(d.rewardMin, d.rewardMax);
        case Created:
            return formatIsoDateTime(QString::fromStdString(d.createdAt));
        case NUM_COLUMNS:
            break;
    }
    return {};
}

QVariant DatasetListModel::sortValue(const DatasetInfo& d, int column) const {
    switch (static_cast<Columns>(column)) {
        case Rows:
            return static_cast<qlonglong>(d.rows);
        case Users:
            return static_cast<qlonglong>(d.users);
        case Items:
            return static_cast<qlonglong>(d.items);
        case RewardRange:
            return d.rewardMax - d.rewardMin;
        case Created:
            return QString::fromStdString(d.createdAt);  // ISO 8601 sorts as text
        default:
            return display(d, column);
    }
}

QString DatasetListModel::toolTip(const DatasetInfo& d) const {
    QString tip = tr("%1: %2 rows, %3 users, %4 items, reward mean %5")
                      .arg(QString::fromStdString(d.name), formatCount(d.rows), formatCount(d.users),
                           formatCount(d.items), formatReal(d.rewardMean));
    if (d.randomTestRows > 0) {
        tip +=
            QLatin1Char('\n') + tr("Randomly exposed test set: %1 rows").arg(formatCount(d.randomTestRows));
    }
    if (d.hasTruth) {
        tip += QLatin1Char('\n') + tr("Ground truth stored (simulated)");
    }
    return tip;
}

}  // namespace tiltbench
