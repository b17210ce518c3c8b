#include "weighting/weight_scheme.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "common/error.h"

using namespace tiltbench;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double meanWeight(const LevelWeights& lw, const std::vector<int64_t>& count) {
    double sum = 0.0, n = 0.0;
    for (size_t l = 0; l < lw.size(); ++l) {
        sum += static_cast<double>(count[l]) * lw.weight[l];
        n += static_cast<double>(count[l]);
    }
    return sum / n;
}

template <typename F>
std::string errorOf(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(WeightScheme, ParsesAndFormatsNames) {
    EXPECT_EQ(parseWeightKind("exp"), WeightKind::Exp);
    EXPECT_EQ(parseWeightKind(" Uniform "), WeightKind::Uniform);
    EXPECT_EQ(parseWeightKind("SFT"), WeightKind::Uniform);
    EXPECT_EQ(parseWeightKind("linear"), WeightKind::Linear);
    EXPECT_EQ(parseWeightKind("filter"), WeightKind::Filter);
    EXPECT_NE(errorOf([] { parseWeightKind("softmax"); }).find("expected uniform"), std::string::npos);
    EXPECT_EQ(formatWeightKind(WeightKind::Exp), "exp");
    EXPECT_EQ(parseWeightNormalization("mean"), WeightNormalization::Mean);
    EXPECT_EQ(parseWeightNormalization("batch"), WeightNormalization::Batch);
    EXPECT_EQ(formatWeightNormalization(WeightNormalization::None), "none");
    EXPECT_THROW(parseWeightNormalization("sum"), Error);

    EXPECT_EQ(parseLambda("inf"), kInf);
    EXPECT_EQ(parseLambda("Infinity"), kInf);
    EXPECT_EQ(parseLambda("∞"), kInf);
    EXPECT_DOUBLE_EQ(parseLambda("0.5"), 0.5);
    EXPECT_DOUBLE_EQ(parseLambda("1e-4"), 1e-4);
    for (const char* bad : {"0", "-1", "abc", "", "nan", "1.5x"}) {
        EXPECT_NE(errorOf([&] { parseLambda(bad); }).find("lambda must be"), std::string::npos) << bad;
    }
    EXPECT_EQ(formatLambda(kInf), "inf");
    EXPECT_EQ(formatLambda(0.5), "0.5");
    EXPECT_DOUBLE_EQ(parseLambda(formatLambda(0.1)), 0.1);
    EXPECT_EQ(parseClip("none"), kInf);
    EXPECT_DOUBLE_EQ(parseClip("10"), 10.0);
    EXPECT_THROW(parseClip("0"), Error);
}

TEST(WeightScheme, ExpWeightsHandComputed) {
    const auto lw = WeightScheme::exp(2.0).levelWeights({1.0, 3.0, 5.0}, {2, 1, 1});
    ASSERT_EQ(lw.size(), 3u);
    EXPECT_NEAR(lw.weight[0], std::exp(-2.0), 1e-15);
    EXPECT_NEAR(lw.weight[1], std::exp(-1.0), 1e-15);
    EXPECT_EQ(lw.weight[2], 1.0);
    EXPECT_NEAR(lw.logWeight[0], -2.0, 1e-15);
    EXPECT_EQ(lw.levelOf(3.0), 1u);
    EXPECT_NEAR(lw.weightOf(1.0), std::exp(-2.0), 1e-15);
    EXPECT_THROW(lw.levelOf(2.0), Error);
}

TEST(WeightScheme, InfiniteLambdaAndUniformAreExactlyOne) {
    for (const auto& s : {WeightScheme::exp(kInf), WeightScheme::uniform()}) {
        const auto lw = s.levelWeights({-3.0, 0.0, 7.5}, {1, 5, 2});
        for (const double w : lw.weight) {
            EXPECT_EQ(w, 1.0);
        }
    }
}

TEST(WeightScheme, LinearAndFilterFormulas) {
    const auto lin = WeightScheme::linear(0.5).levelWeights({1.0, 2.0, 4.0}, {1, 1, 1});
    EXPECT_NEAR(lin.weight[0], 0.5, 1e-15);
    EXPECT_NEAR(lin.weight[1], 1.5, 1e-15);
    EXPECT_NEAR(lin.weight[2], 3.5, 1e-15);

    const auto f3 = WeightScheme::filter(3.0).levelWeights({1.0, 3.0, 5.0}, {1, 1, 1});
    EXPECT_EQ(f3.weight, (std::vector<double>{0.0, 1.0, 1.0}));
    EXPECT_EQ(f3.logWeight[0], -kInf);
    const auto top = WeightScheme::filter().levelWeights({1.0, 3.0, 5.0}, {1, 1, 1});
    EXPECT_EQ(top.weight, (std::vector<double>{0.0, 0.0, 1.0}));
    EXPECT_NE(errorOf([] {
                  WeightScheme::filter(6.0).levelWeights({1.0, 5.0}, {1, 1});
              }).find("keeps no"),
              std::string::npos);
}

TEST(WeightScheme, MeanNormalisationGivesMeanOne) {
    const std::vector<double> levels{1.0, 2.0, 3.0, 4.0, 5.0};
    const std::vector<int64_t> count{10, 3, 7, 40, 2};
    for (auto s : {WeightScheme::exp(0.3), WeightScheme::exp(5.0), WeightScheme::linear(),
                   WeightScheme::filter(4.0), WeightScheme::uniform(), WeightScheme::exp(1e-4)}) {
        s.normalization = WeightNormalization::Mean;
        EXPECT_NEAR(meanWeight(s.levelWeights(levels, count), count), 1.0, 1e-12) << s.describe();
    }
}

TEST(WeightScheme, ClipWithoutNormalisationCaps) {
    auto s = WeightScheme::linear(0.5);
    s.clip = 2.0;
    const auto lw = s.levelWeights({1.0, 2.0, 4.0}, {1, 1, 1});
    EXPECT_NEAR(lw.weight[0], 0.5, 1e-15);
    EXPECT_NEAR(lw.weight[1], 1.5, 1e-15);
    EXPECT_EQ(lw.weight[2], 2.0);
}

TEST(WeightScheme, ClipUnderMeanRedistributesAndKeepsMeanOne) {
    // Raw {1, 4} with counts {3, 1}: mean-normalised {4/7, 16/7}; clip 2 caps the top at 2 and the three
    // others share the rest: (4 − 2)/3 = 2/3 each.
    auto s = WeightScheme::linear(1.0);
    s.normalization = WeightNormalization::Mean;
    s.clip = 2.0;
    const std::vector<int64_t> count{3, 1};
    const auto lw = s.levelWeights({0.0, 3.0}, count);
    EXPECT_NEAR(lw.weight[0], 2.0 / 3.0, 1e-14);
    EXPECT_NEAR(lw.weight[1], 2.0, 1e-14);
    EXPECT_NEAR(meanWeight(lw, count), 1.0, 1e-14);

    s.clip = 3.0;  // not binding: plain mean normalisation
    const auto loose = s.levelWeights({0.0, 3.0}, count);
    EXPECT_NEAR(loose.weight[0], 4.0 / 7.0, 1e-14);
    EXPECT_NEAR(loose.weight[1], 16.0 / 7.0, 1e-14);

    // Tiny λ: the top level alone would weigh N / count_top = 4; clipped at 2, the lower levels keep mean 1.
    auto e = WeightScheme::exp(1e-3);
    e.normalization = WeightNormalization::Mean;
    e.clip = 2.0;
    const std::vector<int64_t> c3{2, 1, 1};
    const auto lwe = e.levelWeights({1.0, 4.0, 5.0}, c3);
    EXPECT_NEAR(lwe.weight[2], 2.0, 1e-12);
    EXPECT_NEAR(lwe.weight[1], 2.0, 1e-12);  // the next level is scaled up into the clip too
    EXPECT_NEAR(meanWeight(lwe, c3), 1.0, 1e-12);
    for (const double w : lwe.weight) {
        EXPECT_GT(w, 0.0);
        EXPECT_LE(w, 2.0 + 1e-12);
    }
}

TEST(WeightScheme, ClipWithTooFewFilteredTargetsSaturates) {
    auto s = WeightScheme::filter();
    s.normalization = WeightNormalization::Mean;
    s.clip = 2.0;  // mean 1 would need the one kept target at 4
    const auto lw = s.levelWeights({1.0, 5.0}, {3, 1});
    EXPECT_EQ(lw.weight[0], 0.0);
    EXPECT_NEAR(lw.weight[1], 2.0, 1e-15);
}

TEST(WeightScheme, InvalidRequestsAreErrors) {
    EXPECT_NE(errorOf([] { WeightScheme::exp(0.0).levelWeights({1.0}, {1}); }).find("lambda must be > 0"),
              std::string::npos);
    EXPECT_THROW(WeightScheme::exp(-1.0).levelWeights({1.0}, {1}), Error);
    EXPECT_THROW(WeightScheme::exp(std::nan("")).levelWeights({1.0}, {1}), Error);
    EXPECT_NE(errorOf([] { WeightScheme::exp(1.0).levelWeights({}, {}); }).find("no training targets"),
              std::string::npos);
    EXPECT_THROW(WeightScheme::linear(0.0).validate(), Error);
    auto s = WeightScheme::exp(1.0);
    s.normalization = WeightNormalization::Mean;
    s.clip = 0.5;
    EXPECT_NE(errorOf([&] { s.validate(); }).find("clip must be ≥ 1"), std::string::npos);
    EXPECT_THROW(WeightScheme::exp(1.0).levelWeights({2.0, 1.0}, {1, 1}), Error);  // not ascending
    EXPECT_THROW(WeightScheme::exp(1.0).levelWeights({1.0, 2.0}, {1, 0}), Error);
}

TEST(WeightScheme, ExtremesStayPositiveAndFinite) {
    const std::vector<std::vector<double>> rewardSets{
        {-1e6, 0.0, 1e6}, {-1e308, 1e308}, {-DBL_MAX, 0.0, DBL_MAX}};
    for (const auto& levels : rewardSets) {
        const std::vector<int64_t> count(levels.size(), 3);
        for (const double lambda : {1e-4, 1.0, 1e6, kInf}) {
            for (const auto norm : {WeightNormalization::None, WeightNormalization::Mean}) {
                for (auto s : {WeightScheme::exp(lambda), WeightScheme::linear()}) {
                    s.normalization = norm;
                    const auto lw = s.levelWeights(levels, count);
                    for (size_t l = 0; l < lw.size(); ++l) {
                        EXPECT_TRUE(std::isfinite(lw.weight[l]) && lw.weight[l] > 0.0)
                            << s.describe() << " level " << levels[l] << " weight " << lw.weight[l];
                        EXPECT_FALSE(std::isnan(lw.logWeight[l]));
                    }
                    EXPECT_LE(lw.weight.front(), lw.weight.back());
                }
            }
        }
    }
}

TEST(WeightScheme, ConstantRewardsWeighOne) {
    for (auto s :
         {WeightScheme::exp(1e-4), WeightScheme::linear(), WeightScheme::filter(), WeightScheme::uniform()}) {
        s.normalization = WeightNormalization::Mean;
        const auto lw = s.levelWeights({3.0}, {17});
        EXPECT_NEAR(lw.weight[0], 1.0, 1e-15) << s.describe();
    }
}

TEST(WeightScheme, NormalizeBatch) {
    auto s = WeightScheme::exp(1.0);
    s.normalization = WeightNormalization::Batch;
    std::vector<float> w{1.0f, 1.0f, 2.0f};
    s.normalizeBatch(w.data(), w.size());
    EXPECT_FLOAT_EQ(w[0], 0.75f);
    EXPECT_FLOAT_EQ(w[2], 1.5f);

    s.clip = 1.2;  // top clipped at 1.2, the others share 3 − 1.2
    std::vector<float> c{1.0f, 1.0f, 2.0f};
    s.normalizeBatch(c.data(), c.size());
    EXPECT_FLOAT_EQ(c[0], 0.9f);
    EXPECT_FLOAT_EQ(c[1], 0.9f);
    EXPECT_FLOAT_EQ(c[2], 1.2f);

    std::vector<float> zeros{0.0f, 0.0f};
    s.normalizeBatch(zeros.data(), zeros.size());
    EXPECT_EQ(zeros[0], 0.0f);

    // Batch normalisation leaves the level weights raw: the trainer scales each batch.
    EXPECT_EQ(s.levelWeights({1.0, 2.0}, {1, 1}).weight[1], 1.0);
}

TEST(WeightScheme, JsonRoundTripAndDescription) {
    auto s = WeightScheme::exp(0.5);
    s.normalization = WeightNormalization::Mean;
    s.clip = 10.0;
    EXPECT_EQ(s.describe(), "exp lambda=0.5 norm=mean clip=10");
    const auto back = WeightScheme::fromJson(s.toJson());
    EXPECT_EQ(back.kind, WeightKind::Exp);
    EXPECT_EQ(back.lambda, 0.5);
    EXPECT_EQ(back.normalization, WeightNormalization::Mean);
    EXPECT_EQ(back.clip, 10.0);
    EXPECT_FALSE(back.threshold.has_value());

    const auto inf = WeightScheme::fromJson(WeightScheme::exp(kInf).toJson());
    EXPECT_EQ(inf.lambda, kInf);
    EXPECT_EQ(WeightScheme::fromJson(R"({"scheme":"filter","threshold":4})").threshold.value_or(0.0), 4.0);
    EXPECT_EQ(WeightScheme::filter().describe(), "filter tau=top");
    EXPECT_NE(
        errorOf([] { WeightScheme::fromJson(R"({"scheme":"exp","lamda":1})"); }).find("unknown key 'lamda'"),
        std::string::npos);
    EXPECT_THROW(WeightScheme::fromJson(R"({"scheme":"exp","lambda":0})"), Error);
    EXPECT_THROW(WeightScheme::fromJson("not json"), Error);
}
