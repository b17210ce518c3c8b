// Screenshots of the Train and Compare pages with real runs, for docs/screenshots: a simulated dataset, a
// closed-form λ sweep (tilted Markov and popularity) and a small SASRec λ sweep trained through the Train
// page (child tiltbench-cli). The Train page is grabbed while the SASRec sweep runs, the Compare page when it
// is done, with a baseline pinned and one run's detail shown. Skipped unless TILTBENCH_SCREENSHOT_DIR is set:
//
//   TILTBENCH_SCREENSHOT_DIR=docs/screenshots build/dev/tests/tiltbench_ui_tests
//   --gtest_filter='TrainCompareScreenshots.*'
#include <gtest/gtest.h>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTest>
#include <cmath>

#include <sqlite3.h>

#include "io/import.h"
#include "pages/compare/compare_page.h"
#include "pages/compare/compare_plots.h"
#include "pages/compare/run_table_model.h"
#include "pages/train/train_events.h"
#include "pages/train/train_form.h"
#include "pages/train/train_page.h"
#include "pages/train/train_queue.h"
#include "shell/main_window.h"
#include "store/simulated_dataset.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "train/reward_run.h"
#include "widgets/lambda_slider.h"

using namespace tiltbench;

// A namespace of its own: the suite compiles in unity batches (tests/CMakeLists.txt).
namespace train_compare_screenshots_test_file {

namespace {
constexpr int kWaitMs = 900000;

QString screenshotDir() {
    return qEnvironmentVariable("TILTBENCH_SCREENSHOT_DIR");
}

void save(QWidget* widget, const QString& name) {
    QTest::qWait(400);  // queued replots and layouts
    const QString path = QDir(screenshotDir()).filePath(name);
    ASSERT_TRUE(widget->grab().save(path)) << path.toStdString();
    std::printf("wrote %s\n", qPrintable(path));
}

void pick(QComboBox* combo, const QString& data) {
    combo->setCurrentIndex(combo->findData(data));
}
// Skips unless screenshots are asked for; else makes the folder and points the GUI at the built CLI.
#define SKIP_UNLESS_SCREENSHOTS()                                                                  \
    do {                                                                                           \
        if (screenshotDir().isEmpty())                                                             \
            GTEST_SKIP() << "set TILTBENCH_SCREENSHOT_DIR to write the documentation screenshots"; \
        QDir().mkpath(screenshotDir());                                                            \
        qputenv("TILTBENCH_CLI", QByteArray::fromStdString(test::cliPath()));                      \
    } while (false)

// A workspace at `path` with one simulated dataset.
void simulatedWorkspace(const std::string& path, const std::string& name, int users, int items,
                        int64_t interactions) {
    Workspace w(path, OpenMode::CreateIfMissing);
    SimulatorConfig c;
    c.users = users;
    c.items = items;
    c.interactions = interactions;
    c.seed = 11;
    generateDataset(w, name, c);
}
}  // namespace

TEST(TrainCompareScreenshots, SweepsOnASimulatedDataset) {
    SKIP_UNLESS_SCREENSHOTS();
    test::TempDir dir;
    const std::string ws = dir.file("research.sqlite");
    simulatedWorkspace(ws, "sim-600", 600, 900, 40000);
    MainWindow w;
    w.resize(1440, 900);
    w.show();
    ASSERT_TRUE(w.openWorkspace(QString::fromStdString(ws)));
    TrainPage* train = w.trainPage();
    w.showPage(MainWindow::TrainPageIndex);

    // Closed-form sweeps: tilted Markov over λ plus linear, tilted popularity over λ.
    train->sweepLambdas()->setText(QStringLiteral("inf, 8, 4, 2, 1, 0.5, 0.25, 0.1"));
    pick(train->modelChooser(), QStringLiteral("markov"));
    train->findChild<QCheckBox*>(QStringLiteral("sweep_linear"))->setChecked(true);
    ASSERT_EQ(train->queueSweep().size(), 9);
    train->findChild<QCheckBox*>(QStringLiteral("sweep_linear"))->setChecked(false);
    pick(train->modelChooser(), QStringLiteral("popularity"));
    ASSERT_EQ(train->queueSweep().size(), 8);

    // A small SASRec sweep.
    pick(train->modelChooser(), QStringLiteral("sasrec"));
    train->dimSpin()->setValue(32);
    train->blocksSpin()->setValue(1);
    train->maxLenSpin()->setValue(50);
    train->batchSpin()->setValue(64);
    train->epochsSpin()->setValue(30);
    train->patienceSpin()->setValue(0);
    train->bootstrapSpin()->setValue(300);
    pick(train->deviceChooser(), QStringLiteral("cpu"));
    train->sweepLambdas()->setText(QStringLiteral("inf, 2, 1, 0.5, 0.25"));
    const QList<int> sasrec = train->queueSweep();
    ASSERT_EQ(sasrec.size(), 5);
    train->lambdaSlider()->setLambda(0.5);

    // The Train page mid-sweep: the third SASRec run a few epochs in.
    QSignalSpy epochs(train->queue(), &TrainQueue::epochFinished);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            const QueueEntry* e = train->queue()->runningEntry();
            return e && e->id == sasrec[2] && e->epochsDone >= 6;
        },
        kWaitMs));
    save(&w, QStringLiteral("train-sweep-running.png"));

    ASSERT_TRUE(QTest::qWaitFor([train] { return !train->isBusy(); }, kWaitMs));
    for (const QueueEntry& e : train->queue()->entries()) {
        EXPECT_EQ(e.status, QueueEntry::Done) << e.error.toStdString();
    }

    // Compare: the SASRec and tilted Markov runs, SASRec at λ = ∞ (plain SFT) as the baseline, the detail of
    // SASRec at λ = 0.5.
    ComparePage* compare = w.comparePage();
    QSignalSpy reference(compare, &ComparePage::referenceReady);
    w.showPage(MainWindow::ComparePageIndex);
    ASSERT_TRUE(QTest::qWaitFor([compare] { return compare->runModel()->rowCount() == 22; }, kWaitMs));
    ASSERT_TRUE(compare->reference() || reference.wait(kWaitMs));
    QList<qint64> shown;
    qint64 baseline = 0, detailRun = 0;
    for (const CompareRun& r : compare->runModel()->runs()) {
        if (r.model == QStringLiteral("sasrec") || r.model == QStringLiteral("markov")) {
            shown << r.id();
        }
        if (r.isSasrec() && std::isinf(r.lambda)) {
            baseline = r.id();
        }
        if (r.isSasrec() && r.lambda == 0.5) {
            detailRun = r.id();
        }
    }
    QSignalSpy compared(compare, &ComparePage::comparisonsReady);
    compare->pinBaseline(baseline);
    ASSERT_TRUE(compared.wait(kWaitMs));
    QSignalSpy detail(compare, &ComparePage::detailReady);
    shown.removeAll(detailRun);
    shown.prepend(detailRun);  // the first becomes the current run
    compare->selectRuns(shown);
    ASSERT_TRUE(detail.wait(kWaitMs));
    compare->runView()->sortByColumn(RunTableModel::ModelColumn, Qt::DescendingOrder);
    compare->runView()->scrollToTop();
    save(&w, QStringLiteral("compare-sweeps-baseline.png"));
}

