// The Train and Compare pages end to end, offscreen, in a MainWindow: a tiny SASRec run (a child
// tiltbench-cli) and a closed-form run queued from the Train page finish and appear in Compare with a pinned
// baseline, plots and the run's detail; cancelling mid-run stops within about a second and leaves a
// cancelled, resumable run (and resuming continues it); closing the window during a run asks, cancels and
// exits cleanly; layouts persist.
#include <gtest/gtest.h>
#include <qcustomplot.h>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTest>
#include <cmath>

#include "pages/compare/compare_page.h"
#include "pages/compare/compare_plots.h"
#include "pages/compare/proxy_true_plot.h"
#include "pages/compare/run_detail_panel.h"
#include "pages/compare/run_table_model.h"
#include "pages/explorer/explorer_page.h"
#include "pages/train/train_events.h"
#include "pages/train/train_page.h"
#include "pages/train/train_plots.h"
#include "pages/train/train_queue.h"
#include "plots/plot_widget.h"
#include "shell/main_window.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "train/reward_run.h"
#include "train/sasrec_run_config.h"
#include "ui_test_helpers.h"
#include "widgets/lambda_slider.h"

using namespace tiltbench;

// A namespace of its own: the suite compiles in unity batches (tests/CMakeLists.txt).
namespace train_compare_test_file {

namespace {
constexpr int kWaitMs = 120000;

void useBuiltCli() {
    qputenv("TILTBENCH_CLI", QByteArray::fromStdString(test::cliPath()));
}

void pick(QComboBox* combo, const QString& data) {
    const int row = combo->findData(data);
    ASSERT_GE(row, 0) << data.toStdString();
    combo->setCurrentIndex(row);
}

void useTinySasrec(TrainPage* page, int epochs) {
    pick(page->modelChooser(), QStringLiteral("sasrec"));
    page->dimSpin()->setValue(8);
    page->blocksSpin()->setValue(1);
    page->headsSpin()->setValue(1);
    page->maxLenSpin()->setValue(20);
    page->batchSpin()->setValue(16);
    page->epochsSpin()->setValue(epochs);
    page->patienceSpin()->setValue(0);
    page->bootstrapSpin()->setValue(50);
    page->threadsSpin()->setValue(1);
    pick(page->deviceChooser(), QStringLiteral("cpu"));
}

// The built CLI and a workspace with one small simulated dataset, "tiny".
std::string tinyLab(test::TempDir& dir) {
    useBuiltCli();
    const std::string ws = dir.file("lab.sqlite");
    test::makeWorkspace(ws, {"tiny"}, test::smallSimulatorConfig(1500));
    return ws;
}

bool answer(QWidget* parent, QMessageBox::StandardButton button) {
    for (QMessageBox* box : parent->findChildren<QMessageBox*>()) {
        if (box->isVisible() && box->button(button)) {
            box->button(button)->click();
            return true;
        }
    }
    return false;
}

std::vector<RunRecord> runsOf(const std::string& ws) {
    Workspace w(ws);
    return RunStore(w).runs();
}

// Waits for the queue to finish one run and returns its outcome.
TrainOutcome waitForRun(TrainPage* page) {
    QSignalSpy finished(page->queue(), &TrainQueue::runFinished);
    EXPECT_TRUE(finished.wait(kWaitMs));
    return finished.isEmpty() ? TrainOutcome{} : finished.front().at(1).value<TrainOutcome>();
}
}  // namespace

TEST(TrainAndCompare, TinyRunsFromTheTrainPageAppearInCompare) {
    test::TempDir dir;
    const std::string ws = tinyLab(dir);
    MainWindow w;
    w.resize(1400, 900);
    w.show();
    ASSERT_TRUE(w.openWorkspace(QString::fromStdString(ws)));
    TrainPage* train = w.trainPage();
    w.showPage(MainWindow::TrainPageIndex);
    EXPECT_EQ(train->datasetChooser()->currentText(), QStringLiteral("tiny"));
    // The page asks the CLI what it can train on.
    EXPECT_TRUE(QTest::qWaitFor([train] { return train->runtime().ok; }, kWaitMs))
        << train->runtimeLabel()->text().toStdString();
    EXPECT_TRUE(train->runtimeLabel()->text().contains(QStringLiteral("LibTorch")));

    useTinySasrec(train, 2);
    pick(train->schemeChooser(), QStringLiteral("exp"));
    train->lambdaSlider()->setLambda(0.5);
    QSignalSpy epochs(train->queue(), &TrainQueue::epochFinished);
    ASSERT_GT(train->queueRun(), 0);
    const TrainOutcome sasrec = waitForRun(train);
    ASSERT_EQ(sasrec.status, TrainOutcome::Done) << sasrec.error.toStdString();
    ASSERT_GT(sasrec.runId, 0);
    EXPECT_EQ(epochs.count(), 2);
    // Live curves: the loss per step and validation NDCG@10 per epoch.
    ASSERT_NE(train->plots()->validGraph(), nullptr);
    EXPECT_EQ(train->plots()->validGraph()->dataCount(), 2);
    EXPECT_GE(train->plots()->lossGraph()->dataCount(), 2);
    EXPECT_EQ(train->progressBar()->value(), train->progressBar()->maximum());
    EXPECT_TRUE(train->logView()->toPlainText().contains(QStringLiteral("epoch   2:")))
        << train->logView()->toPlainText().toStdString();

    // A closed-form run, in-process, at λ = ∞.
    pick(train->modelChooser(), QStringLiteral("markov"));
    train->lambdaSlider()->setLambda(WeightScheme::kInfinity);
    ASSERT_GT(train->queueRun(), 0);
    const TrainOutcome markov = waitForRun(train);
    ASSERT_EQ(markov.status, TrainOutcome::Done) << markov.error.toStdString();
    EXPECT_EQ(train->queue()->entries().size(), 2u);

    // Compare lists both, with every metric.
    ComparePage* compare = w.comparePage();
    w.showPage(MainWindow::ComparePageIndex);
    EXPECT_TRUE(QTest::qWaitFor([compare] { return compare->runModel()->rowCount() == 2; }, kWaitMs));
    RunTableModel* model = compare->runModel();
    const CompareRun* run = model->runById(sasrec.runId);
    ASSERT_NE(run, nullptr);
    EXPECT_EQ(run->record.status, "done");
    EXPECT_EQ(run->epochsRun, 2);
    EXPECT_EQ(run->device, QStringLiteral("cpu"));
    EXPECT_TRUE(std::isfinite(run->test.at("ndcg@10").value));
    EXPECT_DOUBLE_EQ(run->lambda, 0.5);
    EXPECT_NEAR(run->test.at("ndcg@10").value, sasrec.test.value(QStringLiteral("ndcg@10")), 1e-12);

    // Reference curves, plots of both runs, and the current run's detail (SASRec: counts from the CLI).
    QSignalSpy reference(compare, &ComparePage::referenceReady);
    EXPECT_TRUE(compare->reference() || reference.wait(kWaitMs));
    EXPECT_EQ(compare->plots()->markerCount("ndcg@10"), 2);
    QSignalSpy detail(compare, &ComparePage::detailReady);
    compare->selectRuns({sasrec.runId});
    ASSERT_TRUE(detail.wait(kWaitMs));
    ASSERT_NE(compare->detail()->recommendedBars(), nullptr)
        << compare->detail()->popularityPlot()->message().toStdString();
    EXPECT_EQ(compare->detail()->recommendedBars()->data()->size(), 10);
    EXPECT_EQ(compare->detail()->curvePlot()->graphCount(), 2);
    detail.clear();
    compare->selectRuns({markov.runId});
    ASSERT_TRUE(detail.wait(kWaitMs));
    ASSERT_NE(compare->detail()->recommendedBars(), nullptr);
    EXPECT_FALSE(compare->detail()->curvePlot()->message().isEmpty());  // closed form: no epochs

    // Pin the closed-form run as the baseline: the SASRec row shows differences with paired intervals.
    QSignalSpy compared(compare, &ComparePage::comparisonsReady);
    compare->pinBaseline(markov.runId);
    ASSERT_TRUE(compared.wait(kWaitMs));
    const int ndcg = model->columnOfKey(QStringLiteral("ndcg@10"));
    const QString diff = model->index(model->rowOfRun(sasrec.runId), ndcg).data().toString();
    EXPECT_TRUE(diff.contains(QLatin1Char('[')) && diff.contains(QLatin1Char(','))) << diff.toStdString();
    EXPECT_TRUE(compare->baselineLabel()->text().contains(QString::number(markov.runId)));

    // Exports.
    test::TempDir out;
    QString error;
    ASSERT_TRUE(compare->exportTableCsv(QString::fromStdString(out.file("runs.csv")), &error))
        << error.toStdString();
    const std::string csv = test::readFile(out.file("runs.csv"));
    EXPECT_NE(csv.find(",delta_ndcg@10,delta_ndcg@10_lo,delta_ndcg@10_hi,"), std::string::npos) << csv;
    compare->selectRuns({sasrec.runId, markov.runId});
    ASSERT_TRUE(compare->exportPerUserCsv(QString::fromStdString(out.file("users.csv")), &error))
        << error.toStdString();
    EXPECT_NE(test::readFile(out.file("users.csv")).find(std::to_string(sasrec.runId) + ",test,ndcg@10,"),
              std::string::npos);
}

TEST(TrainAndCompare, CancelStopsWithinASecondAndTheRunResumes) {
    test::TempDir dir;
    const std::string ws = tinyLab(dir);
    MainWindow w;
    w.show();
    ASSERT_TRUE(w.openWorkspace(QString::fromStdString(ws)));
    TrainPage* train = w.trainPage();
    w.showPage(MainWindow::TrainPageIndex);
    useTinySasrec(train, 1000);
    QSignalSpy epochs(train->queue(), &TrainQueue::epochFinished);
    QSignalSpy created(train->queue(), &TrainQueue::runCreated);
    ASSERT_GT(train->queueRun(), 0);
    ASSERT_TRUE(QTest::qWaitFor([&] { return epochs.count() >= 2; }, kWaitMs));
    ASSERT_EQ(created.count(), 1);
    const qint64 runId = created.front().at(1).toLongLong();
    EXPECT_TRUE(train->isBusy());
    EXPECT_EQ(runsOf(ws).front().status, "running");

    QSignalSpy finished(train->queue(), &TrainQueue::runFinished);
    QElapsedTimer timer;
    timer.start();
    train->cancelButton()->click();
    ASSERT_TRUE(finished.wait(kWaitMs));
    const qint64 stopMs = timer.elapsed();
    std::printf("[cancel] the child stopped %lld ms after Cancel\n", static_cast<long long>(stopMs));
    EXPECT_LT(stopMs, 3000);  // ~1 s target; generous for a loaded test machine
    const auto outcome = finished.front().at(1).value<TrainOutcome>();
    EXPECT_EQ(outcome.status, TrainOutcome::Cancelled);
    EXPECT_EQ(outcome.runId, runId);
    EXPECT_GE(outcome.epochsDone, 2);
    // The workspace: one run, cancelled (not running, not interrupted), with its finished epochs.
    const auto runs = runsOf(ws);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs.front().status, "cancelled");
    {
        Workspace wsp(ws);
        int epochRows = 0;
        for (const MetricRow& m : RunStore(wsp).metrics(runId)) {
            epochRows += m.epoch > 0 && m.name == "loss" ? 1 : 0;
        }
        EXPECT_GE(epochRows, outcome.epochsDone);
    }
    ASSERT_TRUE(train->resumeButton()->isVisibleTo(train));
    EXPECT_TRUE(train->resumeButton()->text().contains(QString::number(runId)));

