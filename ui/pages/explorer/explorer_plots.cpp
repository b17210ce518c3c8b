#include "pages/explorer/explorer_plots.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "plots/plot_widget.h"
#include "shared/formatting.h"

namespace tiltbench {

namespace {
const QColor kUniformColor(150, 150, 150);
const QColor kTiltColor(31, 119, 180);
const QColor kPopularityColor(255, 127, 14);
const QColor kWeightColor(44, 160, 44);
const QColor kMarkColor(214, 39, 40);
constexpr size_t kMaxLabelledLevels = 12;

void useLogAxis(QCPAxis* axis, int tickCount = 5) {
    axis->setScaleType(QCPAxis::stLogarithmic);
    QSharedPointer<QCPAxisTickerLog> ticker(new QCPAxisTickerLog);
    ticker->setTickCount(tickCount);  // a label per decade is unreadable over the ten decades a tilt can span
    axis->setTicker(ticker);
    axis->setNumberFormat(QStringLiteral("eb"));
    axis->setNumberPrecision(0);
}

// Log axes end on whole decades so that the end ticks carry labels.
double decadeAbove(double v) {
    return std::pow(10.0, std::ceil(std::log10(v) - 1e-9));
}
double decadeBelow(double v) {
    return std::pow(10.0, std::floor(std::log10(v) + 1e-9));
}

void useLambdaAxis(QCPAxis* axis) {
    axis->setScaleType(QCPAxis::stLogarithmic);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    // No 0.1: its label would run into 0.05's.
    for (double v : {0.05, 0.5, 1.0, 5.0, 10.0, 50.0}) {
        ticker->addTick(v, QString::number(v));
    }
    ticker->addTick(ExplorerPlots::kInfinityX, QStringLiteral("∞"));
    axis->setTicker(ticker);
    axis->setLabel(QObject::tr("λ"));
    axis->setRange(0.04, 220.0);
}

QCPItemStraightLine* addMarker(PlotWidget* plot) {
    auto* line = new QCPItemStraightLine(plot);
    line->setPen(QPen(kMarkColor, 1.5, Qt::DashLine));
    line->point1->setCoords(1.0, 0.0);
    line->point2->setCoords(1.0, 1.0);
    return line;
}

void moveMarker(QCPItemStraightLine* line, double x) {
    if (line) {
        line->point1->setCoords(x, 0.0);
        line->point2->setCoords(x, 1.0);
    }
}

QVector<double> toVector(const std::vector<double>& v) {
    return QVector<double>(v.begin(), v.end());
}
}  // namespace

double ExplorerPlots::plotX(double lambda) {
    return std::isfinite(lambda) ? lambda : kInfinityX;
}

ExplorerPlots::ExplorerPlots(QWidget* parent)
    : QWidget(parent),
      m_levels(new PlotWidget(tr("Weight per reward level"), this)),
      m_ess(new PlotWidget(tr("Effective sample size"), this)),
      m_metric(new PlotWidget(tr("Tilted policies, validation"), this)),
      m_share(new PlotWidget(tr("Item weight share vs popularity"), this)),
      m_lorenz(new PlotWidget(tr("Lorenz curve of item shares"), this)),
      m_item(new PlotWidget(tr("Rewards of the selected item"), this)),
      m_metricChooser(new QComboBox(this)),
      m_metricNote(new QLabel(this)) {
    m_metricChooser->setObjectName(QStringLiteral("metricChooser"));
    m_metricChooser->setToolTip(tr("Metric of the closed-form tilted policies on the validation targets"));
    m_metricNote->setObjectName(QStringLiteral("metricNote"));
    QFont small = m_metricNote->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_metricNote->setFont(small);
    m_metricNote->setStyleSheet(QStringLiteral("color: #666;"));
    connect(m_metricChooser, &QComboBox::currentIndexChanged, this, [this] { fillMetricCurve(); });

    auto* metricBox = new QWidget(this);
    auto* metricLayout = new QVBoxLayout(metricBox);
    metricLayout->setContentsMargins(0, 0, 0, 0);
    metricLayout->setSpacing(2);
    auto* chooserRow = new QHBoxLayout;
    chooserRow->addWidget(m_metricChooser, 1);
    chooserRow->addWidget(m_metricNote);
    metricLayout->addLayout(chooserRow);
    metricLayout->addWidget(m_metric, 1);

    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(6);
    grid->addWidget(m_levels, 0, 0);
    grid->addWidget(m_ess, 0, 1);
    grid->addWidget(metricBox, 0, 2);
    grid->addWidget(m_share, 1, 0);
    grid->addWidget(m_lorenz, 1, 1);
    grid->addWidget(m_item, 1, 2);
    for (int c = 0; c < 3; ++c) {
        grid->setColumnStretch(c, 1);
    }
    grid->setRowStretch(0, 1);
    grid->setRowStretch(1, 1);

    m_levels->xAxis->setLabel(tr("Reward"));
    m_levels->yAxis->setLabel(tr("Weight share"));
    m_levels->yAxis2->setLabel(tr("Weight ÷ mean"));
    m_ess->yAxis->setLabel(tr("ESS / N"));
    m_share->xAxis->setLabel(tr("Popularity rank"));
    m_share->yAxis->setLabel(tr("Weight share"));
    m_lorenz->xAxis->setLabel(tr("Share of items (least weighted first)"));
    m_lorenz->yAxis->setLabel(tr("Share of weight"));
    m_item->xAxis->setLabel(tr("Reward"));
    m_item->yAxis->setLabel(tr("Training targets"));
    useLambdaAxis(m_ess->xAxis);
    useLambdaAxis(m_metric->xAxis);
    // The level plot's bars and weight line, and the metric curves, can fill any corner of the axis rect.
    m_levels->setLegendAbove(3);
    m_metric->setLegendAbove(3);
    showMessage(tr("Select a dataset"));
}

QList<PlotWidget*> ExplorerPlots::allPlots() const {
    return {m_levels, m_ess, m_metric, m_share, m_lorenz, m_item};
}

void ExplorerPlots::showMessage(const QString& message) {
    for (PlotWidget* plot : allPlots()) {
        plot->clearContent();
        plot->legend->setVisible(false);
        plot->setMessage(message);
    }
    m_levels->yAxis2->setVisible(false);
    m_metricChooser->clear();
    m_metricNote->clear();
    m_dataset.reset();
    m_curves.reset();
    m_hasStats = false;
    m_uniformBars = m_massBars = nullptr;
    m_weightGraph = m_essGraph = m_essPoint = m_popularityGraph = m_markovGraph = nullptr;
    m_uniformShareGraph = m_shareGraph = m_uniformLorenzGraph = m_lorenzGraph = nullptr;
    m_essMarker = m_metricMarker = nullptr;
    m_essLabel = m_itemTitle = nullptr;
}

void ExplorerPlots::setDataset(std::shared_ptr<const ExplorerDataset> dataset) {
    showMessage({});
    m_dataset = std::move(dataset);
    if (!m_dataset) {
        return;
    }
    buildLevelPlot();
    buildSharePlot();
    buildLorenzPlot();
    setCurves(nullptr);
    showItem(-1);
}

void ExplorerPlots::buildLevelPlot() {
    const RewardLevelTable& t = m_dataset->table();
    m_uniformBars = new QCPBars(m_levels->xAxis, m_levels->yAxis);
    m_uniformBars->setName(tr("mass at ∞"));
    m_uniformBars->setPen(QPen(kUniformColor.darker(130)));
    m_uniformBars->setBrush(kUniformColor);
    m_massBars = new QCPBars(m_levels->xAxis, m_levels->yAxis);
    m_massBars->setName(tr("mass at λ"));
    m_massBars->setPen(QPen(kTiltColor.darker(130)));
    m_massBars->setBrush(kTiltColor);
    auto* group = new QCPBarsGroup(m_levels);
    m_uniformBars->setBarsGroup(group);
    m_massBars->setBarsGroup(group);

    m_levels->yAxis2->setVisible(true);
    useLogAxis(m_levels->yAxis2, 4);
    m_weightGraph = m_levels->addGraph(m_levels->xAxis, m_levels->yAxis2);
    m_weightGraph->setName(tr("weight ÷ mean (right)"));
    m_weightGraph->setPen(QPen(kWeightColor, 2.0));
    m_weightGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 6));

    const auto& levels = t.levelReward();
    if (levels.size() <= kMaxLabelledLevels) {
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        for (double r : levels) {
            ticker->addTick(r, formatReal(r));
        }
        m_levels->xAxis->setTicker(ticker);
    } else {
        m_levels->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
    const double span = std::max(t.maxReward() - t.minReward(), 1e-9);
    const double pad = levels.size() > 1 ? span / static_cast<double>(levels.size() - 1) * 0.7 : 0.7;
    m_levels->xAxis->setRange(t.minReward() - pad, t.maxReward() + pad);
    m_levels->legend->setVisible(true);
}

