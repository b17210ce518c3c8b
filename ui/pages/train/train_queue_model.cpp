#include "pages/train/train_queue_model.h"

#include <QBrush>
#include <QColor>

#include "pages/train/train_queue.h"

namespace tiltbench {

TrainQueueModel::TrainQueueModel(TrainQueue* queue, QObject* parent)
    : QAbstractTableModel(parent), m_queue(queue) {
    connect(queue, &TrainQueue::aboutToAddEntry, this, [this](int row) { beginInsertRows({}, row, row); });
    connect(queue, &TrainQueue::entryAdded, this, [this] { endInsertRows(); });
    connect(queue, &TrainQueue::entryChanged, this,
            [this](int row) { Q_EMIT dataChanged(index(row, 0), index(row, NUM_COLUMNS - 1)); });
    connect(queue, &TrainQueue::aboutToResetEntries, this, [this] { beginResetModel(); });
    connect(queue, &TrainQueue::entriesReset, this, [this] { endResetModel(); });
}

int TrainQueueModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_queue->entries().size());
}

int TrainQueueModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QVariant TrainQueueModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const QueueEntry& e = m_queue->entries()[static_cast<size_t>(index.row())];
    switch (role) {
        case EntryIdRole:
            return e.id;
        case StatusRole:
            return static_cast<int>(e.status);
        case FractionRole:
            return e.fraction;
        case Qt::DisplayRole:
            switch (index.column()) {
                case Number:
                    return e.id;
                case Dataset:
                    return e.request.resumeRunId ? QStringLiteral("—") : e.request.datasetName();
                case Model:
                    return e.request.resumeRunId ? tr("resume run %1").arg(*e.request.resumeRunId)
                                                 : e.request.modelName();
                case Weighting:
                    return e.request.resumeRunId ? QString() : e.request.weightingText();
                case Status:
                    return queueStatusText(e.status);
                case Progress:
                    return e.progressText;
                case Run:
                    return e.runId > 0 ? QVariant(e.runId) : QVariant(QStringLiteral("—"));
                default:
                    return {};
            }
        case Qt::ToolTipRole:
            if (e.status == QueueEntry::Failed) {
                return e.error;
            }
            return e.progressText.isEmpty() ? QVariant() : QVariant(e.progressText);
        case Qt::ForegroundRole:
            if (index.column() == Status || index.column() == Progress) {
                switch (e.status) {
                    case QueueEntry::Failed:
                        return QBrush(QColor(180, 30, 30));
                    case QueueEntry::Cancelled:
                        return QBrush(QColor(140, 100, 0));
                    case QueueEntry::Done:
                        return QBrush(QColor(30, 120, 40));
                    default:
                        break;
                }
            }
            return {};
        case Qt::TextAlignmentRole:
            if (index.column() == Number || index.column() == Run) {
                return QVariant(Qt::AlignRight | Qt::AlignVCenter);
            }
            return {};
        default:
            return {};
    }
}

QVariant TrainQueueModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
        case Number:
            return tr("#");
        case Dataset:
            return tr("Dataset");
        case Model:
            return tr("Model");
        case Weighting:
            return tr("Weighting");
        case Status:
            return tr("Status");
        case Progress:
            return tr("Progress");
        case Run:
            return tr("Run");
        default:
            return {};
    }
}

}  // namespace tiltbench
