#include "pages/compare/compare_plots.h"

#include <qcustomplot.h>
#include <QGridLayout>
#include <QLabel>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <map>

#include "pages/compare/proxy_true_plot.h"
#include "plots/lambda_axis.h"
#include "plots/plot_widget.h"
#include "shared/formatting.h"

namespace tiltbench {

namespace {
const QColor kReferenceColor(140, 140, 140);
const QColor kPalette[] = {QColor(31, 119, 180),  QColor(214, 39, 40),  QColor(44, 160, 44),
                           QColor(148, 103, 189), QColor(255, 127, 14), QColor(140, 86, 75),
                           QColor(227, 119, 194), QColor(23, 190, 207)};
constexpr double kHoverPixels = 8.0;

QString panelTitle(const std::string& metric) {
    if (metric == "ndcg@10")
        return ComparePlots::tr("NDCG@10");
    if (metric == "ndcg_high@10")
        return ComparePlots::tr("NDCG@10, high-reward targets");
    if (metric == "item_mean_reward@10")
        return ComparePlots::tr("Item-mean reward@10");
    if (metric == "true_reward@10")
        return ComparePlots::tr("True reward@10 (simulator)");
    if (metric == "arp@10")
        return ComparePlots::tr("ARP@10 (mean training count)");
    if (metric == "coverage@10")
        return ComparePlots::tr("Coverage@10");
    return metricLabel(metric);
}

bool isFlat(const CompareRun& r) {
    return std::isnan(r.lambda);  // linear, filter, or no recorded weighting
}
}  // namespace

const std::vector<std::string>& ComparePlots::metrics() {
    static const std::vector<std::string> m = {"ndcg@10",        "ndcg_high@10", "item_mean_reward@10",
                                               "true_reward@10", "arp@10",       "coverage@10"};
    return m;
}

ComparePlots::ComparePlots(QWidget* parent)
    : QWidget(parent), m_legend(new QLabel(this)), m_proxy(new ProxyTruePlot(this)), m_grid(new QGridLayout) {
    m_legend->setObjectName(QStringLiteral("compareLegend"));
    m_legend->setTextFormat(Qt::RichText);
    m_legend->setWordWrap(true);
    QGridLayout* grid = m_grid;
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(6);
    for (const std::string& metric : metrics()) {
        Panel panel;
        panel.metric = metric;
        panel.plot = new PlotWidget(panelTitle(metric), this);
        panel.plot->setLegendOnExport(true);
        // No y label: the panel's title names the metric (a second copy did not fit a short panel).
        LambdaAxis::configure(panel.plot->xAxis, {});
        panel.plot->setMouseTracking(true);
        m_panels.push_back(panel);
    }
    for (size_t p = 0; p < m_panels.size(); ++p) {
        connect(m_panels[p].plot, &QCustomPlot::mouseMove, this,
                [this, p](QMouseEvent* event) { onMouseMove(m_panels[p], event); });
    }
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(m_legend);
    layout->addLayout(grid, 1);
    showMessage(tr("Select a dataset with runs"));
}

// The panels that can show something, in two rows: the true reward only where some run has it (simulated
// data), the proxy-vs-true paths only where some run recorded a proxy reward.
void ComparePlots::relayout(bool trueReward, bool proxy) {
    std::vector<QWidget*> shown;
    for (const Panel& p : m_panels) {
        const bool visible = p.metric != "true_reward@10" || trueReward;
        p.plot->setVisible(visible);
        if (visible)
            shown.push_back(p.plot);
    }
    m_proxy->setVisible(proxy);
    if (proxy)
        shown.push_back(m_proxy);
    for (QWidget* w : allPanels())
        m_grid->removeWidget(w);
    const int columns = static_cast<int>((shown.size() + 1) / 2);
    for (size_t i = 0; i < shown.size(); ++i)
        m_grid->addWidget(shown[i], static_cast<int>(i) / columns, static_cast<int>(i) % columns);
}

QList<QWidget*> ComparePlots::allPanels() const {
    QList<QWidget*> out;
    for (const Panel& p : m_panels)
        out << p.plot;
    out << m_proxy;
    return out;
}

bool ComparePlots::isPanelShown(const std::string& metric) const {
    if (metric == "proxy")
        return !m_proxy->isHidden();
    const PlotWidget* p = plot(metric);
    return p && !p->isHidden();
}

QList<PlotWidget*> ComparePlots::allPlots() const {
    QList<PlotWidget*> out;
    for (const Panel& p : m_panels) {
        if (!p.plot->isHidden())
            out << p.plot;
    }
    if (!m_proxy->isHidden())
        out << m_proxy;
    return out;
}

PlotWidget* ComparePlots::plot(const std::string& metric) const {
    for (const Panel& p : m_panels) {
        if (p.metric == metric) {
            return p.plot;
        }
    }
    return nullptr;
}

void ComparePlots::showMessage(const QString& message) {
    m_message = message;
    m_runs.clear();
    for (Panel& p : m_panels) {
        p.plot->clearContent();
        p.series.clear();
        p.plot->setMessage(message);
    }
    m_proxy->setRuns({}, {}, 0);
    relayout(false, false);
    m_legend->clear();
}

void ComparePlots::setRuns(const std::vector<CompareRun>& runs, const QString& split, qint64 baselineId) {
    m_runs = runs;
    m_split = split;
    m_baseline = baselineId;
    m_message.clear();
    rebuild();
}

void ComparePlots::setReference(std::shared_ptr<const ReferenceCurves> reference) {
    m_reference = std::move(reference);
    if (m_message.isEmpty()) {
        rebuild();
    }
}

const CompareRun* ComparePlots::runById(qint64 id) const {
    for (const CompareRun& r : m_runs) {
        if (r.id() == id) {
            return &r;
        }
    }
    return nullptr;
}

void ComparePlots::rebuild() {
    std::vector<double> lambdas;
    for (const CompareRun& r : m_runs) {
        if (std::isfinite(r.lambda)) {
            lambdas.push_back(r.lambda);
        }
    }
    for (Panel& p : m_panels) {
        m_infinityX = LambdaAxis::configure(p.plot->xAxis, lambdas);
    }
    // The legend, shared by the six panels: one colour per model and scheme, then the references.
    std::vector<QString> keys;
    for (const CompareRun& r : m_runs) {
        if (std::find(keys.begin(), keys.end(), r.seriesKey()) == keys.end()) {
            keys.push_back(r.seriesKey());
        }
    }
    std::sort(keys.begin(), keys.end());
    QStringList entries;
    for (size_t k = 0; k < keys.size(); ++k) {
        entries << QStringLiteral("<span style='color:%1'>●━</span> %2")
                       .arg(kPalette[k % std::size(kPalette)].name(), keys[k].toHtmlEscaped());
    }
    const bool reference = m_reference && m_reference->split == m_split;
    if (reference) {
        entries << tr("<span style='color:#8c8c8c'>━━</span> tilted Markov, closed form")
                << tr("<span style='color:#8c8c8c'>┅┅</span> tilted popularity, closed form");
    }
    QString note = m_runs.empty()
                       ? tr("No run selected.")
                       : tr("%n run(s) on the %1 targets; bars: stored 95 % intervals.", nullptr,
                            static_cast<int>(m_runs.size()))
                             .arg(m_split == QStringLiteral("test") ? tr("test") : tr("validation"));
    if (reference) {
        note += tr(" Reference: exp weights, mean-normalised, on %1 of %2 users.")
                    .arg(formatCount(m_reference->evaluatedUsers), formatCount(m_reference->eligibleUsers));
    }
    m_legend->setText(entries.join(QStringLiteral("&nbsp;&nbsp;&nbsp;")) + QStringLiteral("<br><small>") +
                      note.toHtmlEscaped() + QStringLiteral("</small>"));
    for (Panel& p : m_panels) {
        fillPanel(p);
    }
    const int tracks = m_proxy->setRuns(
        m_runs,
        [&keys](const CompareRun& r) {
            const auto k =
                static_cast<size_t>(std::find(keys.begin(), keys.end(), r.seriesKey()) - keys.begin());
            return kPalette[k % std::size(kPalette)];
        },
        m_baseline);
    relayout(markerCount("true_reward@10") > 0, tracks > 0);
}

void ComparePlots::fillPanel(Panel& panel) {
    PlotWidget* plot = panel.plot;
    plot->clearContent();
    plot->legend->clearItems();
    plot->legend->setVisible(false);
    panel.series.clear();
    plot->setMessage({});
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    auto extend = [&](double v) {
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    };

    if (m_reference && m_reference->split == m_split) {
        const auto m = m_reference->markov.find(panel.metric);
        const auto p = m_reference->popularity.find(panel.metric);
        const bool any =
            m != m_reference->markov.end() &&
            std::any_of(m->second.begin(), m->second.end(), [](double v) { return std::isfinite(v); });
        if (any) {
            for (bool markov : {true, false}) {
                const std::vector<double>& values = markov ? m->second : p->second;
                QVector<double> x, y;
                for (size_t i = 0; i < m_reference->lambdas.size() && i < values.size(); ++i) {
                    if (std::isfinite(values[i])) {
                        x << LambdaAxis::x(m_reference->lambdas[i], m_infinityX);
                        y << values[i];
                        extend(values[i]);
                    }
                }
                QCPGraph* g = plot->addGraph();
                g->setName(markov ? tr("tilted Markov, closed form") : tr("tilted popularity, closed form"));
                g->setPen(QPen(kReferenceColor, markov ? 1.6 : 1.3, markov ? Qt::SolidLine : Qt::DashLine));
                g->setData(x, y, true);
                g->setSelectable(QCP::stNone);
            }
        }
    }

    std::vector<QString> keys;
    for (const CompareRun& r : m_runs) {
        if (std::find(keys.begin(), keys.end(), r.seriesKey()) == keys.end()) {
            keys.push_back(r.seriesKey());
        }
    }
    std::sort(keys.begin(), keys.end());
    const QCPRange xRange = plot->xAxis->range();
    bool anyRun = false;
    for (size_t k = 0; k < keys.size(); ++k) {
        const QColor color = kPalette[k % std::size(kPalette)];
        struct Point {
            double x, y, lo, hi;
            qint64 id;
        };
        std::vector<Point> points;
        for (const CompareRun& r : m_runs) {
            if (r.seriesKey() != keys[k]) {
                continue;
            }
            const RunMetric m = r.metric(m_split, panel.metric);
            if (!std::isfinite(m.value)) {
                continue;
            }
            anyRun = true;
            extend(m.value);
            extend(m.lo);
            extend(m.hi);
            if (isFlat(r)) {
                // No λ: a flat dashed line at the run's value across the whole axis.
                Series s;
                s.flat = true;
                s.runIds = {r.id()};
                s.graph = plot->addGraph();
                s.graph->setName(QStringLiteral("%1 (run %2)").arg(keys[k]).arg(r.id()));
                s.graph->setPen(QPen(color, r.id() == m_baseline ? 2.4 : 1.4, Qt::DashDotLine));
                s.graph->setData(QVector<double>{xRange.lower, xRange.upper},
                                 QVector<double>{m.value, m.value}, true);
                panel.series.push_back(s);
                continue;
            }
            points.push_back({LambdaAxis::x(r.lambda, m_infinityX), m.value, m.lo, m.hi, r.id()});
        }
        if (points.empty()) {
            continue;
        }
        std::stable_sort(points.begin(), points.end(),
                         [](const Point& a, const Point& b) { return a.x < b.x; });
        Series s;
        s.graph = plot->addGraph();
        s.graph->setName(keys[k]);
        s.graph->setPen(QPen(color, 1.6));
        s.graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, color, 7));
        QVector<double> x, y, minus, plus;
        for (const Point& p : points) {
            x << p.x;
            y << p.y;
            minus << (std::isfinite(p.lo) ? std::max(0.0, p.y - p.lo) : 0.0);
            plus << (std::isfinite(p.hi) ? std::max(0.0, p.hi - p.y) : 0.0);
            s.runIds.push_back(p.id);
        }
        s.graph->setData(x, y, true);
        auto* bars = new QCPErrorBars(plot->xAxis, plot->yAxis);
        bars->removeFromLegend();
        bars->setDataPlottable(s.graph);
        bars->setData(minus, plus);
        bars->setPen(QPen(color.darker(115), 1.2));
        bars->setWhiskerWidth(6);
        bars->setSelectable(QCP::stNone);
        panel.series.push_back(s);
        // The baseline gets a ring around its marker.
        for (const Point& p : points) {
            if (p.id == m_baseline) {
                QCPGraph* ring = plot->addGraph();
                ring->removeFromLegend();
                ring->setLineStyle(QCPGraph::lsNone);
                ring->setScatterStyle(
                    QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::black, 1.6), Qt::NoBrush, 14));
                ring->setData(QVector<double>{p.x}, QVector<double>{p.y}, true);
            }
        }
    }
    if (!anyRun) {
        plot->setMessage(m_runs.empty() ? tr("No run selected")
                         : panel.metric == "true_reward@10"
                             ? tr("No true reward: only simulated datasets have ground truth")
                             : tr("No selected run has this metric on the %1 targets").arg(m_split));
    }
    if (std::isfinite(lo)) {
        const double pad = std::max(0.08 * (hi - lo), std::max(std::abs(hi), 1e-6) * 0.02);
        plot->yAxis->setRange(lo - pad, hi + pad);
    } else {
        plot->yAxis->setRange(0.0, 1.0);
    }
    plot->rememberView();
    plot->requestReplot();
}