void ExplorerPlots::buildSharePlot() {
    useLogAxis(m_share->xAxis);
    useLogAxis(m_share->yAxis, 4);
    m_shareGraph = m_share->addGraph();
    m_shareGraph->setName(tr("at λ"));
    m_shareGraph->setLineStyle(QCPGraph::lsNone);
    m_shareGraph->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(31, 119, 180, 110), QColor(31, 119, 180, 110), 3.5));
    m_uniformShareGraph = m_share->addGraph();
    m_uniformShareGraph->setName(tr("uniform (λ = ∞)"));
    m_uniformShareGraph->setPen(QPen(kUniformColor.darker(140), 2.0));
    QVector<double> ranks, shares;
    const RewardLevelTable& t = m_dataset->table();
    for (int32_t item : t.popularityOrder()) {
        const double u = t.uniformShare()[static_cast<size_t>(item)];
        if (u <= 0.0) {
            break;  // popularity order: the rest are unlogged
        }
        ranks << static_cast<double>(ranks.size() + 1);
        shares << u;
    }
    m_uniformShareGraph->setData(ranks, shares, true);
    m_share->xAxis->setRange(0.8, decadeAbove(std::max(2.0, static_cast<double>(ranks.size()))));
    m_share->setLegendAbove(3);
}

void ExplorerPlots::buildLorenzPlot() {
    QCPGraph* diagonal = m_lorenz->addGraph();
    diagonal->setData(QVector<double>{0.0, 1.0}, QVector<double>{0.0, 1.0}, true);
    diagonal->setPen(QPen(QColor(190, 190, 190), 1.0, Qt::DotLine));
    diagonal->setName(tr("equal shares"));
    m_uniformLorenzGraph = m_lorenz->addGraph();
    m_uniformLorenzGraph->setPen(QPen(kUniformColor.darker(140), 2.0));
    m_lorenzGraph = m_lorenz->addGraph();
    m_lorenzGraph->setPen(QPen(kTiltColor, 2.0));
    m_lorenz->xAxis->setRange(0.0, 1.0);
    m_lorenz->yAxis->setRange(0.0, 1.0);
    m_lorenz->setLegendAbove(3);
}

