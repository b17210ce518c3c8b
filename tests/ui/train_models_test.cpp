// The Train and Compare pages' parts without a window: the CLI progress stream parser, the CLI arguments a
// queued run becomes, the queue's and the runs table's item models (QAbstractItemModelTester), the order of
// the queue's and the training process's signals (QSignalSpy / a recorder), the plots' markers and tooltips,
// and the CSV exports.
#include <gtest/gtest.h>
#include <QAbstractItemModelTester>
#include <QFile>
#include <QHeaderView>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>
#include <cmath>

#include "jobs/job_handle.h"
#include "pages/compare/compare_data.h"
#include "pages/compare/compare_plots.h"
#include "pages/compare/compare_workers.h"
#include "pages/compare/run_table_model.h"
#include "pages/train/train_events.h"
#include "pages/train/train_queue.h"
#include "pages/train/train_queue_model.h"
#include "pages/train/train_request.h"
#include "plots/plot_widget.h"
#include "process/runtime_probe.h"
#include "process/train_process.h"
#include "shared/csv_export.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "train/closed_form_run.h"
#include "ui_test_helpers.h"

using namespace tiltbench;

// A namespace of its own: the suite compiles in unity batches (tests/CMakeLists.txt).
namespace train_models_test_file {

namespace {
constexpr int kWaitMs = 120000;

// A workspace with one small simulated dataset and four closed-form runs: markov at λ = 0.5 and ∞,
// popularity uniform, markov linear.
struct ClosedFormFixture {
    test::TempDir dir;
    std::string ws = dir.file("runs.sqlite");
    std::vector<int64_t> runIds;
    int64_t datasetId = 0;

    ClosedFormFixture() {
        datasetId = test::makeWorkspace(ws, {"sim"}, test::smallSimulatorConfig(3000)).front().id;
        Workspace w(ws);
        auto run = [&](PolicyKind kind, const WeightScheme& scheme) {
            ClosedFormRunConfig c;
            c.dataset = "sim";
            c.model = kind;
            c.scheme = scheme;
            c.bootstrapResamples = 100;
            c.threads = 1;
            runIds.push_back(runClosedForm(w, c).runId);
        };
        run(PolicyKind::Markov, WeightScheme::exp(0.5));
        run(PolicyKind::Markov, WeightScheme::exp(WeightScheme::kInfinity));
        run(PolicyKind::Popularity, WeightScheme::uniform());
        run(PolicyKind::Markov, WeightScheme::linear());
    }
};

TrainRequest tinySasrec(const std::string& dataset, int epochs) {
    TrainRequest r = TrainRequest::withEngineDefaults();
    r.run.dataset = dataset;
    r.model = "sasrec";
    r.run.scheme = WeightScheme::exp(1.0);
    r.run.dim = 8;
    r.run.blocks = 1;
    r.run.maxLen = 20;
    r.run.batchSize = 16;
    r.run.epochs = epochs;
    r.run.patience = 0;
    r.run.bootstrapResamples = 50;
    r.run.threads = 1;
    r.run.device = "cpu";
    return r;
}
}  // namespace

TEST(TrainStream, ParsesEveryEventAndLeavesLogLinesAlone) {
    auto run = parseTrainStreamLine(R"({"event":"run","run_id":7,"resumed":false})");
    ASSERT_TRUE(run.has_value());
    EXPECT_EQ(run->kind, TrainStreamEvent::Run);
    EXPECT_EQ(run->runId, 7);
    auto p = parseTrainStreamLine(
        R"({"event":"progress","stage":"training","epoch":2,"epochs":30,"step":40,"steps_per_epoch":80,)"
        R"("loss":6.5,"examples_per_second":1234.5,"eta_seconds":null,"elapsed_seconds":3.0})");
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->kind, TrainStreamEvent::Progress);
    EXPECT_EQ(p->progress.stage, QStringLiteral("training"));
    EXPECT_EQ(p->progress.epoch, 2);
    EXPECT_EQ(p->progress.stepsPerEpoch, 80);
    EXPECT_DOUBLE_EQ(p->progress.loss, 6.5);
    EXPECT_TRUE(std::isnan(p->progress.etaSeconds));  // null = unknown
    auto e = parseTrainStreamLine(
        R"({"event":"epoch","epoch":3,"train_loss":5.0,"valid_ndcg@10":0.1,"valid_hr@10":0.2,"seconds":1.5})");
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->epoch.epoch, 3);
    EXPECT_DOUBLE_EQ(e->epoch.validNdcg10, 0.1);
    auto f = parseTrainStreamLine(R"({"event":"finished","status":"cancelled","run_id":7,"epochs_done":2})");
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->status, QStringLiteral("cancelled"));
    EXPECT_EQ(f->epochsDone, 2);
    EXPECT_FALSE(parseTrainStreamLine("epoch   1: train loss 5.0252, 40038 examples/s").has_value());
    EXPECT_FALSE(parseTrainStreamLine("{not json").has_value());
    EXPECT_FALSE(parseTrainStreamLine(R"({"no_event":1})").has_value());
}

