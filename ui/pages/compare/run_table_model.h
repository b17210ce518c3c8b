#pragma once
// RunTableModel: the Compare page's runs table — one row per run of the dataset with its λ, scheme, model,
// status, device, epochs and epoch time, then one column per final metric of the chosen split (test or
// validation), each with its stored 95 % interval in the tooltip. With a baseline pinned, every metric cell
// of the other runs shows the difference from the baseline with its paired bootstrap interval (computed in
// core by eval/run_comparison.h on a worker; see ComparePage); the baseline row keeps its own values.
// kCsvFieldsRole gives the CSV export numbers (value, low, high; with a baseline, the paired difference too).
// SortRole gives numbers for sorting (NaN and missing values as invalid, which Qt sorts after every number
// in ascending order).
#include <QAbstractTableModel>
#include <QHash>
#include <vector>

#include "eval/run_comparison.h"
#include "pages/compare/compare_data.h"

namespace tiltbench {

class RunTableModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum FixedColumns {
        RunColumn,
        ModelColumn,
        SchemeColumn,
        LambdaColumn,
        StatusColumn,
        DeviceColumn,
        EpochsColumn,
        EpochSecondsColumn,
        NUM_FIXED_COLUMNS
    };
    enum Roles { SortRole = Qt::UserRole + 1, RunIdRole, ColumnKeyRole };

    explicit RunTableModel(QObject* parent = nullptr);

    void setRuns(std::vector<CompareRun> runs, const QString& split);  // resets; drops the comparisons
    void setSplit(const QString& split);                               // resets
    void clear();
    // Shows differences from `baselineId`; comparisons arrive later through setComparisons.
    void setBaseline(qint64 baselineId);
    void setComparisons(qint64 baselineId, const QHash<qint64, RunComparison>& comparisons,
                        const QHash<qint64, QString>& errors);
    void clearBaseline();
    qint64 baselineId() const { return m_baseline; }
    bool hasComparisons() const { return m_hasComparisons; }

    const std::vector<CompareRun>& runs() const { return m_runs; }
    const CompareRun* runAt(int row) const;
    const CompareRun* runById(qint64 id) const;
    int rowOfRun(qint64 id) const;
    QString split() const { return m_split; }
    const std::vector<std::string>& metricNames() const { return m_metrics; }
    // "run", "model", …, or the metric name: what a column shows, stable across datasets (settings key).
    QString columnKey(int column) const;
    int columnOfKey(const QString& key) const;  // −1 when absent

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  private:
    QVariant fixedData(const CompareRun& run, int column, int role) const;
    QVariant metricData(const CompareRun& run, const std::string& name, int role) const;
    // The CSV export's numbers (shared/csv_export.h, kCsvFieldsRole).
    QStringList csvFieldNames(int column) const;
    QStringList csvFields(const CompareRun& run, int column) const;

    std::vector<CompareRun> m_runs;
    std::vector<std::string> m_metrics;
    QString m_split = QStringLiteral("test");
    qint64 m_baseline = 0;
    bool m_hasComparisons = false;
    QHash<qint64, RunComparison> m_comparisons;
    QHash<qint64, QString> m_comparisonErrors;
};

}  // namespace tiltbench
