#include "pages/compare/group_table_model.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <cmath>

namespace tiltbench {

namespace {
QString number(double v, int digits) {
    return std::isfinite(v) ? QString::number(v, 'f', digits) : QStringLiteral("–");
}
QString signedNumber(double v, int digits) {
    return std::isfinite(v) ? QString::asprintf("%+.*f", digits, v) : QStringLiteral("–");
}
int digitsOf(const std::string& metric) {
    return metric.rfind("arp", 0) == 0 ? 1 : 4;
}
bool established(const SeededDifference& d) {
    return std::isfinite(d.lo) && std::isfinite(d.hi) && (d.lo > 0.0 || d.hi < 0.0) && d.seedsAgree();
}
}  // namespace

GroupTableModel::GroupTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void GroupTableModel::setTable(GroupTable table) {
    beginResetModel();
    m_table = std::move(table);
    endResetModel();
}

const GroupRow* GroupTableModel::rowAt(int row) const {
    return row >= 0 && row < rowCount() ? &m_table.rows[static_cast<size_t>(row)] : nullptr;
}

int GroupTableModel::rowOfKey(const QString& key) const {
    for (size_t i = 0; i < m_table.rows.size(); ++i) {
        if (m_table.rows[i].key == key) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

int GroupTableModel::columnOfMetric(const std::string& metric) const {
    for (size_t i = 0; i < m_table.metrics.size(); ++i) {
        if (m_table.metrics[i] == metric) {
            return NUM_FIXED + static_cast<int>(i);
        }
    }
    return -1;
}

int GroupTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_table.rows.size());
}

int GroupTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : NUM_FIXED + static_cast<int>(m_table.metrics.size());
}

QVariant GroupTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
        case ConfigurationColumn:
            return tr("Configuration");
        case ModelColumn:
            return tr("Model");
        case ExperimentColumn:
            return tr("Experiment");
        case SeedsColumn:
            return tr("Seeds");
        case RunsColumn:
            return tr("Runs");
        default:
            break;
    }
    const auto m = static_cast<size_t>(section - NUM_FIXED);
    if (m >= m_table.metrics.size()) {
        return {};
    }
    return QString::fromStdString(m_table.metrics[m]);
}

QVariant GroupTableModel::data(const QModelIndex& index, int role) const {
    const GroupRow* row = rowAt(index.row());
    if (!row || index.column() < 0 || index.column() >= columnCount()) {
        return {};
    }
    const bool isBaseline = !m_table.baselineKey.isEmpty() && row->key == m_table.baselineKey;
    if (role == KeyRole) {
        return row->key;
    }
    if (role == Qt::FontRole && isBaseline) {
        QFont f;
        f.setBold(true);
        return f;
    }
    if (index.column() < NUM_FIXED) {
        if (role != Qt::DisplayRole && role != SortRole) {
            return {};
        }
        switch (index.column()) {
            case ConfigurationColumn:
                return isBaseline ? row->label + tr(" (baseline)") : row->label;
            case ModelColumn:
                return row->model;
            case ExperimentColumn:
                return row->experimentLabel;
            case SeedsColumn:
                return role == SortRole ? QVariant(row->seeds.size()) : QVariant(row->seeds.size());
            case RunsColumn: {
                QStringList ids;
                for (const qint64 id : row->runIds) {
                    ids << QString::number(id);
                }
                return ids.join(QStringLiteral(", "));
            }
            default:
                return {};
        }
    }
    const std::string& metric = m_table.metrics[static_cast<size_t>(index.column() - NUM_FIXED)];
    const int digits = digitsOf(metric);
    const auto mean = row->means.find(metric);
    const auto diff = row->diffs.find(metric);
    const bool showDiff = !m_table.baselineKey.isEmpty() && !isBaseline && diff != row->diffs.end();
    if (role == Qt::DisplayRole || role == SortRole) {
        if (showDiff) {
            // Marked per cell: rows of other experiments (not comparable with the pinned one) keep their
            // means.
            return role == SortRole
                       ? QVariant(diff->second.diff)
                       : QVariant(QStringLiteral("Δ ") + signedNumber(diff->second.diff, digits));
        }
        if (mean == row->means.end()) {
            return role == SortRole ? QVariant() : QVariant(QStringLiteral("–"));
        }
        return role == SortRole ? QVariant(mean->second.diff) : QVariant(number(mean->second.diff, digits));
    }
    if (role == Qt::ToolTipRole) {
        if (showDiff) {
            const SeededDifference& d = diff->second;
            return tr("%1 − baseline over %n shared seed(s): %2 [%3, %4] (95 %, two-level bootstrap)",
                      nullptr, d.seeds)
                .arg(QString::fromStdString(metric), signedNumber(d.diff, digits), signedNumber(d.lo, digits),
                     signedNumber(d.hi, digits));
        }
        if (mean != row->means.end()) {
            const SeededDifference& m = mean->second;
            return tr("mean over %n seed(s): %1 [%2, %3] (95 %, two-level bootstrap over seeds and users)",
                      nullptr, m.seeds)
                .arg(number(m.diff, digits), number(m.lo, digits), number(m.hi, digits));
        }
        return {};
    }
    if (role == Qt::ForegroundRole && showDiff && established(diff->second)) {
        const bool better = (diff->second.diff > 0) != (metric.rfind("arp", 0) == 0);  // less popularity bias
        return QBrush(better ? QColor(20, 120, 40) : QColor(180, 30, 30));
    }
    if (role == Qt::TextAlignmentRole) {
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

}  // namespace tiltbench
