// `recommend --model FILE` on a safetensors export: the config and the weights are read as data, checked,
// and scored with Tiltbench's own SasrecModel — no code from the files runs (see export.h).
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "common/error.h"
#include "common/tensor_archive.h"
#include "torch/export/export.h"
#include "torch/model/sasrec.h"

namespace tiltbench {
namespace {

constexpr uint64_t kMaxConfigBytes = 1ull << 30;

std::string readFile(const std::string& path, const std::string& role) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(fmt::format("cannot read {} '{}': {}", role, path, std::strerror(errno)));
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad())
        throw Error(fmt::format("cannot read {} '{}': read error", role, path));
    return content.str();
}

int64_t configInteger(const nlohmann::json& a, const char* name, int64_t lo, int64_t hi,
                      const std::string& path) {
    const auto it = a.find(name);
    if (it == a.end() || !it->is_number_integer() || it->get<int64_t>() < lo || it->get<int64_t>() > hi)
        throw Error(fmt::format("'{}': architecture.{} is missing or not an integer in [{}, {}]", path, name,
                                lo, hi));
    return it->get<int64_t>();
}

// The tensors of a SASRec state with their shapes (the export's documented layout, weights_export.h).
std::map<std::string, std::vector<int64_t>> sasrecShapes(int64_t n, int64_t d, int64_t blocks,
                                                         int64_t maxLen) {
    std::map<std::string, std::vector<int64_t>> out;
    out["items.weight"] = {n + 1, d};
    out["positions.weight"] = {maxLen, d};
    for (int64_t b = 0; b < blocks; ++b) {
        const std::string p = fmt::format("blocks.{}.", b);
        for (const char* norm : {"norm1", "norm2"}) {
            out[p + norm + ".weight"] = {d};
            out[p + norm + ".bias"] = {d};
        }
        out[p + "qkv.weight"] = {3 * d, d};
        out[p + "qkv.bias"] = {3 * d};
        for (const char* layer : {"out", "ff1", "ff2"}) {
            out[p + layer + ".weight"] = {d, d};
            out[p + layer + ".bias"] = {d};
        }
    }
    out["final_norm.weight"] = {d};
    out["final_norm.bias"] = {d};
    return out;
}

// The same for an HSTU state.
std::map<std::string, std::vector<int64_t>> hstuShapes(int64_t n, int64_t d, int64_t blocks, int64_t maxLen) {
    std::map<std::string, std::vector<int64_t>> out;
    out["items.weight"] = {n + 1, d};
    out["positions.weight"] = {maxLen, d};
    for (int64_t b = 0; b < blocks; ++b) {
        const std::string p = fmt::format("blocks.{}.", b);
        for (const char* norm : {"norm1", "norm_attn"}) {
            out[p + norm + ".weight"] = {d};
            out[p + norm + ".bias"] = {d};
        }
        out[p + "uvqk.weight"] = {4 * d, d};
        out[p + "uvqk.bias"] = {4 * d};
        out[p + "out.weight"] = {d, d};
        out[p + "out.bias"] = {d};
        out[p + "pos_bias"] = {maxLen};
        out[p + "time_bias"] = {kHstuTimeBuckets};
    }
    out["final_norm.weight"] = {d};
    out["final_norm.bias"] = {d};
    return out;
}

}  // namespace

