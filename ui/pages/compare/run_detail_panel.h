#pragma once
// RunDetailPanel: one run of the Compare table up close — its settings and timings, its learning curves
// (per-epoch training loss and validation NDCG@10 as stored in run_metrics; closed-form policies are fitted
// in one pass and have none) and where its top-10 recommendations fall on the popularity long tail next to
// the training interactions (items cut into ten groups by training count, most logged first; see
// eval/popularity_profile.h). The profile comes from a RunDetailWorker, run by ComparePage.
#include <QWidget>

#include "pages/compare/compare_data.h"
#include "pages/compare/compare_workers.h"

class QCPBars;
class QCPBarsGroup;
class QLabel;

namespace tiltbench {

class PlotWidget;

class RunDetailPanel : public QWidget {
    Q_OBJECT
  public:
    explicit RunDetailPanel(QWidget* parent = nullptr);

    void showRun(const CompareRun* run);  // null: nothing selected
    void showProfile(const RunDetail& detail);
    void showProfileMessage(const QString& message);
    qint64 runId() const { return m_runId; }

    PlotWidget* curvePlot() const { return m_curves; }
    PlotWidget* popularityPlot() const { return m_popularity; }
    QLabel* summaryLabel() const { return m_summary; }
    QCPBars* recommendedBars() const { return m_recommendedBars; }

  private:
    QLabel* m_summary;
    PlotWidget* m_curves;
    PlotWidget* m_popularity;
    QCPBarsGroup* m_group;
    QCPBars* m_trainingBars = nullptr;
    QCPBars* m_recommendedBars = nullptr;
    qint64 m_runId = 0;
};

}  // namespace tiltbench
