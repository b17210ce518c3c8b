// Issue 15: a run's protocol (--select, --high-threshold) is read back from its stored config whenever the
// run is evaluated again, resumed, post-trained from or reported. A workspace can come from anyone, so a
// crafted value must be refused with an error naming the field, never reach an evaluator or a file name.
#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "common/limits.h"
#include "train/closed_form_run.h"
#include "train/sasrec_run_config.h"

namespace tiltbench {
namespace {

// A valid stored SASRec config with `extra` (a JSON fragment "key": value) added.
std::string sasrecConfigWith(const std::string& extra) {
    return R"({"dataset": "d", "epochs": 3, "batch_size": 8, )" + extra + "}";
}

std::string refusal(const std::string& json) {
    try {
        (void)SasrecRunConfig::fromJson(json);
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

TEST(CraftedProtocol, StoredSelectAndThresholdAreReadBack) {
    const SasrecRunConfig c =
        SasrecRunConfig::fromJson(sasrecConfigWith(R"("select": "ndcg_high@10", "high_threshold": 4.5)"));
    EXPECT_EQ(c.select, "ndcg_high@10");
    ASSERT_TRUE(c.highThreshold.has_value());
    EXPECT_DOUBLE_EQ(*c.highThreshold, 4.5);
    // A null threshold or none: the dataset's top reward level (decided by the evaluator).
    EXPECT_FALSE(SasrecRunConfig::fromJson(sasrecConfigWith(R"("high_threshold": null)")).highThreshold);
    EXPECT_FALSE(SasrecRunConfig::fromJson(sasrecConfigWith(R"("seed": 1)")).highThreshold);
    EXPECT_EQ(SasrecRunConfig::fromJson(sasrecConfigWith(R"("seed": 1)")).select, "ndcg@10");
}

TEST(CraftedProtocol, AnUnknownSelectMetricIsRefusedByName) {
    for (const std::string select : {R"("../../etc/passwd")", R"("ndcg@1000000")", R"("")", R"("NDCG@10")"}) {
        const std::string error = refusal(sasrecConfigWith(R"("select": )" + select));
        EXPECT_NE(error.find("sasrec run config"), std::string::npos) << select << ": " << error;
        EXPECT_NE(error.find("--select must be one of ndcg@10, hr@10, ndcg_high@10, hr_high@10"),
                  std::string::npos)
            << select << ": " << error;
    }
    for (const std::string select : {"7", "null", "[\"ndcg@10\"]", "{}"}) {
        const std::string error = refusal(sasrecConfigWith(R"("select": )" + select));
        EXPECT_NE(error.find("sasrec run config: a field has the wrong type"), std::string::npos)
            << select << ": " << error;
    }
}

TEST(CraftedProtocol, AThresholdThatIsNotAFiniteNumberIsRefusedByName) {
    // 1e999 overflows a double: the parser refuses the whole config.
    for (const std::string threshold : {"1e999", "-1e999"}) {
        const std::string error = refusal(sasrecConfigWith(R"("high_threshold": )" + threshold));
        EXPECT_NE(error.find("sasrec run config: not valid JSON"), std::string::npos)
            << threshold << ": " << error;
        EXPECT_NE(error.find("number overflow"), std::string::npos) << threshold << ": " << error;
    }
    // Strings, lists, objects and booleans are not numbers.
    for (const std::string threshold : {R"("4.5")", "[4.5]", R"({"v": 4.5})", "true"}) {
        const std::string error = refusal(sasrecConfigWith(R"("high_threshold": )" + threshold));
        EXPECT_NE(error.find("'high_threshold' must be a finite number"), std::string::npos)
            << threshold << ": " << error;
        try {
            (void)ClosedFormRunConfig::fromJson(R"({"dataset": "d", "high_threshold": )" + threshold + "}");
            ADD_FAILURE() << "closed-form config accepted high_threshold " << threshold;
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(
                          "closed-form run config: 'high_threshold' must be a finite number"),
                      std::string::npos)
                << e.what();
        }
    }
    // A finite threshold above every reward is legal: no target counts, and the high-reward metrics say so
    // (NaN, "no user counted") rather than failing.
    EXPECT_DOUBLE_EQ(*SasrecRunConfig::fromJson(sasrecConfigWith(R"("high_threshold": 1e300)")).highThreshold,
                     1e300);
}

// Issue 18: the loss settings of a stored run are read back when it is resumed, evaluated or post-trained
// from; a crafted value is refused naming the field before the sampler allocates or indexes anything.
TEST(CraftedProtocol, StoredLossSettingsAreReadBackAndHostileOnesRefusedByName) {
    const SasrecRunConfig c = SasrecRunConfig::fromJson(sasrecConfigWith(
        R"("loss": "sampled", "negatives": "in-batch", "num_negatives": 64, "in_batch_capped": true)"));
    EXPECT_EQ(c.loss, "sampled");
    EXPECT_EQ(c.negatives, "in-batch");
    EXPECT_EQ(c.numNegatives, 64);
    // A record from before the sampled softmax: the full softmax (its other settings at their defaults, the
    // in-batch sampler's count included: the rule for uncapped in-batch records below needs the key).
    const SasrecRunConfig old = SasrecRunConfig::fromJson(sasrecConfigWith(R"("seed": 1)"));
    EXPECT_EQ(old.loss, "full");
    EXPECT_EQ(old.negatives, SasrecRunConfig().negatives);
    EXPECT_EQ(old.numNegatives, SasrecRunConfig().numNegatives);
    // An in-batch run recorded before --num-negatives capped in-batch candidates used every distinct target:
    // read back with the largest cap, so resuming it trains as it did; a new record keeps its cap.
    EXPECT_EQ(SasrecRunConfig::fromJson(
                  sasrecConfigWith(R"("loss": "sampled", "negatives": "in-batch", "num_negatives": 256)"))
                  .numNegatives,
              limits::kMaxNegatives);
    SasrecRunConfig capped;
    capped.loss = "sampled";
    capped.negatives = "in-batch";
    capped.numNegatives = 512;
    EXPECT_EQ(SasrecRunConfig::fromJson(capped.toJson()).numNegatives, 512);

    for (const std::string loss : {R"("x")", R"("")", R"("FULL")", R"("sampled; DROP TABLE runs")"}) {
        const std::string error = refusal(sasrecConfigWith(R"("loss": )" + loss));
        EXPECT_NE(error.find("sasrec run config: sasrec: --loss must be one of full, sampled"),
                  std::string::npos)
            << loss << ": " << error;
    }
    for (const std::string negatives : {R"("../../etc/passwd")", R"("inbatch")", R"("")"}) {
        const std::string error = refusal(sasrecConfigWith(R"("negatives": )" + negatives));
        EXPECT_NE(error.find("--negatives must be one of uniform, popularity, in-batch"), std::string::npos)
            << negatives << ": " << error;
    }
    for (const std::string wrongType : {R"("loss": 7)", R"("loss": null)", R"("negatives": ["uniform"])"}) {
        const std::string error = refusal(sasrecConfigWith(wrongType));
        EXPECT_NE(error.find("sasrec run config: a field has the wrong type"), std::string::npos)
            << wrongType << ": " << error;
    }
    // Counts: 1..2^20 integers only (a huge count would allocate K candidates per batch).
    for (const std::string k :
         {"1e300", "-1", "0", "2.5", R"("64")", "1048577", "18446744073709551615", "null"}) {
        const std::string error = refusal(sasrecConfigWith(R"("num_negatives": )" + k));
        EXPECT_NE(error.find("'num_negatives' must be an integer in 1..1048576"), std::string::npos)
            << k << ": " << error;
    }
    EXPECT_EQ(SasrecRunConfig::fromJson(sasrecConfigWith(R"("num_negatives": 1048576)")).numNegatives,
              1048576);
}

// Issue 18: --valid-users and --precision of a stored run are read back when it is resumed or evaluated; a
// crafted value is refused naming the field (the sample size never allocates by itself: the evaluator draws
// min(N, eligible users), but a value outside the documented range is still a corrupt record).
TEST(CraftedProtocol, StoredValidUsersAndPrecisionAreReadBackAndHostileOnesRefusedByName) {
    EXPECT_EQ(SasrecRunConfig::fromJson(sasrecConfigWith(R"("valid_users": 3000)")).validUsers, 3000);
    EXPECT_EQ(SasrecRunConfig::fromJson(sasrecConfigWith(R"("valid_users": 2147483647)")).validUsers,
              INT32_MAX);
    EXPECT_EQ(SasrecRunConfig::fromJson(sasrecConfigWith(R"("seed": 1)")).validUsers, 0);  // before the key
    for (const std::string n :
         {"1e300", "-1", "2.5", R"("64")", "2147483648", "18446744073709551615", "null", "[1]"}) {
        const std::string error = refusal(sasrecConfigWith(R"("valid_users": )" + n));
        EXPECT_NE(error.find("'valid_users' must be an integer in 0..2147483647"), std::string::npos)
            << n << ": " << error;
    }

    for (const std::string p : {"auto", "fp32", "bf16", "bf16-all"})
        EXPECT_EQ(
            SasrecRunConfig::fromJson(sasrecConfigWith(R"("precision_requested": ")" + p + "\"")).precision,
            p);
    EXPECT_EQ(SasrecRunConfig::fromJson(sasrecConfigWith(R"("seed": 1)")).precision,
              "fp32");  // before the key
    for (const std::string p : {R"("BF16")", R"("bf16-all; rm -rf /")", R"("")", R"("fp16")"}) {
        const std::string error = refusal(sasrecConfigWith(R"("precision_requested": )" + p));
        EXPECT_NE(error.find("sasrec run config: sasrec: precision must be auto, fp32, bf16 or bf16-all"),
                  std::string::npos)
            << p << ": " << error;
    }
    for (const std::string p : {"7", "null", R"(["bf16"])"}) {
        const std::string error = refusal(sasrecConfigWith(R"("precision_requested": )" + p));
        EXPECT_NE(error.find("sasrec run config: a field has the wrong type"), std::string::npos)
            << p << ": " << error;
    }
}

}  // namespace
}  // namespace tiltbench
