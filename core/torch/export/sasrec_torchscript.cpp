#include "torch/export/sasrec_torchscript.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/frontend/resolver.h>
#include <torch/csrc/jit/frontend/schema_matching.h>
#include <torch/csrc/jit/frontend/sugared_value.h>
#include <torch/csrc/jit/ir/constants.h>
#include <torch/csrc/jit/serialization/export.h>
#include <torch/csrc/jit/serialization/import.h>
#include <torch/version.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <unordered_map>

#include "common/error.h"
#include "export/atomic_file.h"
#include "torch/export/export.h"
#include "torch/export/export_run.h"
#include "torch/model/sasrec_module.h"
#include "torch/model/torch_archive.h"
#include "torch/runtime/runtime.h"

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

static torch::jit::Module buildSasrecModule(const ExportedRun& run, bool titles) {
    const SasrecConfig& mc = run.sasrec->config();
    const InteractionLog& log = run.log;
    const auto params = run.sasrec->impl().module->named_parameters(true);
    const nlohmann::json meta = exportMetadata(run);

    const bool hstu = mc.backbone == Backbone::Hstu;
    torch::jit::Module m(c10::QualifiedName(hstu ? "__torch__.tiltbench.HstuRecommender"
                                                 : "__torch__.tiltbench.SasrecRecommender"));
    m.register_parameter("item_embedding", param(params, "items.weight"), false);
    m.register_parameter("position_embedding", param(params, "positions.weight"), false);
    const std::vector<const char*> layers =
        hstu ? std::vector<const char*>{"norm1", "uvqk", "norm_attn", "out"}
             : std::vector<const char*>{"norm1", "qkv", "out", "norm2", "ff1", "ff2"};
    for (const char* layer : layers) {
        for (const char* kind : {"weight", "bias"}) {
            m.register_parameter(fmt::format("{}_{}", layer, kind),
                                 stacked(params, mc.blocks, fmt::format("{}.{}", layer, kind)), false);
        }
    }
    if (hstu) {
        m.register_parameter("pos_bias", stacked(params, mc.blocks, "pos_bias"), false);
        m.register_parameter("time_bias", stacked(params, mc.blocks, "time_bias"), false);
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
    if (hstu)
        m.register_attribute("time_buckets", integer, static_cast<int64_t>(kHstuTimeBuckets));

    m.register_attribute("run_id", integer, run.run.id);
    m.register_attribute("dataset", str, run.dataset.name);
    m.register_attribute("model", str, std::string(backboneName(mc.backbone)));
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
        m.define(hstu ? hstuTorchScriptSource() : sasrecTorchScriptSource(),
                 std::make_shared<ScriptResolver>());
    } catch (const std::exception& e) {
        throw Error(fmt::format("torchscript export: LibTorch {} does not compile the model's source: {}",
                                TORCH_VERSION, e.what()));
    }
    m.eval();
    return m;
}

void writeSasrecTorchScript(const ExportedRun& run, bool titles, AtomicFile& file) {
    const torch::jit::Module m = buildSasrecModule(run, titles);
    // The archive streams through AtomicFile, which remembers a failed write (disk full, file size limit)
    // and reports it at close(); the writer function always claims success, so torch's PyTorchStreamWriter
    // never throws from its destructor (which ended the process through std::terminate, rc 134, leaving the
    // temporary file) when torch wrote the file itself.
    try {
        torch::jit::ExportModule(m,
                                 [&file](const void* data, size_t size) {
                                     file.write(data, size);
                                     return size;
                                 },
                                 {{"tiltbench.json", exportMetadata(run).dump(2)}});
    } catch (const std::exception& e) {
        const std::string what = e.what();
        throw Error(fmt::format("cannot write '{}': {}", file.path(), what.substr(0, what.find('\n'))));
    }
    file.close();
}