// Issue 13, section 4: the CLI says it waits for a busy workspace; the Train page shows it as a status text.
TEST(TrainStream, AWaitForTheWorkspaceBecomesAStatusText) {
    auto w = parseTrainStreamLine(
        R"({"event":"waiting_for_workspace","epoch":1,"pending_epochs":2,"elapsed_seconds":4.0})");
    ASSERT_TRUE(w.has_value());
    EXPECT_EQ(w->kind, TrainStreamEvent::Progress);
    EXPECT_TRUE(w->progress.stage.startsWith(QStringLiteral("waiting for the workspace")));
    EXPECT_TRUE(w->progress.stage.contains(QStringLiteral("2 epoch"))) << w->progress.stage.toStdString();
    EXPECT_EQ(w->progress.epochs, 0);  // not a training step: the page shows the text, the plots ignore it
    auto c = parseTrainStreamLine(R"({"event":"waiting_for_workspace","seconds":6.2})");
    ASSERT_TRUE(c.has_value());
    EXPECT_TRUE(c->progress.stage.contains(QStringLiteral("6 s"))) << c->progress.stage.toStdString();
}

TEST(TrainRequest, BecomesTheCliArgumentsOfTrain) {
    TrainRequest r = tinySasrec("sim", 2);
    r.run.scheme = WeightScheme::exp(0.25);
    r.run.scheme.normalization = WeightNormalization::Mean;
    r.run.scheme.clip = 10.0;
    r.seed = 5;
    const QStringList a = r.cliArguments(QStringLiteral("/tmp/w.sqlite"));
    EXPECT_EQ(a.front(), QStringLiteral("train"));
    auto after = [&](const char* option) {
        const auto i = a.indexOf(QLatin1String(option));
        return i >= 0 && i + 1 < a.size() ? a[i + 1] : QString();
    };
    EXPECT_EQ(after("--workspace"), QStringLiteral("/tmp/w.sqlite"));
    EXPECT_EQ(after("--dataset"), QStringLiteral("sim"));
    EXPECT_EQ(after("--model"), QStringLiteral("sasrec"));
    EXPECT_EQ(after("--scheme"), QStringLiteral("exp"));
    EXPECT_EQ(after("--lambda"), QStringLiteral("0.25"));
    EXPECT_EQ(after("--clip"), QStringLiteral("10"));
    EXPECT_EQ(after("--dim"), QStringLiteral("8"));
    EXPECT_EQ(after("--device"), QStringLiteral("cpu"));
    EXPECT_EQ(after("--seed"), QStringLiteral("5"));
    EXPECT_EQ(after("--progress-jsonl"), QStringLiteral("stderr"));
    EXPECT_TRUE(a.contains(QStringLiteral("--json")));

    r.run.scheme = WeightScheme::uniform();
    EXPECT_EQ(r.cliArguments({})[r.cliArguments({}).indexOf(QStringLiteral("--lambda")) + 1],
              QStringLiteral("inf"));
    r.resumeRunId = 12;
    const QStringList resume = r.cliArguments(QStringLiteral("w"));
    EXPECT_TRUE(resume.contains(QStringLiteral("--resume")));
    EXPECT_FALSE(resume.contains(QStringLiteral("--dataset")));
    EXPECT_EQ(r.describe(), QStringLiteral("resume run 12"));
}

