#include "torch/export/weights_export.h"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "export/atomic_file.h"
#include "model/item_mean_policy.h"
#include "model/markov_policy.h"
#include "model/popularity_policy.h"
#include "torch/export/export_run.h"
#include "torch/model/sasrec_module.h"

namespace tiltbench {
namespace {

using json = nlohmann::ordered_json;

std::vector<NamedTensor> sasrecTensors(const ExportedRun& run) {
    std::vector<NamedTensor> out;
    for (const auto& p : run.sasrec->impl().module->named_parameters(true)) {
        const at::Tensor t = p.value().detach().to(at::kCPU, at::kFloat).contiguous();
        out.push_back(NamedTensor::f32(p.key(), t.sizes().vec(), t.data_ptr<float>()));
    }
    return out;
}

// The score row Tiltbench ranks by when it does not depend on the history (popularity, itemmean).
std::vector<float> contextFreeScores(const Scorer& scorer) {
    std::vector<float> s(static_cast<size_t>(scorer.numItems()));
    scorer.score({UserContext{}}, 0, scorer.numItems(), s.data());
    return s;
}

std::vector<NamedTensor> closedFormTensors(const ExportedRun& run) {
    const int64_t n = run.log.numItems();
    std::vector<NamedTensor> out;
    if (const auto* pop = dynamic_cast<const PopularityPolicy*>(run.policy.get())) {
        out.push_back(NamedTensor::f64("log_probability", {n}, pop->logProbabilities().data()));
        out.push_back(NamedTensor::f32("score", {n}, contextFreeScores(*pop).data()));
    } else if (const auto* mean = dynamic_cast<const ItemMeanPolicy*>(run.policy.get())) {
        out.push_back(NamedTensor::f64("shrunk_mean", {n}, mean->shrunkMeans().data()));
        out.push_back(NamedTensor::f32("score", {n}, contextFreeScores(*mean).data()));
    } else if (const auto* markov = dynamic_cast<const MarkovPolicy*>(run.policy.get())) {
        const TransitionTable& t = *run.policyData.transitions;
        std::vector<int64_t> indptr(t.sourceOffsets().begin(), t.sourceOffsets().end());
        std::vector<int64_t> indices(t.pairDest().begin(), t.pairDest().end());
        std::vector<double> values(indices.size()), rowBase(static_cast<size_t>(n));
        for (int32_t i = 0; i < n; ++i) {
            rowBase[static_cast<size_t>(i)] = markov->logRowBase(i);
            for (int64_t p = indptr[static_cast<size_t>(i)]; p < indptr[static_cast<size_t>(i) + 1]; ++p) {
                values[static_cast<size_t>(p)] =
                    markov->logProbability(i, static_cast<int32_t>(indices[static_cast<size_t>(p)]));
            }
        }
        const auto nnz = static_cast<int64_t>(indices.size());
        out.push_back(NamedTensor::f64("log_popularity", {n}, markov->logPopularity().data()));
        out.push_back(NamedTensor::f64("row_base", {n}, rowBase.data()));
        out.push_back(NamedTensor::i64("indptr", {n + 1}, indptr.data()));
        out.push_back(NamedTensor::i64("indices", {nnz}, indices.data()));
        out.push_back(NamedTensor::f64("values", {nnz}, values.data()));
    } else {
        throw Error(
            fmt::format("run {}: no score tables to export for model '{}'", run.run.id, run.run.model));
    }
    return out;
}

json sasrecArchitecture(const SasrecConfig& c) {
    json roles = {
        {"items.weight",
         "item embedding [num_items + 1, dim]: row i + 1 is item index i, row 0 is padding (zeros); also the "
         "output layer (tied): scores = h @ items.weight[1:].T"},
        {"positions.weight",
         "position embedding [max_len, dim], indexed by distance from the newest step (newest item = 0)"},
        {"blocks.{b}.norm1.weight/bias", "LayerNorm before attention [dim]"},
        {"blocks.{b}.qkv.weight/bias",
         "fused attention input projection [3 * dim, dim] / [3 * dim]; output viewed as [B, T, 3, heads, "
         "dim / heads]: q, k, v in that order"},
        {"blocks.{b}.out.weight/bias", "attention output projection [dim, dim] / [dim]"},
        {"blocks.{b}.norm2.weight/bias", "LayerNorm before the feed-forward layer [dim]"},
        {"blocks.{b}.ff1.weight/bias", "feed-forward layer 1 [dim, dim] / [dim], then ReLU"},
        {"blocks.{b}.ff2.weight/bias", "feed-forward layer 2 [dim, dim] / [dim]"},
        {"final_norm.weight/bias", "LayerNorm after the last block [dim]"}};
    json forward = json::array(
        {"history: item indices (0-based) oldest first; keep the newest max_len; x_t = item + 1",
         "e = items.weight[x] * sqrt(dim) + positions.weight[L - 1 - t] for step t of a history of length L",
         "for each block: e = e + out(causal_attention(norm1(e))); e = e + ff2(relu(ff1(norm2(e))))",
         "causal_attention: q, k, v from qkv; softmax(q k^T / sqrt(dim / heads) + mask) v per head, mask = "
         "-inf above the diagonal (a step sees itself and older steps), heads concatenated",
         "h = final_norm(e at the newest step); scores = h @ items.weight[1:].T (one per item index)",
         "recommend: the best scores outside the history"});
    return {{"num_items", c.numItems},
            {"dim", c.dim},
            {"blocks", c.blocks},
            {"heads", c.heads},
            {"max_len", c.maxLen},
            {"ffn_dim", c.dim},
            {"activation", "relu"},
            {"layer_norm_eps", 1e-5},
            {"norm", "pre-LayerNorm blocks, final LayerNorm"},
            {"item_index_shift", 1},
            {"padding_index", 0},
            {"embedding_scale", "sqrt(dim)"},
            {"position_embedding", "learned; index = distance from the newest step (newest = 0)"},
            {"tied_output_embedding", true},
            {"dropout_in_training", c.dropout},
            {"parameters", roles},
            {"forward", forward}};
}

json hstuArchitecture(const SasrecConfig& c) {
    json roles = {
        {"items.weight",
         "item embedding [num_items + 1, dim]: row i + 1 is item index i, row 0 is padding (zeros); also the "
         "output layer (tied): scores = h @ items.weight[1:].T"},
        {"positions.weight",
         "position embedding [max_len, dim], indexed by distance from the newest step (newest item = 0)"},
        {"blocks.{b}.norm1.weight/bias", "LayerNorm before the projection [dim]"},
        {"blocks.{b}.uvqk.weight/bias",
         "projection [4 * dim, dim] / [4 * dim], then SiLU; output split along the last axis into u, v, q, k "
         "(dim each, in that order), v, q, k viewed as [B, T, heads, dim / heads]"},
        {"blocks.{b}.pos_bias", "relative attention bias [max_len] by query step - key step"},
        {"blocks.{b}.time_bias",
         "relative attention bias [time_buckets] by bucket(t_query - t_key) = min(time_buckets - 1, "
         "floor(ln(max(1, |gap|)) / 0.301)); bucket 0 where the times are unknown"},
        {"blocks.{b}.norm_attn.weight/bias", "LayerNorm of the attention output [dim]"},
        {"blocks.{b}.out.weight/bias", "output projection [dim, dim] / [dim]"},
        {"final_norm.weight/bias", "LayerNorm after the last block [dim]"}};
    json forward = json::array(
        {"history: item indices (0-based) oldest first with their timestamps; keep the newest max_len; x_t = "
         "item + 1",
         "e = items.weight[x] * sqrt(dim) + positions.weight[L - 1 - t] for step t of a history of length L",
         "for each block: u, v, q, k = split(silu(uvqk(norm1(e)))); per head A = silu(q k^T + pos_bias[i - "
         "j] "
         "+ time_bias[bucket(t_i - t_j)]) / max_len for key j <= query i, else 0; e = e + out(norm_attn(A v, "
         "heads concatenated) * u)",
         "h = final_norm(e at the newest step); scores = h @ items.weight[1:].T (one per item index)",
         "recommend: the best scores outside the history"});
    return {{"num_items", c.numItems},
            {"dim", c.dim},
            {"blocks", c.blocks},
            {"heads", c.heads},
            {"max_len", c.maxLen},
            {"time_buckets", kHstuTimeBuckets},
            {"activation", "silu"},
            {"layer_norm_eps", 1e-5},
            {"attention", "pointwise aggregated (no softmax), divided by max_len"},
            {"item_index_shift", 1},
            {"padding_index", 0},
            {"embedding_scale", "sqrt(dim)"},
            {"position_embedding", "learned; index = distance from the newest step (newest = 0)"},
            {"tied_output_embedding", true},
            {"dropout_in_training", c.dropout},
            {"parameters", roles},
            {"forward", forward}};
}

json closedFormScoring(const std::string& model) {
    if (model == "popularity") {
        return {{"log_probability",
                 "[num_items] F64: log pi(i), the weighted share of training targets "
                 "(-inf for items without weight)"},
                {"score",
                 "[num_items] F32: what Tiltbench ranks by, minus the dense rank of pi (0 = best; ties "
                 "share a rank); the same for every history"},
                {"recommend", "the items with the highest score outside the history"}};
    }
    if (model == "itemmean") {
        return {{"shrunk_mean", "[num_items] F64: mean training reward shrunk toward the global mean"},
                {"score",
                 "[num_items] F32: what Tiltbench ranks by, minus the dense rank of (shrunk mean, "
                 "training count, lower index); the same for every history"},
                {"recommend", "the items with the highest score outside the history"}};
    }
    return {{"log_popularity", "[num_items] F64: log pi_pop(j), the tilted popularity policy"},
            {"row_base", "[num_items] F64: per last item i, log(alpha) - log(T_i + alpha)"},
            {"indptr",
             "[num_items + 1] I64: CSR row offsets; row i holds the transitions i -> j seen in training"},
            {"indices", "[nnz] I64: j of each transition (ascending within a row)"},
            {"values", "[nnz] F64: log pi(j | i) of each transition"},
            {"score",
             "with i = the last item of the history: score[j] = row_base[i] + log_popularity[j], then "
             "score[indices[p]] = values[p] for p in [indptr[i], indptr[i + 1]); an empty history scores "
             "log_popularity. Tiltbench rounds scores to float32 (-inf to the lowest float)"},
            {"recommend", "the items with the highest score outside the history"}};
}

}  // namespace

std::vector<NamedTensor> exportTensors(const ExportedRun& run) {
    return run.isSasrec() ? sasrecTensors(run) : closedFormTensors(run);
}

void writeSafetensorsExport(const ExportedRun& run, bool titles, const std::string& weightsName,
                            AtomicFile& weights, AtomicFile& config) {
    const std::vector<NamedTensor> tensors = exportTensors(run);
    const nlohmann::json meta = exportMetadata(run);
    const std::map<std::string, std::string> headerMeta = {
        {"format", "tiltbench"},
        {"model_type", run.run.model},
        {"run_id", std::to_string(run.run.id)},
        {"dataset", run.dataset.name},
        {"weighting", meta.at("weighting").dump()},
        {"tiltbench_version", meta.at("tiltbench_version").get<std::string>()}};
    writeSafetensors(weights, tensors, headerMeta);

    json c;
    c["format"] = "tiltbench-safetensors";
    c["format_version"] = 1;
    c["weights_file"] = weightsName;
    c["model_type"] = run.run.model;
    json shapes = json::object();
    for (const auto& t : tensors)
        shapes[t.name] = {{"dtype", dtypeName(t.dtype)}, {"shape", t.shape}};
    c["tensors"] = shapes;
    if (run.isSasrec())
        c["architecture"] = run.sasrec->config().backbone == Backbone::Hstu
                                ? hstuArchitecture(run.sasrec->config())
                                : sasrecArchitecture(run.sasrec->config());
    else
        c["scoring"] = closedFormScoring(run.run.model);
    c["item_ids"] = run.log.itemIds;
    c["item_titles"] = titles ? run.log.itemTitles : std::vector<std::string>(run.log.itemIds.size());
    c["metadata"] = meta;
    config.write(c.dump(2) + "\n");
}

}  // namespace tiltbench