    // Resume: the same run continues after its last finished epoch; the earlier epochs come back first.
    epochs.clear();
    finished.clear();
    train->resumeButton()->click();
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            for (const auto& e : epochs) {
                if (e.at(1).value<TrainEpochEvent>().epoch > outcome.epochsDone) {
                    return true;
                }
            }
            return false;
        },
        kWaitMs));
    EXPECT_EQ(epochs.front().at(1).value<TrainEpochEvent>().epoch, 1);
    EXPECT_EQ(runsOf(ws).front().status, "running");
    train->cancelAll();
    ASSERT_TRUE(finished.wait(kWaitMs));
    EXPECT_EQ(finished.front().at(1).value<TrainOutcome>().runId, runId);
    const auto after = runsOf(ws);
    ASSERT_EQ(after.size(), 1u);
    EXPECT_EQ(after.front().status, "cancelled");
    EXPECT_FALSE(train->isBusy());
}

// Issue 17, sweeps you can steer: the run panel says where the sweep is and how long it has left; Skip stops
// only the running run and the sweep goes on; Cancel stops the whole sweep (its next run does not start); a
// resumed row is spent (Resume is off for it and a second resume of the same run is refused, not queued).
TEST(TrainAndCompare, ASweepIsCancelledWholeSkippedRunByRunAndAResumedRowIsSpent) {
    test::TempDir dir;
    const std::string ws = tinyLab(dir);
    MainWindow w;
    w.show();
    ASSERT_TRUE(w.openWorkspace(QString::fromStdString(ws)));
    TrainPage* train = w.trainPage();
    w.showPage(MainWindow::TrainPageIndex);
    useTinySasrec(train, 1000);
    pick(train->schemeChooser(), QStringLiteral("exp"));
    train->sweepLambdas()->setText(QStringLiteral("1, 0.5, 0.25"));
    QSignalSpy epochs(train->queue(), &TrainQueue::epochFinished);
    QSignalSpy started(train->queue(), &TrainQueue::runStarted);
    QSignalSpy finished(train->queue(), &TrainQueue::runFinished);
    const QList<int> ids = train->queueSweep();
    ASSERT_EQ(ids.size(), 3);
    ASSERT_TRUE(QTest::qWaitFor([&] { return epochs.count() >= 1; }, kWaitMs));
    const QLabel* title = train->findChild<QLabel*>(QStringLiteral("runTitle"));
    EXPECT_TRUE(title->text().contains(QStringLiteral("run 1 of 3 in the sweep")))
        << title->text().toStdString();
    EXPECT_EQ(train->cancelButton()->text(), QStringLiteral("Cancel sweep"));
    ASSERT_TRUE(train->skipButton()->isVisibleTo(train));
    // The whole sweep's time left: the running run's estimate plus two more runs like it.
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return train->progressLabel()->text().contains(QStringLiteral("left in the sweep")); },
        kWaitMs))
        << train->progressLabel()->text().toStdString();
    EXPECT_TRUE(train->progressLabel()->text().contains(QStringLiteral("Sweep: run 1 of 3")));

    // Skip: the first run stops (resumable), the second starts by itself.
    train->skipButton()->click();
    ASSERT_TRUE(QTest::qWaitFor([&] { return started.count() >= 2; }, kWaitMs));
    epochs.clear();
    ASSERT_TRUE(QTest::qWaitFor([&] { return epochs.count() >= 1; }, kWaitMs));
    EXPECT_TRUE(title->text().contains(QStringLiteral("run 2 of 3 in the sweep")))
        << title->text().toStdString();
    const QueueEntry first = train->queue()->entries()[static_cast<size_t>(train->queue()->rowOf(ids[0]))];
    EXPECT_EQ(first.status, QueueEntry::Cancelled);
    ASSERT_GT(first.runId, 0);

    // Cancel sweep: the running run stops and the third never starts.
    train->cancelButton()->click();
    ASSERT_TRUE(QTest::qWaitFor([&] { return !train->isBusy(); }, kWaitMs));
    QTest::qWait(200);  // nothing else starts from the event loop
    EXPECT_FALSE(train->isBusy());
    const auto& entries = train->queue()->entries();
    for (int id : ids) {
        EXPECT_EQ(entries[static_cast<size_t>(train->queue()->rowOf(id))].status, QueueEntry::Cancelled);
    }
    EXPECT_EQ(entries[static_cast<size_t>(train->queue()->rowOf(ids[2]))].progressText,
              QStringLiteral("cancelled with its sweep"));
    EXPECT_EQ(runsOf(ws).size(), 2u);
    EXPECT_EQ(started.count(), 2);

    // Resume the skipped run from its queue row: the row points at the new entry and cannot resume again.
    const int firstRow = train->queue()->rowOf(ids[0]);
    train->queueView()->selectRow(firstRow);
    ASSERT_TRUE(train->resumeSelectedButton()->isEnabled());
    train->resumeSelectedButton()->click();
    ASSERT_EQ(train->queue()->entries().size(), 4u);
    const QueueEntry& resumed = train->queue()->entries().back();
    EXPECT_EQ(resumed.request.resumeRunId.value_or(0), first.runId);
    const QueueEntry& spent = train->queue()->entries()[static_cast<size_t>(firstRow)];
    EXPECT_EQ(spent.resumedAs, resumed.id);
    EXPECT_EQ(spent.progressText, QStringLiteral("resumed as #%1").arg(resumed.id));
    EXPECT_FALSE(train->resumeSelectedButton()->isEnabled());
    EXPECT_EQ(train->resumeRun(first.runId), -1);  // already waiting or running: refused, nothing queued
    EXPECT_EQ(train->queue()->entries().size(), 4u);
    ASSERT_TRUE(QTest::qWaitFor([&] { return started.count() >= 3; }, kWaitMs));
    train->cancelAll();
    ASSERT_TRUE(QTest::qWaitFor([&] { return !train->isBusy(); }, kWaitMs));
    for (const QueueEntry& e : train->queue()->entries()) {
        EXPECT_NE(e.status, QueueEntry::Failed) << e.error.toStdString();
    }
    EXPECT_EQ(runsOf(ws).size(), 2u);
}