TEST(RuntimeProbe, ParsesTheCliAndAsksTheBuiltOne) {
    const RuntimeSummary s = RuntimeProbe::parse(
        R"({"tiltbench_version":"0.1.0","torch_version":"2.1.0","cuda_available":true,"cuda_devices":2,)"
        R"("devices":["cpu","cuda","cuda:1"],"hardware_threads":16})");
    EXPECT_TRUE(s.ok);
    EXPECT_TRUE(s.cudaAvailable);
    EXPECT_EQ(s.devices,
              (QStringList{QStringLiteral("cpu"), QStringLiteral("cuda"), QStringLiteral("cuda:1")}));
    EXPECT_FALSE(RuntimeProbe::parse("nonsense").ok);

    RuntimeProbe probe;
    QSignalSpy done(&probe, &RuntimeProbe::finished);
    probe.probe(QString::fromStdString(test::cliPath()));
    ASSERT_TRUE(done.wait(kWaitMs));
    const RuntimeSummary real = done.front().front().value<RuntimeSummary>();
    EXPECT_TRUE(real.ok) << real.error.toStdString();
    EXPECT_FALSE(real.torchVersion.isEmpty());
    EXPECT_TRUE(real.devices.contains(QStringLiteral("cpu")));
}

TEST(TrainQueueModel, PassesModelTesterThroughAddsChangesAndClears) {
    TrainQueue queue;  // no CLI: every SASRec run fails at once, which exercises every transition
    TrainQueueModel model(&queue);
    QAbstractItemModelTester tester(&model);
    QSignalSpy idle(&queue, &TrainQueue::idle);
    queue.setWorkspacePath(QStringLiteral("/nonexistent/w.sqlite"));
    const int first = queue.enqueue(tinySasrec("sim", 1));
    const int second = queue.enqueue(tinySasrec("sim", 1));
    queue.cancel(second);  // pending → cancelled, never starts
    ASSERT_TRUE(QTest::qWaitFor([&] { return !queue.isBusy() && !queue.hasPending(); }, kWaitMs));
    ASSERT_EQ(model.rowCount(), 2);
    EXPECT_EQ(model.index(queue.rowOf(first), TrainQueueModel::Status).data().toString(),
              QStringLiteral("failed"));
    EXPECT_FALSE(model.index(queue.rowOf(first), TrainQueueModel::Progress).data().toString().isEmpty());
    EXPECT_EQ(model.index(queue.rowOf(second), TrainQueueModel::Status).data().toString(),
              QStringLiteral("cancelled"));
    EXPECT_GE(idle.count(), 1);
    queue.clearFinished();
    EXPECT_EQ(model.rowCount(), 0);
}

TEST(TrainQueue, ClosedFormRunSignalsArriveInOrder) {
    test::TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    test::makeWorkspace(ws, {"sim"});
    TrainQueue queue;
    queue.setWorkspacePath(QString::fromStdString(ws));
    QStringList events;
    QObject::connect(&queue, &TrainQueue::runStarted, [&] { events << QStringLiteral("started"); });
    QObject::connect(&queue, &TrainQueue::progressed, [&] {
        if (events.isEmpty() || events.back() != QStringLiteral("progress")) {
            events << QStringLiteral("progress");
        }
    });
    QObject::connect(&queue, &TrainQueue::runCreated, [&] { events << QStringLiteral("created"); });
    QObject::connect(&queue, &TrainQueue::runFinished, [&] { events << QStringLiteral("finished"); });
    QObject::connect(&queue, &TrainQueue::idle, [&] { events << QStringLiteral("idle"); });
    QSignalSpy finished(&queue, &TrainQueue::runFinished);
    QSignalSpy idle(&queue, &TrainQueue::idle);
    TrainRequest r = TrainRequest::withEngineDefaults();
    r.run.dataset = "sim";
    r.model = "markov";
    r.run.scheme = WeightScheme::exp(0.5);
    r.run.bootstrapResamples = 50;
    queue.enqueue(r);
    ASSERT_TRUE(idle.wait(kWaitMs));
    ASSERT_EQ(finished.count(), 1);
    const auto outcome = finished.front().at(1).value<TrainOutcome>();
    EXPECT_EQ(outcome.status, TrainOutcome::Done) << outcome.error.toStdString();
    EXPECT_GT(outcome.runId, 0);
    EXPECT_TRUE(std::isfinite(outcome.test.value(QStringLiteral("ndcg@10"), std::nan(""))));
    EXPECT_EQ(events,
              (QStringList{QStringLiteral("started"), QStringLiteral("progress"), QStringLiteral("created"),
                           QStringLiteral("finished"), QStringLiteral("idle")}));
    EXPECT_EQ(queue.entries().front().status, QueueEntry::Done);
    Workspace w(ws);
    EXPECT_EQ(RunStore(w).run(outcome.runId).status, "done");
}

