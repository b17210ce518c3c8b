#include "train/sasrec_run_config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "common/error.h"
#include "common/limits.h"
#include "train/reward_source.h"
#include "train/stored_config.h"
#include "weighting/weight_scheme.h"

namespace tiltbench {

SasrecConfig sasrecModelConfig(const SasrecRunConfig& c, int32_t numItems) {
    SasrecConfig m;
    m.backbone = backboneFromName(c.model);
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
    if (initFrom < 0)
        throw Error(fmt::format("sasrec: --init-from must be a run id, or 0 for none (got {})", initFrom));
    RewardSource::parse(rewardSource);  // throws naming --reward-source
    if (highThreshold && !std::isfinite(*highThreshold))
        throw Error(fmt::format("sasrec: --high-threshold must be a finite number (got {})", *highThreshold));
    if (std::find(kSelectMetrics.begin(), kSelectMetrics.end(), select) == kSelectMetrics.end())
        throw Error(fmt::format("sasrec: --select must be one of {} (got '{}')",
                                fmt::join(kSelectMetrics, ", "), select));
    if (std::find(kLosses.begin(), kLosses.end(), loss) == kLosses.end())
        throw Error(
            fmt::format("sasrec: --loss must be one of {} (got '{}')", fmt::join(kLosses, ", "), loss));
    if (std::find(kNegativeSamplers.begin(), kNegativeSamplers.end(), negatives) == kNegativeSamplers.end())
        throw Error(fmt::format("sasrec: --negatives must be one of {} (got '{}')",
                                fmt::join(kNegativeSamplers, ", "), negatives));
    if (validUsers < 0)
        throw Error(fmt::format("sasrec: --valid-users must be >= 0 (0 = every user; got {})", validUsers));
    if (numNegatives < 1 || numNegatives > limits::kMaxNegatives)
        throw Error(fmt::format("sasrec: --num-negatives must be in 1..{} (got {})", limits::kMaxNegatives,
                                numNegatives));
    if (std::find(kObjectives.begin(), kObjectives.end(), objective) == kObjectives.end())
        throw Error(fmt::format("sasrec: --objective must be one of {} (got '{}')",
                                fmt::join(kObjectives, ", "), objective));
    if (online()) {
        if (initFrom == 0)
            throw Error(
                fmt::format("sasrec: --objective {} post-trains a finished SFT run: give it with "
                            "--init-from RUN (the run is also the frozen reference policy)",
                            objective));
        if (RewardSource::parse(rewardSource).logged())
            throw Error(
                fmt::format("sasrec: --objective {} scores the items it samples with a reward model: "
                            "give one with --reward-source model:RUN (fit it with tiltbench-cli reward)",
                            objective));
    }
    auto positive = [](const char* what, double v) {
        if (!(v > 0.0) || !std::isfinite(v))
            throw Error(fmt::format("sasrec: {} must be a positive number (got {})", what, v));
    };
    positive("--dpo-beta", dpoBeta);
    if (!(klBeta >= 0.0) || !std::isfinite(klBeta))
        throw Error(fmt::format("sasrec: --kl-beta must be a number >= 0 (got {})", klBeta));
    if (!(ppoClip > 0.0 && ppoClip < 1.0))
        throw Error(fmt::format("sasrec: --ppo-clip must be in (0, 1) (got {})", ppoClip));
    if (dpoPairs < 1 || dpoPairs > limits::kMaxOnlineSamples)
        throw Error(fmt::format("sasrec: --dpo-pairs must be in 1..{} (got {})", limits::kMaxOnlineSamples,
                                dpoPairs));
    if (ppoSamples < 2 || ppoSamples > limits::kMaxOnlineSamples)
        throw Error(fmt::format("sasrec: --ppo-samples must be in 2..{} (got {})", limits::kMaxOnlineSamples,
                                ppoSamples));
    if (ppoEpochs < 1 || ppoEpochs > limits::kMaxPpoEpochs)
        throw Error(
            fmt::format("sasrec: --ppo-epochs must be in 1..{} (got {})", limits::kMaxPpoEpochs, ppoEpochs));
    if (precision != "auto" && precision != "fp32" && precision != "bf16" && precision != "bf16-all")
        throw Error(
            fmt::format("sasrec: precision must be auto, fp32, bf16 or bf16-all (got '{}')", precision));
}

std::string SasrecRunConfig::methodDescription() const {
    if (objective == "dpo")
        return fmt::format("dpo beta={} pairs={}", formatLambda(dpoBeta), dpoPairs);
    if (objective == "ppo")
        return fmt::format("ppo K={} clip={} kl_beta={} epochs={}", ppoSamples, formatLambda(ppoClip),
                           formatLambda(klBeta), ppoEpochs);
    return scheme.describe();
}

const std::vector<SasrecSetting>& sasrecSettings() {
    using C = SasrecRunConfig;
    // One row per setting.
    // clang-format off
    static const std::vector<SasrecSetting> settings = {
        {"--epochs", "epochs", "sasrec: epochs at most", &C::epochs, {}, 1, limits::kMaxSasrecEpochs},
        {"--batch-size", "batch_size", "sasrec: sequences per batch", &C::batchSize, {}, 1,
         limits::kMaxSasrecBatchSize},
        {"--length-buckets", "length_buckets",
         "sasrec: batches of sequences sorted by length (the old behaviour; lower accuracy on small data) "
         "instead of random batches", &C::lengthBuckets, {}, 0, 0},
        {"--lr", "lr", "sasrec: Adam learning rate", &C::lr, {}, 0, 0},
        {"--weight-decay", "weight_decay", "sasrec: Adam L2 penalty", &C::weightDecay, {}, 0, 0},
        {"--dim", "dim", "sasrec: embedding size", &C::dim, {}, 1, limits::kMaxSasrecDim},
        {"--blocks", "blocks", "sasrec: self-attention blocks", &C::blocks, {}, 1, limits::kMaxSasrecBlocks},
        {"--heads", "heads", "sasrec: attention heads (must divide dim)", &C::heads, {}, 1,
         limits::kMaxSasrecHeads},
        {"--max-len", "max_len", "sasrec: newest items of a history the model reads", &C::maxLen, {}, 1,
         limits::kMaxSasrecMaxLen},
        {"--dropout", "dropout", "sasrec: dropout rate", &C::dropout, {}, 0, 0},
        {"--patience", "patience", "sasrec: epochs without a better validation --select metric (0 = never stop)",
         &C::patience, {}, INT32_MIN, INT32_MAX},
        {"--select", "select",
         "sasrec: the validation metric that picks the best checkpoint and drives early stopping; the *_high "
         "metrics count only targets with reward >= --high-threshold", &C::select,
         {kSelectMetrics.begin(), kSelectMetrics.end()}, 0, 0},
        {"--loss", "loss",
         "sasrec: the output layer's loss: full = softmax over every item; sampled = sampled softmax with the "
         "logQ correction over --num-negatives candidates per batch (scales with the catalogue; evaluation still "
         "ranks every item). The weighted objective only: dpo and ppo keep their own loss", &C::loss, {kLosses.begin(), kLosses.end()}, 0, 0},
        {"--negatives", "negatives",
         "sasrec: --loss sampled: the batch's own distinct targets (in-batch, the default), candidates drawn "
         "uniformly, or by popularity (count among training targets)", &C::negatives,
         {kNegativeSamplers.begin(), kNegativeSamplers.end()}, 0, 0},
        {"--num-negatives", "num_negatives",
         "sasrec: --loss sampled: candidates per batch (uniform, popularity: drawn with replacement; in-batch: at "
         "most this many of the batch's distinct targets)", &C::numNegatives,
         {}, 1, limits::kMaxNegatives},
        {"--valid-users", "valid_users",
         "sasrec: validate each epoch on a fixed random sample of this many users (drawn once from --seed; "
         "0 = all): at 10^5 users and more, validation otherwise costs a large share of an epoch. The final "
         "valid and test figures rank every user", &C::validUsers, {}, 0, INT32_MAX},
        {"--device", "device_requested", "sasrec: auto (CUDA when available), cpu, cuda or cuda:N", &C::device,
         {}, 0, 0},
        {"--precision", "precision_requested",
         "sasrec: training's matrix products: fp32; bf16 = the output layer's in bfloat16; bf16-all = the body's "
         "too (projections, feed-forward, attention); softmax, layer norms, weights and evaluation stay float. "
         "auto = bf16 on CUDA and on CPUs with native bfloat16 (AVX-512 BF16, AMX)",
         &C::precision, {"auto", "fp32", "bf16", "bf16-all"}, 0, 0},
        {"--init-from", "init_from",
         "sasrec: post-train: start from the best checkpoint of finished sasrec run RUN (same dataset, split "
         "and architecture) instead of random weights; 0 = from scratch", &C::initFrom, {}, 0, INT64_MAX},
        {"--reward-source", "reward_source",
         "sasrec: the rewards the weighting reads: logged, or model:RUN — the estimates r^(user, item) of "
         "finished reward-model run RUN (tiltbench-cli reward; same dataset and split)", &C::rewardSource, {}, 0, 0},
        {"--objective", "objective",
         "sasrec: weighted = the reward-weighted next-item loss; dpo or ppo = the RLHF baselines: post-train "
         "--init-from RUN (also the frozen reference) on items sampled from the policy and scored by the reward "
         "model of --reward-source model:RUN", &C::objective, {kObjectives.begin(), kObjectives.end()}, 0, 0},
        {"--dpo-beta", "dpo_beta", "sasrec: DPO's beta (strength of the tie to the reference)", &C::dpoBeta, {},
         0, 0},
        {"--dpo-pairs", "dpo_pairs", "sasrec: DPO: item pairs sampled from the policy per context",
         &C::dpoPairs, {}, 1, limits::kMaxOnlineSamples},
        {"--ppo-samples", "ppo_samples", "sasrec: PPO: items K sampled from the policy per context",
         &C::ppoSamples, {}, 2, limits::kMaxOnlineSamples},
        {"--ppo-clip", "ppo_clip", "sasrec: PPO: epsilon of the clipped probability ratio", &C::ppoClip, {}, 0,
         0},
        {"--kl-beta", "kl_beta", "sasrec: PPO: weight of the exact KL(policy || reference) penalty",
         &C::klBeta, {}, 0, 0},
        {"--ppo-epochs", "ppo_epochs", "sasrec: PPO: optimizer steps on each batch's samples", &C::ppoEpochs,
         {}, 1, limits::kMaxPpoEpochs},
    };
    // clang-format on
    return settings;
}

std::string sasrecSettingText(const SasrecSetting& setting, const SasrecRunConfig& c) {
    return std::visit(
        [&c](auto field) -> std::string {
            const auto& value = c.*field;
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, bool>)
                return value ? "true" : "false";
            else if constexpr (std::is_same_v<T, double>)
                return formatLambda(value);  // the shortest text that reads back as the same double
            else if constexpr (std::is_same_v<T, int> || std::is_same_v<T, int64_t>)
                return std::to_string(value);
            else
                return value;
        },
        setting.field);
}

