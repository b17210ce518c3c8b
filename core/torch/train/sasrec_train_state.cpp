#include "torch/train/sasrec_train_state.h"

#include <ATen/CPUGeneratorImpl.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <type_traits>
#include <utility>

#include "common/error.h"
#include "common/tensor_archive.h"
#include "store/workspace_impl.h"
#include "torch/model/sasrec_module.h"
#include "torch/model/torch_archive.h"

namespace tiltbench {
namespace {

std::string blobOf(const SQLite::Column& c) {
    return std::string(static_cast<const char*>(c.getBlob()), static_cast<size_t>(c.getBytes()));
}

nlohmann::json loopJson(const SasrecLoopState& s) {
    nlohmann::json epochs = nlohmann::json::array();
    for (const auto& e : s.epochs) {
        // NaN and ±inf have no JSON form: null, read back as NaN.
        auto number = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
        epochs.push_back(
            {e.epoch, number(e.trainLoss), number(e.validNdcg10), number(e.trainSeconds), number(e.seconds)});
    }
    return {{"epochs_done", s.epochsDone},
            {"stopped_early", s.stoppedEarly},
            {"best", std::isfinite(s.best) ? nlohmann::json(s.best) : nlohmann::json()},
            {"best_epoch", s.bestEpoch},
            {"since_best", s.sinceBest},
            {"train_seconds", s.trainSeconds},
            {"eval_seconds", s.evalSeconds},
            {"steps_done", s.stepsDone},
            {"epochs", epochs},
            {"batch_rng", s.batchRng}};
}

SasrecLoopState loopFromJson(const nlohmann::json& j) {
    auto number = [](const nlohmann::json& v, double fallback) {
        return v.is_number() ? v.get<double>() : fallback;
    };
    const double nan = std::numeric_limits<double>::quiet_NaN();
    SasrecLoopState s;
    s.epochsDone = j.at("epochs_done").get<int>();
    s.stoppedEarly = j.at("stopped_early").get<bool>();
    s.best = number(j.at("best"), -std::numeric_limits<double>::infinity());
    s.bestEpoch = j.at("best_epoch").get<int>();
    s.sinceBest = j.at("since_best").get<int>();
    s.trainSeconds = j.at("train_seconds").get<double>();
    s.evalSeconds = j.at("eval_seconds").get<double>();
    s.stepsDone = j.at("steps_done").get<int64_t>();
    for (const auto& e : j.at("epochs")) {
        s.epochs.push_back({e.at(0).get<int>(), number(e.at(1), nan), number(e.at(2), nan),
                            number(e.at(3), nan), number(e.at(4), nan)});
    }
    s.batchRng = j.at("batch_rng").get<std::string>();
    return s;
}

}  // namespace

namespace {

// The optimizer's state map is keyed by each parameter's TensorImpl: its address as text in LibTorch 1.x, the
// pointer itself in 2.x. The key type is read off the map, so both compile.
using AdamStateKey =
    std::decay_t<decltype(std::declval<torch::optim::Adam&>().state().begin()->first)>;

template <typename Key = AdamStateKey>  // a template, so that the branch not taken is not compiled
Key adamKey(const at::Tensor& p) {
    if constexpr (std::is_same_v<Key, std::string>) {
        std::ostringstream text;  // what c10::guts::to_string wrote in 1.x
        text << p.unsafeGetTensorImpl();
        return text.str();
    } else {
        return p.unsafeGetTensorImpl();
    }
}

at::Tensor cpuFloat(const at::Tensor& t) {
    return t.detach().to(at::kCPU, at::kFloat).contiguous();
}

// The old format's attributes (torch/optim/serialize.h: "param_groups.param_groups/0.params/<j>" names the
// state key of parameter j, "state.<key>.<field>" holds its state) as a tensor archive of the new format.
std::string legacyOptimizerArchive(const SasrecModel& model, const std::string& bytes,
                                   const std::string& what) {
    const auto params = model.impl().module->named_parameters(true);
    std::map<std::string, c10::IValue> attrs;
    for (auto& [name, value] : legacyAttributes(bytes, what))
        attrs.emplace(name, value);
    const std::string group = "param_groups.param_groups/0.params/";
    std::vector<NamedTensor> out;
    size_t listed = 0;
    for (const auto& [name, value] : attrs) {
        if (name.rfind("param_groups.param_groups/", 0) == 0 && name.rfind(group, 0) != 0 &&
            name.find(".params/") != std::string::npos)
            throw Error(
                fmt::format("{}: the old-format optimizer state has more than one parameter group", what));
        if (name.rfind(group, 0) == 0 && name.size() > group.size() &&
            name.find_first_not_of("0123456789", group.size()) == std::string::npos)
            ++listed;  // params/<j>; params/size is the count
    }
    if (listed != params.size())
        throw Error(fmt::format("{}: the old-format optimizer state lists {} parameters, the model has {}",
                                what, listed, params.size()));
    for (size_t j = 0; j < params.size(); ++j) {
        const auto key = attrs.find(group + std::to_string(j));
        if (key == attrs.end() || !key->second.isString())
            throw Error(
                fmt::format("{}: the old-format optimizer state does not name parameter {}", what, j));
        const std::string prefix = "state." + key->second.toStringRef() + ".";
        const std::string& name = params[j].key();
        const auto step = attrs.find(prefix + "step");
        if (step == attrs.end())
            continue;  // no step taken for this parameter yet
        if (!step->second.isInt())
            throw Error(fmt::format("{}: the old-format step of '{}' is not an integer", what, name));
        const int64_t s = step->second.toInt();
        out.push_back(NamedTensor::i64(name + "/step", {}, &s));
        for (const char* field : {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}) {
            const auto t = attrs.find(prefix + field);
            if (t == attrs.end())
                continue;
            if (!t->second.isTensor())
                throw Error(fmt::format("{}: the old-format {} of '{}' is not a tensor", what, field, name));
            const at::Tensor v = cpuFloat(t->second.toTensor());
            out.push_back(NamedTensor::f32(name + "/" + field, v.sizes().vec(), v.data_ptr<float>()));
        }
    }
    return encodeTensorArchive(out);
}

}  // namespace

std::string saveOptimizer(torch::optim::Adam& optimizer, const SasrecModel& model) {
    std::vector<NamedTensor> tensors;
    auto& state = optimizer.state();
    for (const auto& p : model.impl().module->named_parameters(true)) {
        const auto it = state.find(adamKey(p.value()));
        if (it == state.end())
            continue;
        const auto& s = static_cast<const torch::optim::AdamParamState&>(*it->second);
        const int64_t step = s.step();
        tensors.push_back(NamedTensor::i64(p.key() + "/step", {}, &step));
        auto add = [&](const char* field, const at::Tensor& t) {
            if (!t.defined())
                return;
            const at::Tensor c = cpuFloat(t);
            tensors.push_back(NamedTensor::f32(p.key() + "/" + field, c.sizes().vec(), c.data_ptr<float>()));
        };
        add("exp_avg", s.exp_avg());
        add("exp_avg_sq", s.exp_avg_sq());
        add("max_exp_avg_sq", s.max_exp_avg_sq());
    }
    return encodeTensorArchive(tensors, {{"format", "tiltbench-adam-state"}, {"format_version", "1"}});
}

void loadOptimizer(torch::optim::Adam& optimizer, const SasrecModel& model, const std::string& bytes,
                   const std::string& what) {
    const bool legacy = SasrecModel::isLegacyState(bytes);
    const std::string converted = legacy ? legacyOptimizerArchive(model, bytes, what) : std::string();
    const TensorArchive archive = decodeTensorArchive(legacy ? converted : bytes, what);
    const auto params = model.impl().module->named_parameters(true);
    std::map<std::string, const at::Tensor*> byName;
    for (const auto& p : params)
        byName[p.key()] = &p.value();
    auto bad = [&](const std::string& name, const std::string& why) {
        return Error(fmt::format("{}: optimizer tensor '{}' {}", what, name, why));
    };
    // Check every tensor, build the new state, and only then replace the optimizer's.
    std::map<std::string, std::unique_ptr<torch::optim::AdamParamState>> fresh;
    std::map<std::string, std::set<std::string>> fields;
    for (const auto& t : archive.tensors) {
        const auto slash = t.name.rfind('/');
        const std::string param = slash == std::string::npos ? t.name : t.name.substr(0, slash);
        const std::string field = slash == std::string::npos ? std::string() : t.name.substr(slash + 1);
        const auto p = byName.find(param);
        if (p == byName.end())
            throw bad(t.name, "belongs to no parameter of this model");
        if (field != "step" && field != "exp_avg" && field != "exp_avg_sq" && field != "max_exp_avg_sq")
            throw bad(t.name, "is not step, exp_avg, exp_avg_sq or max_exp_avg_sq");
        const at::Tensor& target = *p->second;
        auto& state = fresh[param];
        if (!state)
            state = std::make_unique<torch::optim::AdamParamState>();
        fields[param].insert(field);
        if (field == "step") {
            if (t.dtype != TensorDtype::I64 || !t.shape.empty())
                throw bad(t.name, "is not an I64 scalar");
            int64_t step = 0;
            copyTensorData(t, &step);
            if (step < 0)
                throw bad(t.name, fmt::format("is negative ({})", step));
            state->step(step);
            continue;
        }
        if (t.dtype != TensorDtype::F32 || !at::IntArrayRef(t.shape).equals(target.sizes()))
            throw bad(t.name, "is not F32 of its parameter's shape");
        at::Tensor v = at::empty(target.sizes(), at::TensorOptions().dtype(at::kFloat));
        copyTensorData(t, v.data_ptr());
        v = v.to(target.device());
        if (field == "exp_avg")
            state->exp_avg(v);
        else if (field == "exp_avg_sq")
            state->exp_avg_sq(v);
        else
            state->max_exp_avg_sq(v);
    }
    for (const auto& [param, names] : fields) {
        if (!names.count("step") || !names.count("exp_avg") || !names.count("exp_avg_sq"))
            throw bad(param + "/…", "is incomplete: step, exp_avg and exp_avg_sq go together");
    }
    auto& state = optimizer.state();
    state.clear();
    for (auto& [param, s] : fresh)
        state[adamKey(*byName.at(param))] = std::move(s);
}

std::string cpuGeneratorState() {
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    const at::Tensor state = generator.get_state().contiguous();
    return std::string(static_cast<const char*>(state.data_ptr()), static_cast<size_t>(state.nbytes()));
}

void setCpuGeneratorState(const std::string& bytes) {
    // The stored state comes from a workspace: its size must be this LibTorch's (set_state checks the rest).
    const size_t expected = cpuGeneratorState().size();
    if (bytes.size() != expected) {
        throw Error("sasrec training state: the stored random-generator state has " +
                    std::to_string(bytes.size()) + " bytes; LibTorch's CPU generator state has " +
                    std::to_string(expected));
    }
    at::Tensor state = at::empty({static_cast<int64_t>(bytes.size())}, at::kByte);
    std::memcpy(state.data_ptr(), bytes.data(), bytes.size());
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(state);
}

std::string rngText(const std::mt19937_64& rng) {
    std::ostringstream os;
    os << rng;
    return os.str();
}

void rngFromText(std::mt19937_64& rng, const std::string& text) {
    std::istringstream is(text);
    is >> rng;
    if (!is)
        throw Error("sasrec training state: the batch-order generator does not parse");
}

void saveEpochEnd(Workspace& ws, int64_t runId, const SasrecTrainState& state, const std::string* bestState) {
    auto& db = ws.impl().db;
    SQLite::Transaction tx(db);
    if (bestState) {
        SQLite::Statement del(db, "DELETE FROM checkpoints WHERE run_id = ?");
        del.bind(1, runId);
        del.exec();
        SQLite::Statement ins(db,
                              "INSERT INTO checkpoints(run_id, epoch, created_at, blob) VALUES(?, ?, ?, ?)");
        ins.bind(1, runId);
        ins.bind(2, state.loop.bestEpoch);
        ins.bind(3, utcNowIso());
        ins.bind(4, bestState->data(), static_cast<int>(bestState->size()));
        ins.exec();
    }
    SQLite::Statement q(db,
                        "INSERT OR REPLACE INTO run_train_states(run_id, epoch, created_at, state, model, "
                        "optimizer, generator) VALUES(?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, runId);
    q.bind(2, state.loop.epochsDone);
    q.bind(3, utcNowIso());
    q.bind(4, loopJson(state.loop).dump());
    q.bind(5, state.model.data(), static_cast<int>(state.model.size()));
    q.bind(6, state.optimizer.data(), static_cast<int>(state.optimizer.size()));
    q.bind(7, state.generator.data(), static_cast<int>(state.generator.size()));
    q.exec();
    tx.commit();
}

std::optional<SasrecTrainState> loadTrainState(Workspace& ws, int64_t runId) {
    SQLite::Statement q(ws.impl().db,
                        "SELECT state, model, optimizer, generator FROM run_train_states WHERE run_id = ?");
    q.bind(1, runId);
    if (!q.executeStep())
        return std::nullopt;
    SasrecTrainState s;
    try {
        s.loop = loopFromJson(nlohmann::json::parse(q.getColumn(0).getString()));
    } catch (const nlohmann::json::exception& e) {
        throw Error(fmt::format("run {}: its saved training state does not parse ({})", runId, e.what()));
    }
    s.model = blobOf(q.getColumn(1));
    s.optimizer = blobOf(q.getColumn(2));
    s.generator = blobOf(q.getColumn(3));
    return s;
}

void dropTrainState(Workspace& ws, int64_t runId) {
    SQLite::Statement q(ws.impl().db, "DELETE FROM run_train_states WHERE run_id = ?");
    q.bind(1, runId);
    q.exec();
}

std::string bestCheckpointBytes(Workspace& ws, int64_t runId) {
    SQLite::Statement q(ws.impl().db,
                        "SELECT blob FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC LIMIT 1");
    q.bind(1, runId);
    return q.executeStep() ? blobOf(q.getColumn(0)) : std::string();
}

}  // namespace tiltbench
