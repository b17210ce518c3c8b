// The λ Explorer page end to end on a small simulated workspace (offscreen): it prepares a dataset on its
// worker, the slider and its spin box move together, moving λ changes the plotted data and the table,
// λ = ∞ gives the uniform shares, the suggestion is a grid λ that keeps ESS/N above the floor, and switching
// datasets or workspaces mid-job does not crash. Also prints the slider-update latency (no timed assertion).
#include <gtest/gtest.h>
#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QSlider>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <algorithm>
#include <cmath>

#include "pages/data/data_page.h"
#include "pages/explorer/explorer_items_model.h"
#include "pages/explorer/explorer_page.h"
#include "pages/explorer/explorer_plots.h"
#include "pages/explorer/explorer_worker.h"
#include "plots/plot_widget.h"
#include "shell/main_window.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "ui_test_helpers.h"
#include "widgets/lambda_slider.h"

using namespace tiltbench;

// A namespace of its own: the suite compiles in unity batches (tests/CMakeLists.txt).
namespace explorer_page_test_file {

namespace {
constexpr int kWaitMs = 60000;
constexpr double kInf = WeightScheme::kInfinity;

SimulatorConfig explorerConfig() {
    SimulatorConfig c = test::smallSimulatorConfig(6000);
    c.users = 200;
    c.items = 150;
    return c;
}

QVector<double> values(const QCPGraph* g) {
    QVector<double> v;
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) {
        v << it->value;
    }
    return v;
}

QVector<double> barValues(const QCPBars* b) {
    QVector<double> v;
    for (auto it = b->data()->constBegin(); it != b->data()->constEnd(); ++it) {
        v << it->value;
    }
    return v;
}

QStringList shareColumn(const ExplorerItemsModel* m) {
    QStringList out;
    for (int r = 0; r < m->rowCount(); ++r) {
        out << m->index(r, ExplorerItemsModel::Share).data().toString();
    }
    return out;
}

class ExplorerPageTest : public ::testing::Test {
  protected:
    void SetUp() override {
        m_path = m_dir.file("w.sqlite");
        m_infos = test::makeWorkspace(m_path, {"first", "second"}, explorerConfig());
        m_ws = std::make_unique<Workspace>(m_path);
        m_page = std::make_unique<ExplorerPage>();
        m_page->resize(1100, 760);
        m_page->show();
    }
    void TearDown() override {
        m_page.reset();  // its JobHandle waits for a running worker
        m_ws.reset();
    }
    void openAndWait() {
        QSignalSpy ready(m_page.get(), &ExplorerPage::ready);
        m_page->setWorkspace(m_ws.get());
        ASSERT_TRUE(ready.wait(kWaitMs));
        ASSERT_TRUE(m_page->dataset() && m_page->curves());
    }

    test::TempDir m_dir;
    std::string m_path;
    std::vector<DatasetInfo> m_infos;
    std::unique_ptr<Workspace> m_ws;
    std::unique_ptr<ExplorerPage> m_page;
};
}  // namespace

TEST_F(ExplorerPageTest, MovingTheSliderChangesPlotsAndTable) {
    QAbstractItemModelTester tester(m_page->itemsModel());
    openAndWait();
    ExplorerPlots* plots = m_page->plots();
    QSlider* slider = m_page->lambdaSlider()->slider();

    slider->setValue(LambdaSlider::kSteps + 1);  // the ∞ stop
    EXPECT_TRUE(std::isinf(m_page->lambda()));
    const QVector<double> shareInf = values(plots->shareGraph());
    const QVector<double> lorenzInf = values(plots->lorenzGraph());
    const QVector<double> massInf = barValues(plots->massBars());
    const QStringList tableInf = shareColumn(m_page->itemsModel());

    slider->setValue(LambdaSlider::positionOf(0.5));
    EXPECT_NEAR(m_page->lambda(), 0.5, 1e-9);
    EXPECT_NE(values(plots->shareGraph()), shareInf);
    EXPECT_NE(values(plots->lorenzGraph()), lorenzInf);
    EXPECT_NE(barValues(plots->massBars()), massInf);
    EXPECT_NE(shareColumn(m_page->itemsModel()), tableInf);
    // The markers sit at the current λ.
    EXPECT_NEAR(plots->essMarker()->point1->coords().x(), 0.5, 1e-9);
    EXPECT_NEAR(plots->metricMarker()->point1->coords().x(), 0.5, 1e-9);
    // A sharp tilt moves weight onto the top reward level.
    ASSERT_NE(m_page->stats(), nullptr);
    EXPECT_GT(m_page->stats()->topLevelMass, massInf.back());
}

