#include "model/closed_form_policy.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "core/weighting/weighting_test_data.h"
#include "model/popularity_policy.h"

using namespace tiltbench;
using tiltbench::test::randomTargets;

TEST(PolicyFactory, ParsesNames) {
    EXPECT_EQ(parsePolicyKind("popularity"), PolicyKind::Popularity);
    EXPECT_EQ(parsePolicyKind("Markov"), PolicyKind::Markov);
    EXPECT_EQ(parsePolicyKind("itemmean"), PolicyKind::ItemMean);
    EXPECT_EQ(parsePolicyKind("item_mean"), PolicyKind::ItemMean);
    EXPECT_EQ(formatPolicyKind(PolicyKind::ItemMean), "itemmean");
    try {
        parsePolicyKind("sasrec");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("expected popularity, markov or itemmean"), std::string::npos);
    }
}

TEST(PolicyFactory, FitsEveryKindAndOutlivesItsData) {
    const auto t = randomTargets(2000, 30);
    std::unique_ptr<Scorer> markov;
    {
        const auto data = PolicyData::build(t.view());
        for (const auto kind : {PolicyKind::Popularity, PolicyKind::Markov, PolicyKind::ItemMean}) {
            for (const double lambda : {0.05, 1.0, std::numeric_limits<double>::infinity()}) {
                const auto p = fitClosedFormPolicy(kind, data, WeightScheme::exp(lambda));
                EXPECT_EQ(p->numItems(), 30);
            }
        }
        const auto pop = fitClosedFormPolicy(PolicyKind::Popularity, data, WeightScheme::uniform());
        EXPECT_NE(dynamic_cast<const PopularityPolicy*>(pop.get()), nullptr);
        markov = fitClosedFormPolicy(PolicyKind::Markov, data, WeightScheme::exp(0.5), {3.0, 10.0});
        EXPECT_EQ(dynamic_cast<const MarkovPolicy*>(markov.get())->smoothing(), 3.0);

        const auto noTransitions = PolicyData::build(t.view(), false);
        EXPECT_THROW(fitClosedFormPolicy(PolicyKind::Markov, noTransitions, WeightScheme::uniform()), Error);
        EXPECT_THROW(fitClosedFormPolicy(PolicyKind::Popularity, data, WeightScheme::exp(0.0)), Error);
    }
    const int32_t last = 4;
    std::vector<UserContext> users{{0, &last, 1}};
    std::vector<float> out(30);
    markov->score(users, 0, 30, out.data());  // the transition table is kept alive by the policy
    for (const float v : out) {
        EXPECT_TRUE(std::isfinite(v));
    }
    TargetColumns empty;
    empty.numItems = 3;
    EXPECT_THROW(PolicyData::build(empty.view()), Error);
}
