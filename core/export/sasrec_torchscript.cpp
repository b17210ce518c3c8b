#include "export/sasrec_torchscript.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/frontend/resolver.h>
#include <torch/csrc/jit/frontend/schema_matching.h>
#include <torch/csrc/jit/frontend/sugared_value.h>
#include <torch/csrc/jit/ir/constants.h>
#include <torch/csrc/jit/serialization/import.h>
#include <torch/version.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "common/error.h"
#include "export/atomic_file.h"
#include "export/export.h"
#include "export/export_run.h"
#include "model/sasrec_module.h"

namespace tiltbench {
namespace {

// An external id that forward() can take as an int64: canonical decimal ("12", "-3"; not "012", "+3", "1e3"),
// and never -1, the padding value.
bool integerId(const std::string& s, int64_t& value) {
    if (s.empty() || s.size() > 20)
        return false;
    try {
        size_t used = 0;
        value = std::stoll(s, &used);
        return used == s.size() && std::to_string(value) == s && value != -1;
    } catch (const std::exception&) {
        return false;
    }
}

at::Tensor param(const torch::OrderedDict<std::string, at::Tensor>& params, const std::string& name) {
    const at::Tensor* t = params.find(name);
    if (!t)
        throw Error(fmt::format("torchscript export: the model has no parameter '{}'", name));
    return t->detach().to(at::kCPU, at::kFloat).contiguous().clone();
}

at::Tensor stacked(const torch::OrderedDict<std::string, at::Tensor>& params, int blocks,
                   const std::string& suffix) {
    std::vector<at::Tensor> parts;
    for (int b = 0; b < blocks; ++b)
        parts.push_back(param(params, fmt::format("blocks.{}.{}", b, suffix)));
    return at::stack(parts, 0).contiguous();
}

// `raise RuntimeError(message)` in the source: the message as it is, and the class name, so that Python
// raises it as a RuntimeError (torch.jit.Error). ExceptionValue would prefix "RuntimeError: " to the text.
struct RuntimeErrorValue : torch::jit::SugaredValue {
    std::string kind() const override { return "RuntimeError"; }
    std::shared_ptr<torch::jit::SugaredValue> call(const torch::jit::SourceRange& loc,
                                                   torch::jit::GraphFunction& m,
                                                   at::ArrayRef<torch::jit::NamedValue> args,
                                                   at::ArrayRef<torch::jit::NamedValue> /*kwargs*/,
                                                   size_t /*binders*/) override {
        auto& graph = *m.graph();
        torch::jit::Value* text = torch::jit::insertConstant(graph, std::string(), loc);
        for (const auto& arg : args) {
            torch::jit::Value* v = arg.value(graph);
            if (!v->type()->isSubtypeOf(*c10::StringType::get()))
                v = torch::jit::emitBuiltinCall(loc, graph, c10::aten::str, {v}, {});
            text = torch::jit::emitBuiltinCall(loc, graph, c10::aten::add, {text, v}, {});
        }
        torch::jit::Value* cls = torch::jit::insertConstant(graph, std::string("builtins.RuntimeError"), loc);
        return std::make_shared<torch::jit::ExceptionMessageValue>(text, cls);
    }
};

// Module::define's default resolver knows only `torch.<op>`; the source also raises RuntimeError.
struct ScriptResolver : torch::jit::NativeResolver {
    std::shared_ptr<torch::jit::SugaredValue> resolveValue(const std::string& name,
                                                           torch::jit::GraphFunction& m,
                                                           const torch::jit::SourceRange& loc) override {
        if (name == "RuntimeError")
            return std::make_shared<RuntimeErrorValue>();
        return NativeResolver::resolveValue(name, m, loc);
    }
};

// The message of an exception raised inside TorchScript, without the interpreter's traceback.
std::string scriptMessage(const std::string& what) {
    const auto at = what.rfind("tiltbench: ");
    std::string msg = at == std::string::npos ? what : what.substr(at + 11);
    const auto nl = msg.find('\n');
    return nl == std::string::npos ? msg : msg.substr(0, nl);
}

}  // namespace

void writeSasrecTorchScript(const ExportedRun& run, bool titles, AtomicFile& file) {
    const SasrecConfig& mc = run.sasrec->config();
    const InteractionLog& log = run.log;
    const auto params = run.sasrec->impl().module->named_parameters(true);
    const nlohmann::json meta = exportMetadata(run);

    torch::jit::Module m(c10::QualifiedName("__torch__.tiltbench.SasrecRecommender"));
    m.register_parameter("item_embedding", param(params, "items.weight"), false);
    m.register_parameter("position_embedding", param(params, "positions.weight"), false);
    for (const char* layer : {"norm1", "qkv", "out", "norm2", "ff1", "ff2"}) {
        for (const char* kind : {"weight", "bias"}) {
            m.register_parameter(fmt::format("{}_{}", layer, kind),
                                 stacked(params, mc.blocks, fmt::format("{}.{}", layer, kind)), false);
        }
    }
    m.register_parameter("final_norm_weight", param(params, "final_norm.weight"), false);
    m.register_parameter("final_norm_bias", param(params, "final_norm.bias"), false);

    // Item id map: by item index, and sorted for forward()'s searchsorted lookup when ids are integers.
    const auto n = static_cast<size_t>(log.numItems());
    bool integers = true;
    std::vector<int64_t> values(n);
    for (size_t i = 0; i < n && integers; ++i)
        integers = integerId(log.itemIds[i], values[i]);
    at::Tensor idValues = at::empty({0}, at::kLong), sortedIds = idValues, sortedIndex = idValues;
    if (integers) {
        idValues = at::from_blob(values.data(), {static_cast<int64_t>(n)}, at::kLong).clone();
        auto sorted = at::sort(idValues);
        sortedIds = std::get<0>(sorted).contiguous();
        sortedIndex = std::get<1>(sorted).contiguous();
    }
    m.register_buffer("item_id_values", idValues);
    m.register_buffer("sorted_item_ids", sortedIds);
    m.register_buffer("sorted_item_index", sortedIndex);
    c10::List<std::string> ids, names;
    c10::Dict<std::string, int64_t> index;
    for (size_t i = 0; i < n; ++i) {
        ids.push_back(log.itemIds[i]);
        names.push_back(titles ? log.itemTitles[i] : std::string());
        index.insert(log.itemIds[i], static_cast<int64_t>(i));
    }
    const auto str = c10::StringType::get();
    m.register_attribute("integer_ids", c10::BoolType::get(), integers);
    m.register_attribute("item_ids", c10::ListType::ofStrings(), ids);
    m.register_attribute("item_titles", c10::ListType::ofStrings(), names);
    m.register_attribute("item_index", c10::DictType::create(str, c10::IntType::get()), index);

    const auto integer = c10::IntType::get();
    m.register_attribute("num_items", integer, static_cast<int64_t>(mc.numItems));
    m.register_attribute("dim", integer, static_cast<int64_t>(mc.dim));
    m.register_attribute("blocks", integer, static_cast<int64_t>(mc.blocks));
    m.register_attribute("heads", integer, static_cast<int64_t>(mc.heads));
    m.register_attribute("max_len", integer, static_cast<int64_t>(mc.maxLen));
    m.register_attribute("embedding_scale", c10::FloatType::get(), std::sqrt(static_cast<double>(mc.dim)));
    m.register_attribute("attention_scale", c10::FloatType::get(),
                         1.0 / std::sqrt(static_cast<double>(mc.dim / mc.heads)));
    m.register_attribute("layer_norm_eps", c10::FloatType::get(), 1e-5);  // torch::nn::LayerNorm's default

    m.register_attribute("run_id", integer, run.run.id);
    m.register_attribute("dataset", str, run.dataset.name);
    m.register_attribute("model", str, std::string("sasrec"));
    m.register_attribute("weighting", str, meta.at("weighting").dump());
    m.register_attribute("scheme", str, meta.at("scheme").get<std::string>());
    m.register_attribute("weight_lambda", c10::FloatType::get(), run.scheme.lambda);
    m.register_attribute("normalization", str, meta.at("normalization").get<std::string>());
    m.register_attribute("hyperparameters", str, meta.at("hyperparameters").dump());
    c10::Dict<std::string, double> metrics;
    for (const auto& [name, value] : run.testMetrics)
        metrics.insert(name, value);
    m.register_attribute("metrics", c10::DictType::create(str, c10::FloatType::get()), metrics);
    m.register_attribute("tiltbench_version", str, meta.at("tiltbench_version").get<std::string>());
    m.register_attribute("checkpoint_epoch", integer, static_cast<int64_t>(run.checkpointEpoch));
    m.register_attribute("metadata_json", str, meta.dump());

    try {
        m.define(sasrecTorchScriptSource(), std::make_shared<ScriptResolver>());
    } catch (const std::exception& e) {
        throw Error(fmt::format("torchscript export: LibTorch {} does not compile the model's source: {}",
                                TORCH_VERSION, e.what()));
    }
    m.eval();
    file.close();
    try {
        m.save(file.tempPath(), {{"tiltbench.json", meta.dump(2)}});
    } catch (const std::exception& e) {
        const std::string what = e.what();
        throw Error(fmt::format("cannot write '{}': {}", file.path(), what.substr(0, what.find('\n'))));
    }
}

std::vector<Recommendation> recommendFromTorchScript(const std::string& modelPath,
                                                     const std::vector<std::string>& history, int k) {
    if (k < 1)
        throw Error(fmt::format("k must be >= 1 (got {})", k));
    torch::jit::Module m;
    try {
        m = torch::jit::load(modelPath, at::Device(at::kCPU));
    } catch (const std::exception& e) {
        const std::string what = e.what();
        throw Error(fmt::format("cannot load '{}' as a TorchScript model: {}", modelPath,
                                what.substr(0, what.find('\n'))));
    }
    if (!m.find_method("recommend") || !m.hasattr("item_ids") || !m.hasattr("item_titles"))
        throw Error(
            fmt::format("'{}' is a TorchScript model but not one exported by Tiltbench (it has no "
                        "recommend method or item map)",
                        modelPath));
    c10::List<std::string> input;
    for (const auto& h : history)
        input.push_back(h);
    c10::IValue result;
    try {
        result = m.get_method("recommend")({c10::IValue(input), c10::IValue(static_cast<int64_t>(k))});
    } catch (const std::exception& e) {
        throw Error(fmt::format("{}: {}", modelPath, scriptMessage(e.what())));
    }
    // The file may come from anyone: every value read from it is checked for its type (a wrong one throws
    // c10::Error), so a look-alike gives an Error naming the file, never a crash.
    std::vector<Recommendation> out;
    try {
        if (!result.isTuple() || result.toTupleRef().elements().size() != 2)
            throw Error("recommend() did not return a (ids, scores) pair");
        const auto tuple = result.toTuple();
        const auto outIds = tuple->elements().at(0).toList();
        const auto outScores = tuple->elements().at(1).toList();
        if (outIds.size() != outScores.size())
            throw Error("recommend() returned lists of different lengths");
        std::unordered_map<std::string, std::string> titleOf;
        const auto ids = m.attr("item_ids").toList();
        const auto titles = m.attr("item_titles").toList();
        for (size_t i = 0; i < ids.size() && i < titles.size(); ++i)
            titleOf.emplace(ids.get(i).toStringRef(), titles.get(i).toStringRef());
        for (size_t i = 0; i < outIds.size(); ++i) {
            Recommendation r;
            r.item = outIds.get(i).toStringRef();
            r.score = outScores.get(i).toDouble();
            const auto it = titleOf.find(r.item);
            r.title = it == titleOf.end() ? std::string() : it->second;
            out.push_back(std::move(r));
        }
    } catch (const std::exception& e) {
        const std::string what = e.what();
        throw Error(fmt::format("'{}' is not a usable Tiltbench export: {}", modelPath,
                                what.substr(0, what.find('\n'))));
    }
    return out;
}

}  // namespace tiltbench
