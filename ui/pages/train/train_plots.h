#pragma once
// TrainPlots: the running SASRec run's learning curves on the Train page — the training loss as the trainer
// reports it after each batch (the running mean over the epoch's batches so far: a per-step curve smoothed
// within the epoch, drawn as one segment per epoch because it restarts with each epoch) with each finished
// epoch's mean loss as a joined marker, and validation NDCG@10 after each epoch. The x axis is epochs
// (2.5 = half-way through epoch 3).
#include <QWidget>

#include "pages/train/train_events.h"

class QCPGraph;

namespace tiltbench {

class PlotWidget;

class TrainPlots : public QWidget {
    Q_OBJECT
  public:
    explicit TrainPlots(QWidget* parent = nullptr);

    void clear(const QString& message);
    void startRun(int epochs);
    void addProgress(const TrainProgressEvent& event);
    void addEpoch(const TrainEpochEvent& event);

    PlotWidget* lossPlot() const { return m_loss; }
    PlotWidget* validPlot() const { return m_valid; }
    QCPGraph* lossGraph() const { return m_lossGraph; }
    QCPGraph* epochLossGraph() const { return m_epochLossGraph; }
    QCPGraph* validGraph() const { return m_validGraph; }

  private:
    void rescale();

    PlotWidget* m_loss;
    PlotWidget* m_valid;
    QCPGraph* m_lossGraph = nullptr;
    QCPGraph* m_epochLossGraph = nullptr;
    QCPGraph* m_validGraph = nullptr;
    int m_epochs = 0;
    int m_lastEpoch = 0;  // of the last loss point: a new epoch starts a new segment
};

}  // namespace tiltbench
