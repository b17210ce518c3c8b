// The λ Explorer's "Record a Markov run at this λ" (formerly "Evaluate fully") (offscreen, small simulated
// workspace): clicking the button runs the tilted Markov policy on all users on a worker, shows the result
// beside the button and records one run whose test NDCG@10 is what runClosedForm gives directly for the same
// scheme.
#include <gtest/gtest.h>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

#include "pages/explorer/explorer_full_eval_worker.h"
#include "pages/explorer/explorer_page.h"
#include "pages/explorer/explorer_worker.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "train/closed_form_run.h"
#include "ui_test_helpers.h"

using namespace tiltbench;

// A namespace of its own: the suite compiles in unity batches (tests/CMakeLists.txt).
namespace explorer_full_eval_test_file {

namespace {
constexpr int kWaitMs = 120000;

SimulatorConfig fullEvalConfig() {
    SimulatorConfig c = test::smallSimulatorConfig(6000);
    c.users = 200;
    c.items = 150;
    return c;
}
}  // namespace

TEST(ExplorerFullEvalTest, ButtonRecordsTheRunThatRunClosedFormGives) {
    test::TempDir dir;
    const std::string path = dir.file("w.sqlite");
    test::makeWorkspace(path, {"first"}, fullEvalConfig());
    auto ws = std::make_unique<Workspace>(path);
    auto page = std::make_unique<ExplorerPage>();
    page->resize(1100, 760);
    page->show();
    QSignalSpy ready(page.get(), &ExplorerPage::ready);
    page->setWorkspace(ws.get());
    ASSERT_TRUE(ready.wait(kWaitMs));
    // The live metrics name this dataset's users, not the sample's cap.
    const QString live = page->fullEvalResultLabel()->text();
    const auto users = static_cast<qlonglong>(page->dataset()->split.validation().size());
    EXPECT_TRUE(live.contains(QLocale().toString(users))) << live.toStdString();
    EXPECT_FALSE(live.contains(QLocale().toString(static_cast<qlonglong>(ExplorerWorker::kSampleUsers))))
        << live.toStdString();
    page->setLambda(2.0);
    const WeightScheme scheme = page->currentScheme();

    QSignalSpy finished(page.get(), &ExplorerPage::fullEvaluationFinished);
    ASSERT_TRUE(page->fullEvalButton()->isEnabled());
    page->fullEvalButton()->click();
    EXPECT_TRUE(page->isEvaluatingFully());
    EXPECT_FALSE(page->fullEvalButton()->isEnabled());
    ASSERT_TRUE(finished.wait(kWaitMs));
    ASSERT_NE(page->lastFullEvaluation(), nullptr);
    const ClosedFormRunResult shown = page->lastFullEvaluation()->run;
    EXPECT_TRUE(
        page->fullEvalResultLabel()->text().contains(QStringLiteral("recorded as run %1").arg(shown.runId)));
    // The button says that it records a run; once λ moves, the result says it is for the old λ, and it reads
    // as current again when λ comes back.
    // `fullEvaluationFinished` comes with the result; the job's slot goes idle (button back) just after.
    ASSERT_TRUE(QTest::qWaitFor([&] { return !page->isEvaluatingFully(); }, kWaitMs));
    EXPECT_TRUE(page->fullEvalButton()->text().contains(QStringLiteral("Record")));
    page->setLambda(0.5);
    EXPECT_TRUE(page->fullEvalResultLabel()->text().contains(QStringLiteral("changed since")))
        << page->fullEvalResultLabel()->text().toStdString();
    page->setLambda(2.0);
    EXPECT_FALSE(page->fullEvalResultLabel()->text().contains(QStringLiteral("changed since")));

    RunStore runs(*ws);
    ASSERT_EQ(runs.runs().size(), 1u);
    EXPECT_EQ(runs.runs().front().id, shown.runId);

    const ClosedFormRunResult direct =
        runClosedForm(*ws, ExplorerFullEvalWorker::config(QStringLiteral("first"), scheme));
    ASSERT_NE(shown.test.find("ndcg@10"), nullptr);
    EXPECT_DOUBLE_EQ(shown.test.value("ndcg@10"), direct.test.value("ndcg@10"));
    EXPECT_DOUBLE_EQ(shown.test.find("ndcg@10")->lo, direct.test.find("ndcg@10")->lo);
    EXPECT_EQ(shown.test.protocol.toString(), direct.test.protocol.toString());

    page.reset();
    ws.reset();
}

}  // namespace explorer_full_eval_test_file