TEST_F(ExplorerPageTest, InfinityGivesUniformShares) {
    openAndWait();
    m_page->setLambda(kInf);
    const RewardLevelTable& t = m_page->dataset()->table();
    ASSERT_NE(m_page->stats(), nullptr);
    const auto& share = m_page->stats()->itemShare;
    ASSERT_EQ(share.size(), t.uniformShare().size());
    for (size_t i = 0; i < share.size(); ++i) {
        EXPECT_NEAR(share[i], t.uniformShare()[i], 1e-12) << i;
        EXPECT_NEAR(m_page->itemsModel()->changeAt(static_cast<int>(i)), 0.0, 1e-12);
    }
    EXPECT_NEAR(m_page->stats()->essRatio, 1.0, 1e-12);
    EXPECT_EQ(m_page->lambdaSlider()->spinBox()->text(), QStringLiteral("∞"));
}

TEST_F(ExplorerPageTest, SliderAndSpinBoxAreLinked) {
    LambdaSlider* lambda = m_page->lambdaSlider();
    QSignalSpy changed(lambda, &LambdaSlider::lambdaChanged);
    lambda->spinBox()->setValue(0.37);
    EXPECT_NEAR(lambda->lambda(), 0.37, 1e-12);
    EXPECT_EQ(lambda->slider()->value(), LambdaSlider::positionOf(0.37));
    lambda->slider()->setValue(LambdaSlider::kSteps + 1);
    EXPECT_TRUE(std::isinf(lambda->lambda()));
    EXPECT_EQ(lambda->spinBox()->text(), QStringLiteral("∞"));
    lambda->slider()->setValue(0);
    EXPECT_DOUBLE_EQ(lambda->lambda(), LambdaSlider::kMinLambda);
    EXPECT_EQ(changed.count(), 3);
    EXPECT_DOUBLE_EQ(LambdaSlider::lambdaAt(LambdaSlider::kSteps), LambdaSlider::kMaxLambda);
    for (int p = 0; p <= LambdaSlider::kSteps + 1; p += 7) {
        EXPECT_EQ(LambdaSlider::positionOf(LambdaSlider::lambdaAt(p)), p);
    }
}

TEST_F(ExplorerPageTest, SuggestedLambdaIsAGridValueAboveTheEssFloor) {
    openAndWait();
    const std::vector<double> grid = ExplorerWorker::metricGrid();
    const RewardLevelTable& t = m_page->dataset()->table();
    for (double floor : {0.3, 0.8, 0.05}) {
        m_page->setEssFloor(floor);
        const double suggested = m_page->suggestedLambda();
        ASSERT_FALSE(std::isnan(suggested)) << floor;
        EXPECT_NE(std::find(grid.begin(), grid.end(), suggested), grid.end()) << suggested;
        WeightScheme s = m_page->currentScheme();
        s.lambda = suggested;
        EXPECT_GE(computeWeightStats(t, s).essRatio, floor) << "λ " << suggested;
        EXPECT_TRUE(m_page->suggestionLabel()->text().contains(QStringLiteral("Suggested λ")));
    }
    m_page->applySuggestion();
    EXPECT_EQ(m_page->lambda(), m_page->suggestedLambda());
}

