#pragma once
// TrainPlots: the running SASRec run's learning curves on the Train page — the training loss as the trainer
// reports it after each batch (the running mean over the epoch's batches so far: a per-step curve smoothed
// within the epoch, drawn as one segment per epoch because it restarts with each epoch) with each finished
// epoch's mean loss as a joined marker, and validation NDCG@10 after each epoch. The x axis is epochs
// (2.5 = half-way through epoch 3). A post-training run adds a third plot, over-optimisation made visible:
// per epoch the reward model's score of the top-10 (proxy), the simulator's true reward of it, and the KL to
// the parent on the right axis; it is hidden for runs that report none of them.
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
    // `lossLabel`: the loss's name on the y axis (default: the weighted cross-entropy).
    void startRun(int epochs, const QString& lossLabel = {});
    void addProgress(const TrainProgressEvent& event);
    void addEpoch(const TrainEpochEvent& event);

    PlotWidget* lossPlot() const { return m_loss; }
    PlotWidget* validPlot() const { return m_valid; }
    QCPGraph* lossGraph() const { return m_lossGraph; }
    QCPGraph* epochLossGraph() const { return m_epochLossGraph; }
    QCPGraph* validGraph() const { return m_validGraph; }
    PlotWidget* rewardPlot() const { return m_reward; }
    QCPGraph* proxyGraph() const { return m_rewards.proxy; }
    QCPGraph* trueGraph() const { return m_rewards.truth; }
    QCPGraph* klGraph() const { return m_rewards.kl; }

  private:
    void rescale();

    PlotWidget* m_loss;
    PlotWidget* m_valid;
    PlotWidget* m_reward;
    QCPGraph* m_lossGraph = nullptr;
    // The reward plot's curves (proxy and true reward on the left axis, KL on the right).
    struct {
        QCPGraph* proxy = nullptr;
        QCPGraph* truth = nullptr;
        QCPGraph* kl = nullptr;
    } m_rewards;
    QCPGraph* m_epochLossGraph = nullptr;
    QCPGraph* m_validGraph = nullptr;
    int m_epochs = 0;
    int m_lastEpoch = 0;  // of the last loss point: a new epoch starts a new segment
};

}  // namespace tiltbench
