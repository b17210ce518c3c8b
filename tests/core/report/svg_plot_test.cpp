// The report's SVG plots (core/report/svg_plot.h) stay finite on any data: crafted values whose span is below
// the rounding step of their size (1e17 and 1e17 + 16) must not loop, and text from a workspace is escaped.
#include "report/svg_plot.h"

#include <gtest/gtest.h>

#include <limits>

#include "train/sweep_summary.h"

namespace tiltbench {
namespace {

TEST(SvgPlot, HugeNearlyEqualValuesDrawFewTicksAndEnd) {
    report::LambdaPlot plot;
    plot.title = "crafted <b>";
    plot.series.push_back(
        {"exp", "#1f77b4", {{1.0, 1e17, 1e17, 1e17 + 16}, {0.5, 1e17 + 16, 1e17, 1e17 + 32}}});
    const std::string svg = report::renderLambdaPlot(plot);  // used to add ticks until memory ran out
    EXPECT_EQ(svg.rfind("<svg", 0), 0u);
    EXPECT_NE(svg.find("crafted &lt;b&gt;"), std::string::npos);
    EXPECT_LT(svg.size(), 20000u);
    const std::string bars = report::renderBarGroups("t", "x", "y", {{"a", "#000", {1e300, 1e300}}});
    EXPECT_LT(bars.size(), 20000u);
}

TEST(SweepSummary, ARepeatedSeedCountsOnce) {
    EvalResult a;
    a.users = {1, 2};
    a.perUserNames = {"ndcg@10"};
    a.perUserValues = {{0.5, 0.7}};
    a.metrics.push_back({"ndcg@10", 10, Aggregate::None, 0.6, 0, 0, 2});
    EvalResult base = a;
    base.perUserValues = {{0.4, 0.6}};
    base.metrics[0].value = 0.5;
    const WeightScheme exp = WeightScheme::exp(1.0);
    const WeightScheme sft = WeightScheme::uniform();
    // Seed 1 twice (a sweep run again): the second run of the seed is left out, not counted as another seed.
    const SweepSummary s = summariseSweep(
        {{1, 1, sft, &base, {}}, {2, 1, exp, &a, {}}, {3, 1, sft, &base, {}}, {4, 1, exp, &a, {}}},
        {"ndcg@10"}, {});
    ASSERT_EQ(s.rows.size(), 2u);
    EXPECT_EQ(s.rows[1].seeds.size(), 1u);
    EXPECT_EQ(s.rows[1].cells.at(0).vsBaseline.seeds, 1);
    EXPECT_NEAR(s.rows[1].cells.at(0).vsBaseline.diff, 0.1, 1e-12);
}

TEST(SweepSummary, ALabelledUniformRunIsAConfigurationNotTheBaseline) {
    EvalResult a;
    a.users = {1, 2};
    a.perUserNames = {"ndcg@10"};
    a.perUserValues = {{0.2, 0.4}};
    a.metrics.push_back({"ndcg@10", 10, Aggregate::None, 0.3, 0, 0, 2});
    EvalResult base = a;
    base.perUserValues = {{0.4, 0.6}};
    base.metrics[0].value = 0.5;
    const WeightScheme sft = WeightScheme::uniform();
    // A DPO run records the uniform scheme; its label keeps it out of the baseline and in a row of its own.
    const SweepSummary s =
        summariseSweep({{1, 1, sft, &a, "DPO β = 0.1"}, {2, 1, sft, &base, {}}}, {"ndcg@10"}, {});
    ASSERT_EQ(s.rows.size(), 2u);
    EXPECT_FALSE(s.rows[0].isBaseline);
    EXPECT_TRUE(s.rows[1].isBaseline);
    EXPECT_NEAR(s.rows[0].cells.at(0).vsBaseline.diff, -0.2, 1e-12);
    // Without a baseline in the grid (an online sweep alone), there is none.
    EXPECT_FALSE(summariseSweep({{1, 1, sft, &a, "DPO β = 0.1"}}, {"ndcg@10"}, {}).hasBaseline);
}

}  // namespace
}  // namespace tiltbench