std::string SasrecRunConfig::toJson() const {
    nlohmann::json j;
    stored::writeRunBase(*this, j);
    j["model"] = model;
    for (const SasrecSetting& s : sasrecSettings())
        std::visit([&](auto field) { j[s.key] = this->*field; }, s.field);
    j["optimizer"] = "adam";
    j["threads_requested"] = threads;
    j["in_batch_capped"] = true;  // --num-negatives caps in-batch candidates (see fromJson)
    return j.dump();
}

SasrecRunConfig SasrecRunConfig::fromJson(const std::string& text) {
    const nlohmann::json j = stored::parseObject(text, "sasrec run config");
    SasrecRunConfig c;
    // Runs recorded before these keys existed: trained on length-bucketed batches, in fp32.
    c.lengthBuckets = true;
    c.precision = "fp32";
    try {
        stored::readRunBase(j, c);
        if (j.contains("model")) {
            const auto& m = j.at("model");
            if (!m.is_string() || !isSequentialModel(m.get<std::string>()))
                throw Error("field 'model' must be sasrec or hstu");
            c.model = m.get<std::string>();
        }
        for (const SasrecSetting& s : sasrecSettings()) {
            std::visit(
                [&](auto field) {
                    auto& value = c.*field;
                    using T = std::decay_t<decltype(value)>;
                    if constexpr (std::is_same_v<T, int>)
                        value = stored::intField(j, s.key, value, static_cast<int>(s.min),
                                                 static_cast<int>(s.max));
                    else if constexpr (std::is_same_v<T, int64_t>)
                        value = j.contains(s.key) ? stored::integer(j.at(s.key), s.key, s.min, s.max) : value;
                    else
                        value = j.value(s.key, value);
                },
                s.field);
        }
        c.threads = stored::intField(j, "threads_requested", c.threads, 0, limits::kMaxThreads);
        // Runs recorded before --num-negatives capped in-batch candidates used every distinct target of a
        // batch: the largest cap reproduces that (a batch never has 2^20 distinct targets in practice). Only
        // a record that names in-batch: one without the key predates the sampled softmax and reads back with
        // today's defaults, which its full softmax never used.
        if (j.contains("negatives") && c.negatives == "in-batch" && !j.contains("in_batch_capped"))
            c.numNegatives = limits::kMaxNegatives;
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
        ec.ks.push_back(10);  // every --select metric is at K = 10
    ec.threads = 1;
    ec.bootstrap.resamples = bootstrapResamples;
    ec.bootstrap.seed = config.seed;
    ec.highThreshold = config.highThreshold;
    ec.trueReward = trueReward;
    return ec;
}

}  // namespace tiltbench
