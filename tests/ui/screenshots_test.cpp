// Screenshots for docs/screenshots, grabbed offscreen with QWidget::grab(). Skipped unless
// TILTBENCH_SCREENSHOT_DIR is set, because they take a few seconds and write into the source tree:
//
//   TILTBENCH_SCREENSHOT_DIR=docs/screenshots build/dev/tests/tiltbench_ui_tests
//   --gtest_filter='Screenshots.*'
//
// Uses a generated demo dataset always, and ML-100K / FilmTrust from ../shared/data when present.
#include <gtest/gtest.h>
#include <QDir>
#include <QMessageBox>
#include <QSignalSpy>
#include <QTest>

#include "io/import.h"
#include "pages/data/data_page.h"
#include "pages/data/dataset_list_model.h"
#include "pages/data/import_dialog.h"
#include "shell/main_window.h"
#include "shell/recent_files.h"
#include "store/simulated_dataset.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "ui_test_helpers.h"

using namespace tiltbench;

// A namespace of its own: the suite compiles in unity batches (tests/CMakeLists.txt).
namespace screenshots_test_file {

namespace {
constexpr int kWaitMs = 60000;
const QSize kWindowSize(1280, 800);

QString screenshotDir() {
    return qEnvironmentVariable("TILTBENCH_SCREENSHOT_DIR");
}

void save(QWidget* widget, const QString& name) {
    QTest::qWait(300);  // queued replots and layouts
    const QString path = QDir(screenshotDir()).filePath(name);
    ASSERT_TRUE(widget->grab().save(path)) << path.toStdString();
    std::printf("wrote %s\n", qPrintable(path));
}

#define REQUIRE_SCREENSHOT_DIR()                                                                   \
    do {                                                                                           \
        if (screenshotDir().isEmpty()) {                                                           \
            GTEST_SKIP() << "set TILTBENCH_SCREENSHOT_DIR to write the documentation screenshots"; \
        }                                                                                          \
        QDir().mkpath(screenshotDir());                                                            \
    } while (0)
}  // namespace

TEST(Screenshots, EmptyState) {
    REQUIRE_SCREENSHOT_DIR();
    RecentFiles().clear();
    MainWindow w;
    w.resize(kWindowSize);
    w.show();
    save(&w, QStringLiteral("empty-state.png"));
}

TEST(Screenshots, DataPage) {
    REQUIRE_SCREENSHOT_DIR();
    test::TempDir dir;
    const std::string ws = dir.file("research.sqlite");
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
        }
    }
    MainWindow w;
    w.resize(kWindowSize);
    w.show();
    QSignalSpy shown(w.dataPage(), &DataPage::datasetShown);
    ASSERT_TRUE(w.openWorkspace(QString::fromStdString(ws)));
    ASSERT_TRUE(shown.wait(kWaitMs));
    save(&w, QStringLiteral("data-page-demo.png"));

    const auto ml = Workspace(ws).findDataset("ml-100k");
    if (ml) {
        w.dataPage()->selectDataset(ml->id);
        ASSERT_TRUE(shown.wait(kWaitMs));
        save(&w, QStringLiteral("data-page-ml-100k.png"));
    }
}

TEST(Screenshots, ImportDialogAndError) {
    REQUIRE_SCREENSHOT_DIR();
    test::TempDir dir;
    const std::string ws = dir.file("research.sqlite");
    Workspace(ws, OpenMode::CreateIfMissing);

    QStringList files;
    const std::string filmtrust = test::sharedDataDir() + "/filmtrust/rating";
    if (!test::sharedDataDir().empty() && test::pathExists(filmtrust + "/ratings_0.txt")) {
        for (const QString& f : QDir(QString::fromStdString(filmtrust))
                                    .entryList({QStringLiteral("*.txt")}, QDir::Files, QDir::Name)) {
            files << QString::fromStdString(filmtrust) + QLatin1Char('/') + f;
        }
    } else {
        files << QString::fromStdString(test::writeRatingsCsv(dir.file("ratings.csv"), 200));
    }
    {
        ImportDialog dialog(QString::fromStdString(ws), {});
        dialog.setFiles(files);
        dialog.setDatasetName(QStringLiteral("filmtrust"));
        dialog.show();
        save(&dialog, QStringLiteral("import-dialog.png"));
    }

    // A few kinds of bad row, as a hand-edited export might have them.
    std::string text = "user,item,rating,timestamp\n";
    for (int i = 0; i < 40; ++i) {
        const int line = i + 2;
        const std::string rating = line == 7 ? "abc" : line == 19 ? "nan" : std::to_string(i % 5 + 1);
        if (line == 12) {
            text += std::to_string(i % 9 + 1) + "," + std::to_string(i + 100) + "\n";
        } else if (line == 23) {
            text += "," + std::to_string(i + 100) + "," + rating + ",1600000000\n";
        } else {
            text += std::to_string(i % 9 + 1) + "," + std::to_string(i + 100) + "," + rating + "," +
                    std::to_string(1600000000 + i) + "\n";
        }
    }
    const std::string bad = dir.file("ratings-broken.csv");
    test::writeFile(bad, text);
    ImportDialog dialog(QString::fromStdString(ws), {});
    dialog.show();
    dialog.setFiles({QString::fromStdString(bad)});
    QSignalSpy failed(&dialog, &ImportDialog::importFailed);
    dialog.startImport();
    ASSERT_TRUE(failed.wait(kWaitMs));
    auto* box = dialog.findChild<QMessageBox*>(QStringLiteral("importErrorBox"));
    ASSERT_NE(box, nullptr);
    save(box, QStringLiteral("import-error.png"));
}

}  // namespace screenshots_test_file