TEST(TrainAndCompare, ClosingTheWindowDuringARunAsksCancelsAndExitsCleanly) {
    test::TempDir dir;
    const std::string ws = tinyLab(dir);
    auto* w = new MainWindow;
    w->show();
    ASSERT_TRUE(w->openWorkspace(QString::fromStdString(ws)));
    TrainPage* train = w->trainPage();
    useTinySasrec(train, 1000);
    QSignalSpy epochs(train->queue(), &TrainQueue::epochFinished);
    ASSERT_GT(train->queueRun(), 0);
    ASSERT_GT(train->queueRun(), 0);  // a second one waits in the queue
    ASSERT_TRUE(epochs.wait(kWaitMs));

    EXPECT_FALSE(w->close());  // asks first
    EXPECT_TRUE(w->isVisible());
    ASSERT_TRUE(answer(w, QMessageBox::Yes));
    EXPECT_TRUE(QTest::qWaitFor([w] { return !w->isVisible(); }, kWaitMs));
    EXPECT_FALSE(train->isBusy());
    delete w;
    const auto runs = runsOf(ws);
    ASSERT_EQ(runs.size(), 1u);  // the waiting run never started
    EXPECT_EQ(runs.front().status, "cancelled");
}

TEST(TrainAndCompare, DestroyingTheWindowDuringARunLeavesNoRunningRun) {
    test::TempDir dir;
    const std::string ws = tinyLab(dir);
    {
        MainWindow w;
        w.show();
        ASSERT_TRUE(w.openWorkspace(QString::fromStdString(ws)));
        useTinySasrec(w.trainPage(), 1000);
        QSignalSpy epochs(w.trainPage()->queue(), &TrainQueue::epochFinished);
        ASSERT_GT(w.trainPage()->queueRun(), 0);
        ASSERT_TRUE(epochs.wait(kWaitMs));
    }  // no close(): the destructor interrupts the child and waits for it
    const auto runs = runsOf(ws);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs.front().status, "cancelled");
}

