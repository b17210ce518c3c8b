#pragma once
// DatasetPlots: the Data page's three views of a dataset — the reward histogram, the item popularity long
// tail (rank–frequency, log–log, with the top-20 % "head" marked, the line the popularity-bias metrics use)
// and item mean reward against popularity (scatter, log x), which shows whether the most logged items are
// also the best rated: the gap a reward-tilted policy exploits. Clicking a point names the item.
#include <QWidget>
#include <string>
#include <vector>

#include "shared/loaded_dataset.h"

class QCPBars;
class QCPGraph;

namespace tiltbench {

class PlotWidget;

class DatasetPlots : public QWidget {
    Q_OBJECT
  public:
    explicit DatasetPlots(QWidget* parent = nullptr);

    void showDataset(const LoadedDataset& dataset);
    void showMessage(const QString& message);  // clears the data

    PlotWidget* rewardPlot() const { return m_reward; }
    PlotWidget* popularityPlot() const { return m_popularity; }
    PlotWidget* meanRewardPlot() const { return m_meanReward; }
    // The data-bearing plottables, for tests; null while no dataset is shown.
    QCPBars* rewardBars() const { return m_rewardBars; }
    QCPGraph* popularityGraph() const { return m_popularityGraph; }
    QCPGraph* meanRewardGraph() const { return m_meanRewardGraph; }

  private:
    void fillRewardHistogram(const DatasetSummary& s);
    void fillPopularity(const DatasetSummary& s);
    void fillMeanReward(const DatasetSummary& s);
    void showPointLabel(int dataIndex, const QPoint& globalPos);

    PlotWidget* m_reward;
    PlotWidget* m_popularity;
    PlotWidget* m_meanReward;
    QCPBars* m_rewardBars = nullptr;
    QCPGraph* m_popularityGraph = nullptr;
    QCPGraph* m_meanRewardGraph = nullptr;

    // For click labels: the scatter's points in plotted order (ascending count).
    std::vector<ItemStat> m_scatterItems;
    std::vector<std::string> m_itemLabels;
};

}  // namespace tiltbench