TEST(TrainProcess, SasrecChildSignalsArriveInOrder) {
    test::TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    test::makeWorkspace(ws, {"sim"}, test::smallSimulatorConfig(1500));
    TrainProcess process;
    QStringList events;
    QList<int> epochs;
    QObject::connect(&process, &TrainProcess::runCreated, [&] { events << QStringLiteral("run"); });
    QObject::connect(&process, &TrainProcess::progressed, [&] {
        if (events.isEmpty() || events.back() != QStringLiteral("progress")) {
            events << QStringLiteral("progress");
        }
    });
    QObject::connect(&process, &TrainProcess::epochFinished, [&](const TrainEpochEvent& e) {
        events << QStringLiteral("epoch");
        epochs << e.epoch;
    });
    QObject::connect(&process, &TrainProcess::finished, [&] { events << QStringLiteral("finished"); });
    QSignalSpy finished(&process, &TrainProcess::finished);
    ASSERT_TRUE(process.start(QString::fromStdString(test::cliPath()),
                              tinySasrec("sim", 2).arguments(QString::fromStdString(ws))));
    EXPECT_FALSE(process.start(QString::fromStdString(test::cliPath()), {}));  // one child at a time
    ASSERT_TRUE(finished.wait(kWaitMs));
    const auto outcome = finished.front().front().value<TrainOutcome>();
    ASSERT_EQ(outcome.status, TrainOutcome::Done) << outcome.error.toStdString();
    EXPECT_GT(outcome.runId, 0);
    EXPECT_EQ(outcome.epochsDone, 2);
    EXPECT_TRUE(std::isfinite(outcome.test.value(QStringLiteral("ndcg@10"), std::nan(""))));
    EXPECT_EQ(epochs, (QList<int>{1, 2}));
    // The run id first, then progress, the epochs in order (with progress between them), the end last.
    ASSERT_GE(events.size(), 5);
    EXPECT_EQ(events.front(), QStringLiteral("run"));
    EXPECT_EQ(events[1], QStringLiteral("progress"));
    EXPECT_EQ(events.back(), QStringLiteral("finished"));
    EXPECT_EQ(events.count(QStringLiteral("finished")), 1);
    EXPECT_LT(events.indexOf(QStringLiteral("epoch")), events.lastIndexOf(QStringLiteral("finished")));
    EXPECT_FALSE(process.isRunning());
}

