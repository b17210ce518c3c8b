#pragma once
// ProxyTruePlot: over-optimisation across methods (issue 16) — for every selected run that recorded a proxy
// reward per epoch (runs trained against a reward model: exp on r̂, DPO, PPO), its validation path epoch by
// epoch: x = the reward model's mean score of the top-10 (the proxy the run was pushed up), y = the true
// reward of the same top-10 on simulated data, else NDCG@10 (what the proxy should serve; real data has no
// true reward). A path that runs right and down is a policy exploiting its reward model. The last epoch is
// a large marker; the pinned baseline (typically the SFT parent, which has no proxy) is a dashed level of
// its own validation value. Hovering a point names run, epoch, proxy, y and KL to the parent.
#include <QColor>
#include <functional>
#include <string>
#include <vector>

#include "pages/compare/compare_data.h"
#include "plots/plot_widget.h"

namespace tiltbench {

class ProxyTruePlot : public PlotWidget {
    Q_OBJECT
  public:
    explicit ProxyTruePlot(QWidget* parent = nullptr);

    // Draws the paths of `runs` that have one; returns the number drawn (0: the plot shows why).
    int setRuns(const std::vector<CompareRun>& runs, const std::function<QColor(const CompareRun&)>& colorOf,
                qint64 baselineId);
    int trackCount() const { return static_cast<int>(m_tracks.size()); }
    // "true_reward@10" when any path has the true reward, else "ndcg@10".
    const std::string& yMetric() const { return m_yMetric; }
    QString toolTipAt(const QPointF& pixel) const;
    // The pixel of run `runId`'s point at `epoch`; (-1, -1) when it has none.
    QPointF pointPixel(qint64 runId, int epoch) const;

  private:
    struct Point {
        int epoch;
        double proxy, y, kl;
    };
    struct Track {
        qint64 runId;
        QString label;
        std::vector<Point> points;
    };
    void onMouseMove(QMouseEvent* event);

    std::vector<Track> m_tracks;
    std::string m_yMetric = "true_reward@10";
};

}  // namespace tiltbench