void ExplorerPlots::setCurves(std::shared_ptr<const ExplorerCurves> curves) {
    m_curves = std::move(curves);
    for (PlotWidget* plot : {m_ess, m_metric}) {
        plot->clearContent();
        plot->legend->setVisible(false);
        plot->setMessage(m_curves ? QString() : tr("Computing…"));
    }
    m_essGraph = m_essPoint = m_popularityGraph = m_markovGraph = nullptr;
    m_essMarker = m_metricMarker = nullptr;
    m_essLabel = nullptr;
    {
        const QSignalBlocker block(m_metricChooser);
        const QString previous = m_metricChooser->currentData().toString();
        m_metricChooser->clear();
        if (m_curves) {
            for (const ExplorerMetricCurve& c : m_curves->metrics) {
                m_metricChooser->addItem(c.label, QString::fromStdString(c.metric));
            }
            const int keep =
                m_metricChooser->findData(previous.isEmpty() ? QStringLiteral("ndcg_high@10") : previous);
            m_metricChooser->setCurrentIndex(std::max(keep, 0));
        }
    }
    if (!m_curves) {
        m_metricNote->clear();
        return;
    }
    m_metricNote->setText(tr("%1 users").arg(formatCount(m_dataset ? m_dataset->evaluatedUsers : 0)));
    m_metricNote->setToolTip(
        tr("Closed-form tilted popularity and Markov policies, fitted at each λ and ranked over the full "
           "catalogue on the validation targets of a seeded sample of at most 5,000 users (no bootstrap)."));
    fillEssCurve();
    fillMetricCurve();
    if (m_hasStats) {
        moveMarkers(m_lambda, m_essRatio);
    }
}

