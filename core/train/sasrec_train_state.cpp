#include "train/sasrec_train_state.h"

#include <ATen/CPUGeneratorImpl.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <cmath>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/error.h"
#include "store/workspace_impl.h"

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

std::string saveOptimizer(torch::optim::Adam& optimizer) {
    torch::serialize::OutputArchive archive;
    optimizer.save(archive);
    std::ostringstream os;
    archive.save_to(os);
    return os.str();
}

void loadOptimizer(torch::optim::Adam& optimizer, const std::string& bytes) {
    torch::serialize::InputArchive archive;
    std::istringstream is(bytes);
    archive.load_from(is);
    optimizer.load(archive);
}

std::string cpuGeneratorState() {
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    const at::Tensor state = generator.get_state().contiguous();
    return std::string(static_cast<const char*>(state.data_ptr()), static_cast<size_t>(state.nbytes()));
}

void setCpuGeneratorState(const std::string& bytes) {
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
