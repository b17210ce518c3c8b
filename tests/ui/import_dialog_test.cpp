// The import dialog offscreen: preview and mapping from core's previewImport, option changes refreshing the
// preview, a successful import, and a failing one showing the line in a message box.
#include <gtest/gtest.h>
#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QMessageBox>
#include <QSignalSpy>

#include "pages/data/import_dialog.h"
#include "pages/data/import_preview_model.h"
#include "shared/meta_types.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "ui_test_helpers.h"

using namespace tiltbench;

// A namespace of its own: the suite compiles in unity batches (tests/CMakeLists.txt).
namespace import_dialog_test_file {

namespace {
constexpr int kWaitMs = 30000;
}

TEST(ImportDialog, DefaultNameComesFromFolderForGenericFileNames) {
    EXPECT_EQ(ImportDialog::defaultName(QStringLiteral("/data/ml-100k/u.data"), {}),
              QStringLiteral("ml-100k"));
    EXPECT_EQ(ImportDialog::defaultName(QStringLiteral("/data/ml-latest-small/ratings.csv"), {}),
              QStringLiteral("ml-latest-small"));
    EXPECT_EQ(ImportDialog::defaultName(QStringLiteral("/data/filmtrust.txt"), {}),
              QStringLiteral("filmtrust"));
    EXPECT_EQ(ImportDialog::defaultName(QStringLiteral("/data/ml-100k/u.data"), {QStringLiteral("ml-100k")}),
              QStringLiteral("ml-100k-2"));
}

TEST(ImportDialog, PreviewShowsRowsAndMappingAndFollowsOptions) {
    test::TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    Workspace(ws, OpenMode::CreateIfMissing);
    const std::string csv = test::writeRatingsCsv(dir.file("likes.csv"), 40);

    ImportDialog dialog(QString::fromStdString(ws), {});
    QAbstractItemModelTester tester(dialog.previewModel());
    dialog.setFormat(ImportFormat::Csv);  // auto would take this header for MovieLens' ratings.csv
    dialog.setFiles({QString::fromStdString(csv)});
    EXPECT_EQ(dialog.request().name, "likes");
    ImportPreviewModel* model = dialog.previewModel();
    ASSERT_GT(model->rowCount(), 0) << dialog.previewNotes().toStdString();
    EXPECT_EQ(model->columnCount(), 4);
    EXPECT_EQ(model->roleOfColumn(0), QStringLiteral("user"));
    EXPECT_EQ(model->roleOfColumn(1), QStringLiteral("item"));
    EXPECT_EQ(model->roleOfColumn(2), QStringLiteral("reward"));
    EXPECT_EQ(model->roleOfColumn(3), QStringLiteral("time"));
    EXPECT_TRUE(dialog.previewNotes().contains(QStringLiteral("csv"))) << dialog.previewNotes().toStdString();

    // Choosing the columns by hand maps them as chosen, after the debounce.
    auto* rewardCombo = dialog.findChild<QComboBox*>(QStringLiteral("rewardColumn"));
    auto* timeCombo = dialog.findChild<QComboBox*>(QStringLiteral("timeColumn"));
    ASSERT_NE(rewardCombo, nullptr);
    ASSERT_NE(timeCombo, nullptr);
    const int none = timeCombo->findData(QStringLiteral("none"));
    ASSERT_GE(none, 0);
    QSignalSpy refreshed(&dialog, &ImportDialog::previewRefreshed);
    timeCombo->setCurrentIndex(none);
    ASSERT_TRUE(refreshed.wait(kWaitMs));
    EXPECT_EQ(dialog.request().csv.timeCol, "none");
    EXPECT_TRUE(model->roleOfColumn(3).isEmpty());
}

TEST(ImportDialog, ImportsAndReports) {
    test::TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    Workspace(ws, OpenMode::CreateIfMissing);
    const std::string csv = test::writeRatingsCsv(dir.file("ratings.csv"), 120);

    ImportDialog dialog(QString::fromStdString(ws), {});
    dialog.setFiles({QString::fromStdString(csv)});
    dialog.setDatasetName(QStringLiteral("small"));
    QSignalSpy imported(&dialog, &ImportDialog::imported);
    QSignalSpy finished(&dialog, &QDialog::finished);
    dialog.startImport();
    EXPECT_TRUE(dialog.isImporting());
    ASSERT_TRUE(imported.wait(kWaitMs));
    EXPECT_EQ(imported.takeFirst().at(0).value<ImportReport>().dataset.rows, 120);
    ASSERT_TRUE(finished.count() > 0 || finished.wait(kWaitMs));
    EXPECT_EQ(dialog.result(), QDialog::Accepted);
    EXPECT_TRUE(Workspace(ws).findDataset("small").has_value());
}

TEST(ImportDialog, FailureShowsTheLineAndKeepsTheDialogOpen) {
    test::TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    Workspace(ws, OpenMode::CreateIfMissing);
    const std::string csv = test::writeBadRatingsCsv(dir.file("broken.csv"), 30, 5);

    ImportDialog dialog(QString::fromStdString(ws), {});
    dialog.show();
    dialog.setFiles({QString::fromStdString(csv)});
    QSignalSpy failed(&dialog, &ImportDialog::importFailed);
    QSignalSpy stopped(&dialog, &ImportDialog::importStopped);
    dialog.startImport();
    ASSERT_TRUE(failed.wait(kWaitMs));
    ASSERT_TRUE(stopped.count() > 0 || stopped.wait(kWaitMs));
    auto* box = dialog.findChild<QMessageBox*>(QStringLiteral("importErrorBox"));
    ASSERT_NE(box, nullptr);
    const QString all = box->text() + box->informativeText();
    EXPECT_TRUE(all.contains(QStringLiteral("line 5"))) << all.toStdString();
    EXPECT_TRUE(all.contains(QStringLiteral("broken.csv"))) << all.toStdString();
    EXPECT_TRUE(dialog.isVisible());
    EXPECT_FALSE(dialog.isImporting());
    EXPECT_TRUE(Workspace(ws).datasets().empty());
}

}  // namespace import_dialog_test_file
