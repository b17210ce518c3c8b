#include "torch/train/sasrec_trainer.h"
#include "train/final_metrics.h"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>
#include <torch/optim/adam.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <random>

#include "common/error.h"
#include "common/limits.h"
#include "data/ground_truth.h"
#include "eval/evaluator.h"
#include "store/run_store.h"
#include "store/workspace_impl.h"
#include "torch/model/sasrec_module.h"
#include "torch/model/sasrec_ops.h"
#include "torch/runtime/runtime.h"
#include "torch/train/sasrec_train_state.h"
#include "train/stored_config.h"
#include "weighting/reward_level_table.h"
#include "weighting/target_view.h"

namespace tiltbench {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

constexpr int kBatchesPerPool = 32;
// Rows of a random batch that go through the model together (see sliceRows).
constexpr int64_t kRowsPerSlice = 32;

// One user's training sequence: items oldest first, and the weight of each item
// as a target (entry 0 is never a target).
struct TrainSequence {
    std::vector<int32_t> items;
    std::vector<float> weights;
};

std::vector<TrainSequence> buildSequences(const TrainingTargets& t, const std::vector<float>& targetWeight,
                                          int maxLen) {
    std::vector<TrainSequence> out;
    const auto window = static_cast<size_t>(maxLen);
    size_t i = 0;
    while (i < t.size()) {
        size_t j = i;
        while (j < t.size() && t.user[j] == t.user[i])
            ++j;
        // Windows of at most maxLen + 1 items (maxLen inputs, each predicting the next), newest first; each
        // older window ends where the next one's first target starts, so every training interaction but the
        // user's first is a target exactly once, however long the history.
        for (size_t end = j; end >= i + 2;) {
            const size_t begin = (end - i > window + 1) ? end - window - 1 : i;
            TrainSequence s;
            s.items.assign(t.item.begin() + static_cast<std::ptrdiff_t>(begin),
                           t.item.begin() + static_cast<std::ptrdiff_t>(end));
            s.weights.assign(targetWeight.begin() + static_cast<std::ptrdiff_t>(begin),
                             targetWeight.begin() + static_cast<std::ptrdiff_t>(end));
            out.push_back(std::move(s));
            if (begin == i)
                break;
            end = begin + 1;  // this window's first item is the older window's last target
        }
        i = j;
    }
    return out;
}

// Batches of sequence indices. Random (the default): shuffle and cut, so every
// batch mixes users of every history length and the batches change every
// epoch; the rows of each batch are then sorted by length for sliceRows.
// Length-bucketed: shuffle, sort each pool of kBatchesPerPool batches by
// length, cut, shuffle the batches — nearly padding-free, but when the
// sequences fit in one pool (ML-100K: about 1000 sequences) each batch holds
// one band of lengths and the batches are nearly the same every epoch.
std::vector<std::vector<size_t>> makeBatches(const std::vector<TrainSequence>& seqs, int batchSize,
                                             bool lengthBuckets, std::mt19937_64& rng) {
    std::vector<size_t> order(seqs.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::shuffle(order.begin(), order.end(), rng);
    // A pool of one batch only sorts the rows inside each batch: the same batch, in slice-friendly order.
    const size_t b = static_cast<size_t>(batchSize), pool = lengthBuckets ? b * kBatchesPerPool : b;
    std::vector<std::vector<size_t>> batches;
    for (size_t p = 0; p < order.size(); p += pool) {
        const auto first = order.begin() + static_cast<std::ptrdiff_t>(p);
        const auto last = order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), p + pool));
        std::stable_sort(first, last,
                         [&](size_t x, size_t y) { return seqs[x].items.size() > seqs[y].items.size(); });
        for (auto it = first; it < last;
             it += static_cast<std::ptrdiff_t>(std::min<size_t>(b, static_cast<size_t>(last - it))))
            batches.emplace_back(
                it, it + static_cast<std::ptrdiff_t>(std::min<size_t>(b, static_cast<size_t>(last - it))));
    }
    std::shuffle(batches.begin(), batches.end(), rng);
    return batches;
}

