#include "pages/compare/run_detail_panel.h"

#include <qcustomplot.h>
#include <QLabel>
#include <QVBoxLayout>
#include <cmath>

#include "plots/plot_widget.h"
#include "shared/formatting.h"

namespace tiltbench {

namespace {
const QColor kLossColor(31, 119, 180);
const QColor kValidColor(44, 160, 44);
const QColor kTrainingColor(160, 160, 160);
const QColor kRecommendedColor(214, 39, 40);

}  // namespace

RunDetailPanel::RunDetailPanel(QWidget* parent)
    : QWidget(parent),
      m_summary(new QLabel(this)),
      m_curves(new PlotWidget(tr("Learning curves"), this)),
      m_popularity(new PlotWidget(tr("Popularity of top-10 recommendations"), this)),
      m_group(new QCPBarsGroup(m_popularity)) {
    m_summary->setObjectName(QStringLiteral("runSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_curves->xAxis->setLabel(tr("Epoch"));
    m_curves->yAxis->setLabel(tr("Training loss"));
    m_curves->yAxis2->setVisible(true);
    m_curves->yAxis2->setLabel(tr("Validation NDCG@10"));
    m_popularity->xAxis->setLabel(tr("Popularity tenth (1 = most logged)"));
    m_popularity->yAxis->setLabel(tr("Share"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(m_summary);
    layout->addWidget(m_curves, 1);
    layout->addWidget(m_popularity, 1);
    showRun(nullptr);
}

void RunDetailPanel::showRun(const CompareRun* run) {
    m_runId = run ? run->id() : 0;
    m_curves->clearContent();
    m_curves->legend->setVisible(false);
    if (!run) {
        m_summary->setText(tr("<i>Select one run in the table for its details.</i>"));
        m_curves->setMessage(tr("Select a run"));
        showProfileMessage(tr("Select a run"));
        return;
    }
    QString summary = tr("<b>%1</b> — %2<br>")
                          .arg(run->label().toHtmlEscaped(), QString::fromStdString(run->record.status));
    if (run->hasScheme) {
        summary += QString::fromStdString(run->scheme.describe()).toHtmlEscaped() + QStringLiteral(" · ");
    }
    summary += tr("device %1 · split %2").arg(run->device.toHtmlEscaped(), run->split);
    if (run->parentRunId > 0) {
        summary += tr(" · post-trained from run %1").arg(run->parentRunId);
    }
    if (std::isfinite(run->totalSeconds)) {
        summary += tr(" · %1 in all").arg(formatDuration(run->totalSeconds));
    }
    if (run->isSasrec() && std::isfinite(run->meanEpochSeconds)) {
        summary += tr(" · %1 per epoch").arg(formatDuration(run->meanEpochSeconds));
    }
    if (!run->record.error.empty()) {
        summary += QStringLiteral("<br><span style='color:#a02020'>%1</span>")
                       .arg(QString::fromStdString(run->record.error).toHtmlEscaped());
    }
    m_summary->setText(summary);

    if (run->epochs.empty()) {
        m_curves->setMessage(run->isSasrec() ? tr("No finished epoch recorded")
                                             : tr("Closed-form policy: fitted in one pass, no epochs"));
    } else {
        QVector<double> e, loss, ndcg, ee;
        for (const RunEpoch& ep : run->epochs) {
            if (std::isfinite(ep.trainLoss)) {
                e << ep.epoch;
                loss << ep.trainLoss;
            }
            if (std::isfinite(ep.validNdcg10)) {
                ee << ep.epoch;
                ndcg << ep.validNdcg10;
            }
        }
        QCPGraph* l = m_curves->addGraph(m_curves->xAxis, m_curves->yAxis);
        l->setName(tr("training loss"));
        l->setPen(QPen(kLossColor, 1.6));
        l->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, kLossColor, kLossColor, 6));
        l->setData(e, loss, true);
        QCPGraph* v = m_curves->addGraph(m_curves->xAxis, m_curves->yAxis2);
        v->setName(tr("validation NDCG@10"));
        v->setPen(QPen(kValidColor, 1.6));
        v->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssSquare, kValidColor, kValidColor, 6));
        v->setData(ee, ndcg, true);
        m_curves->setMessage({});
        m_curves->xAxis->setRange(0.5, std::max(2.0, run->epochs.back().epoch + 0.5));
        bool found = false;
        QCPRange r = l->getValueRange(found);
        if (found) {
            const double pad = std::max(0.08 * r.size(), 1e-3);
            m_curves->yAxis->setRange(r.lower - pad, r.upper + pad);
        }
        r = v->getValueRange(found);
        if (found) {
            const double pad = std::max(0.08 * r.size(), 1e-3);
            m_curves->yAxis2->setRange(std::max(0.0, r.lower - pad), r.upper + pad);
        }
        m_curves->setLegendAbove(2);
    }
    m_curves->rememberView();
    m_curves->requestReplot();
    showProfileMessage(tr("Computing the top-10 lists…"));
}

void RunDetailPanel::showProfileMessage(const QString& message) {
    m_popularity->clearContent();
    m_popularity->legend->setVisible(false);
    m_trainingBars = m_recommendedBars = nullptr;
    m_popularity->setMessage(message);
}

void RunDetailPanel::showProfile(const RunDetail& detail) {
    if (detail.runId != m_runId) {
        return;
    }
    showProfileMessage({});
    const auto& groups = detail.profile.groups;
    if (groups.empty()) {
        m_popularity->setMessage(tr("No items"));
        return;
    }
    QVector<double> x, train, rec;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    double top = 0.0;
    for (size_t g = 0; g < groups.size(); ++g) {
        x << static_cast<double>(g + 1);
        train << groups[g].trainingShare;
        rec << groups[g].recommendedShare;
        top = std::max({top, groups[g].trainingShare, groups[g].recommendedShare});
        ticker->addTick(static_cast<double>(g + 1), QString::number(g + 1));
    }
    m_trainingBars = new QCPBars(m_popularity->xAxis, m_popularity->yAxis);
    m_trainingBars->setName(tr("training interactions"));
    m_trainingBars->setBrush(kTrainingColor);
    m_trainingBars->setPen(QPen(kTrainingColor.darker(130)));
    m_recommendedBars = new QCPBars(m_popularity->xAxis, m_popularity->yAxis);
    m_recommendedBars->setName(tr("top-%1 slots (%2 users)").arg(detail.k).arg(formatCount(detail.users)));
    m_recommendedBars->setBrush(kRecommendedColor);
    m_recommendedBars->setPen(QPen(kRecommendedColor.darker(130)));
    m_trainingBars->setWidth(0.38);
    m_recommendedBars->setWidth(0.38);
    m_trainingBars->setBarsGroup(m_group);
    m_recommendedBars->setBarsGroup(m_group);
    m_trainingBars->setData(x, train, true);
    m_recommendedBars->setData(x, rec, true);
    m_popularity->xAxis->setTicker(ticker);
    m_popularity->xAxis->setRange(0.4, static_cast<double>(groups.size()) + 0.6);
    m_popularity->yAxis->setRange(0.0, std::max(top * 1.15, 0.05));
    m_popularity->setLegendAbove(2);
    m_popularity->setToolTip(
        tr("%1. Group 1 holds the most logged tenth of the items (training counts %2–%3), "
           "group %4 the least logged (%5–%6).")
            .arg(detail.source)
            .arg(groups.front().minCount)
            .arg(groups.front().maxCount)
            .arg(groups.size())
            .arg(groups.back().minCount)
            .arg(groups.back().maxCount));
    m_popularity->rememberView();
    m_popularity->requestReplot();
}

}  // namespace tiltbench