TEST_F(ExplorerPageTest, SchemeChangeRecomputesThenUsesTheCache) {
    openAndWait();
    const auto firstCurves = m_page->curves();
    QSignalSpy ready(m_page.get(), &ExplorerPage::ready);
    m_page->normalizationChooser()->setCurrentIndex(
        m_page->normalizationChooser()->findData(QStringLiteral("none")));
    EXPECT_EQ(m_page->curves(), nullptr);  // computing; the weight statistics are already there
    EXPECT_NE(m_page->stats(), nullptr);
    ASSERT_TRUE(ready.wait(kWaitMs));
    EXPECT_NE(m_page->curves(), firstCurves);
    ready.clear();
    m_page->normalizationChooser()->setCurrentIndex(
        m_page->normalizationChooser()->findData(QStringLiteral("mean")));
    EXPECT_EQ(ready.count(), 1);  // from the cache, without a worker
    EXPECT_EQ(m_page->curves(), firstCurves);

    // A flat scheme: λ no longer matters and there is no suggestion.
    m_page->schemeChooser()->setCurrentIndex(m_page->schemeChooser()->findData(QStringLiteral("uniform")));
    ASSERT_TRUE(ready.wait(kWaitMs));
    EXPECT_TRUE(std::isnan(m_page->suggestedLambda()));
    EXPECT_FALSE(m_page->lambdaSlider()->isEnabled());
    for (const char* kind : {"linear", "filter"}) {
        m_page->schemeChooser()->setCurrentIndex(
            m_page->schemeChooser()->findData(QString::fromLatin1(kind)));
        ASSERT_TRUE(ready.wait(kWaitMs)) << kind;
        ASSERT_NE(m_page->stats(), nullptr) << kind;
        EXPECT_EQ(m_page->stats()->scheme.kind, parseWeightKind(kind));
        EXPECT_GT(m_page->stats()->essRatio, 0.0);
    }
}

TEST_F(ExplorerPageTest, SwitchingDatasetsAndWorkspacesMidJobDoesNotCrash) {
    QSignalSpy ready(m_page.get(), &ExplorerPage::ready);
    m_page->setWorkspace(m_ws.get());
    m_page->selectDataset(m_infos[1].id);
    m_page->selectDataset(m_infos[0].id);
    m_page->selectDataset(m_infos[1].id);
    ASSERT_TRUE(ready.wait(kWaitMs));
    ASSERT_TRUE(m_page->dataset());
    EXPECT_EQ(m_page->dataset()->info.id, m_infos[1].id);
    EXPECT_EQ(m_page->dataset()->info.id, m_page->selectedDatasetId());

    m_page->selectDataset(m_infos[0].id);  // starts a job …
    m_page->setWorkspace(nullptr);         // … that is dropped
    EXPECT_EQ(m_page->dataset(), nullptr);
    EXPECT_EQ(m_page->itemsModel()->rowCount(), 0);
    m_page->setWorkspace(m_ws.get());
    ASSERT_TRUE(ready.wait(kWaitMs));
    m_page->selectDataset(m_infos[1].id);  // the page is destroyed with this job running
}

TEST_F(ExplorerPageTest, SelectingAnItemShowsItsRewardHistogram) {
    openAndWait();
    QTableView* view = m_page->itemsView();
    const QModelIndex first = view->model()->index(0, 0);
    view->selectionModel()->setCurrentIndex(first,
                                            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    PlotWidget* plot = m_page->plots()->itemPlot();
    ASSERT_EQ(plot->plottableCount(), 1);
    auto* bars = qobject_cast<QCPBars*>(plot->plottable(0));
    ASSERT_NE(bars, nullptr);
    double total = 0.0;
    for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it) {
        total += it->value;
    }
    const int item = first.data(ExplorerItemsModel::ItemIdRole).toInt();
    EXPECT_EQ(total, static_cast<double>(m_page->dataset()->table().itemCount()[static_cast<size_t>(item)]));
    EXPECT_TRUE(plot->message().isEmpty());

    m_page->itemsProxy()->setFilterFixedString(QStringLiteral("no such title at all"));
    EXPECT_EQ(view->model()->rowCount(), 0);
}

TEST_F(ExplorerPageTest, ReportsSliderLatency) {
    openAndWait();
    double worst = 0.0, sum = 0.0, paint = 0.0;
    const int moves = 30;
    for (int i = 0; i < moves; ++i) {
        m_page->lambdaSlider()->slider()->setValue((i * 37) % (LambdaSlider::kSteps + 2));
        sum += m_page->lastUpdateMs();
        worst = std::max(worst, m_page->lastUpdateMs());
        QElapsedTimer t;
        t.start();
        for (PlotWidget* p : m_page->plots()->allPlots()) {
            p->replot(QCustomPlot::rpImmediateRefresh);
        }
        paint += static_cast<double>(t.nsecsElapsed()) * 1e-6;
    }
    std::printf(
        "[explorer latency] %d items: update mean %.2f ms, worst %.2f ms; repaint of all plots %.2f ms\n",
        m_page->dataset()->table().numItems(), sum / moves, worst, paint / moves);
}

