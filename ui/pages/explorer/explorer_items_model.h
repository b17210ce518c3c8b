#pragma once
// ExplorerItemsModel: the λ Explorer's items table — one row per catalogue item with its title, training
// count and mean reward (fixed per dataset, set with a model reset) and its weight share at the current λ
// and change against the uniform share (λ = ∞), which setShares() replaces with a dataChanged over those two
// columns only, so a sorted proxy re-sorts and the view keeps its selection while the slider moves.
// Qt::DisplayRole is formatted text; SortRole the raw number; ItemIdRole the dense item id.
#include <QAbstractTableModel>
#include <QString>
#include <cstdint>
#include <vector>

namespace tiltbench {

class ExplorerItemsModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Columns { Title, Count, MeanReward, Share, Change, NUM_COLUMNS };
    enum Roles { SortRole = Qt::UserRole + 1, ItemIdRole };

    explicit ExplorerItemsModel(QObject* parent = nullptr);

    // All vectors have one entry per item. Shares start at the uniform ones.
    using QAbstractTableModel::setData;
    void setData(std::vector<QString> titles, std::vector<int64_t> counts, std::vector<double> meanRewards,
                 std::vector<double> uniformShares);
    void clear();
    // One share per item (ignored when the size does not match).
    void setShares(const std::vector<double>& shares);

    double shareAt(int row) const;
    double changeAt(int row) const;
    int32_t itemAt(int row) const { return row; }  // rows are dense item ids

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  private:
    QVariant sortValue(size_t row, int column) const;

    std::vector<QString> m_titles;
    std::vector<int64_t> m_counts;
    std::vector<double> m_meanRewards;
    std::vector<double> m_uniformShares;
    std::vector<double> m_shares;
};

}  // namespace tiltbench
