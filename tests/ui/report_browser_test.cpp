// The HTML report as a person sees it: the Compare page saves the same report as `tiltbench-cli report`, and
// a real headless browser (Debian's chromium, installed by packaging/install-deps.sh) renders it; the
// screenshot's plots are checked to be drawn — the exp series' colour (#1f77b4) and a linear reference line's
// (#d62728) must cover part of the picture. With TILTBENCH_SCREENSHOT_DIR set the screenshot is kept there
// (report.png).
#include <gtest/gtest.h>

#include <QColor>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QSignalSpy>
#include <QStandardPaths>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <regex>

#include "pages/compare/compare_data.h"
#include "pages/compare/compare_page.h"
#include "pages/compare/group_table_model.h"
#include "store/workspace.h"
#include "support/test_support.h"

namespace tiltbench {
namespace {

int pixelsOf(const QImage& image, QRgb colour) {
    int n = 0;
    for (int y = 0; y < image.height(); ++y) {
        const auto* line = reinterpret_cast<const QRgb*>(image.constScanLine(y));
        for (int x = 0; x < image.width(); ++x)
            n += (line[x] & 0xffffff) == (colour & 0xffffff) ? 1 : 0;
    }
    return n;
}

std::string readText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// The report without its "made … on …" line (time and machine differ between two makers).
std::string withoutProvenance(const std::string& html) {
    return std::regex_replace(html, std::regex(" · made [^<]*"), "");
}

TEST(ReportInABrowser, TheComparePageSavesTheCliReportAndItsPlotsRenderInHeadlessChromium) {
    QString chromium = QStandardPaths::findExecutable(QStringLiteral("chromium"));
    if (chromium.isEmpty())
        chromium = QStandardPaths::findExecutable(QStringLiteral("chromium-browser"));
    if (chromium.isEmpty())
        GTEST_SKIP()
            << "chromium is not installed (packaging/install-deps.sh installs it): report not rendered";
    test::TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    ASSERT_EQ(test::runCli({"generate", "-w", ws, "-n", "sim", "--users", "80", "--items", "60",
                            "--interactions", "1600", "--seed", "4"})
                  .exitCode,
              0);
    const auto swept =
        test::runCli({"sweep", "-w", ws, "-d", "sim", "-m", "markov", "--seeds", "1,2", "--lambdas",
                      "inf,2,1,0.5", "--schemes", "exp,linear", "--bootstrap", "50"});
    ASSERT_EQ(swept.exitCode, 0) << swept.err;
    const std::string cliHtml = dir.file("cli-report.html");
    ASSERT_EQ(test::runCli({"report", "-w", ws, "-d", "sim", "-o", cliHtml}).exitCode, 0);

    // The Compare page's "HTML report of this dataset…", without its file dialog.
    const std::string html = dir.file("report.html");
    Workspace workspace(ws);
    ComparePage page;
    page.setWorkspace(&workspace);
    QSignalSpy saved(&page, &ComparePage::reportSaved);
    QSignalSpy failed(&page, &ComparePage::reportFailed);
    ASSERT_TRUE(page.saveReport(QString::fromStdString(html)));
    ASSERT_TRUE(saved.wait(60000)) << failed.size();
    EXPECT_EQ(withoutProvenance(readText(html)), withoutProvenance(readText(cliHtml)));
    // Never over the workspace: refused, the workspace untouched.
    const std::string before = readText(ws);
    ASSERT_TRUE(page.saveReport(QString::fromStdString(ws)));
    ASSERT_TRUE(failed.wait(60000));
    EXPECT_NE(failed.last().at(0).toString().indexOf(QStringLiteral("workspace")), -1)
        << failed.last().at(0).toString().toStdString();
    EXPECT_EQ(readText(ws), before);

    const std::string png = dir.file("report.png");
    // As root chromium needs --no-sandbox; a fresh profile and no background traffic keep it self-contained.
    const QString timeout = QStandardPaths::findExecutable(QStringLiteral("timeout"));  // coreutils
    ASSERT_FALSE(timeout.isEmpty());
    const auto shot = test::runProcess({timeout.toStdString(), "90", chromium.toStdString(), "--headless",
                                        "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                        "--user-data-dir=" + dir.file("profile"), "--hide-scrollbars",
                                        "--window-size=1200,2600", "--screenshot=" + png, "file://" + html});
    ASSERT_EQ(shot.exitCode, 0) << shot.err;
    const QImage image(QString::fromStdString(png));
    ASSERT_FALSE(image.isNull()) << "no screenshot: " << shot.err;
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    EXPECT_GT(pixelsOf(rgb, qRgb(0x1f, 0x77, 0xb4)), 2000) << "the exp series were not drawn";
    EXPECT_GT(pixelsOf(rgb, qRgb(0xd6, 0x27, 0x28)), 200) << "the linear reference lines were not drawn";
    if (const char* keep = std::getenv("TILTBENCH_SCREENSHOT_DIR")) {
        QDir().mkpath(QString::fromUtf8(keep));
        QFile::remove(QDir(QString::fromUtf8(keep)).filePath(QStringLiteral("report.png")));
        QFile::copy(QString::fromStdString(png),
                    QDir(QString::fromUtf8(keep)).filePath(QStringLiteral("report.png")));
    }
}

}  // namespace
}  // namespace tiltbench

