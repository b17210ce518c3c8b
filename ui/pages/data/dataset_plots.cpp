#include "pages/data/dataset_plots.h"

#include <QHBoxLayout>
#include <QToolTip>
#include <algorithm>
#include <cmath>

#include "plots/plot_widget.h"
#include "shared/formatting.h"

namespace tiltbench {

namespace {
const QColor kBarColor(70, 130, 180);
const QColor kLineColor(31, 119, 180);
const QColor kPointColor(31, 119, 180, 90);
const QColor kMarkColor(214, 39, 40);
// Above this many levels a label per bar would overlap.
constexpr size_t kMaxLabelledBars = 12;

void useLogAxis(QCPAxis* axis) {
    axis->setScaleType(QCPAxis::stLogarithmic);
    QSharedPointer<QCPAxisTickerLog> ticker(new QCPAxisTickerLog);
    axis->setTicker(ticker);
    axis->setNumberFormat(QStringLiteral("eb"));  // 10^k written as a power
    axis->setNumberPrecision(0);
}

// Log axes end on a power of ten, so the top and bottom ticks are labelled rather than cut off.
double decadeAbove(double v) {
    return 1.05 * std::pow(10.0, std::ceil(std::log10(std::max(v, 1.0)) - 1e-9));
}
double decadeBelow(double v) {
    return 0.8 * std::pow(10.0, std::floor(std::log10(std::max(v, 1.0)) + 1e-9));
}

void useLinearAxis(QCPAxis* axis) {
    axis->setScaleType(QCPAxis::stLinear);
    axis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    axis->setNumberFormat(QStringLiteral("gb"));
    axis->setNumberPrecision(6);
}
}  // namespace

DatasetPlots::DatasetPlots(QWidget* parent)
    : QWidget(parent),
      m_reward(new PlotWidget(tr("Reward distribution"), this)),
      m_popularity(new PlotWidget(tr("Item popularity (rank–frequency)"), this)),
      m_meanReward(new PlotWidget(tr("Item mean reward vs popularity"), this)) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    layout->addWidget(m_reward);
    layout->addWidget(m_popularity);
    layout->addWidget(m_meanReward);

    m_reward->xAxis->setLabel(tr("Reward"));
    m_reward->yAxis->setLabel(tr("Interactions"));
    m_popularity->xAxis->setLabel(tr("Item rank"));
    m_popularity->yAxis->setLabel(tr("Interactions"));
    m_meanReward->xAxis->setLabel(tr("Interactions per item"));
    m_meanReward->yAxis->setLabel(tr("Mean reward"));

    connect(m_meanReward, &QCustomPlot::plottableClick, this,
            [this](QCPAbstractPlottable* plottable, int dataIndex, QMouseEvent* event) {
                if (plottable == m_meanRewardGraph) {
                    showPointLabel(dataIndex, event->globalPosition().toPoint());
                }
            });
    showMessage(tr("Select a dataset"));
}

void DatasetPlots::showMessage(const QString& message) {
    for (PlotWidget* plot : {m_reward, m_popularity, m_meanReward}) {
        plot->clearContent();
        plot->setMessage(message);
    }
    m_rewardBars = nullptr;
    m_popularityGraph = nullptr;
    m_meanRewardGraph = nullptr;
    m_scatterItems.clear();
    m_itemLabels.clear();
}

void DatasetPlots::showDataset(const LoadedDataset& dataset) {
    showMessage({});
    m_itemLabels = dataset.itemLabels;
    fillRewardHistogram(dataset.summary);
    fillPopularity(dataset.summary);
    fillMeanReward(dataset.summary);
    for (PlotWidget* plot : {m_reward, m_popularity, m_meanReward}) {
        plot->rememberView();
        plot->requestReplot();
    }
}