TEST(RunTableModel, PassesModelTesterThroughRunsSplitsAndBaselines) {
    ClosedFormFixture f;
    Workspace w(f.ws);
    RunTableModel model;
    QAbstractItemModelTester tester(&model);
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(RunTableModel::SortRole);
    QAbstractItemModelTester proxyTester(&proxy);

    model.setRuns(loadCompareRuns(w, f.datasetId), QStringLiteral("test"));
    ASSERT_EQ(model.rowCount(), 4);
    EXPECT_GT(model.columnCount(), RunTableModel::NUM_FIXED_COLUMNS + 10);
    EXPECT_EQ(model.columnKey(RunTableModel::NUM_FIXED_COLUMNS), QStringLiteral("ndcg@10"));
    const int ndcg = model.columnOfKey(QStringLiteral("ndcg@10"));
    const CompareRun* markov = model.runById(f.runIds[0]);
    ASSERT_NE(markov, nullptr);
    EXPECT_EQ(markov->schemeName(), QStringLiteral("exp"));
    EXPECT_DOUBLE_EQ(markov->lambda, 0.5);
    EXPECT_TRUE(std::isinf(model.runById(f.runIds[2])->lambda));  // uniform sits at ∞
    EXPECT_TRUE(std::isnan(model.runById(f.runIds[3])->lambda));  // linear has no λ
    const QModelIndex cell = model.index(model.rowOfRun(f.runIds[0]), ndcg);
    EXPECT_NEAR(cell.data(RunTableModel::SortRole).toDouble(), markov->test.at("ndcg@10").value, 1e-12);
    EXPECT_TRUE(cell.data(Qt::ToolTipRole).toString().contains(QStringLiteral("95 %")));

    // Sorting by λ: ∞ (exp at ∞ and uniform) above every finite λ; no λ (linear) after all in ascending
    // order.
    proxy.sort(RunTableModel::LambdaColumn, Qt::AscendingOrder);
    EXPECT_EQ(proxy.index(3, RunTableModel::LambdaColumn).data().toString(), QStringLiteral("—"));
    EXPECT_EQ(proxy.index(2, RunTableModel::LambdaColumn).data().toString(), QStringLiteral("∞"));
    int half = -1, infinity = -1;
    for (int r = 0; r < proxy.rowCount(); ++r) {
        const QString text = proxy.index(r, RunTableModel::LambdaColumn).data().toString();
        half = text == QStringLiteral("0.5") ? r : half;
        infinity = text == QStringLiteral("∞") && infinity < 0 ? r : infinity;
    }
    EXPECT_LT(half, infinity);

    model.setSplit(QStringLiteral("valid"));
    EXPECT_EQ(model.split(), QStringLiteral("valid"));
    model.setBaseline(f.runIds[1]);
    EXPECT_EQ(model.index(model.rowOfRun(f.runIds[0]), ndcg).data().toString(), QStringLiteral("…"));
    QHash<qint64, RunComparison> comparisons;
    QHash<qint64, QString> errors;
    const RunStore store(w);
    for (int64_t id : f.runIds) {
        if (id != f.runIds[1]) {
            comparisons.insert(id, compareRuns(store, id, f.runIds[1], "valid"));
        }
    }
    errors.insert(f.runIds[3], QStringLiteral("different split"));
    model.setComparisons(f.runIds[1], comparisons, errors);
    const QString diff = model.index(model.rowOfRun(f.runIds[0]), ndcg).data().toString();
    EXPECT_TRUE(diff.contains(QLatin1Char('[')) && diff.contains(QLatin1Char(']'))) << diff.toStdString();
    EXPECT_NEAR(model.index(model.rowOfRun(f.runIds[0]), ndcg).data(RunTableModel::SortRole).toDouble(),
                comparisons.value(f.runIds[0]).find("ndcg@10")->diff, 1e-12);
    EXPECT_EQ(model.index(model.rowOfRun(f.runIds[3]), ndcg).data().toString(), QStringLiteral("n/a"));
    EXPECT_TRUE(model.headerData(ndcg, Qt::Horizontal).toString().startsWith(QStringLiteral("Δ")));
    model.setComparisons(f.runIds[0], {}, {});  // a late answer for another baseline is ignored
    EXPECT_EQ(model.index(model.rowOfRun(f.runIds[3]), ndcg).data().toString(), QStringLiteral("n/a"));
    model.clearBaseline();
    model.clear();
    EXPECT_EQ(model.rowCount(), 0);
}

TEST(BaselineWorker, ComparesEveryRunWithTheBaselineInCore) {
    ClosedFormFixture f;
    JobHandle job;
    auto* worker =
        new BaselineWorker(QString::fromStdString(f.ws), f.runIds[1],
                           std::vector<qint64>(f.runIds.begin(), f.runIds.end()), QStringLiteral("test"));
    QSignalSpy done(worker, &BaselineWorker::finished);
    QSignalSpy stopped(&job, &JobHandle::stopped);
    ASSERT_TRUE(job.start(worker));
    ASSERT_TRUE(stopped.wait(kWaitMs));
    ASSERT_EQ(done.count(), 1);
    const auto result = done.front().front().value<BaselineResult>();
    EXPECT_EQ(result.comparisons.size(), 3);
    EXPECT_TRUE(result.errors.isEmpty());
    const RunComparison comparison = result.comparisons.value(f.runIds[0]);  // value() returns a copy
    const MetricDifference* d = comparison.find("ndcg@10");
    ASSERT_NE(d, nullptr);
    EXPECT_LE(d->lo, d->diff);
    EXPECT_GE(d->hi, d->diff);
}