// The Train page while another process holds the workspace's write lock (issue 13, section 4): the lock is
// taken after the SASRec run's first epoch; the run keeps training, its epochs' records wait in memory, and
// the page says so; once the lock is released the run finishes with every epoch recorded. Written as
// train-waiting-for-workspace.png at 1366×768.
TEST(TrainCompareScreenshots, WaitingForTheWorkspace) {
    SKIP_UNLESS_SCREENSHOTS();
    qputenv("TILTBENCH_LOCK_REPORT_MS", "300");  // the child reports its wait after 0.3 s, not 1 s
    test::TempDir dir;
    const std::string ws = dir.file("research.sqlite");
    simulatedWorkspace(ws, "sim-200", 200, 300, 8000);
    MainWindow w;
    w.resize(1366, 768);
    w.show();
    ASSERT_TRUE(w.openWorkspace(QString::fromStdString(ws)));
    TrainPage* train = w.trainPage();
    w.showPage(MainWindow::TrainPageIndex);

    pick(train->modelChooser(), QStringLiteral("sasrec"));
    train->dimSpin()->setValue(16);
    train->blocksSpin()->setValue(1);
    train->maxLenSpin()->setValue(20);
    train->batchSpin()->setValue(64);
    train->epochsSpin()->setValue(40);
    train->patienceSpin()->setValue(0);
    train->bootstrapSpin()->setValue(20);
    pick(train->deviceChooser(), QStringLiteral("cpu"));
    train->lambdaSlider()->setLambda(1.0);
    train->queueRun();
    // Once the run is recorded and training, another tool takes the write lock and keeps it.
    ASSERT_TRUE(QTest::qWaitFor(
        [train] {
            const QueueEntry* e = train->queue()->runningEntry();
            return e && e->epochsDone >= 1;
        },
        kWaitMs));
    sqlite3* holder = nullptr;
    ASSERT_EQ(sqlite3_open(ws.c_str(), &holder), SQLITE_OK);
    sqlite3_busy_timeout(holder, 10000);
    ASSERT_EQ(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
    const bool waiting = QTest::qWaitFor(
        [train] {
            return train->progressLabel()->text().startsWith(QStringLiteral("waiting for the workspace"));
        },
        kWaitMs);
    if (waiting)
        save(&w, QStringLiteral("train-waiting-for-workspace.png"));
    sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(holder);
    ASSERT_TRUE(waiting) << train->progressLabel()->text().toStdString();

    ASSERT_TRUE(QTest::qWaitFor([train] { return !train->isBusy(); }, kWaitMs));
    ASSERT_EQ(train->queue()->entries().size(), 1u);
    EXPECT_EQ(train->queue()->entries()[0].status, QueueEntry::Done)
        << train->queue()->entries()[0].error.toStdString();
    EXPECT_EQ(train->queue()->entries()[0].epochsDone, 40);
}

// The Train page while PPO post-trains an SFT run against a learned reward model (issue 16): the third plot
// shows the reward model's score of the top-10 (proxy), the simulator's true reward of it and the KL to the
// parent per epoch — over-optimisation as it happens.
TEST(TrainCompareScreenshots, PpoAgainstARewardModel) {
    SKIP_UNLESS_SCREENSHOTS();
    test::TempDir dir;
    const std::string ws = dir.file("rlhf.sqlite");
    simulatedWorkspace(ws, "sim-600", 600, 900, 40000);
    int64_t rewardRun = 0;
    {
        Workspace w(ws);
        RewardRunConfig rc;
        rc.dataset = "sim-600";
        rc.model.kind = RewardModelKind::Factorisation;
        rc.bootstrapResamples = 0;
        rewardRun = runRewardModel(w, rc).runId;
    }
    MainWindow w;
    w.resize(1440, 900);
    w.show();
    ASSERT_TRUE(w.openWorkspace(QString::fromStdString(ws)));
    TrainPage* train = w.trainPage();
    w.showPage(MainWindow::TrainPageIndex);
    pick(train->modelChooser(), QStringLiteral("sasrec"));
    train->dimSpin()->setValue(32);
    train->blocksSpin()->setValue(1);
    train->maxLenSpin()->setValue(50);
    train->batchSpin()->setValue(64);
    train->epochsSpin()->setValue(15);
    train->patienceSpin()->setValue(0);
    train->bootstrapSpin()->setValue(0);
    pick(train->deviceChooser(), QStringLiteral("cpu"));
    pick(train->schemeChooser(), QStringLiteral("uniform"));
    ASSERT_GT(train->queueRun(), 0);  // the SFT parent
    ASSERT_TRUE(QTest::qWaitFor([train] { return !train->isBusy(); }, kWaitMs));
    const QueueEntry parent = train->queue()->entries().back();
    ASSERT_EQ(parent.status, QueueEntry::Done) << parent.error.toStdString();

    QComboBox* from = train->initFromChooser();
    from->setCurrentIndex(from->findData(static_cast<qint64>(parent.runId)));
    QComboBox* rewards = train->form()->rewardSourceChooser();
    rewards->setCurrentIndex(rewards->findData(static_cast<qint64>(rewardRun)));
    pick(train->form()->objectiveChooser(), QStringLiteral("ppo"));
    train->form()->objectiveBetaBox()->setValue(0.01);
    const int ppo = train->queueRun();
    ASSERT_GT(ppo, 0);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            const QueueEntry* e = train->queue()->runningEntry();
            return e && e->id == ppo && e->epochsDone >= 8;
        },
        kWaitMs));
    save(&w, QStringLiteral("train-ppo-running.png"));
    ASSERT_TRUE(QTest::qWaitFor([train] { return !train->isBusy(); }, kWaitMs));
    EXPECT_EQ(train->queue()->entries().back().status, QueueEntry::Done);

    // Compare at a common laptop size, the PPO run pinned against its SFT parent: the proxy-vs-true panel
    // next to the six metric panels.
    w.resize(1366, 768);
    ComparePage* compare = w.comparePage();
    w.showPage(MainWindow::ComparePageIndex);
    ASSERT_TRUE(QTest::qWaitFor([compare] { return compare->runModel()->rowCount() == 2; }, kWaitMs));
    compare->pinBaseline(parent.runId);
    ASSERT_TRUE(QTest::qWaitFor([compare] { return compare->plots()->isPanelShown("proxy"); }, kWaitMs));
    QTest::qWait(300);
    save(&w, QStringLiteral("compare-proxy-vs-true.png"));
}

}  // namespace train_compare_screenshots_test_file
