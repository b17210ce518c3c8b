// Issue 17, honest empty states: a plot with nothing to draw shows its message without axes (no ranges left
// from other data), and gets back exactly the axes it had once data comes; a message over data keeps the
// axes.
#include <gtest/gtest.h>
#include <qcustomplot.h>
#include <QDir>
#include <QFile>

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

// Issue 17, legends on data: a legend placed above sits between the title and the axes, never inside the axis
// rect; a legend shown only in saved files is moved above for the file and put back afterwards.
TEST(PlotWidget, ALegendAboveNeverOverlapsTheAxesAndAnExportOnlyLegendComesBack) {
    PlotWidget plot(QStringLiteral("Training loss"));
    plot.show();
    plot.resize(400, 300);
    QCPGraph* g = plot.addGraph();
    g->setName(QStringLiteral("train loss"));
    g->setData(QVector<double>{0, 1, 2}, QVector<double>{3, 2, 1});
    plot.setLegendAbove(3);
    plot.replot();
    EXPECT_TRUE(plot.isLegendAbove());
    EXPECT_TRUE(plot.legend->visible());
    EXPECT_GT(plot.legend->outerRect().height(), 0);
    EXPECT_FALSE(plot.legend->outerRect().intersects(plot.axisRect()->rect()));
    EXPECT_LE(plot.legend->outerRect().bottom(), plot.axisRect()->outerRect().top());

    PlotWidget shared(QStringLiteral("NDCG@10"));
    shared.show();
    shared.resize(400, 300);
    QCPGraph* h = shared.addGraph();
    h->setName(QStringLiteral("sasrec · exp"));
    h->setData(QVector<double>{0, 1}, QVector<double>{0.1, 0.2});
    shared.legend->setVisible(false);  // the page shows one legend for several plots
    shared.setLegendOnExport(true);
    const int rows = shared.plotLayout()->rowCount();
    QRect legendInFile;
    QObject::connect(&shared, &QCustomPlot::afterLayout, [&] {
        if (shared.legend->visible()) {
            legendInFile = shared.legend->outerRect();
            EXPECT_FALSE(legendInFile.intersects(shared.axisRect()->rect()));
        }
    });
    const QString path = QDir::temp().filePath(QStringLiteral("tiltbench-legend-test.png"));
    ASSERT_TRUE(shared.saveAs(path));
    QFile::remove(path);
    EXPECT_TRUE(legendInFile.isValid());  // the file had the legend, above the axes
    EXPECT_FALSE(shared.legend->visible());
    EXPECT_FALSE(shared.isLegendAbove());
    EXPECT_EQ(shared.plotLayout()->rowCount(), rows);
}

// Issue 17, FilmTrust's "3 %3 %": labels next to data that would overlap are hidden, left to right, and come
// back when the plot is wide enough for them.
TEST(PlotWidget, LabelsThatWouldOverlapAreHiddenAndComeBackWhenThereIsRoom) {
    PlotWidget plot(QStringLiteral("Reward levels"));
    plot.show();
    plot.xAxis->setRange(-1.0, 10.0);
    plot.yAxis->setRange(0.0, 1.0);
    QList<QCPItemText*> labels;
    for (int i = 1; i <= 8; ++i) {
        auto* label = new QCPItemText(&plot);
        label->position->setCoords(i, 0.5);
        label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
        label->setText(QStringLiteral("%1 %").arg(10 + i));
        labels << label;
    }
    plot.avoidOverlaps(labels);
    const auto visibleCount = [&] {
        int n = 0;
        for (QCPItemText* l : labels) {
            n += l->visible() ? 1 : 0;
        }
        return n;
    };
    const auto noOverlap = [&] {
        double lastRight = -1e300;
        for (QCPItemText* l : labels) {
            if (!l->visible()) {
                continue;
            }
            const double w = QFontMetricsF(l->font()).horizontalAdvance(l->text());
            const double left = l->position->pixelPosition().x() - w / 2.0;
            if (left < lastRight || left < plot.axisRect()->rect().left() - 1 ||
                left + w > plot.axisRect()->rect().right() + 1) {
                return false;  // over another label, or cut by the axes' edge
            }
            lastRight = left + w;
        }
        return true;
    };
    plot.resize(160, 200);
    plot.replot();
    EXPECT_LT(visibleCount(), 8);
    EXPECT_GE(visibleCount(), 1);
    EXPECT_TRUE(labels.front()->visible());
    EXPECT_TRUE(noOverlap());
    plot.resize(1200, 200);
    plot.replot();
    EXPECT_EQ(visibleCount(), 8);
    EXPECT_TRUE(noOverlap());
}