TEST(ComparePlots, DrawsRunsPerSchemeWithReferenceAndNamesThemOnHover) {
    ClosedFormFixture f;
    Workspace w(f.ws);
    ComparePlots plots;
    plots.resize(1200, 700);
    plots.show();
    const auto runs = loadCompareRuns(w, f.datasetId);
    plots.setRuns(runs, QStringLiteral("test"), f.runIds[1]);
    auto reference =
        ReferenceWorker::compute(QString::fromStdString(f.ws), f.datasetId, QStringLiteral("test"));
    ASSERT_EQ(reference->lambdas.size(), reference->markov.at("ndcg@10").size());
    EXPECT_TRUE(std::isinf(reference->lambdas.back()));
    plots.setReference(reference);
    QTest::qWait(50);
    EXPECT_EQ(plots.markerCount("ndcg@10"), 4);
    EXPECT_EQ(plots.markerCount("true_reward@10"), 4);  // simulated data has ground truth
    PlotWidget* plot = plots.plot("ndcg@10");
    ASSERT_NE(plot, nullptr);
    plot->replot();
    // Reference (2 graphs) + markov exp + popularity uniform + markov linear (flat) + the baseline ring.
    EXPECT_GE(plot->graphCount(), 6);
    const QPointF pixel = plots.markerPixel("ndcg@10", f.runIds[0]);
    ASSERT_GE(pixel.x(), 0.0);
    const QString tip = plots.toolTipAt("ndcg@10", pixel);
    EXPECT_TRUE(tip.contains(QStringLiteral("run %1").arg(f.runIds[0]))) << tip.toStdString();
    EXPECT_TRUE(tip.contains(QLatin1Char('['))) << tip.toStdString();  // its interval
    EXPECT_TRUE(plots.toolTipAt("ndcg@10", QPointF(2, 2)).isEmpty());
    // λ = ∞ sits at the right end of the axis, beyond every finite λ.
    EXPECT_GT(plots.infinityX(), 50.0);
    EXPECT_LT(plots.infinityX(), plot->xAxis->range().upper);

    // Every plot saves as PNG, PDF and (with QtSvg) SVG.
    test::TempDir out;
    for (const char* suffix : {"png", "pdf", "svg"}) {
        if (QString::fromLatin1(suffix) == QStringLiteral("svg") && !PlotWidget::canSaveSvg()) {
            continue;
        }
        const QString path = QString::fromStdString(out.file(std::string("ndcg.") + suffix));
        ASSERT_TRUE(plot->saveAs(path)) << suffix;
        QFile file(path);
        ASSERT_TRUE(file.open(QIODevice::ReadOnly));
        const QByteArray head = file.read(400);
        EXPECT_GT(file.size(), 1000) << suffix;
        if (QString::fromLatin1(suffix) == QStringLiteral("svg")) {
            EXPECT_TRUE(head.contains("<svg")) << head.toStdString();
        }
    }
}

