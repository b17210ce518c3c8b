#include "train/sasrec_run_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/limits.h"
#include "train/stored_config.h"

namespace tiltbench {

SasrecConfig sasrecModelConfig(const SasrecRunConfig& c, int32_t numItems) {
    SasrecConfig m;
    m.numItems = numItems;
    m.dim = c.dim;
    m.blocks = c.blocks;
    m.heads = c.heads;
    m.maxLen = c.maxLen;
    m.dropout = c.dropout;
    return m;
}

void checkSasrecModelSize(const SasrecConfig& m) {
    auto inRange = [](const char* what, int64_t value, int64_t max) {
        if (value > max)
            throw Error(fmt::format("sasrec: {} must be at most {} (got {})", what, max, value));
    };
    inRange("dim", m.dim, limits::kMaxSasrecDim);
    inRange("heads", m.heads, limits::kMaxSasrecHeads);
    inRange("blocks", m.blocks, limits::kMaxSasrecBlocks);
    inRange("max length", m.maxLen, limits::kMaxSasrecMaxLen);
    inRange("the number of items", m.numItems, limits::kMaxIds);
    const double parameters = limits::sasrecParameterCount(m.numItems, m.dim, m.blocks, m.maxLen);
    if (parameters > static_cast<double>(limits::kMaxSasrecParameters)) {
        throw Error(
            fmt::format("sasrec: {} items × dim {} with {} blocks and max length {} make {:.3g} "
                        "parameters, more than the limit of {}",
                        m.numItems, m.dim, m.blocks, m.maxLen, parameters, limits::kMaxSasrecParameters));
    }
}

void SasrecRunConfig::validate() const {
    scheme.validate();
    SasrecConfig m = sasrecModelConfig(*this, 1);
    m.validate();
    checkSasrecModelSize(m);
    if (epochs > limits::kMaxSasrecEpochs)
        throw Error(
            fmt::format("sasrec: epochs must be at most {} (got {})", limits::kMaxSasrecEpochs, epochs));
    if (batchSize > limits::kMaxSasrecBatchSize) {
        throw Error(fmt::format("sasrec: batch size must be at most {} (got {})", limits::kMaxSasrecBatchSize,
                                batchSize));
    }
    for (const int k : ks) {
        if (k < 1 || k > limits::kMaxK)
            throw Error(fmt::format("sasrec: every K must be in 1..{} (got {})", limits::kMaxK, k));
    }
    if (bootstrapResamples < 0 || bootstrapResamples > limits::kMaxBootstrapResamples) {
        throw Error(fmt::format("sasrec: bootstrap resamples must be in 0..{} (got {})",
                                limits::kMaxBootstrapResamples, bootstrapResamples));
    }
    if (epochs < 1)
        throw Error(fmt::format("sasrec: epochs must be >= 1 (got {})", epochs));
    if (batchSize < 1)
        throw Error(fmt::format("sasrec: batch size must be >= 1 (got {})", batchSize));
    if (!(lr > 0.0) || !std::isfinite(lr))
        throw Error(fmt::format("sasrec: learning rate must be a positive number (got {})", lr));
    if (!(weightDecay >= 0.0) || !std::isfinite(weightDecay))
        throw Error(fmt::format("sasrec: weight decay must be a number >= 0 (got {})", weightDecay));
    if (threads < 0 || threads > limits::kMaxThreads)
        throw Error(fmt::format("sasrec: threads must be in 0..{} (got {})", limits::kMaxThreads, threads));
    if (precision != "auto" && precision != "fp32" && precision != "bf16")
        throw Error(fmt::format("sasrec: precision must be auto, fp32 or bf16 (got '{}')", precision));
}

std::string SasrecRunConfig::toJson() const {
    nlohmann::json j;
    j["dataset"] = dataset;
    j["model"] = "sasrec";
    j["weighting"] = nlohmann::json::parse(scheme.toJson());
    j["split"] = SplitConfig::kindToString(split.kind);
    j["dim"] = dim;
    j["blocks"] = blocks;
    j["heads"] = heads;
    j["max_len"] = maxLen;
    j["dropout"] = dropout;
    j["epochs"] = epochs;
    j["batch_size"] = batchSize;
    j["length_buckets"] = lengthBuckets;
    j["lr"] = lr;
    j["weight_decay"] = weightDecay;
    j["optimizer"] = "adam";
    j["patience"] = patience;
    j["seed"] = seed;
    j["device_requested"] = device;
    j["precision_requested"] = precision;
    j["threads_requested"] = threads;
    j["ks"] = ks;
    j["bootstrap_resamples"] = bootstrapResamples;
    return j.dump();
}

SasrecRunConfig SasrecRunConfig::fromJson(const std::string& text) {
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object())
        throw Error("sasrec run config: expected a JSON object");
    SasrecRunConfig c;
    try {
        c.dataset = j.value("dataset", c.dataset);
        if (j.contains("weighting"))
            c.scheme = WeightScheme::fromJson(j.at("weighting").dump());
        if (j.contains("split"))
            c.split.kind = SplitConfig::kindFromString(j.at("split").get<std::string>());
        c.dim = stored::intField(j, "dim", c.dim, 1, limits::kMaxSasrecDim);
        c.blocks = stored::intField(j, "blocks", c.blocks, 1, limits::kMaxSasrecBlocks);
        c.heads = stored::intField(j, "heads", c.heads, 1, limits::kMaxSasrecHeads);
        c.maxLen = stored::intField(j, "max_len", c.maxLen, 1, limits::kMaxSasrecMaxLen);
        c.dropout = j.value("dropout", c.dropout);
        c.epochs = stored::intField(j, "epochs", c.epochs, 1, limits::kMaxSasrecEpochs);
        c.batchSize = stored::intField(j, "batch_size", c.batchSize, 1, limits::kMaxSasrecBatchSize);
        // Runs recorded before the key existed were trained on length-bucketed batches.
        c.lengthBuckets = j.value("length_buckets", true);
        c.lr = j.value("lr", c.lr);
        c.weightDecay = j.value("weight_decay", c.weightDecay);
        c.patience = stored::intField(j, "patience", c.patience, INT32_MIN, INT32_MAX);
        c.seed = j.value("seed", c.seed);
        c.device = j.value("device_requested", c.device);
        c.precision = j.value("precision_requested", std::string("fp32"));  // runs before the option: fp32
        c.threads = stored::intField(j, "threads_requested", c.threads, 0, limits::kMaxThreads);
        c.ks = stored::intListField(j, "ks", c.ks, 1, limits::kMaxK);
        c.bootstrapResamples = stored::intField(j, "bootstrap_resamples", c.bootstrapResamples, 0,
                                                limits::kMaxBootstrapResamples);
    } catch (const nlohmann::json::exception& e) {
        throw Error(fmt::format("sasrec run config: a field has the wrong type ({})", e.what()));
    } catch (const Error& e) {
        throw Error(fmt::format("sasrec run config: {}", e.what()));
    }
    // A stored config is untrusted input: its sizes are checked here, once, before anything allocates them.
    try {
        c.validate();
    } catch (const Error& e) {
        throw Error(fmt::format("sasrec run config: {}", e.what()));
    }
    return c;
}

EvalConfig sasrecEvalConfig(const SasrecRunConfig& config, int bootstrapResamples,
                            const TrueRewardFunction& trueReward) {
    EvalConfig ec;
    ec.ks = config.ks;
    if (std::find(ec.ks.begin(), ec.ks.end(), 10) == ec.ks.end())
        ec.ks.push_back(10);
    ec.threads = 1;
    ec.bootstrap.resamples = bootstrapResamples;
    ec.bootstrap.seed = config.seed;
    ec.trueReward = trueReward;
    return ec;
}

}  // namespace tiltbench
