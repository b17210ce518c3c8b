// The top-10 popularity profile a run stores when it finishes (train/final_metrics.h) is the one the Compare
// page used to compute by refitting and re-ranking — checked against that computation — and a crafted profile
// is not shown.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "eval/metrics.h"
#include "eval/popularity_profile.h"
#include "eval/split.h"
#include "store/dataset_writer.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "train/closed_form_run.h"
#include "train/final_metrics.h"

namespace tiltbench {
namespace {

void addSkewedDataset(Workspace& ws) {
    auto w = ws.createDataset({"skew", "test", "{}"});
    w->setHasTime(true);
    for (int u = 0; u < 40; ++u) {
        const int32_t user = w->userIndex("u" + std::to_string(u));
        for (int t = 0; t < 8; ++t) {
            const int item = (u * t + t * t) % (5 + u % 30);  // low ids are logged far more often
            w->add(user, w->itemIndex("i" + std::to_string(item)), 1.0 + (item + u) % 5, 1000 + t);
        }
    }
    w->commit();
}

TEST(StoredProfile, AFinishedRunStoresTheProfileOfItsTestListsAsARefitComputesIt) {
    test::TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addSkewedDataset(ws);
    ClosedFormRunConfig c;
    c.dataset = "skew";
    c.model = PolicyKind::Markov;
    c.scheme = WeightScheme::exp(0.5);
    c.bootstrapResamples = 0;
    const ClosedFormRunResult run = runClosedForm(ws, c);
    const auto stored = storedPopularityProfile(RunStore(ws).metrics(run.runId));
    ASSERT_TRUE(stored.has_value());

    // The Compare page's former path: load, split, refit, count the test top-10 slots, profile them.
    const InteractionLog log = ws.loadLog(ws.datasetByName("skew").id);
    const Split split = Split::make(log);
    ClosedFormRunResult refit;
    fitAndEvaluateClosedForm(log, split, c, {}, {}, refit);
    const auto counts = metrics::recommendationCounts(refit.test.topItems, refit.test.kMax,
                                                      std::min(10, refit.test.kMax), split.numItems());
    const PopularityProfile direct =
        popularityProfile(ItemStatistics::fromTraining(split.training(), split.numItems()).count, counts, 10);
    EXPECT_EQ(stored->k, std::min(10, refit.test.kMax));
    EXPECT_EQ(stored->lists, static_cast<int64_t>(refit.test.users.size()));
    ASSERT_EQ(stored->profile.groups.size(), direct.groups.size());
    double total = 0.0;
    for (size_t g = 0; g < direct.groups.size(); ++g) {
        EXPECT_NEAR(stored->profile.groups[g].recommendedShare, direct.groups[g].recommendedShare, 1e-12)
            << g;
        EXPECT_NEAR(stored->profile.groups[g].trainingShare, direct.groups[g].trainingShare, 1e-12) << g;
        EXPECT_EQ(stored->profile.groups[g].minCount, direct.groups[g].minCount) << g;
        EXPECT_EQ(stored->profile.groups[g].maxCount, direct.groups[g].maxCount) << g;
        total += stored->profile.groups[g].recommendedShare;
    }
    EXPECT_NEAR(total, 1.0, 1e-9);
    // The profile rows never show up among the run's validation or test figures.
    for (const MetricRow& row : RunStore(ws).metrics(run.runId)) {
        if (row.name.rfind("top10_share", 0) == 0) {
            EXPECT_EQ(row.split, kProfileSplit);
        }
    }
}

TEST(StoredProfile, ACraftedOrMissingProfileIsNotShown) {
    std::vector<MetricRow> rows;
    EXPECT_FALSE(storedPopularityProfile(rows).has_value());  // a run from before profiles were stored
    const double nan = std::nan("");
    rows.push_back({-1, kProfileSplit, "k", 99.0, nan, nan});  // out of range
    rows.push_back({-1, kProfileSplit, "lists", 10.0, nan, nan});
    rows.push_back({-1, kProfileSplit, "top10_share_g01", 1.0, nan, nan});
    rows.push_back({-1, kProfileSplit, "training_share_g01", 1.0, nan, nan});
    rows.push_back({-1, kProfileSplit, "min_count_g01", 1.0, nan, nan});
    rows.push_back({-1, kProfileSplit, "max_count_g01", 2.0, nan, nan});
    EXPECT_FALSE(storedPopularityProfile(rows).has_value());
    rows[0].value = 10.0;
    rows[2].value = 7.5;  // a share above 1 is clamped, never drawn past the axis
    const auto p = storedPopularityProfile(rows);
    ASSERT_TRUE(p.has_value());
    EXPECT_DOUBLE_EQ(p->profile.groups.at(0).recommendedShare, 1.0);
}

}  // namespace
}  // namespace tiltbench