SequenceBatch makeBatch(const std::vector<TrainSequence>& seqs, const std::vector<size_t>& rows,
                        const WeightScheme& scheme) {
    SequenceBatch batch;
    batch.rows = static_cast<int64_t>(rows.size());
    for (size_t r : rows)
        batch.length = std::max<int64_t>(batch.length, static_cast<int64_t>(seqs[r].items.size()) - 1);
    const auto cells = static_cast<size_t>(batch.rows * batch.length);
    batch.inputs.assign(cells, 0);
    batch.targets.assign(cells, -1);
    batch.weights.assign(cells, 0.0f);
    std::vector<float*> real;  // the weights of steps with a target, for `batch` normalisation
    for (size_t k = 0; k < rows.size(); ++k) {
        const TrainSequence& s = seqs[rows[k]];
        const size_t base = k * static_cast<size_t>(batch.length);
        for (size_t t = 0; t + 1 < s.items.size(); ++t) {
            batch.inputs[base + t] = s.items[t] + 1;
            batch.targets[base + t] = s.items[t + 1];
            batch.weights[base + t] = s.weights[t + 1];
        }
    }
    if (scheme.normalization == WeightNormalization::Batch) {
        std::vector<float> w;
        std::vector<size_t> at;
        for (size_t i = 0; i < cells; ++i) {
            if (batch.targets[i] >= 0) {
                w.push_back(batch.weights[i]);
                at.push_back(i);
            }
        }
        scheme.normalizeBatch(w.data(), w.size());
        for (size_t k = 0; k < at.size(); ++k)
            batch.weights[at[k]] = w[k];
    }
    return batch;
}

}  // namespace

namespace {

// The records of finished epochs that are not in the workspace yet. The end of an epoch tries to write them
// without waiting; while another connection (a long import, the sqlite3 shell) holds the workspace's write
// lock they stay here and training goes on, so no epoch is lost to a busy workspace. They are written in
// order — each epoch's metric rows, then the newest resumable state with the newest best checkpoint — and
// each write leaves the queue once committed, so the workspace always holds a prefix that `--resume` can
// continue from. Only the newest state is kept: a state replaces the one before it anyway.
class EpochRecordQueue {
  public:
    explicit EpochRecordQueue(Workspace& ws) : m_ws(ws) {}

    void add(std::vector<MetricRow> rows, SasrecTrainState state, const std::string* bestState) {
        m_metrics.push_back(std::move(rows));
        m_state = std::move(state);
        if (bestState)
            m_best = *bestState;
    }
    int pendingEpochs() const { return std::max(static_cast<int>(m_metrics.size()), m_state ? 1 : 0); }
    // Writes everything, waiting for the lock as long as the workspace's lock-wait callback lets it.
    void flush(int64_t runId) {
        RunStore runs(m_ws);
        while (!m_metrics.empty()) {
            runs.addMetrics(runId, m_metrics.front());
            m_metrics.pop_front();
        }
        if (m_state) {
            saveEpochEnd(m_ws, runId, *m_state, m_best ? &*m_best : nullptr);
            m_state.reset();
            m_best.reset();
        }
    }
    // false when the write lock is busy (what is left stays queued).
    bool tryFlush(int64_t runId) {
        return m_ws.tryWrite([&] { flush(runId); });
    }