int ComparePlots::markerCount(const std::string& metric) const {
    int n = 0;
    for (const Panel& p : m_panels) {
        if (p.metric == metric) {
            for (const Series& s : p.series) {
                n += static_cast<int>(s.runIds.size());
            }
        }
    }
    return n;
}

QPointF ComparePlots::markerPixel(const std::string& metric, qint64 runId) const {
    for (const Panel& p : m_panels) {
        if (p.metric != metric) {
            continue;
        }
        for (const Series& s : p.series) {
            for (size_t i = 0; i < s.runIds.size(); ++i) {
                if (s.runIds[i] != runId) {
                    continue;
                }
                const auto it = s.graph->data()->at(static_cast<int>(s.flat ? 0 : i));
                const double x = s.flat ? (p.plot->xAxis->coordToPixel(p.plot->xAxis->range().center()))
                                        : p.plot->xAxis->coordToPixel(it->key);
                return {x, p.plot->yAxis->coordToPixel(it->value)};
            }
        }
    }
    return {-1.0, -1.0};
}

QString ComparePlots::toolTipAt(const std::string& metric, const QPointF& pixel) const {
    for (const Panel& p : m_panels) {
        if (p.metric != metric) {
            continue;
        }
        qint64 best = 0;
        double bestDistance = kHoverPixels;
        for (const Series& s : p.series) {
            for (size_t i = 0; i < s.runIds.size(); ++i) {
                const auto it = s.graph->data()->at(static_cast<int>(s.flat ? 0 : i));
                const double py = p.plot->yAxis->coordToPixel(it->value);
                const double d =
                    s.flat ? std::abs(pixel.y() - py)
                           : std::hypot(pixel.x() - p.plot->xAxis->coordToPixel(it->key), pixel.y() - py);
                // Markers win over flat lines at the same distance.
                if (d < bestDistance || (!s.flat && d <= bestDistance && best == 0)) {
                    bestDistance = d;
                    best = s.runIds[i];
                }
            }
        }
        const CompareRun* run = best ? runById(best) : nullptr;
        if (!run) {
            return {};
        }
        const RunMetric m = run->metric(m_split, metric);
        QString text = run->label();
        text += QStringLiteral("\n%1 = %2").arg(metricLabel(metric), formatReal(m.value, 4));
        if (std::isfinite(m.lo) && std::isfinite(m.hi)) {
            text += QStringLiteral(" [%1, %2]").arg(formatReal(m.lo, 4), formatReal(m.hi, 4));
        }
        text += tr("\nstatus %1").arg(QString::fromStdString(run->record.status));
        if (run->id() == m_baseline) {
            text += tr(" · baseline");
        }
        return text;
    }
    return {};
}

void ComparePlots::onMouseMove(Panel& panel, QMouseEvent* event) {
    const QString text = toolTipAt(panel.metric, event->position());
    if (text.isEmpty()) {
        QToolTip::hideText();
    } else {
        QToolTip::showText(event->globalPosition().toPoint(), text, panel.plot);
    }
}

}  // namespace tiltbench
