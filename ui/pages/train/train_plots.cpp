#include "pages/train/train_plots.h"

#include <QHBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "plots/palette.h"
#include "plots/plot_widget.h"

namespace tiltbench {

TrainPlots::TrainPlots(QWidget* parent)
    : QWidget(parent),
      m_loss(new PlotWidget(tr("Training loss"), this)),
      m_valid(new PlotWidget(tr("Validation NDCG@10"), this)),
      m_reward(new PlotWidget(tr("Reward of the top-10 and KL to the parent"), this)) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    layout->addWidget(m_loss);
    layout->addWidget(m_valid);
    layout->addWidget(m_reward);
    m_reward->xAxis->setLabel(tr("Epoch"));
    m_reward->yAxis->setLabel(tr("Mean reward of the top-10"));
    m_reward->yAxis2->setLabel(tr("KL(policy || parent)"));
    m_reward->yAxis2->setVisible(true);
    m_reward->setVisible(false);
    m_loss->xAxis->setLabel(tr("Epoch"));
    m_loss->yAxis->setLabel(tr("Weighted cross-entropy"));
    m_valid->xAxis->setLabel(tr("Epoch"));
    m_valid->yAxis->setLabel(tr("NDCG@10 (validation)"));
    clear(tr("Queue a SASRec or HSTU run to see its learning curves"));
}

void TrainPlots::clear(const QString& message) {
    for (PlotWidget* plot : {m_loss, m_valid, m_reward}) {
        plot->clearContent();
        plot->legend->setVisible(false);
        plot->setMessage(message);
    }
    m_reward->setVisible(false);
    m_lossGraph = m_epochLossGraph = m_validGraph = nullptr;
    m_rewards = {};
}

void TrainPlots::startRun(int epochs, const QString& lossLabel) {
    clear({});
    m_loss->yAxis->setLabel(lossLabel.isEmpty() ? tr("Weighted cross-entropy") : lossLabel);
    m_epochs = epochs;
    m_lastEpoch = 0;
    m_lossGraph = m_loss->addGraph();
    m_lossGraph->setName(tr("running mean within the epoch"));
    // Light: the joined epoch means carry the trend; the segments show the epoch under way.
    QColor segment = palette::kBlue;
    segment.setAlpha(150);
    m_lossGraph->setPen(QPen(segment, 1.2));
    m_epochLossGraph = m_loss->addGraph();
    m_epochLossGraph->setName(tr("epoch mean"));
    m_epochLossGraph->setPen(QPen(palette::kRed, 1.8));
    m_epochLossGraph->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssDisc, palette::kRed, palette::kRed, 7));
    m_validGraph = m_valid->addGraph();
    m_validGraph->setName(tr("validation NDCG@10"));
    m_validGraph->setPen(QPen(palette::kGreen, 1.5));
    m_validGraph->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssDisc, palette::kGreen, palette::kGreen, 7));
    auto marked = [](QCPGraph* g, const QString& name, const QColor& colour) {
        g->setName(name);
        g->setPen(QPen(colour, 1.5));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colour, colour, 6));
    };
    m_rewards.proxy = m_reward->addGraph();
    marked(m_rewards.proxy, tr("proxy: reward model"), palette::kOrange);
    m_rewards.truth = m_reward->addGraph();
    marked(m_rewards.truth, tr("true reward (simulator)"), palette::kGreen);
    m_rewards.kl = m_reward->addGraph(m_reward->xAxis, m_reward->yAxis2);
    marked(m_rewards.kl, tr("KL to the parent (right)"), palette::kPurple);
    m_reward->setLegendAbove(3);
    m_loss->setLegendAbove(3);
    m_loss->setMessage(tr("Waiting for the first batch…"));
    m_valid->setMessage(tr("Waiting for the first epoch…"));
    rescale();
}

