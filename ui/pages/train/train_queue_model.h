#pragma once
// TrainQueueModel: the Train page's queue as a table — one row per queued run with its status (pending,
// running, done, failed with the error, cancelled), progress and run id. A view of TrainQueue, which owns the
// entries; rows follow its signals.
#include <QAbstractTableModel>

namespace tiltbench {

class TrainQueue;

class TrainQueueModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Columns { Number, Dataset, Model, Weighting, Status, Progress, Run, NUM_COLUMNS };
    enum Roles { EntryIdRole = Qt::UserRole + 1, StatusRole, FractionRole };

    explicit TrainQueueModel(TrainQueue* queue, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  private:
    TrainQueue* m_queue;
};

}  // namespace tiltbench