namespace tiltbench {
namespace {

// Issue 15: the Compare page groups an experiment's runs by configuration over seeds (mean over seeds) and
// pins a group as the baseline; the difference it shows is the sweep's own summary (same data, same
// bootstrap).
TEST(CompareGroups, OneRowPerConfigurationOverSeedsAndAGroupAsBaseline) {
    test::TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    ASSERT_EQ(test::runCli({"generate", "-w", ws, "-n", "sim", "--users", "80", "--items", "60",
                            "--interactions", "1600", "--seed", "4"})
                  .exitCode,
              0);
    const auto swept =
        test::runCli({"sweep", "-w", ws, "-d", "sim", "-m", "markov", "--seeds", "1,2", "--lambdas",
                      "inf,0.5", "--schemes", "exp", "--bootstrap", "500", "--json"});
    ASSERT_EQ(swept.exitCode, 0) << swept.err;
    const nlohmann::json sweep = nlohmann::json::parse(swept.out);
    Workspace workspace(ws);
    // The stored top-10 profile never appears among a run's validation or test figures (table columns).
    for (const CompareRun& run : loadCompareRuns(workspace, workspace.datasetByName("sim").id)) {
        EXPECT_EQ(run.valid.count("top10_share_g01") + run.valid.count("k") + run.test.count("k"), 0u);
    }
    ComparePage page;
    page.setWorkspace(&workspace);
    QSignalSpy ready(&page, &ComparePage::groupsReady);
    page.setGroupSeeds(true);
    ASSERT_TRUE(ready.wait(60000));
    GroupTableModel* groups = page.groupModel();
    ASSERT_EQ(groups->rowCount(), 2);  // λ = ∞ and λ = 0.5, two seeds each
    const GroupRow* inf = groups->rowAt(0);
    const GroupRow* half = groups->rowAt(1);
    ASSERT_TRUE(inf && half);
    EXPECT_EQ(half->seeds.size(), 2);
    // The mean over seeds is the mean of the runs' stored test values.
    double sum = 0.0;
    for (const auto& r : sweep.at("runs")) {
        if (r.at("lambda") == "0.5")
            sum += r.at("metrics").at("test").at("ndcg@10").get<double>();
    }
    EXPECT_NEAR(half->means.at("ndcg@10").diff, sum / 2.0, 1e-9);

    page.pinGroup(inf->key);
    ASSERT_TRUE(ready.wait(60000));
    const GroupRow* pinned = page.groupModel()->rowAt(1);
    ASSERT_TRUE(pinned && pinned->diffs.count("ndcg@10"));
    double expected = 0.0, lo = 0.0, hi = 0.0;
    for (const auto& row : sweep.at("summary").at("rows")) {
        if (row.at("lambda") == "0.5") {
            expected = row.at("metrics").at("ndcg@10").at("diff").get<double>();
            lo = row.at("metrics").at("ndcg@10").at("lo").get<double>();
            hi = row.at("metrics").at("ndcg@10").at("hi").get<double>();
        }
    }
    EXPECT_NEAR(pinned->diffs.at("ndcg@10").diff, expected, 1e-12);
    EXPECT_NEAR(pinned->diffs.at("ndcg@10").lo, lo, 1e-12);  // same per-user values, same bootstrap seed
    EXPECT_NEAR(pinned->diffs.at("ndcg@10").hi, hi, 1e-12);
    const int column = page.groupModel()->columnOfMetric("ndcg@10");
    EXPECT_TRUE(page.groupModel()->index(1, column).data().toString().startsWith(QStringLiteral("Δ ")));
    EXPECT_FALSE(page.groupModel()->index(0, column).data().toString().startsWith(QStringLiteral("Δ ")));
}

}  // namespace
}  // namespace tiltbench
