#include "train/closed_form_run.h"
#include "train/final_metrics.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/error.h"
#include "common/limits.h"
#include "data/ground_truth.h"
#include "eval/evaluator.h"
#include "store/run_store.h"
#include "train/run_split.h"
#include "train/stored_config.h"
#include "weighting/target_view.h"

namespace tiltbench {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

std::string ClosedFormRunConfig::toJson() const {
    nlohmann::json j;
    stored::writeRunBase(*this, j);
    j["model"] = formatPolicyKind(model);
    j["markov_smoothing"] = params.markovSmoothing;
    j["itemmean_prior"] = params.itemMeanPrior;
    return j.dump();
}

ClosedFormRunConfig ClosedFormRunConfig::fromJson(const std::string& text) {
    const nlohmann::json j = stored::parseObject(text, "closed-form run config");
    ClosedFormRunConfig c;
    try {
        // Sizes of a stored config are untrusted: strict integers within the documented limits.
        stored::readRunBase(j, c);
        if (j.contains("model"))
            c.model = parsePolicyKind(j.at("model").get<std::string>());
        c.params.markovSmoothing = j.value("markov_smoothing", c.params.markovSmoothing);
        c.params.itemMeanPrior = j.value("itemmean_prior", c.params.itemMeanPrior);
    } catch (const nlohmann::json::exception& e) {
        throw Error(fmt::format("closed-form run config: a field has the wrong type ({})", e.what()));
    } catch (const Error& e) {
        throw Error(fmt::format("closed-form run config: {}", e.what()));
    }
    return c;
}

void fitAndEvaluateClosedForm(const InteractionLog& log, const Split& split,
                              const ClosedFormRunConfig& config, const TrueRewardFunction& trueReward,
                              const ProgressCallback& progress, ClosedFormRunResult& result) {
    reportProgress(progress, {"fitting", 0, 0, ""});
    const auto tFit = Clock::now();
    const PolicyData data =
        PolicyData::build(viewOf(split.training(), split.numItems()), config.model == PolicyKind::Markov);
    const auto scorer = fitClosedFormPolicy(config.model, data, config.scheme, config.params);
    result.fitSeconds = secondsSince(tFit);

    EvalConfig ec;
    ec.ks = config.ks;
    ec.threads = config.threads;
    ec.bootstrap.resamples = config.bootstrapResamples;
    ec.bootstrap.seed = config.seed;
    ec.highThreshold = config.highThreshold;
    ec.trueReward = trueReward;
    const auto tEval = Clock::now();
    const Evaluator evaluator(log, split, ec);
    result.valid = evaluator.evaluate(*scorer, EvalSet::Validation, progress);
    result.test = evaluator.evaluate(*scorer, EvalSet::Test, progress);
    result.evalSeconds = secondsSince(tEval);
}

void ClosedFormRunConfig::validate() const {
    scheme.validate();
    if (highThreshold && !std::isfinite(*highThreshold))
        throw Error(fmt::format("--high-threshold must be a finite number (got {})", *highThreshold));
    validateEvalOptions(ks, bootstrapResamples, threads);
    if (!(params.markovSmoothing >= 0.0) || !std::isfinite(params.markovSmoothing)) {
        throw Error(fmt::format("markov smoothing (--markov-smoothing) must be a number >= 0, got {}",
                                params.markovSmoothing));
    }
    if (!(params.itemMeanPrior >= 0.0) || !std::isfinite(params.itemMeanPrior)) {
        throw Error(fmt::format("itemmean prior strength (--itemmean-prior) must be a number >= 0, got {}",
                                params.itemMeanPrior));
    }
}

ClosedFormRunResult runClosedForm(Workspace& ws, const ClosedFormRunConfig& config,
                                  const ProgressCallback& progress) {
    const auto t0 = Clock::now();
    config.validate();  // before anything is recorded: a bad option never leaves a failed run behind
    const DatasetInfo info = ws.datasetByName(config.dataset);
    RunStore runs(ws);
    ClosedFormRunResult result;
    try {
        const StartedRun started = startRunOnSplit(ws, info, config.split, formatPolicyKind(config.model),
                                                   config.toJson(), progress);
        result.runId = started.runId;
        const InteractionLog& log = started.log;
        const Split& split = started.split;

        TrueRewardFunction trueReward;
        std::optional<GroundTruth> truth;
        if (auto record = ws.loadGroundTruth(info.id)) {
            truth = GroundTruth::fromRecord(*record);
            // The simulator writes users and items in dense order, so its ids are the log's ids.
            trueReward = [&truth](int32_t u, int32_t i) { return truth->expectedReward(u, i); };
        }
        fitAndEvaluateClosedForm(log, split, config, trueReward, progress, result);

        std::vector<MetricRow> rows;
        std::vector<PerUserMetric> perUser;
        appendFinalMetrics(result.valid, "valid", rows, perUser);
        appendFinalMetrics(result.test, "test", rows, perUser);
        appendPopularityProfile(result.test,
                                ItemStatistics::fromTraining(split.training(), split.numItems()).count, rows);
        runs.addMetrics(result.runId, rows, perUser);
        result.totalSeconds = secondsSince(t0);
        const nlohmann::json timings = {{"fit_seconds", result.fitSeconds},
                                        {"eval_seconds", result.evalSeconds},
                                        {"total_seconds", result.totalSeconds}};
        runs.finishRun(result.runId, "done", {}, timings.dump());
    } catch (...) {
        runs.recordStop(result.runId, std::current_exception());
        throw;
    }
    return result;
}

}  // namespace tiltbench
