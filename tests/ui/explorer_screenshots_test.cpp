// Screenshots of the λ Explorer for docs/screenshots (demo dataset, and ML-100K when ../shared/data has it),
// at λ = ∞ and λ = 0.5, plus the slider-update latency on those datasets. Skipped unless
// TILTBENCH_SCREENSHOT_DIR is set, like the other screenshot tests:
//
//   TILTBENCH_SCREENSHOT_DIR=docs/screenshots build/x3/tests/tiltbench_ui_tests
//   --gtest_filter='ExplorerScreenshots.*'
#include <gtest/gtest.h>
#include <QDir>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QSlider>
#include <QTableView>
#include <QTest>
#include <algorithm>

#include "io/import.h"
#include "pages/data/data_page.h"
#include "pages/explorer/explorer_page.h"
#include "pages/explorer/explorer_plots.h"
#include "plots/plot_widget.h"
#include "shell/main_window.h"
#include "store/simulated_dataset.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "widgets/lambda_slider.h"

using namespace tiltbench;

// A namespace of its own: the suite compiles in unity batches (tests/CMakeLists.txt).
namespace explorer_screenshots_test_file {

namespace {
constexpr int kWaitMs = 120000;

QString screenshotDir() {
    return qEnvironmentVariable("TILTBENCH_SCREENSHOT_DIR");
}

void save(QWidget* widget, const QString& name) {
    QTest::qWait(300);  // queued replots and layouts
    const QString path = QDir(screenshotDir()).filePath(name);
    ASSERT_TRUE(widget->grab().save(path)) << path.toStdString();
    std::printf("wrote %s\n", qPrintable(path));
}

// Slider moves across the whole range: the page's own update time (statistics, plot data, table) and a
// forced synchronous repaint of every plot, which the GUI otherwise coalesces into one queued replot.
void reportLatency(ExplorerPage* page, const char* name) {
    double sum = 0.0, worst = 0.0, paint = 0.0;
    const int moves = 40;
    for (int i = 0; i < moves; ++i) {
        page->lambdaSlider()->slider()->setValue((i * 37) % (LambdaSlider::kSteps + 2));
        sum += page->lastUpdateMs();
        worst = std::max(worst, page->lastUpdateMs());
        QElapsedTimer t;
        t.start();
        for (PlotWidget* p : page->plots()->allPlots()) {
            p->replot(QCustomPlot::rpImmediateRefresh);
        }
        paint += static_cast<double>(t.nsecsElapsed()) * 1e-6;
    }
    std::printf(
        "[explorer latency] %s (%d items, %lld targets): update mean %.2f ms, worst %.2f ms; "
        "repaint of all six plots %.2f ms; preparation %.2f s + curves %.2f s\n",
        name, page->dataset()->table().numItems(),
        static_cast<long long>(page->dataset()->table().numTargets()), sum / moves, worst, paint / moves,
        page->dataset()->seconds, page->curves()->seconds);
}

void shoot(MainWindow& w, ExplorerPage* page, const QString& prefix) {
    // Select the item gaining most at a sharp tilt, so the histogram shows something worth seeing.
    page->setLambda(0.5);
    QTableView* view = page->itemsView();
    view->sortByColumn(1 + 3, Qt::DescendingOrder);  // Change vs uniform
    view->selectionModel()->setCurrentIndex(view->model()->index(0, 0),
                                            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    view->scrollToTop();
    page->setLambda(WeightScheme::kInfinity);
    save(&w, prefix + QStringLiteral("-inf.png"));
    page->setLambda(0.5);
    save(&w, prefix + QStringLiteral("-lambda-0.5.png"));
}
}  // namespace

TEST(ExplorerScreenshots, DemoAndMl100k) {
    if (screenshotDir().isEmpty()) {
        GTEST_SKIP() << "set TILTBENCH_SCREENSHOT_DIR to write the documentation screenshots";
    }
    QDir().mkpath(screenshotDir());
    test::TempDir dir;
    const std::string ws = dir.file("research.sqlite");
    bool haveMl = false;
    {
        Workspace w(ws, OpenMode::CreateIfMissing);
        generateDataset(w, "demo", SimulatorConfig{});
        const std::string ml = test::sharedDataDir() + "/ml-100k";
        if (!test::sharedDataDir().empty() && test::pathExists(ml + "/u.data")) {
            ImportRequest r;
            r.name = "ml-100k";
            r.format = ImportFormat::MovieLens100k;
            r.files = {ml + "/u.data"};
            r.titlesFile = ml + "/u.item";
            importDataset(w, r);
            haveMl = true;
        }
    }
    MainWindow w;
    w.resize(1280, 860);
    w.show();
    QSignalSpy shown(w.dataPage(), &DataPage::datasetShown);
    ASSERT_TRUE(w.openWorkspace(QString::fromStdString(ws)));
    ASSERT_TRUE(shown.wait(kWaitMs));
    auto* page = w.findChild<ExplorerPage*>();
    ASSERT_NE(page, nullptr);
    QSignalSpy ready(page, &ExplorerPage::ready);
    w.showPage(MainWindow::ExplorerPageIndex);
    ASSERT_TRUE(ready.wait(kWaitMs));
    shoot(w, page, QStringLiteral("explorer-demo"));
    reportLatency(page, "demo");

    if (!haveMl) {
        std::printf("ml-100k not in %s: its screenshots are skipped\n", test::sharedDataDir().c_str());
        return;
    }
    const auto ml = Workspace(ws).findDataset("ml-100k");
    ASSERT_TRUE(ml.has_value());
    ready.clear();
    page->selectDataset(ml->id);
    ASSERT_TRUE(ready.wait(kWaitMs));
    shoot(w, page, QStringLiteral("explorer-ml-100k"));
    reportLatency(page, "ml-100k");
}

}  // namespace explorer_screenshots_test_file