TEST(TrainAndCompare, ClosedFormSweepAndLayoutsPersist) {
    useBuiltCli();
    test::TempDir dir;
    const std::string ws = dir.file("lab.sqlite");
    test::makeWorkspace(ws, {"tiny"}, test::smallSimulatorConfig(2000));
    {
        MainWindow w;
        w.resize(1280, 800);  // the offscreen screen is 800×600: a first window would fit that
        w.show();
        ASSERT_TRUE(w.openWorkspace(QString::fromStdString(ws)));
        TrainPage* train = w.trainPage();
        pick(train->modelChooser(), QStringLiteral("popularity"));
        train->sweepLambdas()->setText(QStringLiteral("inf, 1, 0.25, bogus"));
        EXPECT_TRUE(train->sweepRequests().isEmpty());  // names the bad λ instead of queueing
        train->sweepLambdas()->setText(QStringLiteral("inf, 1 0.25"));
        ASSERT_EQ(train->sweepRequests().size(), 3);
        QSignalSpy idle(train, &TrainPage::idle);
        ASSERT_EQ(train->queueSweep().size(), 3);
        ASSERT_TRUE(QTest::qWaitFor([train] { return !train->isBusy(); }, kWaitMs));
        for (const QueueEntry& e : train->queue()->entries()) {
            EXPECT_EQ(e.status, QueueEntry::Done) << e.error.toStdString();
        }
        ComparePage* compare = w.comparePage();
        w.showPage(MainWindow::ComparePageIndex);
        EXPECT_TRUE(QTest::qWaitFor([compare] { return compare->runModel()->rowCount() == 3; }, kWaitMs));
        compare->setColumnHidden(QStringLiteral("device"), true);
        compare->setColumnHidden(QStringLiteral("hr@20"), false);
        compare->setSplit(QStringLiteral("valid"));
        compare->findChild<QSplitter*>(QStringLiteral("compareSplitter"))->setSizes({300, 400});
        w.showPage(MainWindow::TrainPageIndex);
        train->findChild<QSplitter*>(QStringLiteral("trainSplitter"))->setSizes({420, 700});
        w.close();
    }
    MainWindow again;
    again.resize(1280, 800);  // restoreGeometry fits the saved 1280×800 into the offscreen 800×600 screen
    again.show();
    ASSERT_TRUE(again.openWorkspace(QString::fromStdString(ws)));
    ComparePage* compare = again.comparePage();
    EXPECT_EQ(compare->split(), QStringLiteral("valid"));
    EXPECT_TRUE(compare->isColumnHidden(QStringLiteral("device")));
    EXPECT_FALSE(compare->isColumnHidden(QStringLiteral("hr@20")));
    EXPECT_TRUE(compare->isColumnHidden(QStringLiteral("mrr@10")));  // hidden by default, kept hidden
    again.showPage(MainWindow::TrainPageIndex);
    EXPECT_NEAR(again.trainPage()->findChild<QSplitter*>(QStringLiteral("trainSplitter"))->sizes().front(),
                420, 40);
    QSettings().clear();  // later tests start from the defaults
}

