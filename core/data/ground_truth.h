#pragma once
// The simulator's ground truth: its configuration and the latent parameters it drew (item quality and
// exposure, user bias, tastes), from which the expected reward of any (user, item) follows — evaluation's
// `true_reward`. Kept apart from the generator (data/simulator.h) so that training, evaluation and the UI use
// it without the generator, and torch-free and store-free: a workspace stores it as an opaque
// GroundTruthRecord.
#include <cstdint>
#include <string>
#include <vector>

namespace tiltbench {

// A ground truth as a workspace stores it (table `ground_truth`): what kind it is, its config as JSON and its
// parameters as a binary blob. Opaque to the store; GroundTruth::toRecord / fromRecord convert.
struct GroundTruthRecord {
    std::string kind;    // e.g. "simulator-v1"
    std::string config;  // JSON
    std::vector<uint8_t> blob;
};

// The record kind of the simulator's ground truth.
constexpr const char* kSimulatorTruthKind = "simulator-v1";

struct SimulatorConfig {
    int64_t users = 943;
    int64_t items = 1682;
    int64_t interactions = 100000;
    int64_t minPerUser = 5;  // every user gets at least this many interactions
    int tasteDim = 8;
    double popularityExponent = 1.0;            // Zipf exponent of item exposure (0 = uniform)
    double qualityPopularityCorrelation = 0.0;  // Spearman correlation of quality and exposure, in [-1, 1]
    double globalMean = 3.0;      // latent reward mean over all (user, item) pairs; logged rewards run higher
    double qualityScale = 0.8;    // spread of item quality (reward units)
    double userBiasScale = 0.4;   // spread of user bias (reward units)
    double tasteScale = 0.6;      // spread of the user × item taste term (reward units)
    double noise = 0.8;           // reward noise (std dev, before rounding to 1..5)
    double selfSelection = 0.8;   // how much users pick items they expect to like (0 = pure exposure)
    double activitySpread = 1.0;  // σ of the log-normal user activity (0 = everyone equally active)
    int64_t startTime = 1577836800;  // first possible timestamp, seconds since the epoch (2020-01-01 UTC)
    double timeSpanDays = 365.0;     // length of the logging period
    uint64_t seed = 42;

    // Throws Error naming the first bad field (by its JSON key) and what was expected.
    void validate() const;
    // JSON object with snake_case keys (users, items, taste_dim, …); used for dataset meta and the truth
    // record.
    std::string toJson() const;
    // Missing keys keep their defaults; unknown keys and wrong types are errors. Does not validate.
    static SimulatorConfig fromJson(const std::string& json);
};

struct GroundTruth {
    SimulatorConfig config;
    double globalMean = 3.0;           // = config.globalMean
    std::vector<double> itemQuality;   // items
    std::vector<double> itemExposure;  // items, sums to 1
    std::vector<double> userBias;      // users
    std::vector<float> userTaste;      // users × tasteDim
    std::vector<float> itemTaste;      // items × tasteDim

    // Draws every latent parameter from `config` (validated) — what generateDataset stores.
    static GroundTruth sample(const SimulatorConfig& config);

    // quality_i + taste_u · taste_i (dense ids).
    double affinity(int32_t user, int32_t item) const;
    // E[reward | user, item] under the simulator's noise and 1..5 rounding (dense ids): exact, closed form.
    // Throws Error for ids out of range.
    double expectedReward(int32_t user, int32_t item) const;

    GroundTruthRecord toRecord() const;
    static GroundTruth fromRecord(const GroundTruthRecord& record);  // throws Error on a malformed record
};

// A latent reward rounded to the logged levels 1..5.
double simulatorRewardLevel(double latent);

}  // namespace tiltbench