void DatasetPlots::fillRewardHistogram(const DatasetSummary& s) {
    const auto& levels = s.rewardLevels;
    if (levels.empty()) {
        m_reward->setMessage(tr("No rewards"));
        return;
    }
    QVector<double> keys, values;
    double minGap = 1.0;
    for (size_t i = 0; i < levels.size(); ++i) {
        keys << levels[i].reward;
        values << static_cast<double>(levels[i].count);
        if (i > 0) {
            const double gap = levels[i].reward - levels[i - 1].reward;
            minGap = i == 1 ? gap : std::min(minGap, gap);
        }
    }
    if (!(minGap > 0.0)) {
        minGap = 1.0;
    }
    const double width = minGap * (s.discreteRewards ? 0.7 : 0.95);

    m_rewardBars = new QCPBars(m_reward->xAxis, m_reward->yAxis);
    m_rewardBars->setWidth(width);
    m_rewardBars->setPen(QPen(kBarColor.darker(130)));
    m_rewardBars->setBrush(kBarColor);
    m_rewardBars->setData(keys, values, true);

    if (s.discreteRewards && levels.size() <= kMaxLabelledBars) {
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        for (const auto& level : levels) {
            ticker->addTick(level.reward, formatReal(level.reward));
        }
        m_reward->xAxis->setTicker(ticker);
    } else {
        m_reward->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
    const double maxCount = *std::max_element(values.begin(), values.end());
    if (levels.size() <= kMaxLabelledBars && s.rows > 0) {
        QList<QCPItemText*> labels;
        for (const auto& level : levels) {
            auto* label = new QCPItemText(m_reward);
            labels << label;
            label->position->setCoords(level.reward, static_cast<double>(level.count));
            label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
            label->setText(formatPercent(static_cast<double>(level.count) / static_cast<double>(s.rows), 0));
            label->setColor(QColor(60, 60, 60));
        }
        m_reward->avoidOverlaps(labels);  // many levels on a narrow plot: no "3 %3 %"
    }
    m_reward->xAxis->setRange(keys.front() - minGap * 0.75, keys.back() + minGap * 0.75);
    m_reward->yAxis->setRange(0.0, maxCount * 1.15);
}

void DatasetPlots::fillPopularity(const DatasetSummary& s) {
    useLogAxis(m_popularity->xAxis);
    useLogAxis(m_popularity->yAxis);
    QVector<double> ranks, counts;
    ranks.reserve(static_cast<int>(s.itemsByPopularity.size()));
    counts.reserve(static_cast<int>(s.itemsByPopularity.size()));
    for (const ItemStat& item : s.itemsByPopularity) {
        if (item.count <= 0) {
            break;  // sorted by descending count; log axes cannot show zero
        }
        ranks << static_cast<double>(ranks.size() + 1);
        counts << static_cast<double>(item.count);
    }
    if (ranks.isEmpty()) {
        m_popularity->setMessage(tr("No items"));
        return;
    }
    m_popularityGraph = m_popularity->addGraph();
    m_popularityGraph->setPen(QPen(kLineColor, 2.0));
    m_popularityGraph->setData(ranks, counts, true);

    // The head as the bias metrics define it: the 20 % most popular items of those in the catalogue.
    const double head =
        std::max(1.0, std::ceil(0.2 * static_cast<double>(s.items > 0 ? s.items : ranks.size())));
    auto* line = new QCPItemStraightLine(m_popularity);
    line->point1->setCoords(head, 1.0);
    line->point2->setCoords(head, 10.0);
    line->setPen(QPen(kMarkColor, 1.0, Qt::DashLine));
    auto* label = new QCPItemText(m_popularity);
    label->position->setType(QCPItemPosition::ptAxisRectRatio);
    // Bottom left: the one corner a descending rank–frequency curve never passes through.
    label->position->setCoords(0.04, 0.96);
    label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    label->setTextAlignment(Qt::AlignLeft);
    label->setBrush(QColor(255, 255, 255, 210));
    label->setPadding(QMargins(3, 2, 3, 2));
    label->setText(tr("top 20 % of items:\n%1 of all\ninteractions").arg(formatPercent(s.topFifthShare)));
    label->setColor(kMarkColor);

    m_popularity->xAxis->setRange(0.8, ranks.back() * 1.3);
    m_popularity->yAxis->setRange(decadeBelow(counts.back()), decadeAbove(counts.front()));
}

void DatasetPlots::fillMeanReward(const DatasetSummary& s) {
    useLogAxis(m_meanReward->xAxis);
    useLinearAxis(m_meanReward->yAxis);
    m_scatterItems.clear();
    for (const ItemStat& item : s.itemsByPopularity) {
        if (item.count > 0) {
            m_scatterItems.push_back(item);
        }
    }
    if (m_scatterItems.empty()) {
        m_meanReward->setMessage(tr("No items"));
        return;
    }
    // Ascending count, so the graph keeps this order and a clicked data index maps back to the item.
    std::stable_sort(m_scatterItems.begin(), m_scatterItems.end(),
                     [](const ItemStat& a, const ItemStat& b) { return a.count < b.count; });
    QVector<double> counts, means;
    counts.reserve(static_cast<int>(m_scatterItems.size()));
    means.reserve(static_cast<int>(m_scatterItems.size()));
    for (const ItemStat& item : m_scatterItems) {
        counts << static_cast<double>(item.count);
        means << item.meanReward;
    }
    m_meanRewardGraph = m_meanReward->addGraph();
    m_meanRewardGraph->setLineStyle(QCPGraph::lsNone);
    m_meanRewardGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, kPointColor, kPointColor, 5));
    m_meanRewardGraph->setData(counts, means, true);

    auto* mean = new QCPItemStraightLine(m_meanReward);
    mean->point1->setCoords(1.0, s.rewardMean);
    mean->point2->setCoords(10.0, s.rewardMean);
    mean->setPen(QPen(kMarkColor, 1.0, Qt::DashLine));
    auto* label = new QCPItemText(m_meanReward);
    label->position->setType(QCPItemPosition::ptAxisRectRatio);
    label->position->setCoords(0.97, 0.97);
    label->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    label->setText(tr("overall mean %1").arg(formatReal(s.rewardMean, 3)));
    label->setBrush(QColor(255, 255, 255, 210));
    label->setPadding(QMargins(3, 2, 3, 2));
    label->setColor(kMarkColor);

    const double span = std::max(s.rewardMax - s.rewardMin, 1e-9);
    m_meanReward->xAxis->setRange(0.8, decadeAbove(counts.back()));
    m_meanReward->yAxis->setRange(s.rewardMin - 0.05 * span, s.rewardMax + 0.05 * span);
}

void DatasetPlots::showPointLabel(int dataIndex, const QPoint& globalPos) {
    if (dataIndex < 0 || static_cast<size_t>(dataIndex) >= m_scatterItems.size()) {
        return;
    }
    const ItemStat& item = m_scatterItems[static_cast<size_t>(dataIndex)];
    const auto id = static_cast<size_t>(item.item);
    const QString name =
        id < m_itemLabels.size() ? QString::fromStdString(m_itemLabels[id]) : tr("item %1").arg(item.item);
    QToolTip::showText(globalPos,
                       tr("%1\n%2 interactions, mean reward %3")
                           .arg(name, formatCount(item.count), formatReal(item.meanReward, 3)),
                       m_meanReward);
}

}  // namespace tiltbench
