// The Export page, offscreen, in a MainWindow, against the built tiltbench-cli: it lists only finished runs
// and the formats each model offers (TorchScript only for SASRec), exports a run through the child CLI to the
// chosen file with progress and shows the lines that load it, previews a user's top-10, refuses what cannot
// work with a message (no run, a missing folder) and takes a run from the Compare page's context menu.
#include <gtest/gtest.h>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>
#include <QTextStream>
#include <limits>
#include <memory>
#include <set>

#include "data/interaction_log.h"
#include "pages/compare/compare_page.h"
#include "pages/export/export_page.h"
#include "shell/main_window.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "ui_test_helpers.h"

using namespace tiltbench;

// A namespace of its own: the suite compiles in unity batches (tests/CMakeLists.txt).
namespace export_page_test_file {

namespace {
constexpr int kWaitMs = 120000;

struct Lab {
    std::unique_ptr<test::TempDir> dir;
    std::string workspace;
    qint64 markovRun = 0;
    qint64 sasrecRun = 0;
    qint64 failedRun = 0;
    int64_t users = 0;
};

qint64 trainWithCli(const std::string& ws, const std::vector<std::string>& extra) {
    std::vector<std::string> args = {test::cliPath(), "train", "--workspace", ws,
                                     "--dataset",     "tiny",  "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const test::ProcessResult r = test::runProcess(args);
    EXPECT_EQ(r.exitCode, 0) << r.err << r.out;
    Workspace w(ws);
    return RunStore(w).lastRunId();
}

// One workspace for the whole suite: a markov run, a tiny SASRec run (both done) and a failed run.
const Lab& lab() {
    static Lab l = [] {
        Lab out;
        out.dir = std::make_unique<test::TempDir>();
        out.workspace = out.dir->file("lab.sqlite");
        const auto infos = test::makeWorkspace(out.workspace, {"tiny"}, test::smallSimulatorConfig(1500));
        out.users = infos.front().users;
        out.markovRun = trainWithCli(out.workspace, {"-m", "markov", "--bootstrap", "50"});
        out.sasrecRun =
            trainWithCli(out.workspace,
                         {"-m",        "sasrec", "--epochs",     "1",  "--dim",      "8", "--blocks",    "1",
                          "--max-len", "20",     "--batch-size", "16", "--patience", "0", "--bootstrap", "50",
                          "--threads", "1",      "--device",     "cpu"});
        Workspace w(out.workspace);
        RunStore store(w);
        out.failedRun = store.createRun(infos.front().id, "markov", "{}", "cpu");
        store.finishRun(out.failedRun, "failed", "made up for the test");
        return out;
    }();
    return l;
}

class ExportPageTest : public ::testing::Test {
  protected:
    void SetUp() override {
        qputenv("TILTBENCH_CLI", QByteArray::fromStdString(test::cliPath()));
        ASSERT_GT(lab().markovRun, 0);
        window = std::make_unique<MainWindow>();
        window->resize(1300, 850);
        window->show();
        ASSERT_TRUE(window->openWorkspace(QString::fromStdString(lab().workspace)));
        window->showPage(MainWindow::ExportPageIndex);
        page = window->exportPage();
    }
    void TearDown() override {
        for (QMessageBox* box : window->findChildren<QMessageBox*>()) {
            box->close();
        }
        window.reset();
    }
    std::unique_ptr<MainWindow> window;
    ExportPage* page = nullptr;
};

int64_t lineCount(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return -1;
    }
    int64_t n = 0;
    while (!f.readLine().isEmpty()) {
        ++n;
    }
    return n;
}
}  // namespace

TEST_F(ExportPageTest, ListsOnlyFinishedRunsWithTheFormatsOfTheirModel) {
    EXPECT_EQ(page->datasetChooser()->currentText(), QStringLiteral("tiny"));
    EXPECT_EQ(page->runChooser()->count(), 2);  // the failed run is not offered
    EXPECT_LT(page->runChooser()->findData(lab().failedRun), 0);
    EXPECT_FALSE(page->selectRun(lab().failedRun));
    EXPECT_TRUE(page->statusLabel()->text().contains(QStringLiteral("not finished")));

    ASSERT_TRUE(page->selectRun(lab().sasrecRun));
    EXPECT_EQ(page->availableFormats(),
              QStringList({QStringLiteral("torchscript"), QStringLiteral("safetensors"),
                           QStringLiteral("topk-csv")}));
    EXPECT_TRUE(page->outputPath().endsWith(QStringLiteral("tiny-run%1.pt").arg(lab().sasrecRun)));
    EXPECT_TRUE(page->pythonSnippet()->toPlainText().contains(QStringLiteral("torch.jit.load(")));
    EXPECT_TRUE(page->pythonSnippet()->toPlainText().contains(page->outputPath()));
    EXPECT_TRUE(page->cppSnippet()->toPlainText().contains(QStringLiteral("torch::jit::load(")));

    ASSERT_TRUE(page->selectRun(lab().markovRun));
    EXPECT_EQ(page->availableFormats(),
              QStringList({QStringLiteral("safetensors"), QStringLiteral("topk-csv")}));
    EXPECT_FALSE(page->setFormat(QStringLiteral("torchscript")));
    ASSERT_TRUE(page->setFormat(QStringLiteral("topk-csv")));
    EXPECT_TRUE(page->outputPath().endsWith(QStringLiteral("-top10.csv")));
    EXPECT_TRUE(page->pythonSnippet()->toPlainText().contains(QStringLiteral("csv.DictReader")));
}

TEST_F(ExportPageTest, ExportsTopkCsvThroughTheCliAndShowsHowToLoadIt) {
    test::TempDir out;
    ASSERT_TRUE(page->selectRun(lab().markovRun));
    ASSERT_TRUE(page->setFormat(QStringLiteral("topk-csv")));
    page->setK(5);
    const QString path = QString::fromStdString(out.file("markov top.csv"));
    page->setOutputPath(path);
    QSignalSpy finished(page, &ExportPage::exportFinished);
    QSignalSpy failed(page, &ExportPage::exportFailed);
    ASSERT_TRUE(page->startExport());
    EXPECT_FALSE(page->exportButton()->isEnabled());
    EXPECT_TRUE(page->cancelButton()->isEnabled());
    ASSERT_TRUE(finished.wait(kWaitMs))
        << (failed.isEmpty() ? "" : failed.front().at(0).toString().toStdString());
    const auto outcome = finished.front().at(0).value<ExportOutcome>();
    ASSERT_FALSE(outcome.files.isEmpty());
    EXPECT_EQ(outcome.files.front(), path);
    EXPECT_EQ(outcome.users, lab().users);
    // k rows per user, fewer only where the user's history leaves fewer than k unseen items.
    int64_t expected = 0;
    {
        Workspace w(lab().workspace);
        const InteractionLog log = w.loadLog(w.datasetByName("tiny").id);
        for (int32_t u = 0; u < log.numUsers(); ++u) {
            std::set<int32_t> seen(log.item.begin() + log.userOffsets[u],
                                   log.item.begin() + log.userOffsets[u + 1]);
            expected += std::min<int64_t>(5, log.numItems() - static_cast<int64_t>(seen.size()));
        }
    }
    EXPECT_EQ(outcome.rows, expected);
    EXPECT_EQ(lineCount(path), expected + 1);  // + header
    EXPECT_TRUE(page->statusLabel()->text().contains(QStringLiteral("Exported run")));
    EXPECT_TRUE(page->pythonSnippet()->toPlainText().contains(path));
    QTRY_VERIFY_WITH_TIMEOUT(page->exportButton()->isEnabled(), 5000);
}

TEST_F(ExportPageTest, ExportsSafetensorsWithItsConfig) {
    test::TempDir out;
    ASSERT_TRUE(page->selectRun(lab().sasrecRun));
    ASSERT_TRUE(page->setFormat(QStringLiteral("safetensors")));
    const QString path = QString::fromStdString(out.file("weights.safetensors"));
    page->setOutputPath(path);
    QSignalSpy finished(page, &ExportPage::exportFinished);
    QSignalSpy failed(page, &ExportPage::exportFailed);
    ASSERT_TRUE(page->startExport());
    ASSERT_TRUE(finished.wait(kWaitMs))
        << (failed.isEmpty() ? "" : failed.front().at(0).toString().toStdString());
    const auto outcome = finished.front().at(0).value<ExportOutcome>();
    EXPECT_TRUE(QFile::exists(path));
    ASSERT_GE(outcome.files.size(), 2);
    bool config = false;
    for (const QString& file : outcome.files) {
        EXPECT_TRUE(QFile::exists(file)) << file.toStdString();
        if (file.endsWith(QStringLiteral(".json"))) {
            config = true;
            EXPECT_TRUE(page->pythonSnippet()->toPlainText().contains(file));  // the config it really wrote
        }
    }
    EXPECT_TRUE(config);
}

TEST_F(ExportPageTest, PreviewShowsTheTopTenOfAUserAndFillsTheSnippetWithTheirHistory) {
    ASSERT_TRUE(page->selectRun(lab().sasrecRun));
    ASSERT_TRUE(page->setFormat(QStringLiteral("torchscript")));
    const QString user = page->userEdit()->text();
    ASSERT_FALSE(user.isEmpty());  // the first user of the dataset by default
    QSignalSpy finished(page, &ExportPage::previewFinished);
    QSignalSpy failed(page, &ExportPage::previewFailed);
    ASSERT_TRUE(page->startPreview(user));
    ASSERT_TRUE(finished.wait(kWaitMs))
        << (failed.isEmpty() ? "" : failed.front().at(0).toString().toStdString());
    QTableWidget* table = page->previewTable();
    ASSERT_EQ(table->rowCount(), 10);
    double previous = std::numeric_limits<double>::infinity();
    for (int r = 0; r < table->rowCount(); ++r) {
        EXPECT_EQ(table->item(r, 0)->text().toInt(), r + 1);
        EXPECT_FALSE(table->item(r, 1)->text().isEmpty());
        const double score = table->item(r, 3)->text().toDouble();
        EXPECT_LE(score, previous + 1e-4);  // best first
        previous = score;
    }
    const auto outcome = finished.front().at(0).value<RecommendOutcome>();
    if (!outcome.history.isEmpty()) {
        EXPECT_TRUE(page->pythonSnippet()->toPlainText().contains(outcome.history.last()));
    }
    // An unknown user is a message, not a crash.
    QSignalSpy failedAgain(page, &ExportPage::previewFailed);
    QTRY_VERIFY_WITH_TIMEOUT(!page->isBusy(), 5000);
    ASSERT_TRUE(page->startPreview(QStringLiteral("no-such-user")));
    ASSERT_TRUE(failedAgain.wait(kWaitMs));
    EXPECT_TRUE(failedAgain.front().at(0).toString().contains(QStringLiteral("no-such-user")));
}

TEST_F(ExportPageTest, RefusesAMissingFolderWithAMessageAndStartsNothing) {
    ASSERT_TRUE(page->selectRun(lab().markovRun));
    page->setOutputPath(QStringLiteral("/no/such/folder/out.safetensors"));
    EXPECT_FALSE(page->startExport());
    EXPECT_FALSE(page->isBusy());
    bool shown = false;
    for (QMessageBox* box : page->findChildren<QMessageBox*>()) {
        shown = shown || (box->isVisible() && box->text().contains(QStringLiteral("does not exist")));
    }
    EXPECT_TRUE(shown);
}

TEST_F(ExportPageTest, AsksBeforeReplacingAFile) {
    test::TempDir out;
    const QString path = QString::fromStdString(out.file("exists.csv"));
    {
        QFile f(path);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        f.write("keep me\n");
    }
    ASSERT_TRUE(page->selectRun(lab().markovRun));
    ASSERT_TRUE(page->setFormat(QStringLiteral("topk-csv")));
    page->setOutputPath(path);
    EXPECT_FALSE(page->startExport());  // asks first
    QMessageBox* box = page->findChild<QMessageBox*>(QStringLiteral("exportReplaceBox"));
    ASSERT_NE(box, nullptr);
    box->button(QMessageBox::Cancel)->click();
    EXPECT_FALSE(page->isBusy());
    EXPECT_EQ(lineCount(path), 1);  // untouched
}

TEST_F(ExportPageTest, ComparePageContextMenuOpensTheRunHere) {
    QSignalSpy requested(window->comparePage(), &ComparePage::exportRequested);
    Q_EMIT window->comparePage()->exportRequested(lab().markovRun);
    EXPECT_EQ(window->currentPage(), MainWindow::ExportPageIndex);
    EXPECT_EQ(page->selectedRunId(), lab().markovRun);
}

// The documentation screenshot (docs/screenshots/export-page.png): a SASRec run exported as TorchScript, the
// loading lines filled with a user's history, and that user's top-10. Skipped unless TILTBENCH_SCREENSHOT_DIR
// is set.
TEST_F(ExportPageTest, Screenshot) {
    const QString dir = qEnvironmentVariable("TILTBENCH_SCREENSHOT_DIR");
    if (dir.isEmpty()) {
        GTEST_SKIP() << "set TILTBENCH_SCREENSHOT_DIR to write the documentation screenshots";
    }
    test::TempDir out;
    ASSERT_TRUE(page->selectRun(lab().sasrecRun));
    ASSERT_TRUE(page->setFormat(QStringLiteral("torchscript")));
    page->setOutputPath(QString::fromStdString(out.file("tiny-sasrec.pt")));
    QSignalSpy exported(page, &ExportPage::exportFinished);
    ASSERT_TRUE(page->startExport());
    ASSERT_TRUE(exported.wait(kWaitMs));
    QTRY_VERIFY_WITH_TIMEOUT(!page->isBusy(), 5000);
    QSignalSpy previewed(page, &ExportPage::previewFinished);
    ASSERT_TRUE(page->startPreview(page->userEdit()->text()));
    ASSERT_TRUE(previewed.wait(kWaitMs));
    QTest::qWait(100);
    const QString path = QDir(dir).filePath(QStringLiteral("export-page.png"));
    ASSERT_TRUE(window->grab().save(path)) << path.toStdString();
}

}  // namespace export_page_test_file