void TrainPlots::addProgress(const TrainProgressEvent& e) {
    // Step 0 is reported before the epoch's first batch: its loss is not a measurement yet.
    if (!m_lossGraph || e.stage != QStringLiteral("training") || e.step <= 0 || e.stepsPerEpoch <= 0 ||
        !std::isfinite(e.loss)) {
        return;
    }
    const double x = e.epoch - 1 + static_cast<double>(e.step) / static_cast<double>(e.stepsPerEpoch);
    if (m_lastEpoch != 0 && e.epoch != m_lastEpoch) {
        // A NaN is a gap: the running mean restarts with each epoch and is not one continuous curve.
        m_lossGraph->addData(e.epoch - 1, std::numeric_limits<double>::quiet_NaN());
    }
    m_lastEpoch = e.epoch;
    m_lossGraph->addData(x, e.loss);
    m_epochs = std::max(m_epochs, e.epochs);
    m_loss->setMessage({});
    rescale();
}

void TrainPlots::addEpoch(const TrainEpochEvent& e) {
    if (!m_epochLossGraph) {
        return;
    }
    if (std::isfinite(e.trainLoss)) {
        m_epochLossGraph->addData(e.epoch, e.trainLoss);
        m_loss->setMessage({});
    }
    if (std::isfinite(e.validNdcg10)) {
        m_validGraph->addData(e.epoch, e.validNdcg10);
        m_valid->setMessage({});
    }
    bool reward = false;
    for (auto [graph, value] : {std::pair<QCPGraph*, double>{m_rewards.proxy, e.validProxyReward10},
                                {m_rewards.truth, e.validTrueReward10},
                                {m_rewards.kl, e.validKlRef}}) {
        if (std::isfinite(value)) {
            graph->addData(e.epoch, value);
            reward = true;
        }
    }
    if (reward) {
        m_reward->setVisible(true);
        m_reward->setMessage({});
    }
    rescale();
}

void TrainPlots::rescale() {
    // The x axis shows the whole planned run from the start, so the curve's progress reads at a glance.
    const double right = std::max(1, m_epochs);
    for (PlotWidget* plot : {m_loss, m_valid, m_reward}) {
        plot->xAxis->setRange(0.0, right + 0.2);
    }
    bool found = false;
    QCPRange loss = m_lossGraph ? m_lossGraph->getValueRange(found) : QCPRange();
    bool foundEpoch = false;
    const QCPRange epochLoss = m_epochLossGraph ? m_epochLossGraph->getValueRange(foundEpoch) : QCPRange();
    if (foundEpoch) {
        loss = found ? QCPRange(std::min(loss.lower, epochLoss.lower), std::max(loss.upper, epochLoss.upper))
                     : epochLoss;
        found = true;
    }
    if (found) {
        const double pad = std::max(0.05 * (loss.upper - loss.lower), 1e-3);
        m_loss->yAxis->setRange(loss.lower - pad, loss.upper + pad);
    }
    bool foundValid = false;
    const QCPRange valid = m_validGraph ? m_validGraph->getValueRange(foundValid) : QCPRange();
    if (foundValid) {
        const double pad = std::max(0.1 * (valid.upper - valid.lower), 0.005);
        m_valid->yAxis->setRange(std::max(0.0, valid.lower - pad), valid.upper + pad);
    }
    // The reward plot: both rewards share the left axis, the KL has the right one.
    bool foundProxy = false, foundTrue = false, foundKl = false;
    QCPRange rewards = m_rewards.proxy ? m_rewards.proxy->getValueRange(foundProxy) : QCPRange();
    const QCPRange truth = m_rewards.truth ? m_rewards.truth->getValueRange(foundTrue) : QCPRange();
    if (foundTrue)
        rewards = foundProxy
                      ? QCPRange(std::min(rewards.lower, truth.lower), std::max(rewards.upper, truth.upper))
                      : truth;
    if (foundProxy || foundTrue) {
        const double pad = std::max(0.1 * (rewards.upper - rewards.lower), 0.01);
        m_reward->yAxis->setRange(rewards.lower - pad, rewards.upper + pad);
    }
    const QCPRange kl = m_rewards.kl ? m_rewards.kl->getValueRange(foundKl) : QCPRange();
    if (foundKl)
        m_reward->yAxis2->setRange(0.0, std::max(kl.upper * 1.1, 1e-3));
    for (PlotWidget* plot : {m_loss, m_valid, m_reward}) {
        plot->rememberView();
        plot->requestReplot();
    }
}

}  // namespace tiltbench
