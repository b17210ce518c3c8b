#include "pages/compare/run_table_model.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <cmath>

#include "shared/csv_export.h"
#include "shared/formatting.h"
#include "shared/glossary.h"

namespace tiltbench {

namespace {
const char* const kFixedKeys[] = {"run",    "model",  "scheme", "lambda",
                                  "status", "device", "epochs", "epoch_seconds"};

QString signedReal(double v) {
    const QString text = formatReal(v, 3);
    return v > 0.0 ? QStringLiteral("+") + text : text;
}

QVariant number(double v) {
    return std::isfinite(v) ? QVariant(v) : QVariant();
}

QString intervalText(double lo, double hi, bool signedValues) {
    if (!std::isfinite(lo) || !std::isfinite(hi)) {
        return {};
    }
    return signedValues ? QStringLiteral("[%1, %2]").arg(signedReal(lo), signedReal(hi))
                        : QStringLiteral("[%1, %2]").arg(formatReal(lo, 4), formatReal(hi, 4));
}
}  // namespace

RunTableModel::RunTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void RunTableModel::setRuns(std::vector<CompareRun> runs, const QString& split) {
    beginResetModel();
    m_runs = std::move(runs);
    m_split = split;
    m_metrics = orderedMetricNames(m_runs, m_split);
    if (m_baseline != 0 && !runById(m_baseline)) {
        m_baseline = 0;
    }
    m_hasComparisons = false;
    m_comparisons.clear();
    m_comparisonErrors.clear();
    endResetModel();
}

void RunTableModel::setSplit(const QString& split) {
    beginResetModel();
    m_split = split;
    m_metrics = orderedMetricNames(m_runs, m_split);
    m_hasComparisons = false;
    m_comparisons.clear();
    m_comparisonErrors.clear();
    endResetModel();
}

void RunTableModel::clear() {
    setRuns({}, m_split);
}

void RunTableModel::setBaseline(qint64 baselineId) {
    m_baseline = runById(baselineId) ? baselineId : 0;
    m_hasComparisons = false;
    m_comparisons.clear();
    m_comparisonErrors.clear();
    if (!m_runs.empty()) {
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
    }
    Q_EMIT headerDataChanged(Qt::Horizontal, 0, columnCount() - 1);
}

void RunTableModel::setComparisons(qint64 baselineId, const QHash<qint64, RunComparison>& comparisons,
                                   const QHash<qint64, QString>& errors) {
    if (baselineId != m_baseline) {
        return;  // a late answer for a baseline no longer pinned
    }
    m_comparisons = comparisons;
    m_comparisonErrors = errors;
    m_hasComparisons = true;
    if (!m_runs.empty()) {
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
    }
}

void RunTableModel::clearBaseline() {
    setBaseline(0);
}

const CompareRun* RunTableModel::runAt(int row) const {
    return row >= 0 && row < rowCount() ? &m_runs[static_cast<size_t>(row)] : nullptr;
}

const CompareRun* RunTableModel::runById(qint64 id) const {
    const int row = rowOfRun(id);
    return row >= 0 ? &m_runs[static_cast<size_t>(row)] : nullptr;
}

int RunTableModel::rowOfRun(qint64 id) const {
    for (size_t r = 0; r < m_runs.size(); ++r) {
        if (m_runs[r].id() == id) {
            return static_cast<int>(r);
        }
    }
    return -1;
}

QString RunTableModel::columnKey(int column) const {
    if (column >= 0 && column < NUM_FIXED_COLUMNS) {
        return QLatin1String(kFixedKeys[column]);
    }
    const int m = column - NUM_FIXED_COLUMNS;
    return m >= 0 && m < static_cast<int>(m_metrics.size())
               ? QString::fromStdString(m_metrics[static_cast<size_t>(m)])
               : QString();
}

int RunTableModel::columnOfKey(const QString& key) const {
    for (int c = 0; c < columnCount(); ++c) {
        if (columnKey(c) == key) {
            return c;
        }
    }
    return -1;
}

int RunTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_runs.size());
}

int RunTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : NUM_FIXED_COLUMNS + static_cast<int>(m_metrics.size());
}

QVariant RunTableModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const CompareRun& run = m_runs[static_cast<size_t>(index.row())];
    if (role == RunIdRole) {
        return run.id();
    }
    if (role == kCsvFieldsRole) {
        return csvFields(run, index.column());
    }
    if (index.column() < NUM_FIXED_COLUMNS) {
        return fixedData(run, index.column(), role);
    }
    return metricData(run, m_metrics[static_cast<size_t>(index.column() - NUM_FIXED_COLUMNS)], role);
}

