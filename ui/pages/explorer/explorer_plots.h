#pragma once
// ExplorerPlots: the λ Explorer's six plots. Four follow the slider — weight mass and weight per reward level
// (against the uniform mass), item weight share against popularity rank (log–log, against the uniform
// share), the Lorenz curve of item shares with both Ginis, and the ESS/N marker — and two are fixed per
// dataset and scheme settings with a marker that moves: ESS/N against λ and the tilted policies' validation
// metrics against λ (one metric at a time, chosen in a combo box). The sixth shows the reward histogram of
// the item selected in the table. λ axes are logarithmic and end in an "∞" stop drawn past 50.
#include <QWidget>
#include <cstdint>
#include <memory>

#include "pages/explorer/explorer_data.h"

class QCPBars;
class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QComboBox;
class QLabel;

namespace tiltbench {

class PlotWidget;

class ExplorerPlots : public QWidget {
    Q_OBJECT
  public:
    // Where λ = ∞ is drawn on the λ axes (log scale, so past the slider's 50 with room for a label).
    static constexpr double kInfinityX = 150.0;
    static double plotX(double lambda);

    explicit ExplorerPlots(QWidget* parent = nullptr);

    void showMessage(const QString& message);  // clears everything
    // The dataset whose statistics updateStats() will receive; draws the uniform references.
    void setDataset(std::shared_ptr<const ExplorerDataset> dataset);
    void setCurves(std::shared_ptr<const ExplorerCurves> curves);  // null: "computing…"
    void updateStats(const WeightStats& stats);
    void showItem(int32_t item);  // -1: none

    PlotWidget* levelPlot() const { return m_levels; }
    PlotWidget* essPlot() const { return m_ess; }
    PlotWidget* sharePlot() const { return m_share; }
    PlotWidget* lorenzPlot() const { return m_lorenz; }
    PlotWidget* metricPlot() const { return m_metric; }
    PlotWidget* itemPlot() const { return m_item; }
    QComboBox* metricChooser() const { return m_metricChooser; }
    QList<PlotWidget*> allPlots() const;

    // Data-bearing plottables, for tests; null while there is nothing to show.
    QCPBars* massBars() const { return m_massBars; }
    QCPGraph* shareGraph() const { return m_shareGraph; }
    QCPGraph* lorenzGraph() const { return m_lorenzGraph; }
    QCPGraph* essGraph() const { return m_essGraph; }
    QCPGraph* markovMetricGraph() const { return m_markovGraph; }
    QCPItemStraightLine* essMarker() const { return m_essMarker; }
    QCPItemStraightLine* metricMarker() const { return m_metricMarker; }

  private:
    void buildLevelPlot();
    void buildSharePlot();
    void buildLorenzPlot();
    void fillEssCurve();
    void fillMetricCurve();
    void updateLevels(const WeightStats& stats);
    void updateShares(const WeightStats& stats);
    void updateLorenz(const WeightStats& stats);
    void moveMarkers(double lambda, double essRatio);

    std::shared_ptr<const ExplorerDataset> m_dataset;
    std::shared_ptr<const ExplorerCurves> m_curves;
    double m_lambda = 0.0;
    double m_essRatio = 1.0;
    bool m_hasStats = false;

    PlotWidget* m_levels;
    PlotWidget* m_ess;
    PlotWidget* m_metric;
    PlotWidget* m_share;
    PlotWidget* m_lorenz;
    PlotWidget* m_item;
    QComboBox* m_metricChooser;
    QLabel* m_metricNote;

    QCPBars* m_uniformBars = nullptr;
    QCPBars* m_massBars = nullptr;
    QCPGraph* m_weightGraph = nullptr;
    QCPGraph* m_essGraph = nullptr;
    QCPGraph* m_essPoint = nullptr;
    QCPItemStraightLine* m_essMarker = nullptr;
    QCPItemText* m_essLabel = nullptr;
    QCPGraph* m_popularityGraph = nullptr;
    QCPGraph* m_markovGraph = nullptr;
    QCPItemStraightLine* m_metricMarker = nullptr;
    QCPGraph* m_uniformShareGraph = nullptr;
    QCPGraph* m_shareGraph = nullptr;
    QCPGraph* m_uniformLorenzGraph = nullptr;
    QCPGraph* m_lorenzGraph = nullptr;
    QCPItemText* m_itemTitle = nullptr;
};

}  // namespace tiltbench
