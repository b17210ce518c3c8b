#include "train/reward_run.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/error.h"
#include "common/limits.h"
#include "data/ground_truth.h"
#include "store/run_store.h"
#include "train/run_split.h"
#include "train/stored_config.h"

namespace tiltbench {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

constexpr const char* kPrefix = "reward:";

void appendFigures(const RewardEvaluation& e, std::vector<MetricRow>& rows,
                   std::vector<PerUserMetric>& perUser) {
    for (const RewardFigure& f : e.figures)
        if (std::isfinite(f.value))
            rows.push_back({-1, e.split, f.name, f.value, f.lo, f.hi});
    PerUserMetric sq{e.split, "sq_error", e.heldOut.users, {}},
        abs{e.split, "abs_error", e.heldOut.users, {}};
    for (size_t j = 0; j < e.heldOut.users.size(); ++j) {
        const double d = e.heldOut.predicted[j] - e.heldOut.actual[j];
        sq.values.push_back(d * d);
        abs.values.push_back(std::abs(d));
    }
    if (!sq.users.empty()) {
        perUser.push_back(std::move(sq));
        perUser.push_back(std::move(abs));
    }
    if (!e.randomUsers.empty())
        perUser.push_back({e.split, "auc_random", e.randomUsers, e.randomAuc});
    if (!e.trueUsers.empty())
        perUser.push_back({e.split, "auc_true", e.trueUsers, e.trueAuc});
}

}  // namespace

std::string rewardRunModelName(RewardModelKind kind) {
    return kPrefix + formatRewardModelKind(kind);
}

bool isRewardModelRun(const std::string& model) {
    return model.rfind(kPrefix, 0) == 0;
}

void RewardRunConfig::validate() const {
    model.validate();
    if (bootstrapResamples < 0 || bootstrapResamples > limits::kMaxBootstrapResamples)
        throw Error(fmt::format("--bootstrap must be in 0..{} (got {})", limits::kMaxBootstrapResamples,
                                bootstrapResamples));
}

std::string RewardRunConfig::toJson() const {
    nlohmann::json j;
    j["dataset"] = dataset;
    j["split"] = SplitConfig::kindToString(split.kind);
    j["reward_model"] = formatRewardModelKind(model.kind);
    j["prior"] = model.prior;
    j["l2"] = model.l2;
    j["dim"] = model.dim;
    j["iterations"] = model.iterations;
    if (model.kind == RewardModelKind::SasrecHead)
        j["state_run"] = model.stateRun;
    j["bootstrap_resamples"] = bootstrapResamples;
    j["seed"] = seed;
    return j.dump();
}

RewardRunConfig RewardRunConfig::fromJson(const std::string& text) {
    const nlohmann::json j = stored::parseObject(text, "reward run config");
    RewardRunConfig c;
    try {
        c.dataset = j.value("dataset", c.dataset);
        if (j.contains("split"))
            c.split.kind = SplitConfig::kindFromString(j.at("split").get<std::string>());
        if (j.contains("reward_model"))
            c.model.kind = parseRewardModelKind(j.at("reward_model").get<std::string>());
        c.model.prior = j.value("prior", c.model.prior);
        c.model.l2 = j.value("l2", c.model.l2);
        c.model.dim = stored::intField(j, "dim", c.model.dim, 1, 256);
        c.model.iterations = stored::intField(j, "iterations", c.model.iterations, 1, 1000);
        if (j.contains("state_run")) {
            if (!j.at("state_run").is_number_integer())
                throw Error("field 'state_run' is not an integer");
            c.model.stateRun = j.at("state_run").get<int64_t>();
        }
        c.bootstrapResamples = stored::intField(j, "bootstrap_resamples", c.bootstrapResamples, 0,
                                                limits::kMaxBootstrapResamples);
        c.seed = j.value("seed", c.seed);
        c.model.seed = c.seed;
    } catch (const nlohmann::json::exception& e) {
        throw Error(fmt::format("reward run config: a field has the wrong type ({})", e.what()));
    } catch (const Error& e) {
        throw Error(fmt::format("reward run config: {}", e.what()));
    }
    try {
        c.validate();
    } catch (const Error& e) {
        throw Error(fmt::format("reward run config: {}", e.what()));
    }
    return c;
}

RewardRunResult runRewardModel(Workspace& ws, const RewardRunConfig& configIn,
                               const ProgressCallback& progress, const RewardStatesFunction& statesOf) {
    const auto t0 = Clock::now();
    RewardRunConfig config = configIn;
    config.model.seed = config.seed;
    config.validate();  // before anything is recorded
    const bool head = config.model.kind == RewardModelKind::SasrecHead;
    if (head && !statesOf)
        throw Error(
            "reward model sasrec-head reads a SASRec run's hidden states: it needs the LibTorch build "
            "(tiltbench-cli-torch)");
    const DatasetInfo info = ws.datasetByName(config.dataset);
    RunStore runs(ws);
    RewardRunResult result;
    RewardStates states;
    try {
        const auto readStates = [&](const InteractionLog& log, const Split& split) {
            states = statesOf(ws, config.model.stateRun, info, log, split, progress);
        };
        const StartedRun started = startRunOnSplit(
            ws, info, config.split, rewardRunModelName(config.model.kind), config.toJson(), progress,
            head ? std::function<void(const InteractionLog&, const Split&)>(readStates) : nullptr);
        result.runId = started.runId;
        const InteractionLog& log = started.log;
        const Split& split = started.split;

        const TrainingTargets& t = split.training();
        const RewardObservations obs{split.numUsers(), split.numItems(), t.user, t.item, t.reward};
        const auto tFit = Clock::now();
        const auto model = fitRewardModel(obs, config.model, progress, head ? &states : nullptr);
        result.fitSeconds = secondsSince(tFit);
        result.objective = model->objective();
        if (const std::string bytes = model->serialize(); !bytes.empty())
            runs.saveModelBlob(result.runId, bytes);  // for --reward-source model:RUN (train/reward_source.h)

        std::optional<GroundTruth> truth;
        ExpectedRewardFunction trueReward;
        if (auto record = ws.loadGroundTruth(info.id)) {
            truth = GroundTruth::fromRecord(*record);
            trueReward = [&truth](int32_t u, int32_t i) { return truth->expectedReward(u, i); };
        }
        const RewardEvalOptions eo{config.bootstrapResamples, config.seed};
        result.valid = evaluateRewardModel(*model, log, split, EvalSet::Validation, eo, trueReward, progress);
        result.test = evaluateRewardModel(*model, log, split, EvalSet::Test, eo, trueReward, progress);

        std::vector<MetricRow> rows;
        std::vector<PerUserMetric> perUser;
        appendFigures(result.valid, rows, perUser);
        appendFigures(result.test, rows, perUser);
        runs.addMetrics(result.runId, rows, perUser);
        result.totalSeconds = secondsSince(t0);
        nlohmann::json timings = {{"fit_seconds", result.fitSeconds}, {"total_seconds", result.totalSeconds}};
        if (std::isfinite(result.objective))
            timings["objective"] = result.objective;
        runs.finishRun(result.runId, "done", {}, timings.dump());
    } catch (...) {
        runs.recordStop(result.runId, std::current_exception());
        throw;
    }
    return result;
}

}  // namespace tiltbench
