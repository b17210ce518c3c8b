// Issue 17, honest empty states: a plot with nothing to draw shows its message without axes (no ranges left from
// other data), and gets back exactly the axes it had once data comes; a message over data keeps the axes.
#include <gtest/gtest.h>
#include <qcustomplot.h>

#include "plots/plot_widget.h"

using namespace tiltbench;

TEST(PlotWidget, AnEmptyPlotShowsItsMessageWithoutAxesAndTheDataBringsThemBack) {
    PlotWidget plot(QStringLiteral("NDCG@10"));
    plot.yAxis2->setVisible(true);  // a second axis the page chose to show
    plot.xAxis->setRange(0.16, 0.19);
    plot.setMessage(QStringLiteral("No runs yet: train some on the Train page"));
    EXPECT_FALSE(plot.axesShown());
    EXPECT_FALSE(plot.xAxis->visible());
    EXPECT_FALSE(plot.yAxis->visible());
    EXPECT_FALSE(plot.yAxis2->visible());
    EXPECT_FALSE(plot.xAxis2->visible());

    QCPGraph* g = plot.addGraph();
    g->setData(QVector<double>{1, 2}, QVector<double>{3, 4});
    plot.setMessage({});
    EXPECT_TRUE(plot.axesShown());
    EXPECT_TRUE(plot.xAxis->visible());
    EXPECT_TRUE(plot.yAxis->visible());
    EXPECT_TRUE(plot.yAxis2->visible());
    EXPECT_FALSE(plot.xAxis2->visible());  // hidden before: stays hidden

    // A message over data (e.g. reference curves without runs) keeps the axes.
    plot.setMessage(QStringLiteral("No selected run has this metric"));
    EXPECT_TRUE(plot.xAxis->visible());
    plot.clearContent();
    plot.setMessage(QStringLiteral("Select a run"));
    EXPECT_FALSE(plot.xAxis->visible());
}
