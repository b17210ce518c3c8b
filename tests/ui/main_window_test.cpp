// The shell end to end, offscreen: welcome state, opening workspaces (good, missing, not a workspace), the
// Data page listing datasets and filling the summary and plots, generate, delete, and closing during a job.
#include <gtest/gtest.h>
#include <qcustomplot.h>
#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTest>
#include <QVBoxLayout>
#include <QWheelEvent>
#include <cmath>

#include "data/summary.h"
#include "pages/data/data_page.h"
#include "pages/data/dataset_list_model.h"
#include "pages/data/dataset_plots.h"
#include "pages/data/dataset_summary_panel.h"
#include "pages/data/import_dialog.h"
#include "pages/explorer/explorer_page.h"
#include "pages/export/export_page.h"
#include "pages/train/train_page.h"
#include "plots/plot_widget.h"
#include "runtime/version.h"
#include "shared/formatting.h"
#include "shell/main_window.h"
#include "shell/recent_files.h"
#include "shell/welcome_page.h"
#include "store/sqlite_version.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "train/closed_form_run.h"
#include "ui_test_helpers.h"
#include "widgets/lambda_slider.h"

using namespace tiltbench;

// A namespace of its own: the suite compiles in unity batches (tests/CMakeLists.txt).
namespace main_window_test_file {

namespace {
constexpr int kWaitMs = 30000;

// The plot data the Data page should show for this dataset, from core directly.
DatasetSummary expectedSummary(const std::string& ws, int64_t id) {
    Workspace w(ws);
    return summarize(w.loadLog(id));
}

int64_t itemsWithInteractions(const DatasetSummary& s) {
    int64_t n = 0;
    for (const ItemStat& item : s.itemsByPopularity) {
        n += item.count > 0 ? 1 : 0;
    }
    return n;
}

// Clicks `button` on the first visible message box that is a child of `parent`.
bool answer(QWidget* parent, QMessageBox::StandardButton button) {
    for (QMessageBox* box : parent->findChildren<QMessageBox*>()) {
        if (box->isVisible() && box->button(button)) {
            box->button(button)->click();
            return true;
        }
    }
    return false;
}
}  // namespace

TEST(MainWindow, StartsOnTheWelcomePageWithEveryPageBuilt) {
    RecentFiles().clear();
    MainWindow w;
    w.show();
    EXPECT_TRUE(w.isShowingWelcome());
    EXPECT_FALSE(w.hasWorkspace());
    EXPECT_EQ(w.windowTitle(), QStringLiteral("Tiltbench"));
    auto* nav = w.findChild<QListWidget*>(QStringLiteral("navigation"));
    ASSERT_NE(nav, nullptr);
    ASSERT_EQ(nav->count(), MainWindow::NUM_PAGES);
    EXPECT_EQ(nav->item(1)->text(), QStringLiteral("λ Explorer"));
    EXPECT_TRUE(w.findChildren<QLabel*>(QStringLiteral("comingLater")).isEmpty());  // no placeholder is left
    EXPECT_NE(w.exportPage(), nullptr);
}

TEST(MainWindow, OpensWorkspaceListsDatasetsAndShowsSummaryAndPlots) {
    test::TempDir dir;
    const std::string ws = dir.file("lab.sqlite");
    const auto infos = test::makeWorkspace(ws, {"first", "second"});

    MainWindow w;
    w.show();
    DataPage* page = w.dataPage();
    QAbstractItemModelTester tester(page->datasetModel());
    QSignalSpy shown(page, &DataPage::datasetShown);
    ASSERT_TRUE(w.openWorkspace(QString::fromStdString(ws)));
    EXPECT_FALSE(w.isShowingWelcome());
    EXPECT_EQ(w.currentPage(), MainWindow::DataPageIndex);
    EXPECT_TRUE(w.windowTitle().startsWith(QStringLiteral("lab.sqlite")));
    EXPECT_EQ(RecentFiles().list().value(0), QFileInfo(QString::fromStdString(ws)).canonicalFilePath());
    ASSERT_EQ(page->datasetModel()->rowCount(), 2);

    // The first dataset is selected and loaded on a worker.
    ASSERT_TRUE(shown.wait(kWaitMs));
    EXPECT_EQ(shown.takeFirst().at(0).toLongLong(), infos[0].id);
    DatasetSummary expected = expectedSummary(ws, infos[0].id);
    EXPECT_EQ(page->summaryPanel()->value(QStringLiteral("rows")), formatCount(expected.rows));
    EXPECT_EQ(page->summaryPanel()->value(QStringLiteral("users")), formatCount(expected.users));
    EXPECT_EQ(page->summaryPanel()->value(QStringLiteral("items")), formatCount(expected.items));
    EXPECT_FALSE(page->summaryPanel()->value(QStringLiteral("rewardMean")).isEmpty());
    EXPECT_FALSE(page->summaryPanel()->value(QStringLiteral("topShare")).isEmpty());

    DatasetPlots* plots = page->plots();
    ASSERT_NE(plots->rewardBars(), nullptr);
    EXPECT_EQ(plots->rewardBars()->dataCount(), static_cast<int>(expected.rewardLevels.size()));
    ASSERT_NE(plots->popularityGraph(), nullptr);
    EXPECT_EQ(plots->popularityGraph()->dataCount(), itemsWithInteractions(expected));
    ASSERT_NE(plots->meanRewardGraph(), nullptr);
    EXPECT_EQ(plots->meanRewardGraph()->dataCount(), itemsWithInteractions(expected));
    EXPECT_EQ(plots->popularityPlot()->xAxis->scaleType(), QCPAxis::stLogarithmic);
    EXPECT_EQ(plots->popularityPlot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
    EXPECT_EQ(plots->meanRewardPlot()->xAxis->scaleType(), QCPAxis::stLogarithmic);

    // Selecting the other dataset loads it.
    page->selectDataset(infos[1].id);
    ASSERT_TRUE(shown.wait(kWaitMs));
    EXPECT_EQ(page->shownDatasetId(), infos[1].id);
    EXPECT_EQ(page->summaryPanel()->value(QStringLiteral("rows")), formatCount(infos[1].rows));

    // A plot saves itself as PNG and PDF.
    const QString png = QString::fromStdString(dir.file("reward.png"));
    const QString pdf = QString::fromStdString(dir.file("reward.pdf"));
    EXPECT_TRUE(plots->rewardPlot()->saveAs(png));
    EXPECT_TRUE(plots->rewardPlot()->saveAs(pdf));
    EXPECT_GT(QFileInfo(png).size(), 1000);
    EXPECT_GT(QFileInfo(pdf).size(), 1000);
}

TEST(MainWindow, MissingFileOrNonWorkspaceIsAClearError) {
    test::TempDir dir;
    MainWindow w;
    w.show();
    EXPECT_FALSE(w.openWorkspace(QString::fromStdString(dir.file("missing.sqlite"))));
    EXPECT_TRUE(w.isShowingWelcome());
    EXPECT_FALSE(QFileInfo::exists(QString::fromStdString(dir.file("missing.sqlite"))));
    auto* box = w.findChild<QMessageBox*>(QStringLiteral("warningBox"));
    ASSERT_NE(box, nullptr);
    EXPECT_TRUE(box->text().contains(QStringLiteral("missing.sqlite")));
    box->close();

    test::writeFile(dir.file("notes.txt"), "just some text\n");
    EXPECT_FALSE(w.openWorkspace(QString::fromStdString(dir.file("notes.txt"))));
    EXPECT_TRUE(w.isShowingWelcome());
}

TEST(MainWindow, GenerateThenDeleteOnTheDataPage) {
    test::TempDir dir;
    const std::string ws = dir.file("new.sqlite");
    MainWindow w;
    w.show();
    ASSERT_TRUE(w.openWorkspace(QString::fromStdString(ws), OpenMode::CreateIfMissing));
    DataPage* page = w.dataPage();
    EXPECT_EQ(page->datasetModel()->rowCount(), 0);

    QSignalSpy shown(page, &DataPage::datasetShown);
    page->startGenerate(QStringLiteral("sim"), test::smallSimulatorConfig(2000));
    EXPECT_TRUE(page->hasWriteJob());
    ASSERT_TRUE(shown.wait(kWaitMs));
    ASSERT_EQ(page->datasetModel()->rowCount(), 1);
    EXPECT_EQ(page->selectedDatasetId(), page->datasetModel()->datasetAt(0)->id);

    QSignalSpy changed(page, &DataPage::datasetsChanged);
    page->deleteSelected();
    ASSERT_TRUE(answer(page, QMessageBox::Yes));
    ASSERT_TRUE(changed.wait(kWaitMs));
    EXPECT_EQ(page->datasetModel()->rowCount(), 0);
    EXPECT_TRUE(Workspace(ws).datasets().empty());
}

TEST(MainWindow, ClosingDuringAJobAsksCancelsAndCloses) {
    test::TempDir dir;
    const std::string ws = dir.file("busy.sqlite");
    auto* w = new MainWindow;
    w->setAttribute(Qt::WA_DeleteOnClose, false);
    w->show();
    ASSERT_TRUE(w->openWorkspace(QString::fromStdString(ws), OpenMode::CreateIfMissing));
    w->dataPage()->startGenerate(QStringLiteral("big"), test::smallSimulatorConfig(5'000'000));
    ASSERT_TRUE(w->dataPage()->hasWriteJob());

    EXPECT_FALSE(w->close());  // asks first
    EXPECT_TRUE(w->isVisible());
    ASSERT_TRUE(answer(w, QMessageBox::Yes));
    EXPECT_TRUE(QTest::qWaitFor([w] { return !w->isVisible(); }, kWaitMs));
    EXPECT_FALSE(w->dataPage()->isBusy());
    delete w;
    EXPECT_FALSE(Workspace(ws).findDataset("big").has_value());
}

TEST(MainWindow, GeometryAndSplittersPersist) {
    test::TempDir dir;
    const QString ws = QString::fromStdString(dir.file("w.sqlite"));
    {
        MainWindow w;
        w.resize(1400, 860);
        w.show();
        ASSERT_TRUE(w.openWorkspace(ws, OpenMode::CreateIfMissing));
        auto* nav = w.findChild<QSplitter*>(QStringLiteral("navSplitter"));
        ASSERT_NE(nav, nullptr);
        QTest::qWait(50);
        nav->setSizes({210, 1190});
        ASSERT_TRUE(w.close());
    }
    MainWindow w;
    w.show();
    ASSERT_TRUE(w.openWorkspace(ws));
    QTest::qWait(50);
    EXPECT_EQ(w.size(), QSize(1400, 860));
    EXPECT_EQ(w.findChild<QSplitter*>(QStringLiteral("navSplitter"))->sizes().value(0), 210);
}

TEST(MainWindow, AboutNamesTheVersionTheLicenceAndTheLibrariesWithTheirs) {
    MainWindow w;
    w.show();
    w.showAbout();
    auto* box = w.findChild<QMessageBox*>();
    ASSERT_NE(box, nullptr);
    EXPECT_TRUE(box->text().contains(QString::fromStdString(versionString()))) << box->text().toStdString();
    const QString about = box->informativeText();
    for (const char* expected : {"GPL-3.0-or-later", "NO WARRANTY", "QCustomPlot", "Qt ", "LGPL-3.0",
                                 "SQLite", "LibTorch (BSD-3-Clause)", "nlohmann/json (MIT)", "CLI11"})
        EXPECT_TRUE(about.contains(QString::fromUtf8(expected))) << expected << ": " << about.toStdString();
    EXPECT_TRUE(about.contains(QString::fromStdString(sqliteLibraryVersion()))) << about.toStdString();
    box->close();
}

// Issue 17: File → Import data… exists (with a workspace open) and opens the Data page's import dialog; the
// pages have keyboard shortcuts in the Go menu.
TEST(MainWindow, FileImportAndThePageShortcuts) {
    test::TempDir dir;
    const std::string ws = dir.file("lab.sqlite");
    test::makeWorkspace(ws, {"first"});
    MainWindow w;
    w.show();
    auto* import = w.findChild<QAction*>(QStringLiteral("importAction"));
    ASSERT_NE(import, nullptr);
    EXPECT_FALSE(import->isEnabled());  // no workspace yet
    ASSERT_TRUE(w.openWorkspace(QString::fromStdString(ws)));
    EXPECT_TRUE(import->isEnabled());
    EXPECT_EQ(import->shortcut(), QKeySequence(QStringLiteral("Ctrl+I")));
    for (int page = 0; page < MainWindow::NUM_PAGES; ++page) {
        auto* go = w.findChild<QAction*>(QStringLiteral("goToPage%1").arg(page + 1));
        ASSERT_NE(go, nullptr) << page;
        EXPECT_EQ(go->shortcut(), QKeySequence(QStringLiteral("Ctrl+%1").arg(page + 1)));
        go->trigger();
        EXPECT_EQ(w.currentPage(), static_cast<MainWindow::Page>(page));
    }
    import->trigger();
    EXPECT_EQ(w.currentPage(), MainWindow::DataPageIndex);
    auto* dialog = w.findChild<ImportDialog*>();
    ASSERT_NE(dialog, nullptr);
    EXPECT_TRUE(dialog->isVisible());
    dialog->close();
}

// Issue 17, λ travels on request: "Train at this λ" in the Explorer shows the Train page with the Explorer's
// dataset and weighting in the form (and says so in the status bar); nothing is queued.
TEST(MainWindow, TrainAtThisLambdaCarriesTheExplorersWeightingToTheTrainForm) {
    test::TempDir dir;
    const std::string ws = dir.file("lab.sqlite");
    test::makeWorkspace(ws, {"first", "second"});
    MainWindow w;
    w.show();
    ASSERT_TRUE(w.openWorkspace(QString::fromStdString(ws)));
    w.showPage(MainWindow::ExplorerPageIndex);
    ExplorerPage* explorer = w.explorerPage();
    ASSERT_GE(explorer->datasetChooser()->count(), 2);
    explorer->datasetChooser()->setCurrentIndex(1);
    const qint64 dataset = explorer->selectedDatasetId();
    explorer->schemeChooser()->setCurrentIndex(explorer->schemeChooser()->findData(QStringLiteral("exp")));
    explorer->setLambda(0.792);
    TrainPage* train = w.trainPage();
    ASSERT_NE(train->selectedDatasetId(), dataset);
    ASSERT_GT(std::abs(train->lambdaSlider()->lambda() - 0.792), 0.01);
    explorer->trainButton()->click();
    EXPECT_EQ(w.currentPage(), MainWindow::TrainPageIndex);
    EXPECT_EQ(train->selectedDatasetId(), dataset);
    EXPECT_EQ(train->schemeChooser()->currentData().toString(), QStringLiteral("exp"));
    EXPECT_NEAR(train->lambdaSlider()->lambda(), 0.792, 1e-3);
    EXPECT_TRUE(w.statusBar()->currentMessage().contains(QStringLiteral("λ Explorer")))
        << w.statusBar()->currentMessage().toStdString();
    EXPECT_FALSE(train->isBusy());
}

// Issue 17: a status message belongs to the page and the state that made it — the Export page's "no finished
// run" hint goes once a run exists, another page never shows it, and switching pages clears the status bar.
TEST(MainWindow, AStatusMessageStaysWithThePageAndTheStateThatMadeIt) {
    test::TempDir dir;
    const std::string ws = dir.file("lab.sqlite");
    test::makeWorkspace(ws, {"first"});
    MainWindow w;
    w.show();
    ASSERT_TRUE(w.openWorkspace(QString::fromStdString(ws)));
    w.showPage(MainWindow::ExportPageIndex);
    ExportPage* page = w.exportPage();
    const QString hint = QStringLiteral("no finished run");
    ASSERT_TRUE(QTest::qWaitFor([&] { return page->statusLabel()->text().contains(hint); }, kWaitMs))
        << page->statusLabel()->text().toStdString();
    {
        Workspace wsp(ws);
        ClosedFormRunConfig c;
        c.dataset = "first";
        c.bootstrapResamples = 0;
        c.threads = 1;
        runClosedForm(wsp, c);
    }
    page->refresh();
    EXPECT_FALSE(page->statusLabel()->text().contains(hint)) << page->statusLabel()->text().toStdString();

    w.showPage(MainWindow::DataPageIndex);
    EXPECT_TRUE(w.statusBar()->currentMessage().isEmpty());
    Q_EMIT page->statusMessage(QStringLiteral("from the Export page"));
    EXPECT_TRUE(w.statusBar()->currentMessage().isEmpty()) << w.statusBar()->currentMessage().toStdString();
    w.showPage(MainWindow::ExportPageIndex);
    Q_EMIT page->statusMessage(QStringLiteral("from the Export page"));
    EXPECT_EQ(w.statusBar()->currentMessage(), QStringLiteral("from the Export page"));
    w.showPage(MainWindow::TrainPageIndex);
    EXPECT_TRUE(w.statusBar()->currentMessage().isEmpty());
}

// Issue 17: the mouse wheel over a spin box or combo box that does not have the focus changes nothing (in a
// scrolling form it scrolls the form instead); once focused, it steps the value as usual.
TEST(MainWindow, TheWheelChangesASettingOnlyWhenItHasTheFocus) {
    MainWindow w;  // installs the guard on the application
    QWidget form;
    auto* spin = new QSpinBox(&form);
    auto* combo = new QComboBox(&form);
    spin->setRange(1, 100);
    spin->setValue(3);
    combo->addItems({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
    auto* other = new QPushButton(QStringLiteral("elsewhere"), &form);
    auto* layout = new QVBoxLayout(&form);
    layout->addWidget(spin);
    layout->addWidget(combo);
    layout->addWidget(other);
    form.show();
    QApplication::setActiveWindow(&form);
    ASSERT_TRUE(QTest::qWaitForWindowActive(&form));
    EXPECT_EQ(spin->focusPolicy(), Qt::StrongFocus);  // not WheelFocus: the wheel never takes the focus
    EXPECT_EQ(combo->focusPolicy(), Qt::StrongFocus);
    const auto wheel = [](QWidget* target) {
        const QPointF at(target->width() / 2.0, target->height() / 2.0);
        QWheelEvent event(at, target->mapToGlobal(at), QPoint(), QPoint(0, -120), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(target, &event);
    };
    other->setFocus();
    wheel(spin);
    wheel(combo);
    EXPECT_EQ(spin->value(), 3);
    EXPECT_EQ(combo->currentIndex(), 0);
    spin->setFocus();
    ASSERT_TRUE(spin->hasFocus());
    wheel(spin);
    EXPECT_EQ(spin->value(), 2);
}

TEST(MainWindow, GenerateDemoFromTheWelcomePage) {
    MainWindow w;
    w.show();
    ASSERT_TRUE(w.isShowingWelcome());
    QSignalSpy shown(w.dataPage(), &DataPage::datasetShown);
    w.welcomePage()->demoButton()->click();
    ASSERT_FALSE(w.isShowingWelcome());
    EXPECT_EQ(w.workspacePath(), QFileInfo(MainWindow::demoWorkspacePath()).absoluteFilePath());
    ASSERT_TRUE(shown.wait(kWaitMs));
    ASSERT_EQ(w.dataPage()->datasetModel()->rowCount(), 1);
    EXPECT_EQ(w.dataPage()->datasetModel()->datasetAt(0)->name, "demo");
    EXPECT_EQ(w.dataPage()->datasetModel()->datasetAt(0)->rows, SimulatorConfig{}.interactions);

    // A second click finds the demo dataset instead of generating another.
    w.generateDemo();
    EXPECT_FALSE(w.dataPage()->hasWriteJob());
    EXPECT_EQ(w.dataPage()->datasetModel()->rowCount(), 1);
    w.closeWorkspace();
    QFile::remove(MainWindow::demoWorkspacePath());
}

TEST(MainWindow, ImportFromTheDataPageSelectsTheDatasetAndReports) {
    test::TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    const std::string csv = test::writeRatingsCsv(dir.file("clicks.csv"), 300);
    MainWindow w;
    w.show();
    ASSERT_TRUE(w.openWorkspace(QString::fromStdString(ws), OpenMode::CreateIfMissing));
    DataPage* page = w.dataPage();
    ImportDialog* dialog = page->showImportDialog();
    ASSERT_NE(dialog, nullptr);
    dialog->setFiles({QString::fromStdString(csv)});
    QSignalSpy shown(page, &DataPage::datasetShown);
    dialog->startImport();
    ASSERT_TRUE(shown.wait(kWaitMs));
    ASSERT_EQ(page->datasetModel()->rowCount(), 1);
    EXPECT_EQ(page->datasetModel()->datasetAt(0)->name, "clicks");
    EXPECT_EQ(page->shownDatasetId(), page->datasetModel()->datasetAt(0)->id);
    auto* report = page->findChild<QMessageBox*>(QStringLiteral("importReportBox"));
    ASSERT_NE(report, nullptr);
    EXPECT_TRUE(report->informativeText().contains(QStringLiteral("300 rows")))
        << report->informativeText().toStdString();
    EXPECT_TRUE(QTest::qWaitFor([page] { return page->importDialog() == nullptr; }, kWaitMs));
}

}  // namespace main_window_test_file