void ExplorerPlots::fillEssCurve() {
    QVector<double> x, y;
    for (const EssPoint& p : m_curves->ess) {
        x << plotX(p.lambda);
        y << p.essRatio;
    }
    m_essGraph = m_ess->addGraph();
    m_essGraph->setPen(QPen(kTiltColor, 2.0));
    m_essGraph->setData(x, y, true);
    m_essPoint = m_ess->addGraph();
    m_essPoint->setLineStyle(QCPGraph::lsNone);
    m_essPoint->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, kMarkColor, kMarkColor, 8));
    m_essMarker = addMarker(m_ess);
    m_essLabel = new QCPItemText(m_ess);
    m_essLabel->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_essLabel->position->setCoords(0.97, 0.95);
    m_essLabel->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    m_essLabel->setColor(kMarkColor);
    m_essLabel->setBrush(QColor(255, 255, 255, 210));
    m_ess->yAxis->setRange(0.0, 1.05);
}

void ExplorerPlots::fillMetricCurve() {
    m_metric->clearContent();
    m_popularityGraph = m_markovGraph = nullptr;
    m_metricMarker = nullptr;
    if (!m_curves) {
        return;
    }
    const ExplorerMetricCurve* curve =
        m_curves->find(m_metricChooser->currentData().toString().toStdString());
    if (!curve) {
        return;
    }
    auto addCurve = [&](const std::vector<double>& values, const QString& name, const QColor& color) {
        QVector<double> x, y;
        for (size_t i = 0; i < values.size() && i < m_curves->metricLambdas.size(); ++i) {
            if (std::isfinite(values[i])) {
                x << plotX(m_curves->metricLambdas[i]);
                y << values[i];
            }
        }
        QCPGraph* g = m_metric->addGraph();
        g->setName(name);
        g->setPen(QPen(color, 2.0));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 5));
        g->setData(x, y, true);
        return g;
    };
    m_popularityGraph = addCurve(curve->popularity, tr("tilted popularity"), kPopularityColor);
    m_markovGraph = addCurve(curve->markov, tr("tilted Markov"), kTiltColor);
    m_metric->yAxis->setLabel(curve->axisLabel.isEmpty() ? curve->label : curve->axisLabel);
    bool found = false;
    const QCPRange r1 = m_popularityGraph->getValueRange(found);
    bool found2 = false;
    const QCPRange r2 = m_markovGraph->getValueRange(found2);
    if (found || found2) {
        double lo = found ? r1.lower : r2.lower, hi = found ? r1.upper : r2.upper;
        if (found2) {
            lo = std::min(lo, r2.lower);
            hi = std::max(hi, r2.upper);
        }
        const double pad = std::max((hi - lo) * 0.12, std::abs(hi) * 0.02 + 1e-9);
        m_metric->yAxis->setRange(std::max(0.0, lo - pad), hi + pad);
        m_metric->setMessage({});
    } else {
        m_metric->setMessage(tr("No user counted"));
    }
    m_metric->legend->setVisible(true);
    m_metricMarker = addMarker(m_metric);
    moveMarker(m_metricMarker, plotX(m_lambda));
    m_metric->rememberView();
    m_metric->requestReplot();
}

