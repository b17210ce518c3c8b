#include "pages/compare/proxy_true_plot.h"

#include <QToolTip>
#include <algorithm>
#include <cmath>

#include "shared/formatting.h"

namespace tiltbench {

namespace {
constexpr double kHoverPixels = 8.0;
}

ProxyTruePlot::ProxyTruePlot(QWidget* parent) : PlotWidget(tr("Proxy vs true, per epoch"), parent) {
    setObjectName(QStringLiteral("proxyTruePlot"));
    setLegendOnExport(true);
    xAxis->setLabel(tr("Proxy reward@10"));
    setMouseTracking(true);
    connect(this, &QCustomPlot::mouseMove, this, &ProxyTruePlot::onMouseMove);
}

int ProxyTruePlot::setRuns(const std::vector<CompareRun>& runs,
                           const std::function<QColor(const CompareRun&)>& colorOf, qint64 baselineId) {
    m_tracks.clear();
    clearContent();
    legend->clearItems();
    legend->setVisible(false);
    const auto hasTrue = [](const RunEpoch& e) {
        return std::isfinite(e.validProxyReward10) && std::isfinite(e.validTrueReward10);
    };
    bool anyTrue = false;
    for (const CompareRun& r : runs)
        anyTrue = anyTrue || std::any_of(r.epochs.begin(), r.epochs.end(), hasTrue);
    m_yMetric = anyTrue ? "true_reward@10" : "ndcg@10";
    yAxis->setLabel(anyTrue ? tr("True reward@10 (simulator)") : tr("NDCG@10 (no true reward here)"));

    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    const auto extend = [](double v, double& lo, double& hi) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    };
    for (const CompareRun& r : runs) {
        Track t{r.id(), r.label(), {}};
        for (const RunEpoch& e : r.epochs) {
            const double y = anyTrue ? e.validTrueReward10 : e.validNdcg10;
            if (std::isfinite(e.validProxyReward10) && std::isfinite(y))
                t.points.push_back({e.epoch, e.validProxyReward10, y, e.validKlRef});
        }
        if (t.points.empty())
            continue;
        const QColor color = colorOf(r);
        auto* curve = new QCPCurve(xAxis, yAxis);  // parametric: kept in epoch order, not sorted by x
        curve->setName(t.label);
        curve->setPen(QPen(color, r.id() == baselineId ? 2.4 : 1.4));
        curve->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, color, 4));
        curve->setSelectable(QCP::stNone);
        QVector<double> x, y;
        for (const Point& p : t.points) {
            x << p.proxy;
            y << p.y;
            extend(p.proxy, xlo, xhi);
            extend(p.y, ylo, yhi);
        }
        curve->setData(x, y);
        QCPGraph* last = addGraph();  // the last epoch: where the path ends
        last->removeFromLegend();
        last->setLineStyle(QCPGraph::lsNone);
        last->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QPen(Qt::black, 1.0), color, 10));
        last->setData(QVector<double>{x.back()}, QVector<double>{y.back()}, true);
        last->setSelectable(QCP::stNone);
        m_tracks.push_back(std::move(t));
    }
    if (m_tracks.empty()) {
        setMessage(
            tr("No selected run recorded a proxy reward: train one against a reward model "
               "(Rewards: a reward model, or Objective: DPO / PPO)"));
        xAxis->setRange(0.0, 1.0);
        yAxis->setRange(0.0, 1.0);
    } else {
        setMessage({});
        // The baseline's own validation level, when it has no path of its own (an SFT parent has no proxy).
        for (const CompareRun& r : runs) {
            if (r.id() != baselineId)
                continue;
            const double level = r.metric(QStringLiteral("valid"), m_yMetric).value;
            if (!std::isfinite(level) || std::any_of(m_tracks.begin(), m_tracks.end(),
                                                     [&](const Track& t) { return t.runId == baselineId; }))
                break;
            extend(level, ylo, yhi);
            const double pad = std::max(0.05 * (xhi - xlo), 1e-3);
            QCPGraph* g = addGraph();
            g->setName(tr("baseline run %1").arg(r.id()));
            g->setPen(QPen(Qt::black, 1.4, Qt::DashLine));
            g->setData(QVector<double>{xlo - pad, xhi + pad}, QVector<double>{level, level}, true);
            g->setSelectable(QCP::stNone);
        }
        const double px = std::max(0.08 * (xhi - xlo), std::max(std::abs(xhi), 1e-6) * 0.01);
        const double py = std::max(0.08 * (yhi - ylo), std::max(std::abs(yhi), 1e-6) * 0.01);
        xAxis->setRange(xlo - px, xhi + px);
        yAxis->setRange(ylo - py, yhi + py);
    }
    rememberView();
    requestReplot();
    return trackCount();
}

QPointF ProxyTruePlot::pointPixel(qint64 runId, int epoch) const {
    for (const Track& t : m_tracks)
        if (t.runId == runId)
            for (const Point& p : t.points)
                if (p.epoch == epoch)
                    return {xAxis->coordToPixel(p.proxy), yAxis->coordToPixel(p.y)};
    return {-1.0, -1.0};
}

QString ProxyTruePlot::toolTipAt(const QPointF& pixel) const {
    const Track* best = nullptr;
    const Point* bestPoint = nullptr;
    double bestDistance = kHoverPixels;
    for (const Track& t : m_tracks) {
        for (const Point& p : t.points) {
            const double d =
                std::hypot(pixel.x() - xAxis->coordToPixel(p.proxy), pixel.y() - yAxis->coordToPixel(p.y));
            if (d < bestDistance) {
                bestDistance = d;
                best = &t;
                bestPoint = &p;
            }
        }
    }
    if (!best)
        return {};
    QString text =
        tr("%1\nepoch %2: proxy reward@10 = %3, %4 = %5")
            .arg(best->label)
            .arg(bestPoint->epoch)
            .arg(formatReal(bestPoint->proxy, 4), metricLabel(m_yMetric), formatReal(bestPoint->y, 4));
    if (std::isfinite(bestPoint->kl))
        text += tr(", KL to parent = %1").arg(formatReal(bestPoint->kl, 4));
    return text;
}

void ProxyTruePlot::onMouseMove(QMouseEvent* event) {
    const QString text = toolTipAt(event->position());
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, this);
}

}  // namespace tiltbench
