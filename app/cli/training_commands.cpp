// The CLI's training commands — train, sweep, eval — and the options and output they share.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <climits>
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include <unistd.h>

#include <map>
#include <set>

#include "cli_commands.h"
#include "common/error.h"
#include "eval/metrics.h"
#include "json_output.h"
#include "model/sasrec_config.h"
#include "progress_stream.h"
#include "sasrec_reporters.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "sweep_output.h"
#include "terminal_progress.h"
#include "torch/train/run_evaluation.h"
#include "torch/train/sasrec_trainer.h"
#include "torch/train/sweep.h"
#include "torch_forward.h"
#include "train/closed_form_run.h"
#include "train/sweep_summary.h"

namespace tiltbench::cli {

using json = nlohmann::json;

// Everything a training run takes apart from its weighting: `train` and `sweep` share one list, so the two
// commands accept the same options with the same meaning.
void Commands::addTrainingOptions(CLI::App* sub, bool sweep) {
    // Not required here: `train --resume` takes both from the run (runTrain checks them otherwise).
    sub->add_option("-d,--dataset", m_dataset, "Dataset name (required)");
    sub->add_option("-m,--model", m_model,
                    "Model: popularity, markov, itemmean (closed-form tilted policies), sasrec (causal "
                    "self-attention recommender, reward-weighted SFT) or hstu (the same training on HSTU "
                    "blocks: pointwise attention with relative position and time-gap bias) (required)");
    sub->add_option("--split", m_split, "Split: loo (leave-one-out) or time")
        ->check(CLI::IsMember({"loo", "leave-one-out", "time"}))
        ->capture_default_str();
    sub->add_option("--k", m_ks, "Cut-offs K")->delimiter(',')->capture_default_str();
    sub->add_option("--bootstrap", m_bootstrap, "Bootstrap resamples for 95% intervals (0 = none)")
        ->capture_default_str();
    sub->add_option("--seed", m_seed, "Seed (bootstrap, default 1; sasrec: everything, default 42)");
    sub->add_option("--high-threshold", m_highThreshold,
                    "Targets with a reward >= this count as high reward (ndcg_high@K, hr_high@K, --select); "
                    "default: the dataset's top reward level");
    sub->add_option("--threads", m_threads,
                    "Threads (0 = all cores; under torchrun, the cores shared among the machine's ranks)")
        ->capture_default_str();
    if (!sweep)
        sub->add_option("--dist-timeout", m_distTimeout,
                        "Data-parallel training (started by torchrun): seconds a rank waits for the others "
                        "before it gives up with an error; must cover rank 0's validation of an epoch")
            ->capture_default_str();
    sub->add_option("--markov-smoothing", m_policyParams.markovSmoothing,
                    "markov: pseudo-targets toward the tilted popularity policy")
        ->capture_default_str();
    sub->add_option("--itemmean-prior", m_policyParams.itemMeanPrior,
                    "itemmean: pseudo-targets at the global mean reward")
        ->capture_default_str();
    // SASRec's settings, bound from the one table that also writes requests and run records.
    for (const SasrecSetting& setting : sasrecSettings()) {
        if (sweep && setting.field == SasrecSetting::Field(&SasrecRunConfig::initFrom))
            continue;  // the sweep's --init-from also takes "sft" (bound in cli_commands.cpp)
        std::visit(
            [&](auto field) {
                auto& value = m_sasrec.*field;
                using T = std::decay_t<decltype(value)>;
                if constexpr (std::is_same_v<T, bool>) {
                    sub->add_flag(setting.option, value, setting.help);
                } else {
                    CLI::Option* option = sub->add_option(setting.option, value, setting.help);
                    option->capture_default_str();
                    if (!setting.choices.empty())
                        option->check(CLI::IsMember(setting.choices));
                }
            },
            setting.field);
    }
}

ClosedFormRunConfig Commands::closedFormConfig() const {
    if (m_sasrec.rewardSource != "logged")  // not silently ignored: the tilt would not be the one asked for
        throw Error(
            fmt::format("--reward-source {}: only -m sasrec reads a reward model's estimates; the "
                        "closed-form policies weight the logged rewards",
                        m_sasrec.rewardSource));
    if (m_sasrec.objective != "weighted")
        throw Error(
            fmt::format("--objective {}: DPO and PPO post-train the SASRec model (-m sasrec); the "
                        "closed-form policies are fitted by weighting",
                        m_sasrec.objective));
    ClosedFormRunConfig config;
    config.dataset = m_dataset;
    config.model = parsePolicyKind(m_model);
    config.scheme = schemeFromOptions();
    config.params = m_policyParams;
    config.split.kind = SplitConfig::kindFromString(m_split);
    config.ks = m_ks;
    config.bootstrapResamples = m_bootstrap;
    config.highThreshold = m_highThreshold;
    config.seed = m_seed.value_or(1);
    config.threads = m_threads;
    return config;
}

SasrecRunConfig Commands::sasrecConfig() const {
    SasrecRunConfig config = m_sasrec;  // the settings of sasrecSettings()
    config.model = isSequentialModel(m_model) ? m_model : std::string("sasrec");
    config.dataset = m_dataset;
    config.scheme = schemeFromOptions();
    config.split.kind = SplitConfig::kindFromString(m_split);
    config.seed = m_seed.value_or(SasrecRunConfig().seed);
    config.threads = m_threads;
    config.ks = m_ks;
    config.bootstrapResamples = m_bootstrap;
    config.highThreshold = m_highThreshold;
    return config;
}

namespace {

json metricsJson(const EvalResult& r) {
    json values = json::object();
    for (const auto& m : r.metrics) {
        if (std::isfinite(m.value))
            values[m.name] = m.value;
    }
    return values;
}

json intervalsJson(const EvalResult& r) {
    json out = json::object();
    for (const auto& m : r.metrics) {
        if (std::isfinite(m.lo) && std::isfinite(m.hi))
            out[m.name] = {m.lo, m.hi};
    }
    return out;
}

std::string fmtMetric(const EvalResult& r, const std::string& name) {
    const MetricValue* m = r.find(name);
    if (!m || !std::isfinite(m->value))
        return "-";
    if (std::isfinite(m->lo) && std::isfinite(m->hi))
        return fmt::format("{:.4f} [{:.4f}, {:.4f}]", m->value, m->lo, m->hi);
    return fmt::format("{:.4f}", m->value);
}

// The figures of one run as `train`, `eval` and `sweep --json` print them.
void addFigures(json& j, const EvalResult& valid, const EvalResult& test) {
    j["metrics"] = {{"valid", metricsJson(valid)}, {"test", metricsJson(test)}};
    j["intervals"] = {{"valid", intervalsJson(valid)}, {"test", intervalsJson(test)}};
    j["protocol"] = {{"valid", valid.protocol.toString()}, {"test", test.protocol.toString()}};
}

void printFigures(const EvalResult& valid, const EvalResult& test) {
    std::cout << "Protocol: " << test.protocol.toString() << "\n";
    std::cout << fmt::format("{:<22} {:<32} {:<32}\n", "metric", "valid [95% CI]", "test [95% CI]");
    for (const auto& m : test.metrics) {
        std::cout << fmt::format("{:<22} {:<32} {:<32}\n", m.name, fmtMetric(valid, m.name),
                                 fmtMetric(test, m.name));
    }
}

}  // namespace

int Commands::runTrain() {
    if (m_resume || isSequentialModel(m_model))
        return runSasrecTrain();
    if (DistributedEnv::fromEnvironment().active())
        throw Error(
            fmt::format("train -m {}: data-parallel training (WORLD_SIZE > 1) is for -m sasrec and -m "
                        "hstu; a closed-form policy fits in one process: start it without torchrun",
                        m_model));
    if (m_dataset.empty() || m_model.empty())
        throw Error("train: --dataset and --model are required (or --resume RUN to continue a stopped run)");
    const ClosedFormRunConfig config = closedFormConfig();
    config.validate();  // before anything is opened or recorded
    ProgressStream stream(m_progressJsonl, outputGuard());
    Workspace ws(m_workspace, OpenMode::OpenExisting);
    ws.setLockWaitCallback(stream.lockWaitCallback());
    TerminalProgress progress;
    const ProgressCallback callback = stream.progressCallback(progress.callback());
    ClosedFormRunResult r;
    try {
        r = runClosedForm(ws, config, callback);
    } catch (const Cancelled&) {
        stream.emit(engine::FinishedEvent{engine::FinishedEvent::Status::Cancelled});
        throw;
    } catch (const std::exception& e) {
        engine::FinishedEvent failed;
        failed.error = e.what();
        stream.emit(failed);
        throw;
    }
    progress.finish();
    stream.emit(engine::RunEvent{r.runId, false});
    engine::FinishedEvent done{engine::FinishedEvent::Status::Done, r.runId};
    done.seconds = r.totalSeconds;
    stream.emit(done);
    if (m_json) {
        json j = {{"run_id", r.runId},
                  {"dataset", m_dataset},
                  {"model", formatPolicyKind(config.model)},
                  {"weighting", json::parse(config.scheme.toJson())}};
        addFigures(j, r.valid, r.test);
        j["fit_seconds"] = r.fitSeconds;
        j["eval_seconds"] = r.evalSeconds;
        j["seconds"] = r.totalSeconds;
        std::cout << jsonText(j) << "\n";
        return 0;
    }
    std::cout << fmt::format("Run {}: {} on '{}', {} — fit {:.1f} ms, evaluation {:.1f} ms\n", r.runId,
                             formatPolicyKind(config.model), m_dataset, config.scheme.describe(),
                             1e3 * r.fitSeconds, 1e3 * r.evalSeconds);
    printFigures(r.valid, r.test);
    return 0;
}

int Commands::runSasrecTrain() {
#ifdef TILTBENCH_CLI_LIGHT
    return forwardToTorchCli();
#else
    if (!m_resume && m_dataset.empty())
        throw Error("train: --dataset is required");
    if (!m_resume)
        sasrecConfig().validate();  // before anything is opened or recorded
    const DataParallelOptions dp{DistributedEnv::fromEnvironment(), m_distTimeout};
    dp.validate();
    if (dp.env.active() && !dp.env.writes())
        return runSasrecTrainRank(dp);
    ProgressStream stream(m_progressJsonl, outputGuard());
    Workspace ws(m_workspace, OpenMode::OpenExisting);
    ws.setLockWaitCallback(stream.lockWaitCallback());
    TerminalProgress terminal;
    SasrecProgress progress(terminal);
    SasrecStreamReporter reporter(stream, ws, m_resume);
    const auto show = progress.callback();
    const std::function<bool(const TrainProgress&)> callback = [&](const TrainProgress& p) {
        reporter.onProgress(p);
        return show(p) && !stream.broken();
    };
    SasrecRunConfig config;
    SasrecRunResult r;
    try {
        if (m_resume) {
            r = resumeSasrec(ws, *m_resume, callback, &dp);
            config = SasrecRunConfig::fromJson(RunStore(ws).run(r.runId).config);
        } else {
            config = sasrecConfig();
            r = runSasrec(ws, config, callback, &dp);
        }
    } catch (const Cancelled&) {
        terminal.finish();
        reporter.finish(engine::FinishedEvent::Status::Cancelled);
        throw;
    } catch (const std::exception& e) {
        terminal.finish();
        reporter.finish(engine::FinishedEvent::Status::Failed, e.what());
        throw;
    }
    terminal.finish();
    reporter.finish(engine::FinishedEvent::Status::Done);
    if (m_json) {
        json epochs = json::array();
        for (const auto& e : r.epochs)
            epochs.push_back({{"epoch", e.epoch},
                              {"train_loss", e.trainLoss},
                              {"valid_ndcg@10", std::isfinite(e.validNdcg10) ? json(e.validNdcg10) : json()},
                              {"train_seconds", e.trainSeconds},
                              {"seconds", e.seconds}});
        json j = {{"run_id", r.runId},
                  {"dataset", config.dataset},
                  {"model", config.model},
                  {"resumed", m_resume.has_value()},
                  {"device", r.device},
                  {"precision", r.precision},
                  {"config", json::parse(config.toJson())},
                  {"weighting", json::parse(config.scheme.toJson())},
                  {"epochs", epochs},
                  {"best_epoch", r.bestEpoch},
                  {"training_positions", r.trainingPositions}};
        addFigures(j, r.valid, r.test);
        j["seconds"] = r.totalSeconds;
        std::cout << jsonText(j) << "\n";
        return 0;
    }
    std::cout << fmt::format(
        "Run {}{}: {} on '{}', {} — device {}, {} training positions, best epoch {} of {}, "
        "{:.1f} s\n",
        r.runId, m_resume ? " (resumed)" : "", config.model, config.dataset, config.methodDescription(),
        r.device, r.trainingPositions, r.bestEpoch, r.epochs.size(), r.totalSeconds);
    std::cout << fmt::format("{:>5} {:>10} {:>12} {:>10}\n", "epoch", "train loss", "valid ndcg@10",
                             "seconds");
    for (const auto& e : r.epochs)
        std::cout << fmt::format("{:>5} {:>10.4f} {:>12.4f} {:>10.2f}\n", e.epoch, e.trainLoss, e.validNdcg10,
                                 e.trainSeconds);
    printFigures(r.valid, r.test);
    return 0;
#endif
}

#ifndef TILTBENCH_CLI_LIGHT
// A rank other than 0 of a data-parallel run: it reads the workspace, trains its share of every batch and
// writes nothing (no run, no progress file); it prints one line (or JSON object) when training ends.
int Commands::runSasrecTrainRank(const DataParallelOptions& dp) {
    Workspace ws(m_workspace, OpenMode::ReadOnlyStrict);
    // No progress display (rank 0 shows it), but Ctrl-C, SIGTERM and SIGHUP are caught as in rank 0: the
    // trainer carries the wish to stop to every rank at the next collective, and they stop after the same
    // step.
    TerminalProgress signals(1);
    const std::function<bool(const TrainProgress&)> quiet = [](const TrainProgress&) {
        return TerminalProgress::interrupts() == 0;
    };
    SasrecRunResult r;
    SasrecRunConfig config;
    if (m_resume) {
        r = resumeSasrec(ws, *m_resume, quiet, &dp);
        config = SasrecRunConfig::fromJson(RunStore(ws).run(*m_resume).config);
    } else {
        config = sasrecConfig();
        r = runSasrec(ws, config, quiet, &dp);
    }
    if (m_json) {
        std::cout << jsonText(json{{"rank", dp.env.rank},
                                   {"world_size", dp.env.worldSize},
                                   {"model", config.model},
                                   {"device", r.device},
                                   {"epochs_trained", r.epochs.size()},
                                   {"seconds", r.totalSeconds}})
                  << "\n";
        return 0;
    }
    std::cout << fmt::format(
        "Rank {} of {}: trained {} epochs of {} on '{}' ({}, {:.1f} s); rank 0 records the run\n",
        dp.env.rank, dp.env.worldSize, r.epochs.size(), config.model, config.dataset, r.device,
        r.totalSeconds);
    return 0;
}
#endif

int Commands::runEval() {
#ifdef TILTBENCH_CLI_LIGHT
    return forwardToTorchCli();
#else
    checkThreadsOption(m_threads);
    Workspace ws(m_workspace, OpenMode::ReadOnly);  // eval records nothing
    TerminalProgress progress;
    const RunEvaluation e = reevaluateRun(ws, m_runId, m_evalDevice, m_threads, progress.callback());
    progress.finish();
    const WeightScheme scheme = WeightScheme::fromJson(e.weightingJson);
    if (m_json) {
        json j = {{"run_id", e.run.id},
                  {"dataset", e.dataset},
                  {"model", e.run.model},
                  {"status", e.run.status},
                  {"weighting", json::parse(e.weightingJson)}};
        if (e.checkpointEpoch > 0)
            j["checkpoint_epoch"] = e.checkpointEpoch;
        addFigures(j, e.valid, e.test);
        if (m_topCounts) {
            // Sparse: most catalogues are long tails that a top-10 list never reaches.
            const int k = std::min(10, e.test.kMax);
            const auto counts =
                metrics::recommendationCounts(e.test.topItems, e.test.kMax, k, e.test.protocol.numItems);
            json items = json::array(), values = json::array();
            for (size_t i = 0; i < counts.size(); ++i) {
                if (counts[i] > 0) {
                    items.push_back(i);
                    values.push_back(counts[i]);
                }
            }
            j["top_counts"] = {{"split", "test"},
                               {"k", k},
                               {"users", e.test.users.size()},
                               {"num_items", e.test.protocol.numItems},
                               {"items", items},
                               {"counts", values}};
        }
        j["seconds"] = e.seconds;
        std::cout << jsonText(j) << "\n";
        return 0;
    }
    std::cout << fmt::format(
        "Run {} ({}): {} on '{}', {}{} — evaluated again in {:.2f} s\n", e.run.id, e.run.status, e.run.model,
        e.dataset, scheme.describe(),
        e.checkpointEpoch > 0 ? fmt::format(", checkpoint of epoch {}", e.checkpointEpoch) : std::string(),
        e.seconds);
    printFigures(e.valid, e.test);
    return 0;
#endif
}

int Commands::runSweep() {
#ifdef TILTBENCH_CLI_LIGHT
    return forwardToTorchCli();
#else
    if (DistributedEnv::fromEnvironment().active())
        throw Error(
            "sweep: data-parallel launch (WORLD_SIZE > 1) is for `train`; spread a sweep over machines with "
            "`sweep --shard I/N` and `merge` instead (docs/DISTRIBUTED.md)");
    SweepConfig config;
    config.model = m_model;
    std::vector<double> lambdas;
    for (const auto& l : splitCommaList(m_lambdas))
        lambdas.push_back(parseLambda(l));
    std::vector<WeightKind> kinds;
    for (const auto& k : splitCommaList(m_schemes))
        kinds.push_back(parseWeightKind(k));
    std::vector<double> linearEpsilons;
    for (const auto& e : splitCommaList(m_linearEpsilons)) {
        try {
            size_t used = 0;
            linearEpsilons.push_back(std::stod(e, &used));
            if (used != e.size())
                throw std::invalid_argument(e);
        } catch (const std::exception&) {
            throw Error(fmt::format("--linear-epsilons: '{}' is not a number (give e.g. 0.01,1)", e));
        }
    }
    config.schemes = SweepConfig::grid(schemeFromOptions(), lambdas, kinds, linearEpsilons);
    const bool sasrec = isSequentialModel(m_model);
    if (sasrec) {
        config.sasrec = sasrecConfig();
    } else {
        config.closedForm = closedFormConfig();
    }
    config.seeds = parseSeedList(m_seeds);
    if (!m_shard.empty()) {
        const auto [index, count] = parseShard(m_shard);
        config.shardIndex = index;
        config.shardCount = count;
    }
    if (m_sweepInitFrom == "sft") {
        config.sftParents = true;
        config.sftEpochs = m_sftEpochs;
        config.sftLr = m_sftLr;
        config.sftPatience = m_sftPatience;
        config.sftSelect = m_sftSelect;
    } else if (!m_sweepInitFrom.empty()) {
        config.sasrec.initFrom = parseRunIdOption("--init-from", m_sweepInitFrom, "a run id or sft");
        if (!sasrec && config.sasrec.initFrom > 0)
            throw Error("sweep: --init-from (post-training) needs -m sasrec");
    }

    Workspace ws(m_workspace, OpenMode::OpenExisting);
    // The first Ctrl-C lets the run under way finish (it is recorded) and stops there; a second cancels it.
    TerminalProgress terminal(2);
    SasrecProgress sasrecProgress(terminal);
    bool announced = false;
    auto announceStop = [&] {
        if (TerminalProgress::interrupts() >= 1 && !announced) {
            announced = true;
            terminal.finish();
            std::cerr << (TerminalProgress::terminated()
                              ? "tiltbench-cli: terminated by a signal: cancelling the current run\n"
                              : "tiltbench-cli: stopping after the current run (Ctrl-C again cancels it)\n");
        }
    };
    const ProgressCallback show = terminal.callback();
    SweepCallbacks callbacks;
    callbacks.keepGoing = [] { return TerminalProgress::interrupts() == 0; };
    callbacks.runStarting = [&](size_t index, size_t total, const WeightScheme& scheme) {
        sasrecProgress.restart();
        terminal.finish();
        SasrecRunConfig method = config.sasrec;
        method.scheme = scheme;
        std::cerr << fmt::format("run {}/{}: {} {}\n", index + 1, total, m_model,
                                 sasrec ? method.methodDescription() : scheme.describe());
    };
    callbacks.parentStarting = [&](uint64_t seed, bool reused, int64_t runId) {
        sasrecProgress.restart();
        terminal.finish();
        std::cerr << (reused ? fmt::format("seed {}: SFT parent = finished run {} (reused)\n", seed, runId)
                             : fmt::format("seed {}: training the SFT parent (uniform weights)\n", seed));
    };
    callbacks.progress = [&](const Progress& p) {
        announceStop();
        return show(p);
    };
    const auto train = sasrecProgress.callback();
    callbacks.trainProgress = [&](const TrainProgress& p) {
        announceStop();
        return train(p);
    };
    if (config.shardCount > 1) {
        const size_t total = config.schemes.size() * std::max<size_t>(1, config.seeds.size());
        const auto [first, last] = SweepConfig::shardRange(total, config.shardIndex, config.shardCount);
        std::cerr << (first == last
                          ? fmt::format("shard {}/{}: no runs (the sweep has {})\n", config.shardIndex + 1,
                                        config.shardCount, total)
                          : fmt::format("shard {}/{}: runs {}-{} of the sweep's {}\n", config.shardIndex + 1,
                                        config.shardCount, first + 1, last, total));
    }
    const SweepResult result = tiltbench::runSweep(ws, config, callbacks);
    terminal.finish();
    const bool anyTruth = std::any_of(result.runs.begin(), result.runs.end(),
                                      [](const SweepRun& r) { return r.test.find("true_reward@10"); });
    // Per configuration over seeds, against the SFT baseline of the same seed (test targets).
    std::vector<SeededRunFigures> figures;
    for (const auto& r : result.runs) {
        // A learned reward or another objective names its configuration (the summary's baseline is the
        // method's own uniform / λ = ∞ run on logged rewards).
        std::string label;
        if (sasrec && (config.sasrec.online() || config.sasrec.rewardSource != "logged")) {
            SasrecRunConfig c = config.sasrec;
            c.scheme = r.scheme;
            label = c.methodDescription() + " r^ " + c.rewardSource;
        }
        figures.push_back({r.runId, r.seed, r.scheme, &r.test, label});
    }
    BootstrapConfig pairedBootstrap;
    pairedBootstrap.resamples = m_bootstrap;
    pairedBootstrap.seed = m_seed.value_or(1);
    const SweepSummary summary = summariseSweep(figures, kSummaryMetrics, pairedBootstrap);
    if (m_json) {
        json runs = json::array();
        for (const auto& r : result.runs) {
            json j = {
                {"run_id", r.runId},
                {"seed", r.seed},
                {"parent_run_id", r.parentRunId},
                {"scheme", formatWeightKind(r.scheme.kind)},
                {"lambda", r.scheme.kind == WeightKind::Exp ? json(formatLambda(r.scheme.lambda)) : json()},
                {"weighting", json::parse(r.scheme.toJson())}};
            addFigures(j, r.valid, r.test);
            if (sasrec) {
                j["best_epoch"] = r.bestEpoch;
                j["mean_epoch_seconds"] = r.meanEpochSeconds;
            }
            j["seconds"] = r.seconds;
            runs.push_back(std::move(j));
        }
        json parents = json::array();
        for (const auto& p : result.parents) {
            parents.push_back({{"seed", p.seed},
                               {"run_id", p.runId},
                               {"reused", p.reused},
                               {"best_epoch", p.bestEpoch},
                               {"seconds", p.seconds}});
        }
        json out = {{"dataset", m_dataset},
                    {"model", m_model},
                    {"planned", result.planned},
                    {"shard",
                     {{"index", config.shardIndex + 1},
                      {"count", config.shardCount},
                      {"first_run", result.firstRun + 1},
                      {"sweep_runs", result.sweepRuns}}},
                    {"stopped", result.stopped},
                    {"parents", parents},
                    {"runs", runs},
                    {"summary", summaryJson(summary, m_bootstrap, m_seed.value_or(1))}};
        std::cout << jsonText(out) << "\n";
    } else {
        for (const auto& p : result.parents) {
            std::cout << fmt::format(
                "seed {}: SFT parent run {}{}\n", p.seed, p.runId,
                p.reused ? " (reused)" : fmt::format(" (best epoch {}, {:.0f} s)", p.bestEpoch, p.seconds));
        }
        std::string header = fmt::format("{:>5} {:>5} {:>7} {:<8} {:>9} {:>13} {:>15}", "run", "seed",
                                         "lambda", "scheme", "ndcg@10", "ndcg_high@10", "item_mean_rwd@10");
        if (anyTruth)
            header += fmt::format(" {:>15}", "true_reward@10");
        header += fmt::format(" {:>9} {:>12}", "arp@10", "coverage@10");
        if (sasrec)
            header += fmt::format(" {:>9}", "epoch s");
        std::cout << header << "\n";
        auto cell = [](const EvalResult& r, const char* name, int width, int precision) {
            const double v = r.value(name);
            return std::isfinite(v) ? fmt::format("{:>{}.{}f}", v, width, precision)
                                    : fmt::format("{:>{}}", "-", width);
        };
        for (const auto& r : result.runs) {
            std::string line = fmt::format(
                "{:>5} {:>5} {:>7} {:<8}", r.runId, r.seed,
                r.scheme.kind == WeightKind::Exp ? formatLambda(r.scheme.lambda) : std::string("-"),
                formatWeightKind(r.scheme.kind));
            line += " " + cell(r.test, "ndcg@10", 9, 4);
            line += " " + cell(r.test, "ndcg_high@10", 13, 4);
            line += " " + cell(r.test, "item_mean_reward@10", 16, 4);
            if (anyTruth)
                line += " " + cell(r.test, "true_reward@10", 15, 4);
            line += " " + cell(r.test, "arp@10", 9, 1);
            line += " " + cell(r.test, "coverage@10", 12, 4);
            if (sasrec)
                line += fmt::format(" {:>9.2f}", r.meanEpochSeconds);
            std::cout << line << "\n";
        }
        std::cout << "Test figures; protocol: "
                  << (result.runs.empty() ? std::string("-") : result.runs.front().test.protocol.toString())
                  << "\n";
        printSummary(summary, m_bootstrap);
    }
    if (result.stopped) {
        std::cerr << fmt::format(
            "tiltbench-cli: sweep stopped by the user after {} of {} runs{}; the finished runs are "
            "recorded\n",
            result.runs.size(), result.planned,
            result.cancelledCurrent ? " (the run under way was cancelled)" : "");
        return 130;
    }
    return 0;
#endif
}

}  // namespace tiltbench::cli