  private:
    Workspace& m_ws;
    std::deque<std::vector<MetricRow>> m_metrics;
    std::optional<SasrecTrainState> m_state;
    std::optional<std::string> m_best;
};

// A fresh run (`resume` empty) or the continuation of run `resumeRunId` from its saved state.
SasrecRunResult trainSasrec(Workspace& ws, const SasrecRunConfig& config, int64_t resumeRunId,
                            std::optional<SasrecTrainState> resume,
                            const std::function<bool(const TrainProgress&)>& progress) {
    const auto t0 = Clock::now();
    config.validate();
    const DatasetInfo info = ws.datasetByName(config.dataset);
    const int threads = setThreads(config.threads);
    const torch::Device device = resolveDevice(config.device);
    RunStore runs(ws);
    SasrecRunResult result;
    result.device = device.str();
    const bool bf16 = config.precision == "bf16" ||
                      (config.precision == "auto" && (!device.is_cpu() || cpuHasNativeBf16()));
    result.precision = bf16 ? "bf16" : "fp32";
    nlohmann::json timings = nlohmann::json::object();
    auto report = [&](const TrainProgress& p) {
        if (progress && !progress(p))
            throw Cancelled();
    };
    EpochRecordQueue pending(ws);
    // After an epoch: write its records if the workspace is free, else say so and train on.
    auto tryWriteRecords = [&](const TrainProgress& p) {
        if (pending.tryFlush(result.runId))
            return;
        TrainProgress wp = p;
        wp.stage = "waiting_for_workspace";
        wp.pendingEpochs = pending.pendingEpochs();
        report(wp);
    };
    try {
        const InteractionLog log = ws.loadLog(info.id);
        const Split split = Split::make(log, config.split);
        if (resume) {
            const auto recorded = nlohmann::json::parse(runs.run(resumeRunId).config, nullptr, false);
            if (!recorded.is_object() || !recorded.contains("split_hash") ||
                !recorded["split_hash"].is_string())
                throw Error(fmt::format("run {}: its stored config records no split hash", resumeRunId));
            if (recorded.value("split_hash", std::string()) != split.hashHex()) {
                throw Error(fmt::format(
                    "run {} cannot be resumed: dataset '{}' no longer gives the split it was trained on",
                    resumeRunId, info.name));
            }
            runs.resumeRun(resumeRunId);
            result.runId = resumeRunId;
        } else {
            nlohmann::json cfg = nlohmann::json::parse(config.toJson());
            cfg["split_hash"] = split.hashHex();
            cfg["split_description"] = split.description();
            cfg["num_items"] = split.numItems();
            cfg["device"] = result.device;
            cfg["precision"] = bf16 ? "bf16" : "fp32";
            cfg["threads"] = threads;
            cfg["torch_version"] = TORCH_VERSION;
            cfg["tiltbench_version"] = versionString();
            result.runId = runs.createRun(info.id, "sasrec", cfg.dump(), result.device);
        }

        const TrainingTargets& targets = split.training();
        if (targets.size() == 0)
            throw Error(fmt::format("dataset '{}' has no training targets", info.name));
        const RewardLevelTable table(viewOf(targets, split.numItems()));
        std::vector<float> targetWeight(targets.size());
        table.fillTargetWeights(config.scheme, targetWeight.data());
        const std::vector<TrainSequence> seqs = buildSequences(targets, targetWeight, config.maxLen);
        if (seqs.empty())
            throw Error(
                fmt::format("dataset '{}': no user has two training interactions to learn from", info.name));
        for (const auto& s : seqs)
            result.trainingPositions += static_cast<int64_t>(s.items.size()) - 1;

        seedTorch(config.seed);
        std::mt19937_64 rng(config.seed);
        SasrecConfig mc = sasrecModelConfig(config, split.numItems());
        checkSasrecModelSize(mc);
        mc.bf16 = bf16;
        SasrecModel model(mc, result.device);
        auto& module = model.impl().module;
        torch::optim::Adam optimizer(module->parameters(),
                                     torch::optim::AdamOptions(config.lr).weight_decay(config.weightDecay));

        TrueRewardFunction trueReward;
        std::optional<GroundTruth> truth;
        if (auto record = ws.loadGroundTruth(info.id)) {
            truth = GroundTruth::fromRecord(*record);
            trueReward = [&truth](int32_t u, int32_t i) { return truth->expectedReward(u, i); };
        }
        const EvalConfig ec = sasrecEvalConfig(config, 0, trueReward);
        const Evaluator validator(log, split, ec);
        const SasrecScorer scorer(model);

        SasrecLoopState loop;
        std::string bestState;
        if (resume) {
            // Everything the loop consumed before the stop comes back, so the remaining epochs draw the same
            // batches and dropout masks and take the same optimizer steps as an uninterrupted run.
            loop = resume->loop;
            const std::string where = fmt::format("run {}: run_train_states", result.runId);
            model.loadState(resume->model, where + ".model");
            loadOptimizer(optimizer, model, resume->optimizer, where + ".optimizer");
            bestState = bestCheckpointBytes(ws, result.runId);
            if (!bestState.empty()) {
                // Checked (and, in the old format, converted) now, not after the remaining epochs; before
                // the generator is restored, as building a model draws from it.
                SasrecModel best(mc, "cpu");
                best.loadState(bestState, fmt::format("run {}: checkpoints.blob", result.runId));
                bestState = best.saveState();
            }
            setCpuGeneratorState(resume->generator);
            rngFromText(rng, loop.batchRng);
            result.epochs = loop.epochs;
            result.bestEpoch = loop.bestEpoch;
            timings["resumed_after_epoch"] = loop.epochsDone;
        }
        if (bestState.empty())
            bestState = model.saveState();
        double& trainSeconds = loop.trainSeconds;
        double& evalSeconds = loop.evalSeconds;
        int64_t& stepsDone = loop.stepsDone;
        const int64_t stepsPerEpoch =
            (static_cast<int64_t>(seqs.size()) + config.batchSize - 1) / config.batchSize;  // at most
        for (int epoch = loop.epochsDone + 1; epoch <= config.epochs && !loop.stoppedEarly; ++epoch) {
            const auto tEpoch = Clock::now();
            model.setTraining(true);
            const auto batches = makeBatches(seqs, config.batchSize, config.lengthBuckets, rng);
            const auto steps = static_cast<int64_t>(batches.size());
            double lossSum = 0.0;
            int64_t positions = 0;
            TrainProgress p{"training", epoch, config.epochs, 0, steps, 0.0, 0.0, 0.0};
            for (int64_t s = 0; s < steps; ++s) {
                p.step = s;
                report(p);  // cancel point between batches
                const SequenceBatch batch = makeBatch(seqs, batches[static_cast<size_t>(s)], config.scheme);
                optimizer.zero_grad();
                const int64_t n = countTargets(batch);
                // One optimizer step per batch; a random batch's forward and backward passes run over
                // length-sorted slices of its rows, each padded to its own longest row. Each slice's mean
                // loss is weighted by its share of the batch's targets, so the summed loss and gradient are
                // the batch's mean loss and its gradient.
                double batchLossValue = 0.0;
                bool stepped = false;
                const std::vector<SequenceBatch> slices = config.lengthBuckets
                                                              ? std::vector<SequenceBatch>{batch}
                                                              : sliceRows(batch, kRowsPerSlice);
                for (const SequenceBatch& slice : slices) {
                    const int64_t ns = countTargets(slice);
                    if (ns == 0)
                        continue;
                    auto loss = batchLoss(module, slice, device);
                    if (ns != n)
                        loss = loss * (static_cast<double>(ns) / static_cast<double>(n));
                    if (loss.requires_grad()) {
                        loss.backward();
                        stepped = true;
                    }
                    batchLossValue += loss.item<double>();
                }
                if (stepped)
                    optimizer.step();
                lossSum += batchLossValue * static_cast<double>(n);
                positions += n;
                ++stepsDone;
                const double elapsed = trainSeconds + secondsSince(tEpoch);
                p.loss = positions ? lossSum / static_cast<double>(positions) : 0.0;
                p.examplesPerSecond = static_cast<double>(positions) / std::max(1e-9, secondsSince(tEpoch));
                const int64_t remaining =
                    (steps - s - 1) + static_cast<int64_t>(config.epochs - epoch) * stepsPerEpoch;
                p.etaSeconds = elapsed / static_cast<double>(stepsDone) * static_cast<double>(remaining);
            }
            p.step = steps;
            report(p);
            const double epochTrain = secondsSince(tEpoch);
            trainSeconds += epochTrain;

            const auto tEval = Clock::now();
            TrainProgress vp = p;
            vp.stage = "validating";
            const EvalResult valid = validator.evaluate(scorer, EvalSet::Validation, [&](const Progress&) {
                report(vp);
                return true;
            });
            evalSeconds += secondsSince(tEval);
            SasrecEpochRecord rec{epoch, p.loss, valid.value("ndcg@10"), epochTrain, secondsSince(tEpoch)};
            result.epochs.push_back(rec);
            loop.epochs.push_back(rec);

            std::vector<MetricRow> rows;
            const double nan = std::numeric_limits<double>::quiet_NaN();
            if (std::isfinite(rec.trainLoss))
                rows.push_back({epoch, "train", "loss", rec.trainLoss, nan, nan});
            for (const char* name : {"ndcg@10", "hr@10"}) {
                const double v = valid.value(name);
                if (std::isfinite(v))
                    rows.push_back({epoch, "valid", name, v, nan, nan});
            }
            rows.push_back({epoch, "train", "seconds", epochTrain, nan, nan});

            const double score = std::isfinite(rec.validNdcg10) ? rec.validNdcg10 : -1.0;
            SasrecTrainState state;
            state.model = model.saveState();
            const bool improved = score > loop.best;
            if (improved) {
                loop.best = score;
                loop.bestEpoch = result.bestEpoch = epoch;
                bestState = state.model;
                loop.sinceBest = 0;
            } else if (config.patience > 0 && ++loop.sinceBest >= config.patience) {
                loop.stoppedEarly = true;
            }
            loop.epochsDone = epoch;
            loop.batchRng = rngText(rng);
            state.loop = loop;
            state.optimizer = saveOptimizer(optimizer, model);
            state.generator = cpuGeneratorState();
            pending.add(std::move(rows), std::move(state), improved ? &bestState : nullptr);
            // The epoch's figures go out now, from memory: its records may have to wait for the workspace,
            // and a caller's learning curve should not (the Train page plotted nothing while they waited).
            TrainProgress ep = p;
            ep.stage = "epoch";
            ep.loss = rec.trainLoss;
            ep.validNdcg10 = rec.validNdcg10;
            ep.validHr10 = valid.value("hr@10");
            ep.trainSeconds = rec.trainSeconds;
            ep.epochSeconds = rec.seconds;
            report(ep);
            tryWriteRecords(p);
        }
        if (pending.pendingEpochs() > 0)
            tryWriteRecords(TrainProgress{"testing", result.bestEpoch, config.epochs, 0, 0, 0.0, 0.0, 0.0});

        // Final figures come from the state chosen on validation, with intervals.
        model.loadState(bestState);
        model.setTraining(false);
        const EvalConfig fc = sasrecEvalConfig(config, config.bootstrapResamples, trueReward);
        const auto tTest = Clock::now();
        TrainProgress tp{"testing", result.bestEpoch, config.epochs, 0, 0, 0.0, 0.0, 0.0};
        const Evaluator finalEval(log, split, fc);
        auto evalProgress = [&](const Progress&) {
            report(tp);
            return true;
        };
        result.valid = finalEval.evaluate(scorer, EvalSet::Validation, evalProgress);
        result.test = finalEval.evaluate(scorer, EvalSet::Test, evalProgress);
        evalSeconds += secondsSince(tTest);

        std::vector<MetricRow> rows;
        std::vector<PerUserMetric> perUser;
        appendFinalMetrics(result.valid, "valid", rows, perUser);
        appendFinalMetrics(result.test, "test", rows, perUser);
        pending.flush(result.runId);  // the epochs' records land before the run's figures, waiting if need be
        runs.addMetrics(result.runId, rows, perUser);
        result.totalSeconds = secondsSince(t0);
        nlohmann::json epochSeconds = nlohmann::json::array();
        for (const auto& e : result.epochs)
            epochSeconds.push_back(e.trainSeconds);
        timings.update(
            nlohmann::json{{"total_seconds", result.totalSeconds},
                           {"train_seconds", trainSeconds},
                           {"eval_seconds", evalSeconds},
                           {"epochs_run", result.epochs.size()},
                           {"best_epoch", result.bestEpoch},
                           {"seconds_per_epoch", epochSeconds},
                           {"mean_epoch_seconds", trainSeconds / static_cast<double>(result.epochs.size())},
                           {"training_positions", result.trainingPositions}});
        runs.finishRun(result.runId, "done", {}, timings.dump());
        dropTrainState(ws, result.runId);  // a finished run is not resumed; its state is megabytes
    } catch (const Cancelled&) {
        if (result.runId) {
            timings["total_seconds"] = secondsSince(t0);
            timings["epochs_run"] = result.epochs.size();
            // The finished epochs stay resumable. A cancel while waiting for the workspace gives up the wait
            // (the lock-wait callback says no): then the epochs still queued are lost, the run is not.
            try {
                pending.flush(result.runId);
                runs.finishRun(result.runId, "cancelled", {}, timings.dump());
            } catch (const std::exception&) {
                // The wait was given up too: the run shows as interrupted.
            }
        }
        throw;
    } catch (const std::exception& e) {
        if (result.runId) {
            try {
                pending.flush(result.runId);
            } catch (...) {
            }
            try {
                runs.finishRun(result.runId, "failed", e.what());
            } catch (...) {
            }
        }
        if (dynamic_cast<const Error*>(&e))
            throw;
        throw Error(fmt::format("sasrec training failed: {}", e.what()));
    }
    return result;
}

}  // namespace