std::vector<Recommendation> recommendFromSafetensors(const std::string& modelPath,
                                                     const std::vector<std::string>& history, int k,
                                                     const std::vector<int64_t>& times) {
    if (k < 1)
        throw Error(fmt::format("k must be >= 1 (got {})", k));
    const std::string configPath = safetensorsConfigPath(modelPath);
    const std::string bytes = readFile(modelPath, "the model file");
    const TensorArchive archive = decodeTensorArchive(bytes, fmt::format("'{}'", modelPath));

    std::ifstream probe(configPath, std::ios::binary | std::ios::ate);
    if (probe && static_cast<uint64_t>(probe.tellg()) > kMaxConfigBytes)
        throw Error(fmt::format("'{}': the config is larger than 1 GiB", configPath));
    probe.close();
    const std::string configText = readFile(configPath, "the model's config");
    const nlohmann::json config = nlohmann::json::parse(configText, nullptr, false);
    if (!config.is_object() || config.value("format", std::string()) != "tiltbench-safetensors")
        throw Error(fmt::format("'{}' is not a Tiltbench safetensors config (format tiltbench-safetensors)",
                                configPath));
    const std::string modelType = config.value("model_type", std::string());
    if (!isSequentialModel(modelType))
        throw Error(
            fmt::format("'{}': recommend --model scores SASRec and HSTU exports; this one is a '{}' model",
                        modelPath, modelType));
    const Backbone backbone = backboneFromName(modelType);
    if (backbone == Backbone::Sasrec && !times.empty())
        throw Error(
            fmt::format("'{}': --times is read by HSTU exports; this one is a SASRec model", modelPath));
    if (!times.empty() && times.size() != history.size())
        throw Error(fmt::format("--times lists {} timestamps for a history of {} items", times.size(),
                                history.size()));
    const auto arch = config.find("architecture");
    if (arch == config.end() || !arch->is_object())
        throw Error(fmt::format("'{}': the config has no architecture", configPath));
    // Sizes are bounded by what the weights file holds: checked against its tensors before anything is
    // built.
    const int64_t n = configInteger(*arch, "num_items", 1, std::numeric_limits<int32_t>::max(), configPath);
    const int64_t d = configInteger(*arch, "dim", 1, 1 << 20, configPath);
    const int64_t heads = configInteger(*arch, "heads", 1, d, configPath);
    const int64_t blocks = configInteger(*arch, "blocks", 1, 1 << 20, configPath);
    const int64_t maxLen =
        configInteger(*arch, "max_len", 1, std::numeric_limits<int32_t>::max(), configPath);
    if (d % heads != 0)
        throw Error(
            fmt::format("'{}': architecture.dim {} is not divisible by heads {}", configPath, d, heads));
    const uint64_t perBlock = backbone == Backbone::Hstu ? 10 : 12;
    if (static_cast<uint64_t>(blocks) * perBlock + 4 != archive.tensors.size())
        throw Error(fmt::format("'{}' holds {} tensors; {} blocks need {}", modelPath, archive.tensors.size(),
                                blocks, static_cast<uint64_t>(blocks) * perBlock + 4));
    const auto shapes =
        backbone == Backbone::Hstu ? hstuShapes(n, d, blocks, maxLen) : sasrecShapes(n, d, blocks, maxLen);
    for (const auto& t : archive.tensors) {
        const auto it = shapes.find(t.name);
        if (it == shapes.end())
            throw Error(
                fmt::format("'{}': tensor '{}' is not part of a {} model", modelPath, t.name, modelType));
        if (t.shape != it->second || t.dtype != TensorDtype::F32)
            throw Error(
                fmt::format("'{}': tensor '{}' is not F32 of the shape the config's architecture gives",
                            modelPath, t.name));
    }
    const auto ids = config.find("item_ids");
    if (ids == config.end() || !ids->is_array() || static_cast<int64_t>(ids->size()) != n)
        throw Error(fmt::format("'{}': item_ids does not list num_items = {} ids", configPath, n));
    const auto titles = config.find("item_titles");
    const bool hasTitles =
        titles != config.end() && titles->is_array() && static_cast<int64_t>(titles->size()) == n;
    std::unordered_map<std::string, int32_t> indexOf;
    std::vector<std::string> itemIds, itemTitles;
    for (int64_t i = 0; i < n; ++i) {
        const auto& id = (*ids)[static_cast<size_t>(i)];
        if (!id.is_string())
            throw Error(fmt::format("'{}': item_ids[{}] is not a string", configPath, i));
        if (!indexOf.emplace(id.get<std::string>(), static_cast<int32_t>(i)).second)
            throw Error(fmt::format("'{}': item id '{}' is listed twice", configPath, id.get<std::string>()));
        itemIds.push_back(id.get<std::string>());
        const auto* title = hasTitles ? &(*titles)[static_cast<size_t>(i)] : nullptr;
        itemTitles.push_back(title && title->is_string() ? title->get<std::string>() : std::string());
    }
    std::vector<int32_t> items;
    for (const auto& h : history) {
        const auto it = indexOf.find(h);
        if (it == indexOf.end())
            throw Error(
                fmt::format("{}: unknown item id '{}': it is not in the model's catalogue", modelPath, h));
        items.push_back(it->second);
    }

    SasrecConfig mc;
    mc.backbone = backbone;
    mc.numItems = static_cast<int32_t>(n);
    mc.dim = static_cast<int>(d);
    mc.heads = static_cast<int>(heads);
    mc.blocks = static_cast<int>(blocks);
    mc.maxLen = static_cast<int>(maxLen);
    mc.dropout = 0.0;
    SasrecModel model(mc, "cpu");
    model.loadState(bytes, fmt::format("'{}'", modelPath));
    model.setTraining(false);
    std::vector<float> scores(static_cast<size_t>(n));
    UserContext user;
    user.history = items.data();
    user.historyLength = static_cast<int64_t>(items.size());
    user.times = times.empty() ? nullptr : times.data();
    model.score({user}, 0, static_cast<int32_t>(n), scores.data());
    for (float& s : scores) {
        if (std::isnan(s))
            s = -std::numeric_limits<float>::infinity();  // a total order for the sort
    }
    std::vector<char> seen(static_cast<size_t>(n), 0);
    for (const int32_t i : items)
        seen[static_cast<size_t>(i)] = 1;
    std::vector<int32_t> order;
    for (int32_t i = 0; i < static_cast<int32_t>(n); ++i) {
        if (!seen[static_cast<size_t>(i)])
            order.push_back(i);
    }
    const size_t top = std::min(order.size(), static_cast<size_t>(k));
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(top), order.end(),
                      [&scores](int32_t a, int32_t b) {
                          const float sa = scores[static_cast<size_t>(a)],
                                      sb = scores[static_cast<size_t>(b)];
                          return sa != sb ? sa > sb : a < b;
                      });
    std::vector<Recommendation> out;
    for (size_t r = 0; r < top; ++r) {
        const auto i = static_cast<size_t>(order[r]);
        out.push_back({itemIds[i], itemTitles[i], static_cast<double>(scores[i])});
    }
    return out;
}

std::vector<Recommendation> recommendFromModelFile(const std::string& modelPath,
                                                   const std::vector<std::string>& history, int k,
                                                   bool trustModel, const std::vector<int64_t>& times) {
    char magic[4] = {0, 0, 0, 0};
    std::ifstream in(modelPath, std::ios::binary);
    if (!in)
        throw Error(fmt::format("cannot read the model file '{}': {}", modelPath, std::strerror(errno)));
    in.read(magic, 4);
    if (in.gcount() == 4 && std::memcmp(magic, "PK\x03\x04", 4) == 0)
        return recommendFromTorchScript(modelPath, history, k, trustModel, times);
    return recommendFromSafetensors(modelPath, history, k, times);
}

}  // namespace tiltbench
