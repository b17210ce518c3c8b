#pragma once
// DatasetListModel: the workspace's dataset catalogue as a table (one row per dataset). Fed with the whole
// list by setData() — a model reset — because the catalogue is small and changes only after an import,
// a generate or a delete. Qt::DisplayRole is formatted text; SortRole gives raw values for a proxy.
#include <QAbstractTableModel>
#include <cstdint>
#include <vector>

#include "store/dataset_info.h"

namespace tiltbench {

class DatasetListModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Columns { Name, Format, Rows, Users, Items, RewardRange, Created, NUM_COLUMNS };
    enum Roles { SortRole = Qt::UserRole + 1, DatasetIdRole };

    explicit DatasetListModel(QObject* parent = nullptr);

    using QAbstractTableModel::setData;
    void setData(std::vector<DatasetInfo> datasets);
    void clear();

    const std::vector<DatasetInfo>& datasets() const { return m_datasets; }
    const DatasetInfo* datasetAt(int row) const;
    int rowOfId(int64_t id) const;  // -1 when absent

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  private:
    QVariant display(const DatasetInfo& d, int column) const;
    QVariant sortValue(const DatasetInfo& d, int column) const;
    QString toolTip(const DatasetInfo& d) const;

    std::vector<DatasetInfo> m_datasets;
};

}  // namespace tiltbench