SasrecRunResult runSasrec(Workspace& ws, const SasrecRunConfig& config,
                          const std::function<bool(const TrainProgress&)>& progress) {
    return trainSasrec(ws, config, 0, std::nullopt, progress);
}

SasrecRunResult resumeSasrec(Workspace& ws, int64_t runId,
                             const std::function<bool(const TrainProgress&)>& progress) {
    RunStore runs(ws);
    const RunRecord run = runs.run(runId);
    if (run.model != "sasrec")
        throw Error(fmt::format("run {} is a '{}' run: only sasrec runs can be resumed", runId, run.model));
    if (run.status == "done")
        throw Error(fmt::format("run {} is done: there is nothing to resume", runId));
    if (run.status == "running") {
        throw Error(fmt::format("run {} is still running (process {} on {}): stop it before resuming", runId,
                                run.writerPid,
                                run.writerHost.empty() ? "an unknown machine" : run.writerHost));
    }
    std::optional<SasrecTrainState> state = loadTrainState(ws, runId);
    if (!state) {
        throw Error(
            fmt::format("run {} ({}) has no saved training state: it stopped before its first epoch "
                        "ended; train it again",
                        runId, run.status));
    }
    SasrecRunConfig config = SasrecRunConfig::fromJson(run.config);
    config.dataset = ws.dataset(run.datasetId).name;
    // Continue in the precision the run started with, whatever `auto` would pick on this machine.
    const auto recorded = nlohmann::json::parse(run.config, nullptr, false);  // an object: fromJson read it
    if (recorded.contains("precision")) {
        const auto& p = recorded["precision"];
        if (!p.is_string() || (p != "fp32" && p != "bf16"))
            throw Error(fmt::format("run {}: its stored config has precision {}, expected fp32 or bf16",
                                    runId, p.dump()));
        config.precision = p.get<std::string>();
    }
    return trainSasrec(ws, config, runId, std::move(state), progress);
}