void ExplorerPlots::updateStats(const WeightStats& stats) {
    if (!m_dataset) {
        return;
    }
    m_hasStats = true;
    updateLevels(stats);
    updateShares(stats);
    updateLorenz(stats);
    moveMarkers(stats.scheme.kind == WeightKind::Exp ? stats.scheme.lambda : WeightScheme::kInfinity,
                stats.essRatio);
    for (PlotWidget* plot : {m_levels, m_share, m_lorenz}) {
        plot->rememberView();
        plot->requestReplot();
    }
}

void ExplorerPlots::updateLevels(const WeightStats& stats) {
    QVector<double> x, mass, uniform, weight;
    double maxMass = 0.0, lo = 0.0, hi = 0.0;
    const double mean = stats.meanWeight > 0.0 ? stats.meanWeight : 1.0;
    for (const LevelWeightStat& l : stats.levels) {
        x << l.reward;
        mass << l.mass;
        uniform << l.uniformMass;
        maxMass = std::max({maxMass, l.mass, l.uniformMass});
        const double w = l.weight / mean;
        if (w > 0.0 && std::isfinite(w)) {
            weight << w;
            lo = lo == 0.0 ? w : std::min(lo, w);
            hi = std::max(hi, w);
        } else {
            weight << std::numeric_limits<double>::quiet_NaN();  // a level a filter drops: a gap
        }
    }
    double gap = 1.0;
    for (int i = 1; i < x.size(); ++i) {
        gap = i == 1 ? x[i] - x[i - 1] : std::min(gap, x[i] - x[i - 1]);
    }
    const double width = (gap > 0.0 ? gap : 1.0) * 0.38;
    m_uniformBars->setWidth(width);
    m_massBars->setWidth(width);
    m_uniformBars->setData(x, uniform, true);
    m_massBars->setData(x, mass, true);
    m_weightGraph->setData(x, weight, true);
    m_levels->yAxis->setRange(0.0, std::max(maxMass, 1e-9) * 1.1);
    if (hi > 0.0) {
        lo = std::max(lo, 1e-300);
        double bottom = decadeBelow(lo), top = decadeAbove(hi);
        if (top / bottom < 100.0) {
            bottom = std::min(bottom, top / 100.0);
        }
        m_levels->yAxis2->setRange(bottom, top * 3.0);
    }
}

void ExplorerPlots::updateShares(const WeightStats& stats) {
    const RewardLevelTable& t = m_dataset->table();
    QVector<double> ranks, shares;
    double lo = 0.0, hi = 0.0, uniformLo = 1.0;
    int rank = 0;
    for (int32_t item : t.popularityOrder()) {
        const auto i = static_cast<size_t>(item);
        if (t.uniformShare()[i] <= 0.0) {
            break;
        }
        ++rank;
        uniformLo = std::min(uniformLo, t.uniformShare()[i]);
        hi = std::max(hi, t.uniformShare()[i]);
        const double s = i < stats.itemShare.size() ? stats.itemShare[i] : 0.0;
        if (s > 0.0) {
            ranks << static_cast<double>(rank);
            shares << s;
            lo = lo == 0.0 ? s : std::min(lo, s);
            hi = std::max(hi, s);
        }
    }
    m_shareGraph->setData(ranks, shares, true);
    // A sharp tilt drives some shares towards zero; below a thousandth of the smallest uniform share they are
    // all "nothing", and following them down would squash the interesting part of the plot.
    const double bottom = std::max(lo > 0.0 ? lo : uniformLo, uniformLo * 1e-3);
    m_share->yAxis->setRange(decadeBelow(bottom), decadeAbove(std::max(hi, bottom * 10.0)));
}