TEST(ExplorerInMainWindow, FollowsTheDataPageAndSurvivesClosingTheWorkspace) {
    test::TempDir dir;
    const std::string path = dir.file("w.sqlite");
    const auto infos = test::makeWorkspace(path, {"first", "second"}, explorerConfig());
    MainWindow w;
    w.show();
    auto* page = w.findChild<ExplorerPage*>();
    ASSERT_NE(page, nullptr);
    QSignalSpy shown(w.dataPage(), &DataPage::datasetShown);
    QSignalSpy ready(page, &ExplorerPage::ready);
    ASSERT_TRUE(w.openWorkspace(QString::fromStdString(path)));
    ASSERT_TRUE(shown.wait(kWaitMs));
    EXPECT_EQ(ready.count(), 0);  // hidden: nothing loads yet
    w.showPage(MainWindow::ExplorerPageIndex);
    ASSERT_TRUE(ready.wait(kWaitMs));
    EXPECT_EQ(page->dataset()->info.id, w.dataPage()->shownDatasetId());

    const int64_t other = page->dataset()->info.id == infos[0].id ? infos[1].id : infos[0].id;
    w.dataPage()->selectDataset(other);
    ASSERT_TRUE(shown.wait(kWaitMs));
    EXPECT_EQ(page->selectedDatasetId(), other);
    ASSERT_TRUE(ready.wait(kWaitMs));
    EXPECT_EQ(page->dataset()->info.id, other);

    w.dataPage()->selectDataset(page->dataset()->info.id == infos[0].id ? infos[1].id : infos[0].id);
    w.closeWorkspace();  // with the explorer's job possibly running
    EXPECT_EQ(page->dataset(), nullptr);
}

// Issue 15: the suggestion is honest about noise. Where rewards do not depend on the item, the best
// validation λ is compared with λ = ∞ on the same users and, its interval including 0, ∞ is suggested ("no λ
// beats ∞ beyond noise"); where item quality drives rewards strongly, a finite λ is suggested. Both show
// validation and test side by side.
TEST(ExplorerSuggestion, APeakInsideTheNoiseIsNotSuggestedAndTestIsShownBesideValidation) {
    test::TempDir dir;
    SimulatorConfig noise = test::smallSimulatorConfig(6000);
    noise.users = 300;
    noise.items = 120;
    noise.qualityScale = 0.0;  // no item is better than another: a tilt can only fit noise
    noise.tasteScale = 0.0;
    noise.noise = 1.5;
    SimulatorConfig clear = noise;
    clear.qualityScale = 2.0;  // item quality decides the reward
    clear.noise = 0.2;
    clear.selfSelection = 0.0;
    const std::string noisePath = dir.file("noise.sqlite");
    const std::string clearPath = dir.file("clear.sqlite");
    test::makeWorkspace(noisePath, {"noise"}, noise);
    test::makeWorkspace(clearPath, {"clear"}, clear);
    for (const bool isNoise : {true, false}) {
        Workspace ws(isNoise ? noisePath : clearPath);
        ExplorerPage page;
        page.resize(1100, 760);
        page.show();
        QSignalSpy ready(&page, &ExplorerPage::ready);
        page.setWorkspace(&ws);
        ASSERT_TRUE(ready.wait(kWaitMs));
        page.setEssFloor(0.05);
        const QString text = page.suggestionLabel()->text();
        EXPECT_TRUE(text.contains(QStringLiteral("validation")) && text.contains(QStringLiteral("test")))
            << text.toStdString();
        if (isNoise) {
            EXPECT_TRUE(std::isinf(page.suggestedLambda())) << text.toStdString();
            EXPECT_TRUE(text.contains(QStringLiteral("no λ beats ∞ beyond noise on validation")))
                << text.toStdString();
        } else {
            EXPECT_TRUE(std::isfinite(page.suggestedLambda())) << text.toStdString();
            EXPECT_FALSE(text.contains(QStringLiteral("beyond noise"))) << text.toStdString();
        }
    }
}

}  // namespace explorer_page_test_file
