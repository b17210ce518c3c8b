#pragma once
// ComparePlots: metric against λ across the runs chosen in the Compare table — NDCG@10, NDCG@10 on
// high-reward targets, item-mean reward, true reward (simulated data), ARP and coverage, one panel each.
// Runs are markers with their stored 95 % interval as error bars, joined per model and scheme (exp runs
// along λ, uniform at ∞; linear and filter, which have no λ, as flat dashed lines); the closed-form tilted
// Markov and popularity policies from the λ engine are drawn behind them as the reference. λ axes are
// logarithmic with ∞ at the right end. Hovering a marker names the run. Runs on a learned reward are their
// own series (CompareRun::seriesKey). A seventh panel, the proxy-vs-true paths of the runs trained against a
// reward model (ProxyTruePlot), and the true-reward panel appear only where some run can fill them.
#include <QHash>
#include <QWidget>
#include <memory>
#include <string>
#include <vector>

#include "pages/compare/compare_data.h"
#include "pages/compare/compare_workers.h"

class QCPGraph;
class QGridLayout;
class QLabel;
class QMouseEvent;

namespace tiltbench {

class PlotWidget;
class ProxyTruePlot;

class ComparePlots : public QWidget {
    Q_OBJECT
  public:
    static const std::vector<std::string>& metrics();  // the panels' metrics, in order

    explicit ComparePlots(QWidget* parent = nullptr);

    void setRuns(const std::vector<CompareRun>& runs, const QString& split, qint64 baselineId);
    void setReference(std::shared_ptr<const ReferenceCurves> reference);  // null: none
    void showMessage(const QString& message);

    QList<PlotWidget*> allPlots() const;  // the panels shown
    ProxyTruePlot* proxyPlot() const { return m_proxy; }
    // "ndcg@10", …, or "proxy": whether that panel is laid out now.
    bool isPanelShown(const std::string& metric) const;
    PlotWidget* plot(const std::string& metric) const;
    QLabel* legendLabel() const { return m_legend; }
    // The runs plotted as markers in a panel (tests), and what hovering at `pixel` shows (empty: nothing).
    int markerCount(const std::string& metric) const;
    QString toolTipAt(const std::string& metric, const QPointF& pixel) const;
    // The pixel of run `runId`'s marker in a panel; (-1, -1) when it has none.
    QPointF markerPixel(const std::string& metric, qint64 runId) const;
    double infinityX() const { return m_infinityX; }

  private:
    struct Series {
        QCPGraph* graph = nullptr;   // markers (and the joining line)
        std::vector<qint64> runIds;  // in the graph's data order
        bool flat = false;           // linear / filter: a horizontal line at the run's value
    };
    struct Panel {
        std::string metric;
        PlotWidget* plot = nullptr;
        std::vector<Series> series;
    };

    void rebuild();
    void relayout(bool trueReward, bool proxy);
    QList<QWidget*> allPanels() const;
    void fillPanel(Panel& panel);
    void onMouseMove(Panel& panel, QMouseEvent* event);
    const CompareRun* runById(qint64 id) const;

    std::vector<Panel> m_panels;
    QLabel* m_legend;
    ProxyTruePlot* m_proxy;
    QGridLayout* m_grid;
    std::vector<CompareRun> m_runs;
    QString m_split = QStringLiteral("test");
    qint64 m_baseline = 0;
    std::shared_ptr<const ReferenceCurves> m_reference;
    double m_infinityX = 150.0;
    QString m_message;
};

}  // namespace tiltbench