SasrecModel loadSasrecCheckpoint(Workspace& ws, int64_t runId, const std::string& device) {
    RunStore runs(ws);
    const RunRecord run = runs.run(runId);
    if (run.model != "sasrec")
        throw Error(fmt::format("run {} is a '{}' run, not sasrec: it has no checkpoint", runId, run.model));
    // The model's shape comes from the stored config: checked (fields, ranges, parameter count) before the
    // model is built.
    const SasrecRunConfig config = SasrecRunConfig::fromJson(run.config);
    const auto cfg = nlohmann::json::parse(run.config, nullptr, false);  // an object: fromJson read it
    SasrecConfig mc = sasrecModelConfig(config, 0);
    try {
        mc.numItems = static_cast<int32_t>(
            stored::integer(cfg.contains("num_items") ? cfg["num_items"] : nlohmann::json(), "num_items", 1,
                            limits::kMaxIds));
        checkSasrecModelSize(mc);
    } catch (const Error& e) {
        throw Error(fmt::format("run {}: sasrec run config: {}", runId, e.what()));
    }
    SQLite::Statement q(ws.impl().db,
                        "SELECT blob FROM checkpoints WHERE run_id "
                        "= ? ORDER BY epoch DESC LIMIT 1");
    q.bind(1, runId);
    if (!q.executeStep())
        throw Error(fmt::format("run {} has no checkpoint (it stopped before its first epoch ended)", runId));
    const auto col = q.getColumn(0);
    const std::string blob(static_cast<const char*>(col.getBlob()), static_cast<size_t>(col.getBytes()));
    SasrecModel model(mc, device);
    model.loadState(blob, fmt::format("run {}: checkpoints.blob", runId));
    model.setTraining(false);
    return model;
}

int sasrecCheckpointEpoch(Workspace& ws, int64_t runId) {
    SQLite::Statement q(ws.impl().db, "SELECT max(epoch) FROM checkpoints WHERE run_id = ?");
    q.bind(1, runId);
    q.executeStep();
    return q.getColumn(0).isNull() ? 0 : q.getColumn(0).getInt();
}

}  // namespace tiltbench
