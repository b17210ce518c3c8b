// Workers on real threads through JobHandle, as the pages run them: signals arrive queued on the GUI thread,
// the result before stopped(); failures carry the line; a cancel leaves the workspace as it was.
#include <gtest/gtest.h>
#include <QSignalSpy>

#include "jobs/job_handle.h"
#include "pages/data/dataset_load_worker.h"
#include "pages/data/generate_worker.h"
#include "pages/data/import_worker.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "ui_test_helpers.h"

using namespace tiltbench;
using tiltbench::test::WorkerRecorder;

// A namespace of its own: the suite compiles in unity batches (tests/CMakeLists.txt).
namespace workers_test_file {

namespace {
constexpr int kWaitMs = 30000;

ImportRequest csvRequest(const std::string& file, const std::string& name) {
    ImportRequest r;
    r.name = name;
    r.format = ImportFormat::Csv;
    r.files = {file};
    return r;
}

// Runs `worker` on a JobHandle and waits for stopped(); the recorder has seen everything by then.
void runToEnd(JobHandle& job, Worker* worker) {
    QSignalSpy stopped(&job, &JobHandle::stopped);
    ASSERT_TRUE(job.start(worker));
    ASSERT_TRUE(stopped.wait(kWaitMs)) << "the job did not stop";
    EXPECT_FALSE(job.isRunning());
}
}  // namespace

TEST(ImportWorker, ImportsCsvEmittingProgressThenFinished) {
    test::TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    Workspace(ws, OpenMode::CreateIfMissing);
    const std::string csv = test::writeRatingsCsv(dir.file("ratings.csv"), 200);

    JobHandle job;
    auto* worker = new ImportWorker(QString::fromStdString(ws), csvRequest(csv, "tiny"));
    WorkerRecorder rec(worker);
    runToEnd(job, worker);

    ASSERT_GE(rec.events.size(), 3) << rec.events.join(QLatin1Char(' ')).toStdString();
    EXPECT_EQ(rec.events.front(), QStringLiteral("progress"));
    EXPECT_EQ(rec.events.at(rec.events.size() - 2), QStringLiteral("finished"));
    EXPECT_EQ(rec.events.back(), QStringLiteral("done"));
    EXPECT_EQ(rec.importReport.dataset.rows, 200);
    EXPECT_EQ(rec.importReport.dataset.name, "tiny");
    EXPECT_TRUE(Workspace(ws).findDataset("tiny").has_value());
}

TEST(ImportWorker, BadRowFailsNamingTheLine) {
    test::TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    Workspace(ws, OpenMode::CreateIfMissing);
    const std::string csv = test::writeBadRatingsCsv(dir.file("bad.csv"), 50, 3);

    JobHandle job;
    auto* worker = new ImportWorker(QString::fromStdString(ws), csvRequest(csv, "bad"));
    WorkerRecorder rec(worker);
    runToEnd(job, worker);

    EXPECT_TRUE(rec.events.contains(QStringLiteral("failed")));
    EXPECT_FALSE(rec.events.contains(QStringLiteral("finished")));
    EXPECT_TRUE(rec.failure.contains(QStringLiteral("line 3"))) << rec.failure.toStdString();
    EXPECT_TRUE(rec.failure.contains(QStringLiteral("bad.csv"))) << rec.failure.toStdString();
    EXPECT_TRUE(Workspace(ws).datasets().empty());
}

TEST(ImportWorker, CancelLeavesWorkspaceWithoutTheDataset) {
    test::TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    test::makeWorkspace(ws, {"kept"});
    const std::string csv = test::writeRatingsCsv(dir.file("ratings.csv"), 5000);

    JobHandle job;
    auto* worker = new ImportWorker(QString::fromStdString(ws), csvRequest(csv, "cancelled"));
    WorkerRecorder rec(worker);
    // Direct connection: runs on the worker thread inside core's progress callback, so the cancel is seen at
    // exactly that report — inside the import's transaction, not before it starts.
    QObject::connect(
        worker, &Worker::progress, worker,
        [worker](qint64, qint64, const QString& stage) {
            if (stage != QStringLiteral("opening workspace")) {
                worker->cancel();
            }
        },
        Qt::DirectConnection);
    runToEnd(job, worker);

    EXPECT_TRUE(rec.events.contains(QStringLiteral("cancelled")))
        << rec.events.join(QLatin1Char(' ')).toStdString();
    EXPECT_FALSE(rec.events.contains(QStringLiteral("finished")));
    Workspace check(ws);
    EXPECT_FALSE(check.findDataset("cancelled").has_value());
    ASSERT_EQ(check.datasets().size(), 1u);
    EXPECT_EQ(check.datasets().front().name, "kept");
}

TEST(DatasetLoadWorker, LoadsAndSummarises) {
    test::TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    const auto infos = test::makeWorkspace(ws, {"demo"});

    JobHandle job;
    auto* worker = new DatasetLoadWorker(QString::fromStdString(ws), infos.front().id);
    WorkerRecorder rec(worker);
    runToEnd(job, worker);

    ASSERT_TRUE(rec.events.contains(QStringLiteral("finished"))) << rec.failure.toStdString();
    EXPECT_EQ(rec.loaded.info.id, infos.front().id);
    EXPECT_EQ(rec.loaded.summary.rows, infos.front().rows);
    EXPECT_EQ(rec.loaded.summary.users, infos.front().users);
    EXPECT_EQ(static_cast<int64_t>(rec.loaded.itemLabels.size()), infos.front().items);
    EXPECT_FALSE(rec.loaded.summary.rewardLevels.empty());
}

TEST(DatasetLoadWorker, MissingDatasetFails) {
    test::TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    Workspace(ws, OpenMode::CreateIfMissing);
    JobHandle job;
    auto* worker = new DatasetLoadWorker(QString::fromStdString(ws), 42);
    WorkerRecorder rec(worker);
    runToEnd(job, worker);
    EXPECT_TRUE(rec.events.contains(QStringLiteral("failed")));
    EXPECT_FALSE(rec.failure.isEmpty());
}

TEST(GenerateWorker, GeneratesIntoTheWorkspace) {
    test::TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    Workspace(ws, OpenMode::CreateIfMissing);
    JobHandle job;
    auto* worker = new GenerateWorker(QString::fromStdString(ws), "sim", test::smallSimulatorConfig(2000));
    WorkerRecorder rec(worker);
    runToEnd(job, worker);
    ASSERT_TRUE(rec.events.contains(QStringLiteral("finished"))) << rec.failure.toStdString();
    EXPECT_EQ(rec.generated.name, "sim");
    EXPECT_TRUE(rec.generated.hasTruth);
    EXPECT_TRUE(Workspace(ws).findDataset("sim").has_value());
}

TEST(JobHandle, DestroyedWhileRunningCancelsAndWaits) {
    test::TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    Workspace(ws, OpenMode::CreateIfMissing);
    {
        JobHandle job;
        ASSERT_TRUE(job.start(
            new GenerateWorker(QString::fromStdString(ws), "big", test::smallSimulatorConfig(3'000'000))));
        EXPECT_TRUE(job.isRunning());
        EXPECT_FALSE(job.start(
            new GenerateWorker(QString::fromStdString(ws), "second", test::smallSimulatorConfig())));
    }  // must neither crash nor leave a running thread behind
    EXPECT_FALSE(Workspace(ws).findDataset("big").has_value());
    EXPECT_FALSE(Workspace(ws).findDataset("second").has_value());
}

}  // namespace workers_test_file