QVariant RunTableModel::fixedData(const CompareRun& run, int column, int role) const {
    const bool isBaseline = m_baseline != 0 && run.id() == m_baseline;
    if (role == Qt::FontRole && isBaseline) {
        QFont f;
        f.setBold(true);
        return f;
    }
    if (role == Qt::TextAlignmentRole) {
        switch (column) {
            case RunColumn:
            case LambdaColumn:
            case EpochsColumn:
            case EpochSecondsColumn:
                return QVariant(Qt::AlignRight | Qt::AlignVCenter);
            default:
                return {};
        }
    }
    if (role == Qt::ForegroundRole && column == StatusColumn) {
        const std::string& s = run.record.status;
        if (s == "failed") {
            return QBrush(QColor(180, 30, 30));
        }
        if (s == "cancelled" || s == "interrupted") {
            return QBrush(QColor(140, 100, 0));
        }
        if (s == "running") {
            return QBrush(QColor(20, 90, 170));
        }
        return {};
    }
    if (role == Qt::ToolTipRole) {
        if (column == StatusColumn && !run.record.error.empty()) {
            return QString::fromStdString(run.record.error);
        }
        if (column == RunColumn || column == ModelColumn) {
            return tr("%1\ncreated %2")
                .arg(run.label(), formatIsoDateTime(QString::fromStdString(run.record.createdAt)));
        }
        if (column == SchemeColumn && run.hasScheme) {
            return QString::fromStdString(run.scheme.describe());
        }
        return {};
    }
    if (role != Qt::DisplayRole && role != SortRole) {
        return {};
    }
    const bool sort = role == SortRole;
    switch (column) {
        case RunColumn:
            return isBaseline && !sort ? tr("%1 (baseline)").arg(run.id()) : QVariant(run.id());
        case ModelColumn:
            return run.model;
        case SchemeColumn:
            return run.schemeName();
        case LambdaColumn:
            if (sort) {
                // ∞ sorts above every finite λ; linear and filter have none.
                return std::isnan(run.lambda) ? QVariant()
                                              : QVariant(std::isinf(run.lambda) ? 1e300 : run.lambda);
            }
            return run.lambdaText();
        case StatusColumn:
            return QString::fromStdString(run.record.status);
        case DeviceColumn:
            return run.device;
        case EpochsColumn:
            return run.isSasrec() ? QVariant(run.epochsRun)
                                  : (sort ? QVariant() : QVariant(QStringLiteral("—")));
        case EpochSecondsColumn:
            if (sort) {
                return number(run.meanEpochSeconds);
            }
            return std::isfinite(run.meanEpochSeconds) ? formatReal(run.meanEpochSeconds, 3)
                                                       : QStringLiteral("—");
        default:
            return {};
    }
}

namespace {
// A number for a data frame: full precision, `inf` / `-inf`, empty for none.
QString csvNumber(double v) {
    if (std::isnan(v))
        return {};
    if (std::isinf(v))
        return v > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
    return QString::number(v, 'g', 17);
}
}  // namespace

QStringList RunTableModel::csvFieldNames(int column) const {
    switch (column) {
        case RunColumn:
            return {QStringLiteral("run"), QStringLiteral("baseline")};
        case ModelColumn:
            return {QStringLiteral("model")};
        case SchemeColumn:
            return {QStringLiteral("scheme")};
        case LambdaColumn:
            return {QStringLiteral("lambda")};
        case StatusColumn:
            return {QStringLiteral("status")};
        case DeviceColumn:
            return {QStringLiteral("device")};
        case EpochsColumn:
            return {QStringLiteral("epochs")};
        case EpochSecondsColumn:
            return {QStringLiteral("epoch_seconds")};
        default: {
            const QString name = columnKey(column);
            QStringList out{name, name + QStringLiteral("_lo"), name + QStringLiteral("_hi")};
            if (m_baseline != 0)  // the paired difference from the baseline, for the other runs
                out << QStringLiteral("delta_") + name
                    << QStringLiteral("delta_") + name + QStringLiteral("_lo")
                    << QStringLiteral("delta_") + name + QStringLiteral("_hi");
            return out;
        }
    }
}

QStringList RunTableModel::csvFields(const CompareRun& run, int column) const {
    switch (column) {
        case RunColumn:
            return {QString::number(run.id()),
                    m_baseline != 0 && run.id() == m_baseline ? QStringLiteral("1") : QStringLiteral("0")};
        case ModelColumn:
            return {run.model};
        case SchemeColumn:
            return {run.schemeName()};
        case LambdaColumn:
            return {csvNumber(run.lambda)};
        case StatusColumn:
            return {QString::fromStdString(run.record.status)};
        case DeviceColumn:
            return {run.device};
        case EpochsColumn:
            return {run.isSasrec() ? QString::number(run.epochsRun) : QString()};
        case EpochSecondsColumn:
            return {csvNumber(run.meanEpochSeconds)};
        default:
            break;
    }
    const std::string name = m_metrics[static_cast<size_t>(column - NUM_FIXED_COLUMNS)];
    const RunMetric m = run.metric(m_split, name);
    QStringList out{csvNumber(m.value), csvNumber(m.lo), csvNumber(m.hi)};
    if (m_baseline != 0) {
        const auto it = m_comparisons.constFind(run.id());
        const MetricDifference* d =
            run.id() != m_baseline && m_hasComparisons && it != m_comparisons.constEnd() ? it->find(name)
                                                                                         : nullptr;
        out << (d ? csvNumber(d->diff) : QString()) << (d ? csvNumber(d->lo) : QString())
            << (d ? csvNumber(d->hi) : QString());
    }
    return out;
}

