#include "pages/explorer/explorer_items_model.h"

#include <utility>

#include "shared/formatting.h"
#include "shared/glossary.h"

namespace tiltbench {

namespace {
// Shares of one item in thousands are tiny fractions; percent with significant digits stays readable.
QString formatShare(double share) {
    return share == 0.0 ? QStringLiteral("0 %")
                        : QString::number(100.0 * share, 'g', 3) + QStringLiteral(" %");
}
QString formatChange(double change) {
    if (change == 0.0) {
        return QStringLiteral("0 pp");
    }
    return (change > 0 ? QStringLiteral("+") : QString()) + QString::number(100.0 * change, 'g', 3) +
           QStringLiteral(" pp");
}
}  // namespace

ExplorerItemsModel::ExplorerItemsModel(QObject* parent) : QAbstractTableModel(parent) {}

void ExplorerItemsModel::setData(std::vector<QString> titles, std::vector<int64_t> counts,
                                 std::vector<double> meanRewards, std::vector<double> uniformShares) {
    beginResetModel();
    m_titles = std::move(titles);
    m_counts = std::move(counts);
    m_meanRewards = std::move(meanRewards);
    m_uniformShares = std::move(uniformShares);
    const size_t n = m_titles.size();
    m_counts.resize(n, 0);
    m_meanRewards.resize(n, 0.0);
    m_uniformShares.resize(n, 0.0);
    m_shares = m_uniformShares;
    endResetModel();
}

void ExplorerItemsModel::clear() {
    setData({}, {}, {}, {});
}

void ExplorerItemsModel::setShares(const std::vector<double>& shares) {
    if (shares.size() != m_shares.size() || shares.empty()) {
        return;
    }
    m_shares = shares;
    Q_EMIT dataChanged(index(0, Share), index(rowCount() - 1, Change));
}

double ExplorerItemsModel::shareAt(int row) const {
    return row >= 0 && row < rowCount() ? m_shares[static_cast<size_t>(row)] : 0.0;
}

double ExplorerItemsModel::changeAt(int row) const {
    return row >= 0 && row < rowCount()
               ? m_shares[static_cast<size_t>(row)] - m_uniformShares[static_cast<size_t>(row)]
               : 0.0;
}

int ExplorerItemsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_titles.size());
}

int ExplorerItemsModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QVariant ExplorerItemsModel::sortValue(size_t row, int column) const {
    switch (column) {
        case Title:
            return m_titles[row];
        case Count:
            return static_cast<qlonglong>(m_counts[row]);
        case MeanReward:
            return m_meanRewards[row];
        case Share:
            return m_shares[row];
        case Change:
            return m_shares[row] - m_uniformShares[row];
        default:
            return {};
    }
}

QVariant ExplorerItemsModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const auto row = static_cast<size_t>(index.row());
    switch (role) {
        case Qt::DisplayRole:
            switch (index.column()) {
                case Title:
                    return m_titles[row];
                case Count:
                    return formatCount(m_counts[row]);
                case MeanReward:
                    return m_counts[row] > 0 ? formatReal(m_meanRewards[row], 3) : QStringLiteral("–");
                case Share:
                    return formatShare(m_shares[row]);
                case Change:
                    return formatChange(m_shares[row] - m_uniformShares[row]);
                default:
                    return {};
            }
        case SortRole:
            return sortValue(row, index.column());
        case ItemIdRole:
            return index.row();
        case Qt::ToolTipRole:
            if (index.column() == Share || index.column() == Change) {
                const double u = m_uniformShares[row];
                return u > 0.0 ? tr("uniform share %1, ×%2 at this λ")
                                     .arg(formatShare(u), formatReal(m_shares[row] / u, 3))
                               : tr("no training targets");
            }
            return index.column() == Title ? m_titles[row] : QVariant();
        case Qt::TextAlignmentRole:
            return QVariant::fromValue(index.column() == Title
                                           ? Qt::Alignment(Qt::AlignLeft | Qt::AlignVCenter)
                                           : Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        default:
            return {};
    }
}

QVariant ExplorerItemsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole) {
        switch (section) {
            case Count:
                return glossaryTip(QStringLiteral("count"));
            case MeanReward:
                return tr("The item's mean logged reward over its training targets");
            case Share:
                return glossaryTip(QStringLiteral("share"));
            case Change:
                return tr(
                    "Share at λ minus the share when every example weighs the same, in percentage points "
                    "(pp: 1 % → 3 % is +2 pp)");
            default:
                return {};
        }
    }
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= NUM_COLUMNS) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (static_cast<Columns>(section)) {
        case Title:
            return tr("Item");
        case Count:
            return tr("Count");
        case MeanReward:
            return tr("Mean reward");
        case Share:
            return tr("Share at λ");
        case Change:
            return tr("Change vs uniform");
        default:
            return {};
    }
}

}  // namespace tiltbench
