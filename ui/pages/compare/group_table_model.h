#pragma once
// GroupTableModel: the Compare page's "group seeds" table — one row per configuration of an experiment (runs
// that differ only in seed; core/report/run_groups.h), each metric as its mean over seeds with the two-level
// 95 % interval in the tooltip; with a pinned baseline group, the paired difference against it over the seeds
// both have (green / red when the interval excludes 0 and the seeds agree, else plain).
#include <QAbstractTableModel>
#include <QList>
#include <QString>
#include <map>
#include <string>
#include <vector>

#include "eval/seeded_comparison.h"

namespace tiltbench {

struct GroupRow {
    QString key;  // experiment + weighting: stable across reloads
    QString label;
    QString model;
    QString experimentLabel;  // "experiment 2" (numbered by first run)
    QList<qint64> runIds;
    QList<quint64> seeds;
    std::map<std::string, SeededDifference> means;  // diff = the mean
    std::map<std::string, SeededDifference> diffs;  // against the baseline group (same experiment)
};

struct GroupTable {
    QString split;
    std::vector<std::string> metrics;
    std::vector<GroupRow> rows;
    QString baselineKey;  // empty: no baseline
};

class GroupTableModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Columns { ConfigurationColumn, ModelColumn, ExperimentColumn, SeedsColumn, RunsColumn, NUM_FIXED };
    enum Roles { KeyRole = Qt::UserRole + 1, SortRole };

    explicit GroupTableModel(QObject* parent = nullptr);
    void setTable(GroupTable table);
    const GroupTable& table() const { return m_table; }
    const GroupRow* rowAt(int row) const;
    int rowOfKey(const QString& key) const;
    int columnOfMetric(const std::string& metric) const;  // −1 when absent

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  private:
    GroupTable m_table;
};

}  // namespace tiltbench