void ExplorerPlots::updateLorenz(const WeightStats& stats) {
    auto fill = [](QCPGraph* g, const std::vector<double>& y) {
        QVector<double> x;
        const auto n = static_cast<double>(std::max<size_t>(y.size(), 2) - 1);
        for (size_t k = 0; k < y.size(); ++k) {
            x << static_cast<double>(k) / n;
        }
        g->setData(x, toVector(y), true);
    };
    fill(m_uniformLorenzGraph, stats.uniformLorenz);
    fill(m_lorenzGraph, stats.lorenz);
    m_uniformLorenzGraph->setName(tr("uniform, Gini %1").arg(stats.uniformGini, 0, 'f', 3));
    m_lorenzGraph->setName(tr("at λ, Gini %1").arg(stats.gini, 0, 'f', 3));
}

void ExplorerPlots::moveMarkers(double lambda, double essRatio) {
    m_lambda = lambda;
    m_essRatio = essRatio;
    const double x = plotX(lambda);
    moveMarker(m_essMarker, x);
    moveMarker(m_metricMarker, x);
    if (m_essPoint) {
        m_essPoint->setData(QVector<double>{x}, QVector<double>{essRatio}, true);
    }
    if (m_essLabel) {
        m_essLabel->setText(tr("λ = %1: ESS/N = %2")
                                .arg(std::isfinite(lambda) ? formatReal(lambda, 3) : QStringLiteral("∞"),
                                     formatReal(essRatio, 3)));
    }
    m_ess->requestReplot();
    m_metric->requestReplot();
}

void ExplorerPlots::showItem(int32_t item) {
    m_item->clearContent();
    m_itemTitle = nullptr;
    if (!m_dataset || item < 0 || item >= m_dataset->table().numItems()) {
        m_item->setMessage(m_dataset ? tr("Select an item in the table") : QString());
        return;
    }
    const RewardLevelTable& t = m_dataset->table();
    QVector<double> x, y;
    const auto begin = t.itemOffsets()[static_cast<size_t>(item)];
    const auto end = t.itemOffsets()[static_cast<size_t>(item) + 1];
    double maxCount = 0.0;
    for (auto c = begin; c < end; ++c) {
        const RewardLevelTable::Cell& cell = t.cells()[static_cast<size_t>(c)];
        x << t.levelReward()[static_cast<size_t>(cell.level)];
        y << static_cast<double>(cell.count);
        maxCount = std::max(maxCount, static_cast<double>(cell.count));
    }
    auto* bars = new QCPBars(m_item->xAxis, m_item->yAxis);
    bars->setPen(QPen(kTiltColor.darker(130)));
    bars->setBrush(kTiltColor);
    const auto& levels = t.levelReward();
    const double span = std::max(t.maxReward() - t.minReward(), 1e-9);
    const double gap = levels.size() > 1 ? span / static_cast<double>(levels.size() - 1) : 1.0;
    bars->setWidth(gap * 0.7);
    bars->setData(x, y, true);
    m_item->xAxis->setTicker(m_levels->xAxis->ticker());
    m_item->xAxis->setRange(t.minReward() - gap * 0.7, t.maxReward() + gap * 0.7);
    m_item->yAxis->setRange(0.0, std::max(maxCount, 1.0) * 1.3);

    m_itemTitle = new QCPItemText(m_item);
    m_itemTitle->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_itemTitle->position->setCoords(0.03, 0.03);
    m_itemTitle->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_itemTitle->setTextAlignment(Qt::AlignLeft);
    m_itemTitle->setBrush(QColor(255, 255, 255, 210));
    QString title = m_dataset->itemLabels[static_cast<size_t>(item)];
    if (title.size() > 38) {
        title = title.left(36) + QStringLiteral("…");
    }
    m_itemTitle->setText(tr("%1\n%2 targets, mean %3")
                             .arg(title, formatCount(t.itemCount()[static_cast<size_t>(item)]),
                                  formatReal(t.itemMeanReward()[static_cast<size_t>(item)], 3)));
    m_item->setMessage({});
    m_item->rememberView();
    m_item->requestReplot();
}

}  // namespace tiltbench
