// JobRunner (ui/jobs/job_runner.h): latest wins per slot, only the latest job delivers, results arrive on the
// GUI thread, cancel drops everything of a slot, and the status text follows the job's state.
#include "jobs/job_runner.h"

#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QSignalSpy>
#include <QThread>
#include <atomic>
#include <chrono>
#include <thread>

#include "common/error.h"

namespace tiltbench {
namespace {

constexpr int kWaitMs = 20000;

// Reports progress until released (or cancelled), then emits its value.
class GateWorker : public Worker {
    Q_OBJECT
  public:
    GateWorker(int value, std::shared_ptr<std::atomic<bool>> release,
               std::shared_ptr<std::atomic<bool>> emitted = nullptr)
        : m_value(value), m_release(std::move(release)), m_emitted(std::move(emitted)) {}
    QString description() const override { return QStringLiteral("job %1").arg(m_value); }

  Q_SIGNALS:
    void result(int value);

  protected:
    void execute() override {
        const ProgressCallback report = progressCallback();
        for (uint64_t step = 0; !m_release->load(); ++step) {
            if (!report(Progress{"waiting", step % 10, 10, "steps"}))
                throw Cancelled();
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        Q_EMIT result(m_value);
        if (m_emitted)
            m_emitted->store(true);
    }

  private:
    int m_value;
    std::shared_ptr<std::atomic<bool>> m_release;
    std::shared_ptr<std::atomic<bool>> m_emitted;
};

std::shared_ptr<std::atomic<bool>> gate(bool open = false) {
    return std::make_shared<std::atomic<bool>>(open);
}

TEST(JobRunner, ResultsArriveOnTheGuiThreadWithTheStatusClearedAfterwards) {
    JobRunner runner;
    QList<int> got;
    QThread* resultThread = nullptr;
    auto* w = new GateWorker(1, gate(true));
    runner.on(w, &GateWorker::result, [&](int v) {
        got << v;
        resultThread = QThread::currentThread();
    });
    QSignalSpy status(&runner, &JobRunner::statusChanged);
    QSignalSpy idle(&runner, &JobRunner::idle);
    runner.start(QStringLiteral("a"), w);
    EXPECT_TRUE(runner.isActive(QStringLiteral("a")));
    ASSERT_TRUE(idle.wait(kWaitMs));
    EXPECT_EQ(got, QList<int>{1});
    EXPECT_EQ(resultThread, QCoreApplication::instance()->thread());  // the GUI thread
    ASSERT_FALSE(status.isEmpty());
    EXPECT_TRUE(status.last().at(1).toString().isEmpty());  // cleared when the job stopped
    EXPECT_FALSE(runner.isRunning(QStringLiteral("a")));
}

TEST(JobRunner, TheLatestJobOfASlotWinsAndNoOlderResultIsDelivered) {
    JobRunner runner;
    QList<int> got;
    int cancelledDelivered = 0;
    const auto firstGate = gate();
    auto* first = new GateWorker(1, firstGate);
    runner.on(first, &GateWorker::result, [&](int v) { got << v; });
    runner.on(first, &Worker::cancelled, [&] { ++cancelledDelivered; });
    runner.start(QStringLiteral("slot"), first);
    // Two newer jobs while the first runs: the second is replaced by the third before it ever starts.
    auto* second = new GateWorker(2, gate(true));
    runner.on(second, &GateWorker::result, [&](int v) { got << v; });
    runner.start(QStringLiteral("slot"), second);
    auto* third = new GateWorker(3, gate(true));
    runner.on(third, &GateWorker::result, [&](int v) { got << v; });
    QSignalSpy idle(&runner, &JobRunner::idle);
    runner.start(QStringLiteral("slot"), third);
    ASSERT_TRUE(idle.wait(kWaitMs));
    EXPECT_EQ(got, QList<int>{3});
    EXPECT_EQ(cancelledDelivered, 0);  // the superseded job's own signals are dropped too
}

TEST(JobRunner, AResultThatArrivesAfterANewerStartIsDropped) {
    // The first job finishes on its own (not cancelled in time): its result is already queued when the newer
    // job starts, and must still not reach the page.
    JobRunner runner;
    QList<int> got;
    const auto emitted = gate();
    auto* first = new GateWorker(1, gate(true), emitted);
    runner.on(first, &GateWorker::result, [&](int v) { got << v; });
    runner.start(QStringLiteral("s"), first);
    for (int i = 0; i < 4000 && !emitted->load(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // no event loop: nothing is delivered yet
    ASSERT_TRUE(emitted->load());
    auto* second = new GateWorker(2, gate(true));
    runner.on(second, &GateWorker::result, [&](int v) { got << v; });
    QSignalSpy idle(&runner, &JobRunner::idle);
    runner.start(QStringLiteral("s"), second);
    ASSERT_TRUE(idle.wait(kWaitMs));
    EXPECT_EQ(got, QList<int>{2});
}

TEST(JobRunner, CancelDropsTheRunningAndTheWaitingJobAndSlotsAreIndependent) {
    JobRunner runner;
    QList<int> got;
    auto* a = new GateWorker(1, gate());
    runner.on(a, &GateWorker::result, [&](int v) { got << v; });
    runner.start(QStringLiteral("a"), a);
    auto* waiting = new GateWorker(2, gate(true));
    runner.on(waiting, &GateWorker::result, [&](int v) { got << v; });
    runner.start(QStringLiteral("a"), waiting);
    auto* b = new GateWorker(7, gate(true));
    runner.on(b, &GateWorker::result, [&](int v) { got << v; });
    runner.start(QStringLiteral("b"), b);

    QSignalSpy status(&runner, &JobRunner::statusChanged);
    runner.cancel(QStringLiteral("a"));
    EXPECT_FALSE(runner.isActive(QStringLiteral("a")));
    ASSERT_FALSE(status.isEmpty());
    EXPECT_EQ(status.last().at(0).toString(), QStringLiteral("a"));
    EXPECT_TRUE(status.last().at(1).toString().isEmpty());
    for (int i = 0; i < 400 && runner.isBusy(); ++i) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_FALSE(runner.isBusy());
    EXPECT_EQ(got, QList<int>{7});  // slot b delivered; nothing of slot a
}

TEST(JobRunner, TheStatusLineFollowsTheJobAndKeepsWhatItsHandlerReported) {
    JobRunner runner;
    const QString a = QStringLiteral("a");
    runner.report(QStringLiteral("page"), QStringLiteral("3 runs"));  // no job behind it: shown at once
    EXPECT_EQ(runner.statusText(), QStringLiteral("3 runs"));

    // A job that reports an outcome: "…" when it starts, its progress, then the outcome stays.
    const auto release = gate();
    auto* w = new GateWorker(1, release);
    runner.on(w, &GateWorker::result, [&](int v) { runner.report(a, QStringLiteral("done %1").arg(v)); });
    QSignalSpy idle(&runner, &JobRunner::idle);
    runner.start(a, w);
    EXPECT_EQ(runner.statusText(), QStringLiteral("job 1…"));
    for (int i = 0; i < 2000 && !runner.statusText().startsWith(QStringLiteral("job 1 — waiting")); ++i) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_TRUE(runner.statusText().startsWith(QStringLiteral("job 1 — waiting")))
        << runner.statusText().toStdString();
    EXPECT_TRUE(runner.statusText().endsWith(QStringLiteral(" %")));
    release->store(true);
    ASSERT_TRUE(idle.wait(kWaitMs));
    EXPECT_EQ(runner.statusText(), QStringLiteral("done 1"));

    // A job that reports nothing: its text goes when it stops and the line falls back to the newest left.
    auto* quiet = new GateWorker(2, gate(true));
    runner.start(QStringLiteral("b"), quiet);
    EXPECT_EQ(runner.statusText(), QStringLiteral("job 2…"));
    ASSERT_TRUE(idle.wait(kWaitMs));
    EXPECT_EQ(runner.statusText(), QStringLiteral("done 1"));

    // Stopped by the user: "cancelling…" at once, then what its cancelled handler said.
    auto* stopped = new GateWorker(3, gate());
    runner.on(stopped, &Worker::cancelled, [&] { runner.report(a, QStringLiteral("cancelled 3")); });
    runner.start(a, stopped);
    runner.stop(a);
    EXPECT_EQ(runner.statusText(), QStringLiteral("job 3 — cancelling…"));
    ASSERT_TRUE(idle.wait(kWaitMs));
    EXPECT_EQ(runner.statusText(), QStringLiteral("cancelled 3"));

    // Dropped (the page's input changed): its text is cleared, the page's own message shows again.
    runner.start(a, new GateWorker(4, gate()));
    runner.cancel(a);
    EXPECT_EQ(runner.statusText(), QStringLiteral("3 runs"));
    runner.waitForAll();
}

TEST(JobRunner, DestroyingTheRunnerCancelsAndWaitsForItsJobs) {
    std::atomic<bool> delivered{false};
    {
        JobRunner runner;
        auto* w = new GateWorker(1, gate());  // never released: only the cancel ends it
        runner.on(w, &GateWorker::result, [&](int) { delivered = true; });
        runner.start(QStringLiteral("a"), w);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }  // would hang here, or abort on a running QThread, if the job outlived the runner
    QCoreApplication::processEvents();
    EXPECT_FALSE(delivered.load());
}

}  // namespace
}  // namespace tiltbench

#include "job_runner_test.moc"