namespace {

// The records this version's exporter writes whatever the run of a backbone: the module's code (class
// declaration and methods), its constants and the format versions. Built once per backbone by exporting a
// one-item model in memory.
std::map<std::string, std::string> buildReferenceRecords(Backbone backbone) {
    ExportedRun r;
    SasrecConfig c;
    c.backbone = backbone;
    c.numItems = 1;
    c.dim = 1;
    c.blocks = 1;
    c.heads = 1;
    c.maxLen = 1;
    c.dropout = 0.0;
    r.sasrec = std::make_unique<SasrecModel>(c, "cpu");
    r.run.model = backboneName(backbone);
    r.log.itemIds = {"1"};
    r.log.itemTitles = {""};
    const torch::jit::Module m = buildSasrecModule(r, true);
    std::string bytes;
    torch::jit::ExportModule(m,
                             [&bytes](const void* data, size_t size) {
                                 bytes.append(static_cast<const char*>(data), size);
                                 return size;
                             },
                             {{"tiltbench.json", "{}"}});
    return readRecords(bytes, "the reference TorchScript export");
}

const std::map<std::string, std::string>& referenceRecords(Backbone backbone) {
    static const std::map<std::string, std::string> sasrec = buildReferenceRecords(Backbone::Sasrec);
    static const std::map<std::string, std::string> hstu = buildReferenceRecords(Backbone::Hstu);
    return backbone == Backbone::Hstu ? hstu : sasrec;
}

// Records whose content is the run's own: its weights and values, and its metadata.
bool runRecord(const std::string& name) {
    static const std::regex data(R"(data/\d+)");
    return name == "data.pkl" || name == "extra/tiltbench.json" || std::regex_match(name, data);
}

Error refusedModel(const std::string& path, const std::string& why) {
    return Error(fmt::format(
        "'{}' is refused: {}. A TorchScript file is code, so Tiltbench {} loads only files whose code is "
        "exactly what its own exporter writes (re-export the run with this version, or use its safetensors "
        "export); --trust-model loads it anyway and runs its code with your permissions",
        path, why, versionString()));
}

// Before any jit::load: the file's code records, constants and versions are byte for byte the reference's
// of `backbone`, and it holds nothing else but data.pkl, data/N and extra/tiltbench.json.
void requireExporterCode(const std::string& path, const std::map<std::string, std::string>& file,
                         Backbone backbone) {
    const auto& reference = referenceRecords(backbone);
    for (const auto& [name, content] : file) {
        if (runRecord(name))
            continue;
        const auto it = reference.find(name);
        if (it == reference.end())
            throw refusedModel(path,
                               fmt::format("it holds the record '{}', which Tiltbench's exporter does not "
                                           "write",
                                           name));
        if (it->second != content)
            throw refusedModel(
                path, fmt::format("its record '{}' differs from what Tiltbench's exporter writes", name));
    }
    for (const auto& [name, content] : reference) {
        if (!runRecord(name) && !file.count(name))
            throw refusedModel(
                path, fmt::format("it lacks the record '{}' that Tiltbench's exporter writes", name));
    }
    if (!file.count("data.pkl"))
        throw refusedModel(path, "it lacks the record 'data.pkl'");
}

// The backbone whose exporter wrote the file's code: HSTU when the code is exactly the HSTU exporter's,
// else it must be exactly the SASRec exporter's (whose refusal names what differs).
Backbone requireExporterCode(const std::string& path, const std::map<std::string, std::string>& file) {
    try {
        requireExporterCode(path, file, Backbone::Hstu);
        return Backbone::Hstu;
    } catch (const Error&) {
    }
    requireExporterCode(path, file, Backbone::Sasrec);
    return Backbone::Sasrec;
}

// The values of a verified export: every tensor inside its storage and of the shape the architecture
// attributes give, the lists and the map of the catalogue's size, so the exporter's code reads nothing out
// of bounds and allocates nothing the file does not hold.
void requireConsistentExport(const torch::jit::Module& m, const std::string& path, Backbone backbone) {
    auto bad = [&path](const std::string& why) {
        return Error(fmt::format("'{}' is not a usable Tiltbench export: {}", path, why));
    };
    auto integer = [&](const char* name) {
        const c10::IValue v = m.attr(name);
        if (!v.isInt())
            throw bad(fmt::format("attribute '{}' is not an integer", name));
        return v.toInt();
    };
    auto tensor = [&](const char* name, at::ScalarType type, std::vector<int64_t> shape) {
        const c10::IValue v = m.attr(name);
        if (!v.isTensor())
            throw bad(fmt::format("'{}' is not a tensor", name));
        const at::Tensor t = v.toTensor();
        requireInsideStorage(t, fmt::format("'{}'", path), name);
        if (t.scalar_type() != type || !t.sizes().equals(shape))
            throw bad(fmt::format("tensor '{}' does not have the shape the model's attributes give", name));
        return t;
    };
    const at::Tensor items =
        m.attr("item_embedding").isTensor() ? m.attr("item_embedding").toTensor() : at::Tensor();
    if (!items.defined() || items.dim() != 2 || items.size(0) < 2 || items.size(1) < 1)
        throw bad("'item_embedding' is not a matrix of at least two rows");
    const int64_t n = integer("num_items"), d = integer("dim"), blocks = integer("blocks"),
                  heads = integer("heads"), maxLen = integer("max_len");
    if (n != items.size(0) - 1 || d != items.size(1))
        throw bad("num_items and dim do not match 'item_embedding'");
    if (heads < 1 || d % heads != 0 || blocks < 1 || maxLen < 1)
        throw bad("heads, blocks or max_len are out of range");
    tensor("item_embedding", at::kFloat, {n + 1, d});
    tensor("position_embedding", at::kFloat, {maxLen, d});
    // Each stacked tensor must hold `blocks` rows; blocks is bounded by the first one's storage.
    const c10::IValue first = m.attr("norm1_weight");
    if (!first.isTensor() || first.toTensor().dim() != 2 || first.toTensor().size(0) != blocks)
        throw bad("'norm1_weight' does not stack 'blocks' layers");
    if (backbone == Backbone::Hstu) {
        for (const char* layer : {"norm1", "norm_attn"}) {
            tensor(fmt::format("{}_weight", layer).c_str(), at::kFloat, {blocks, d});
            tensor(fmt::format("{}_bias", layer).c_str(), at::kFloat, {blocks, d});
        }
        tensor("uvqk_weight", at::kFloat, {blocks, 4 * d, d});
        tensor("uvqk_bias", at::kFloat, {blocks, 4 * d});
        tensor("out_weight", at::kFloat, {blocks, d, d});
        tensor("out_bias", at::kFloat, {blocks, d});
        tensor("pos_bias", at::kFloat, {blocks, maxLen});
        tensor("time_bias", at::kFloat, {blocks, kHstuTimeBuckets});
        if (integer("time_buckets") != kHstuTimeBuckets)
            throw bad("'time_buckets' is not the exporter's");
    } else {
        for (const char* layer : {"norm1", "norm2"}) {
            tensor(fmt::format("{}_weight", layer).c_str(), at::kFloat, {blocks, d});
            tensor(fmt::format("{}_bias", layer).c_str(), at::kFloat, {blocks, d});
        }
        tensor("qkv_weight", at::kFloat, {blocks, 3 * d, d});
        tensor("qkv_bias", at::kFloat, {blocks, 3 * d});
        for (const char* layer : {"out", "ff1", "ff2"}) {
            tensor(fmt::format("{}_weight", layer).c_str(), at::kFloat, {blocks, d, d});
            tensor(fmt::format("{}_bias", layer).c_str(), at::kFloat, {blocks, d});
        }
    }
    tensor("final_norm_weight", at::kFloat, {d});
    tensor("final_norm_bias", at::kFloat, {d});
    const c10::IValue integers = m.attr("integer_ids");
    if (!integers.isBool())
        throw bad("'integer_ids' is not a bool");
    const int64_t idCount = integers.toBool() ? n : 0;
    for (const char* buffer : {"item_id_values", "sorted_item_ids", "sorted_item_index"})
        tensor(buffer, at::kLong, {idCount});
    if (idCount > 0) {
        const at::Tensor index = m.attr("sorted_item_index").toTensor();
        if (index.min().item<int64_t>() < 0 || index.max().item<int64_t>() >= n)
            throw bad("'sorted_item_index' points outside the catalogue");
    }
    const c10::IValue ids = m.attr("item_ids"), titles = m.attr("item_titles"), index = m.attr("item_index");
    if (!ids.isList() || !titles.isList() || !index.isGenericDict() ||
        static_cast<int64_t>(ids.toListRef().size()) != n ||
        static_cast<int64_t>(titles.toListRef().size()) != n ||
        static_cast<int64_t>(index.toGenericDict().size()) != n)
        throw bad("item_ids, item_titles and item_index do not list num_items items");
    for (const auto& entry : index.toGenericDict()) {
        if (!entry.value().isInt() || entry.value().toInt() < 0 || entry.value().toInt() >= n)
            throw bad("'item_index' points outside the catalogue");
    }
}

std::string readModelFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(fmt::format("cannot load '{}' as a TorchScript model: {}", path, std::strerror(errno)));
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad())
        throw Error(fmt::format("cannot load '{}' as a TorchScript model: read error", path));
    return content.str();
}

}  // namespace

