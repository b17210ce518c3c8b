#include "pages/data/import_preview_model.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <algorithm>
#include <utility>

namespace tiltbench {

ImportPreviewModel::ImportPreviewModel(QObject* parent) : QAbstractTableModel(parent) {}

void ImportPreviewModel::setPreview(ImportPreview preview) {
    beginResetModel();
    m_preview = std::move(preview);
    // Rows can be ragged (a bad row has too few or too many fields): show the widest.
    size_t columns = m_preview.columns.size();
    for (const auto& row : m_preview.rows) {
        columns = std::max(columns, row.size());
    }
    m_columns = static_cast<int>(columns);
    endResetModel();
}

void ImportPreviewModel::clear() {
    setPreview({});
}

QString ImportPreviewModel::roleOfColumn(int column) const {
    if (column < 0) {
        return {};
    }
    if (column == m_preview.userColumn) {
        return tr("user");
    }
    if (column == m_preview.itemColumn) {
        return tr("item");
    }
    if (column == m_preview.rewardColumn) {
        return tr("reward");
    }
    if (column == m_preview.timeColumn) {
        return tr("time");
    }
    return {};
}

int ImportPreviewModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_preview.rows.size());
}

int ImportPreviewModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : m_columns;
}

QVariant ImportPreviewModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const auto& row = m_preview.rows[static_cast<size_t>(index.row())];
    const auto col = static_cast<size_t>(index.column());
    switch (role) {
        case Qt::DisplayRole:
            return col < row.size() ? QString::fromStdString(row[col]) : QString();
        case Qt::BackgroundRole:
            if (!roleOfColumn(index.column()).isEmpty()) {
                return QBrush(QColor(225, 238, 252));
            }
            return {};
        case Qt::ForegroundRole:
            if (!roleOfColumn(index.column()).isEmpty()) {
                return QBrush(QColor(20, 20, 20));
            }
            return {};
        default:
            return {};
    }
}

QVariant ImportPreviewModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation == Qt::Vertical) {
        return role == Qt::DisplayRole ? QVariant(section + 1) : QVariant();
    }
    if (section < 0 || section >= m_columns) {
        return {};
    }
    const QString name = static_cast<size_t>(section) < m_preview.columns.size()
                             ? QString::fromStdString(m_preview.columns[static_cast<size_t>(section)])
                             : tr("column %1").arg(section);
    const QString use = roleOfColumn(section);
    switch (role) {
        case Qt::DisplayRole:
            return use.isEmpty() ? name : QStringLiteral("%1 → %2").arg(name, use);
        case Qt::FontRole:
            if (!use.isEmpty()) {
                QFont font;
                font.setBold(true);
                return font;
            }
            return {};
        case Qt::ToolTipRole:
            return use.isEmpty() ? tr("%1: not imported").arg(name) : tr("%1: imported as %2").arg(name, use);
        default:
            return {};
    }
}

}  // namespace tiltbench