QVariant RunTableModel::metricData(const CompareRun& run, const std::string& name, int role) const {
    const RunMetric m = run.metric(m_split, name);
    const bool differences = m_baseline != 0 && run.id() != m_baseline;
    const bool isBaseline = m_baseline != 0 && run.id() == m_baseline;
    if (role == Qt::TextAlignmentRole) {
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role == Qt::FontRole && isBaseline) {
        QFont f;
        f.setBold(true);
        return f;
    }
    if (!differences) {
        switch (role) {
            case Qt::DisplayRole:
                return std::isfinite(m.value) ? formatReal(m.value, 4) : QString();
            case SortRole:
                return number(m.value);
            case Qt::ToolTipRole: {
                if (!std::isfinite(m.value)) {
                    return {};
                }
                const QString interval = intervalText(m.lo, m.hi, false);
                return interval.isEmpty() ? tr("%1 = %2 (no interval: a list-level aggregate)")
                                                .arg(metricLabel(name), formatReal(m.value, 6))
                                          : tr("%1 = %2, 95 % interval %3")
                                                .arg(metricLabel(name), formatReal(m.value, 6), interval);
            }
            default:
                return {};
        }
    }
    if (!m_hasComparisons) {
        return role == Qt::DisplayRole ? QVariant(QStringLiteral("…")) : QVariant();
    }
    if (m_comparisonErrors.contains(run.id())) {
        if (role == Qt::DisplayRole) {
            return tr("n/a");
        }
        return role == Qt::ToolTipRole ? QVariant(m_comparisonErrors.value(run.id())) : QVariant();
    }
    const auto it = m_comparisons.constFind(run.id());
    const MetricDifference* d = it != m_comparisons.constEnd() ? it->find(name) : nullptr;
    if (!d || !std::isfinite(d->diff)) {
        return {};
    }
    const bool hasInterval = std::isfinite(d->lo) && std::isfinite(d->hi);
    switch (role) {
        case Qt::DisplayRole:
            return hasInterval
                       ? QStringLiteral("%1 %2").arg(signedReal(d->diff), intervalText(d->lo, d->hi, true))
                       : signedReal(d->diff);
        case SortRole:
            return d->diff;
        case Qt::ForegroundRole:
            // An interval that excludes 0 is a difference the users' resampling supports.
            if (hasInterval && d->lo > 0.0) {
                return QBrush(QColor(20, 120, 40));
            }
            if (hasInterval && d->hi < 0.0) {
                return QBrush(QColor(180, 30, 30));
            }
            return {};
        case Qt::ToolTipRole:
            return hasInterval ? tr("%1: %2 − baseline %3 = %4, paired 95 % interval %5 over %6 users")
                                     .arg(metricLabel(name), formatReal(d->a, 5), formatReal(d->b, 5),
                                          signedReal(d->diff), intervalText(d->lo, d->hi, true))
                                     .arg(d->users)
                               : tr("%1: %2 − baseline %3 = %4 (list-level aggregate: no interval)")
                                     .arg(metricLabel(name), formatReal(d->a, 5), formatReal(d->b, 5),
                                          signedReal(d->diff));
        default:
            return {};
    }
}

QVariant RunTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount()) {
        return {};
    }
    if (role == ColumnKeyRole) {
        return columnKey(section);
    }
    if (role == kCsvFieldsRole) {
        return csvFieldNames(section);
    }
    if (role == Qt::ToolTipRole && section >= NUM_FIXED_COLUMNS) {
        const QString split = m_split == QStringLiteral("test") ? tr("test") : tr("validation");
        const QString what = glossaryText(columnKey(section));
        const QString head =
            m_baseline != 0
                ? tr("%1 on the %2 targets: difference from baseline run %3 [paired 95 % interval]")
                      .arg(metricLabel(columnKey(section).toStdString()), split)
                      .arg(m_baseline)
                : tr("%1 on the %2 targets (hover a cell for its 95 % interval)")
                      .arg(metricLabel(columnKey(section).toStdString()), split);
        return what.isEmpty() ? head : head + QStringLiteral("\n\n") + what;
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
            case SchemeColumn:
                return tr(
                    "The training weight: exp, uniform (SFT), linear or filter; Help → The method and its "
                    "words explains each");
            case LambdaColumn:
                return glossaryTip(QStringLiteral("lambda"));
            case EpochSecondsColumn:
                return glossaryTip(QStringLiteral("epoch_s"));
            default:
                return {};
        }
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
        case RunColumn:
            return tr("Run");
        case ModelColumn:
            return tr("Model");
        case SchemeColumn:
            return tr("Scheme");
        case LambdaColumn:
            return tr("λ");
        case StatusColumn:
            return tr("Status");
        case DeviceColumn:
            return tr("Device");
        case EpochsColumn:
            return tr("Epochs");
        case EpochSecondsColumn:
            return tr("Epoch s");
        default: {
            const QString label = metricLabel(columnKey(section).toStdString());
            return m_baseline != 0 ? QStringLiteral("Δ ") + label : label;
        }
    }
}

}  // namespace tiltbench