std::vector<Recommendation> recommendFromTorchScript(const std::string& modelPath,
                                                     const std::vector<std::string>& history, int k,
                                                     bool trustModel, const std::vector<int64_t>& times) {
    if (k < 1)
        throw Error(fmt::format("k must be >= 1 (got {})", k));
    const std::string bytes = readModelFile(modelPath);
    Backbone backbone = Backbone::Sasrec;
    if (!trustModel) {
        const std::string what = fmt::format("cannot load '{}' as a TorchScript model", modelPath);
        backbone = requireExporterCode(modelPath, readRecords(bytes, what));
    }
    torch::jit::Module m;
    try {
        m = torch::jit::load(std::make_shared<BytesReadAdapter>(bytes), at::Device(at::kCPU));
    } catch (const std::exception& e) {
        const std::string what = e.what();
        throw Error(fmt::format("cannot load '{}' as a TorchScript model: {}", modelPath,
                                what.substr(0, what.find('\n'))));
    }
    if (!trustModel) {
        try {
            requireConsistentExport(m, modelPath, backbone);
        } catch (const c10::Error& e) {
            const std::string what = e.what_without_backtrace();
            throw Error(fmt::format("'{}' is not a usable Tiltbench export: {}", modelPath,
                                    what.substr(0, what.find('\n'))));
        }
    }
    if (!m.find_method("recommend") || !m.hasattr("item_ids") || !m.hasattr("item_titles"))
        throw Error(
            fmt::format("'{}' is a TorchScript model but not one exported by Tiltbench (it has no "
                        "recommend method or item map)",
                        modelPath));
    c10::List<std::string> input;
    for (const auto& h : history)
        input.push_back(h);
    std::vector<c10::IValue> args{c10::IValue(input), c10::IValue(static_cast<int64_t>(k))};
    if (!times.empty()) {
        if (!m.hasattr("time_buckets"))
            throw Error(
                fmt::format("'{}': --times is read by HSTU exports; this one is a SASRec model", modelPath));
        if (times.size() != history.size())
            throw Error(fmt::format("--times lists {} timestamps for a history of {} items", times.size(),
                                    history.size()));
        args.emplace_back(c10::List<int64_t>(times));
    }
    c10::IValue result;
    try {
        result = m.get_method("recommend")(args);
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