TEST(CsvExport, WritesTheViewAsShownAndPerUserValues) {
    ClosedFormFixture f;
    Workspace w(f.ws);
    RunTableModel model;
    model.setRuns(loadCompareRuns(w, f.datasetId), QStringLiteral("test"));
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(RunTableModel::SortRole);
    QTableView view;
    view.setModel(&proxy);
    view.setSortingEnabled(true);
    view.sortByColumn(RunTableModel::RunColumn, Qt::DescendingOrder);
    for (int c = RunTableModel::NUM_FIXED_COLUMNS + 1; c < model.columnCount(); ++c) {
        view.setColumnHidden(c, true);  // only the first metric stays
    }
    view.horizontalHeader()->moveSection(RunTableModel::StatusColumn, 0);
    test::TempDir out;
    const QString path = QString::fromStdString(out.file("table.csv"));
    QString error;
    ASSERT_TRUE(writeViewCsv(&view, path, &error)) << error.toStdString();
    const QStringList lines = QString::fromStdString(test::readFile(path.toStdString()))
                                  .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    ASSERT_EQ(lines.size(), 5);
    // Numbers a data frame reads: the value, its interval's ends in their own columns, inf for ∞, empty for
    // none.
    EXPECT_EQ(lines[0], QStringLiteral("status,run,baseline,model,scheme,lambda,device,epochs,epoch_seconds,"
                                       "ndcg@10,ndcg@10_lo,ndcg@10_hi"));
    EXPECT_TRUE(lines[1].startsWith(QStringLiteral("done,%1,0,").arg(f.runIds.back())))
        << lines[1].toStdString();
    for (int row = 1; row < lines.size(); ++row) {
        const QStringList cells = lines[row].split(QLatin1Char(','));
        ASSERT_EQ(cells.size(), 12) << lines[row].toStdString();
        const CompareRun* run = model.runById(cells[1].toLongLong());
        ASSERT_NE(run, nullptr);
        const RunMetric m = run->metric(QStringLiteral("test"), "ndcg@10");
        EXPECT_DOUBLE_EQ(cells[9].toDouble(), m.value);  // full precision, not the 4 digits shown
        for (const auto& [cell, bound] : {std::pair{cells[10], m.lo}, std::pair{cells[11], m.hi}}) {
            if (std::isfinite(bound))
                EXPECT_DOUBLE_EQ(cell.toDouble(), bound);
            else
                EXPECT_TRUE(cell.isEmpty()) << cell.toStdString();  // no interval: an empty cell
        }
        EXPECT_EQ(cells[5], std::isinf(run->lambda)   ? QStringLiteral("inf")
                            : std::isnan(run->lambda) ? QString()
                                                      : QString::number(run->lambda, 'g', 17))
            << lines[row].toStdString();
        EXPECT_TRUE(cells[7].isEmpty());  // closed-form runs have no epochs
    }
    // With a baseline pinned: the paired differences in their own three columns, empty on the baseline's row.
    model.setBaseline(f.runIds[0]);
    ASSERT_TRUE(writeViewCsv(&view, path, &error)) << error.toStdString();
    const QStringList pinned = QString::fromStdString(test::readFile(path.toStdString()))
                                   .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    EXPECT_TRUE(pinned[0].endsWith(QStringLiteral(",delta_ndcg@10,delta_ndcg@10_lo,delta_ndcg@10_hi")))
        << pinned[0].toStdString();
    model.clearBaseline();

    const QString perUser = QString::fromStdString(out.file("users.csv"));
    ASSERT_TRUE(writePerUserCsv(w, f.datasetId, {f.runIds[0]}, perUser, &error)) << error.toStdString();
    const QStringList rows = QString::fromStdString(test::readFile(perUser.toStdString()))
                                 .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    EXPECT_EQ(rows[0], QStringLiteral("run_id,split,metric,user_idx,user_id,value"));
    EXPECT_GT(rows.size(), 60);  // ≥ one metric per user
    EXPECT_TRUE(rows[1].startsWith(QStringLiteral("%1,test,").arg(f.runIds[0])) ||
                rows[1].startsWith(QStringLiteral("%1,valid,").arg(f.runIds[0])));
    EXPECT_EQ(csvField(QStringLiteral("a,\"b\"")), QStringLiteral("\"a,\"\"b\"\"\""));
    EXPECT_FALSE(writeViewCsv(&view, QStringLiteral("/nonexistent/dir/t.csv"), &error));
    EXPECT_FALSE(error.isEmpty());
    // A CSV never replaces the workspace or another database (issue 13, section 3).
    const QString workspace = QString::fromStdString(w.path());
    const std::string before = test::readFile(w.path());
    EXPECT_FALSE(writeViewCsv(&view, workspace, &error));
    EXPECT_TRUE(error.contains(QStringLiteral("refusing"))) << error.toStdString();
    EXPECT_FALSE(writePerUserCsv(w, f.datasetId, {f.runIds[0]}, workspace + QStringLiteral("-wal"), &error));
    EXPECT_TRUE(error.contains(QStringLiteral("the workspace"))) << error.toStdString();
    EXPECT_EQ(test::readFile(w.path()), before);
    EXPECT_NO_THROW(w.datasets());
}

// A run's parent (config "init_from") as the Compare page reads it from a workspace that may be crafted: only
// a whole, positive number in range is a run id; anything else (huge, negative, fractional, text) reads as
// none and never reaches an integer cast out of range.
TEST(CompareData, AParentRunIdIsReadOnlyWhenItIsOne) {
    test::TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    const int64_t datasetId = test::makeWorkspace(ws, {"sim"}, test::smallSimulatorConfig(500)).front().id;
    Workspace w(ws);
    RunStore runs(w);
    std::map<int64_t, qint64> expected;
    for (const auto& [value, parent] : std::vector<std::pair<std::string, qint64>>{
             {"7", 7}, {"1e300", 0}, {"-5", 0}, {"3.5", 0}, {"\"12\"", 0}, {"null", 0}, {"9e18", 0}}) {
        const int64_t id = runs.createRun(datasetId, "sasrec", R"({"init_from":)" + value + "}", "cpu");
        expected[id] = parent;
    }
    for (const CompareRun& run : loadCompareRuns(w, datasetId)) {
        EXPECT_EQ(run.parentRunId, expected.at(run.id())) << run.record.config;
    }
}

}  // namespace train_models_test_file