// Issue 15, post-training from the Train page: "Start from" lists the dataset's finished SASRec runs;
// choosing one takes over and locks its architecture, the queued run starts from it, and Compare names the
// parent.
TEST(TrainAndCompare, PostTrainingStartsFromAFinishedRunAndCompareNamesTheParent) {
    test::TempDir dir;
    const std::string ws = tinyLab(dir);
    MainWindow w;
    w.resize(1400, 900);
    w.show();
    ASSERT_TRUE(w.openWorkspace(QString::fromStdString(ws)));
    TrainPage* train = w.trainPage();
    w.showPage(MainWindow::TrainPageIndex);
    EXPECT_EQ(train->initFromChooser()->count(), 1);  // random weights only: no finished run yet
    useTinySasrec(train, 1);
    pick(train->schemeChooser(), QStringLiteral("uniform"));
    ASSERT_GT(train->queueRun(), 0);
    const TrainOutcome sft = waitForRun(train);
    ASSERT_EQ(sft.status, TrainOutcome::Done) << sft.error.toStdString();

    QComboBox* from = train->initFromChooser();
    const int row = from->findData(static_cast<qint64>(sft.runId));
    ASSERT_GE(row, 0) << "the finished run is not offered";
    train->dimSpin()->setValue(32);
    from->setCurrentIndex(row);
    EXPECT_EQ(train->dimSpin()->value(), 8);  // the parent's architecture, locked
    EXPECT_FALSE(train->dimSpin()->isEnabled());
    EXPECT_EQ(train->currentRequest().run.initFrom, sft.runId);
    pick(train->schemeChooser(), QStringLiteral("exp"));
    train->lambdaSlider()->setLambda(0.5);
    // The checkpoint chosen on high-reward validation targets, with its own threshold.
    auto* select = train->findChild<QComboBox*>(QStringLiteral("trainSelect"));
    auto* threshold = train->findChild<QDoubleSpinBox*>(QStringLiteral("highThreshold"));
    ASSERT_TRUE(select && threshold);
    EXPECT_EQ(threshold->text(), QStringLiteral("top reward level"));  // the default: no threshold passed
    EXPECT_FALSE(train->currentRequest().run.highThreshold.has_value());
    pick(select, QStringLiteral("ndcg_high@10"));
    threshold->setValue(4.0);
    ASSERT_GT(train->queueRun(), 0);
    const TrainOutcome post = waitForRun(train);
    ASSERT_EQ(post.status, TrainOutcome::Done) << post.error.toStdString();
    {
        Workspace wsp(ws);
        const SasrecRunConfig recorded = SasrecRunConfig::fromJson(RunStore(wsp).run(post.runId).config);
        EXPECT_EQ(recorded.initFrom, sft.runId);
        EXPECT_EQ(recorded.select, "ndcg_high@10");
        ASSERT_TRUE(recorded.highThreshold.has_value());
        EXPECT_DOUBLE_EQ(*recorded.highThreshold, 4.0);
    }

    ComparePage* compare = w.comparePage();
    w.showPage(MainWindow::ComparePageIndex);
    ASSERT_TRUE(QTest::qWaitFor([compare] { return compare->runModel()->rowCount() == 2; }, kWaitMs));
    compare->selectRuns({post.runId});
    EXPECT_TRUE(compare->detail()->summaryLabel()->text().contains(
        QStringLiteral("post-trained from run %1").arg(sft.runId)))
        << compare->detail()->summaryLabel()->text().toStdString();
}

// Issue 16: the Train form offers the dataset's reward models fitted on the chosen split as the rewards a
// SASRec run weights by; the run records the source; a closed-form model reads logged rewards only.
TEST(TrainAndCompare, ASasrecRunWeightsByAChosenRewardModel) {
    test::TempDir dir;
    const std::string ws = tinyLab(dir);
    int64_t rewardRun = 0;
    {
        Workspace wsp(ws);
        RewardRunConfig rc;
        rc.dataset = "tiny";
        rc.model.kind = RewardModelKind::Bias;
        rc.bootstrapResamples = 0;
        rewardRun = runRewardModel(wsp, rc).runId;
        rc.split.kind = SplitKind::Time;  // fitted on another split: not offered for leave-one-out runs
        runRewardModel(wsp, rc);
    }
    MainWindow w;
    w.resize(1400, 900);
    w.show();
    ASSERT_TRUE(w.openWorkspace(QString::fromStdString(ws)));
    TrainPage* train = w.trainPage();
    w.showPage(MainWindow::TrainPageIndex);
    QComboBox* rewards = train->form()->rewardSourceChooser();
    useTinySasrec(train, 1);
    ASSERT_EQ(rewards->count(), 2);  // logged, and the leave-one-out model
    const int row = rewards->findData(static_cast<qint64>(rewardRun));
    ASSERT_EQ(row, 1);
    EXPECT_TRUE(rewards->isEnabled());
    pick(train->schemeChooser(), QStringLiteral("exp"));
    train->lambdaSlider()->setLambda(0.5);
    rewards->setCurrentIndex(row);
    const std::string source = "model:" + std::to_string(rewardRun);
    EXPECT_EQ(train->currentRequest().run.rewardSource, source);
    pick(train->modelChooser(), QStringLiteral("markov"));
    EXPECT_FALSE(rewards->isEnabled());
    EXPECT_EQ(train->currentRequest().run.rewardSource, "logged");
    pick(train->modelChooser(), QStringLiteral("sasrec"));
    ASSERT_GT(train->queueRun(), 0);
    const TrainOutcome run = waitForRun(train);
    ASSERT_EQ(run.status, TrainOutcome::Done) << run.error.toStdString();
    {
        Workspace wsp(ws);
        EXPECT_EQ(SasrecRunConfig::fromJson(RunStore(wsp).run(run.runId).config).rewardSource, source);
    }

    // DPO from that run, against the same reward model: the weighting rests, β is DPO's, and the third plot
    // shows the proxy reward and the KL to the parent per epoch.
    QComboBox* objective = train->form()->objectiveChooser();
    EXPECT_TRUE(objective->isEnabled());
    EXPECT_FALSE(train->form()->objectiveBetaBox()->isEnabled());
    pick(objective, QStringLiteral("dpo"));
    EXPECT_TRUE(train->form()->objectiveBetaBox()->isEnabled());
    EXPECT_FALSE(train->schemeChooser()->isEnabled());
    EXPECT_DOUBLE_EQ(train->form()->objectiveBetaBox()->value(), SasrecRunConfig().dpoBeta);
    train->form()->objectiveBetaBox()->setValue(0.5);
    QComboBox* from = train->initFromChooser();
    const int parentRow = from->findData(static_cast<qint64>(run.runId));
    ASSERT_GE(parentRow, 0) << "the finished run is not offered";
    from->setCurrentIndex(parentRow);
    const auto dpo = train->currentRequest();
    EXPECT_EQ(dpo.run.objective, "dpo");
    EXPECT_DOUBLE_EQ(dpo.run.dpoBeta, 0.5);
    EXPECT_EQ(dpo.run.initFrom, run.runId);
    ASSERT_GT(train->queueRun(), 0);
    const TrainOutcome dpoRun = waitForRun(train);
    ASSERT_EQ(dpoRun.status, TrainOutcome::Done) << dpoRun.error.toStdString();
    EXPECT_TRUE(train->plots()->rewardPlot()->isVisible());
    EXPECT_EQ(train->plots()->proxyGraph()->dataCount(), 1);
    EXPECT_EQ(train->plots()->klGraph()->dataCount(), 1);
    EXPECT_EQ(train->plots()->trueGraph()->dataCount(), 1);  // the tiny lab is simulated: true reward known
    {
        Workspace wsp(ws);
        const SasrecRunConfig recorded = SasrecRunConfig::fromJson(RunStore(wsp).run(dpoRun.runId).config);
        EXPECT_EQ(recorded.objective, "dpo");
        EXPECT_DOUBLE_EQ(recorded.dpoBeta, 0.5);
    }

    // Compare: the exp run on r̂ is its own series (not on the logged runs' λ line), and the proxy-vs-true
    // panel draws both runs that recorded a proxy reward, epoch by epoch, against the true reward.
    ComparePage* compare = w.comparePage();
    w.showPage(MainWindow::ComparePageIndex);
    ASSERT_TRUE(QTest::qWaitFor([compare] { return compare->runModel()->rowCount() == 2; }, kWaitMs));
    const CompareRun* estimated = compare->runModel()->runById(run.runId);
    ASSERT_NE(estimated, nullptr);
    EXPECT_TRUE(estimated->seriesKey().contains(QStringLiteral("reward model run %1").arg(rewardRun)))
        << estimated->seriesKey().toStdString();
    ComparePlots* plots = compare->plots();
    EXPECT_TRUE(QTest::qWaitFor([plots] { return plots->proxyPlot()->trackCount() == 2; }, kWaitMs));
    EXPECT_TRUE(plots->isPanelShown("proxy"));
    EXPECT_TRUE(plots->isPanelShown("true_reward@10"));
    ProxyTruePlot* proxy = plots->proxyPlot();
    EXPECT_EQ(proxy->yMetric(), "true_reward@10");
    proxy->replot();
    const QPointF at = proxy->pointPixel(dpoRun.runId, 1);
    ASSERT_GE(at.x(), 0.0);
    const QString tip = proxy->toolTipAt(at);
    EXPECT_TRUE(tip.contains(QStringLiteral("run %1").arg(dpoRun.runId))) << tip.toStdString();
    EXPECT_TRUE(tip.contains(QStringLiteral("epoch 1"))) << tip.toStdString();
    EXPECT_TRUE(tip.contains(QStringLiteral("KL to parent"))) << tip.toStdString();

    // The λ Explorer's weights read the same model's estimates when it is chosen as the rewards, and the
    // Train form's "From the λ Explorer" takes the source along.
    ExplorerPage* explorer = w.explorerPage();
    w.showPage(MainWindow::ExplorerPageIndex);
    ASSERT_TRUE(QTest::qWaitFor([explorer] { return explorer->dataset() != nullptr && explorer->curves(); },
                                kWaitMs));
    const size_t loggedLevels = explorer->dataset()->table().numLevels();
    EXPECT_EQ(explorer->rewardSourceChooser()->count(), 2);
    ASSERT_TRUE(explorer->rewardSourceChooser()->selectModelRun(rewardRun));
    ASSERT_TRUE(QTest::qWaitFor(
        [explorer, rewardRun] {
            return explorer->dataset() && explorer->dataset()->rewardModelRun == rewardRun &&
                   explorer->curves();
        },
        kWaitMs));
    // The bias model's estimates are continuous: many more reward levels than the logged ones.
    EXPECT_GT(explorer->dataset()->table().numLevels(), loggedLevels);
    explorer->evaluateFully();  // a closed-form run reads logged rewards: refused, nothing starts
    EXPECT_FALSE(explorer->isEvaluatingFully());
    train->form()->rewardSourceChooser()->selectModelRun(0);
    train->form()->applyExplorerWeighting();
    EXPECT_EQ(train->form()->rewardSourceChooser()->modelRun(), rewardRun);
}

// Issue 18: the SASRec box chooses the output layer's loss (and the compute box the validation sample); the
// sampler's settings rest unless the sampled softmax is chosen (the count caps in-batch negatives, which take
// the batch's targets), the loss rests for DPO and PPO, the request and its command line carry all three, and
// "Engine defaults" restores them.
TEST(TrainAndCompare, TheLossSettingsReachTheRequestAndRestWhenTheyDoNotApply) {
    test::TempDir dir;
    const std::string ws = tinyLab(dir);
    MainWindow w;
    w.resize(1366, 768);
    w.show();
    ASSERT_TRUE(w.openWorkspace(QString::fromStdString(ws)));
    TrainPage* train = w.trainPage();
    w.showPage(MainWindow::TrainPageIndex);
    pick(train->findChild<QComboBox*>(QStringLiteral("trainModel")), QStringLiteral("sasrec"));
    auto* loss = train->findChild<QComboBox*>(QStringLiteral("trainLoss"));
    auto* negatives = train->findChild<QComboBox*>(QStringLiteral("trainNegatives"));
    auto* count = train->findChild<QSpinBox*>(QStringLiteral("numNegatives"));
    ASSERT_TRUE(loss && negatives && count);
    const SasrecRunConfig d;
    EXPECT_EQ(train->currentRequest().run.loss, d.loss);
    EXPECT_TRUE(loss->isEnabled());
    EXPECT_FALSE(negatives->isEnabled());
    EXPECT_FALSE(count->isEnabled());

    pick(loss, QStringLiteral("sampled"));
    EXPECT_TRUE(negatives->isEnabled());
    EXPECT_TRUE(count->isEnabled());
    pick(negatives, QStringLiteral("uniform"));
    count->setValue(64);
    TrainRequest r = train->currentRequest();
    EXPECT_EQ(r.run.loss, "sampled");
    EXPECT_EQ(r.run.negatives, "uniform");
    EXPECT_EQ(r.run.numNegatives, 64);
    const QStringList args = r.cliArguments(QStringLiteral("w.sqlite"));
    auto after = [&](const char* option) {
        const auto i = args.indexOf(QLatin1String(option));
        return i >= 0 && i + 1 < args.size() ? args[i + 1] : QString();
    };
    EXPECT_EQ(after("--loss"), QStringLiteral("sampled"));
    EXPECT_EQ(after("--negatives"), QStringLiteral("uniform"));
    EXPECT_EQ(after("--num-negatives"), QStringLiteral("64"));
    pick(negatives, QStringLiteral("in-batch"));
    EXPECT_TRUE(count->isEnabled());
    // DPO has its own loss: the loss settings rest.
    pick(train->form()->objectiveChooser(), QStringLiteral("dpo"));
    EXPECT_FALSE(loss->isEnabled());
    EXPECT_FALSE(negatives->isEnabled());
    pick(train->form()->objectiveChooser(), QStringLiteral("weighted"));
    EXPECT_TRUE(negatives->isEnabled());

    auto* defaults = train->findChild<QPushButton*>(QStringLiteral("engineDefaults"));
    ASSERT_NE(defaults, nullptr);
    defaults->click();
    r = train->currentRequest();
    EXPECT_EQ(r.run.loss, d.loss);
    EXPECT_EQ(r.run.negatives, d.negatives);
    EXPECT_EQ(r.run.numNegatives, d.numNegatives);
    EXPECT_FALSE(negatives->isEnabled());

    // HSTU trains with the same settings: the box stays enabled and the request names the backbone.
    pick(train->findChild<QComboBox*>(QStringLiteral("trainModel")), QStringLiteral("hstu"));
    EXPECT_TRUE(loss->isEnabled());
    r = train->currentRequest();
    EXPECT_EQ(r.model, "hstu");
    EXPECT_TRUE(r.isSasrec());
    const QStringList hstuArgs = r.cliArguments(QStringLiteral("w.sqlite"));
    const auto m = hstuArgs.indexOf(QStringLiteral("--model"));
    ASSERT_GE(m, 0);
    EXPECT_EQ(hstuArgs.value(m + 1), QStringLiteral("hstu"));

    // Validation on a sample of users: "all users" by default, carried to the command line, resting for the
    // closed-form models (they have no per-epoch validation).
    auto* validUsers = train->findChild<QSpinBox*>(QStringLiteral("validUsers"));
    ASSERT_NE(validUsers, nullptr);
    EXPECT_EQ(validUsers->value(), 0);
    EXPECT_EQ(validUsers->text(), QStringLiteral("all users"));
    EXPECT_TRUE(validUsers->isEnabled());
    validUsers->setValue(500);
    r = train->currentRequest();
    EXPECT_EQ(r.run.validUsers, 500);
    const QStringList sampledArgs = r.cliArguments(QStringLiteral("w.sqlite"));
    const auto v = sampledArgs.indexOf(QStringLiteral("--valid-users"));
    ASSERT_GE(v, 0);
    EXPECT_EQ(sampledArgs.value(v + 1), QStringLiteral("500"));

    // Precision: the engine's default (auto) unless chosen, every value the engine accepts on offer, the
    // choice carried to the command line; resting for the closed-form models.
    auto* precision = train->findChild<QComboBox*>(QStringLiteral("trainPrecision"));
    ASSERT_NE(precision, nullptr);
    EXPECT_EQ(precision->currentData().toString().toStdString(), d.precision);
    EXPECT_EQ(r.run.precision, d.precision);
    QStringList offered;
    for (int i = 0; i < precision->count(); ++i)
        offered << precision->itemData(i).toString();
    EXPECT_EQ(offered, (QStringList{QStringLiteral("auto"), QStringLiteral("fp32"), QStringLiteral("bf16"),
                                    QStringLiteral("bf16-all")}));
    EXPECT_TRUE(precision->isEnabled());
    pick(precision, QStringLiteral("bf16-all"));
    r = train->currentRequest();
    EXPECT_EQ(r.run.precision, "bf16-all");
    const QStringList precisionArgs = r.cliArguments(QStringLiteral("w.sqlite"));
    const auto pr = precisionArgs.indexOf(QStringLiteral("--precision"));
    ASSERT_GE(pr, 0);
    EXPECT_EQ(precisionArgs.value(pr + 1), QStringLiteral("bf16-all"));

    pick(train->findChild<QComboBox*>(QStringLiteral("trainModel")), QStringLiteral("markov"));
    EXPECT_FALSE(validUsers->isEnabled());
    EXPECT_FALSE(precision->isEnabled());
}

}  // namespace train_compare_test_file
