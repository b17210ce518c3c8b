#include "torch/train/sasrec_trainer.h"
#include "train/final_metrics.h"
#include "train/post_training.h"
#include "train/reward_source.h"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>
#include <torch/cuda.h>
#include <torch/optim/adam.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <random>
#include <thread>

#include "common/error.h"
#include "common/limits.h"
#include "common/word_hash.h"
#include "data/ground_truth.h"
#include "eval/evaluator.h"
#include "store/run_store.h"
#include "store/workspace_impl.h"
#include "torch/model/sasrec_module.h"
#include "torch/model/sasrec_ops.h"
#include "torch/runtime/data_parallel.h"
#include "torch/runtime/runtime.h"
#include "torch/train/negative_sampler.h"
#include "torch/train/online_objectives.h"
#include "torch/train/sasrec_train_state.h"
#include "train/policy_diagnostics.h"
#include "train/sasrec_sequences.h"
#include "train/stored_config.h"
#include "weighting/reward_level_table.h"
#include "weighting/target_view.h"

namespace tiltbench {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Rows of a random batch that go through the model together (see sliceRows).
constexpr int64_t kRowsPerSlice = 32;

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

// One SASRec run, in three steps: prepare (load and split the data, record or reopen the run, build the
// sequences, the model, the optimizer and the validator, restore a resumed run's state), one call of
// trainEpoch per epoch (train, validate, queue the epoch's records, report), and finish (final evaluation
// of the best state, metrics, the run marked done). trainSasrec drives them and records a run that stops on
// the way as cancelled or failed.
class SasrecTraining {
  public:
    SasrecTraining(Workspace& ws, const SasrecRunConfig& config, int64_t resumeRunId,
                   std::optional<SasrecTrainState> resume,
                   const std::function<bool(const TrainProgress&)>& progress, const DataParallelOptions* dp)
        : m_ws(ws),
          m_config(config),
          m_resumeRunId(resumeRunId),
          m_resume(std::move(resume)),
          m_progress(progress),
          m_dpOptions(dp && dp->env.active() ? dp : nullptr),
          m_runs(ws),
          m_pending(ws),
          m_rng(config.seed) {}

    // Before anything can fail halfway: settings, dataset, threads, device and precision.
    void open() {
        m_config.validate();
        m_info = m_ws.datasetByName(m_config.dataset);
        int threads = m_config.threads;
        if (m_dpOptions) {
            m_dpOptions->validate();
            if (!dataParallelAvailable())                 // before a run is recorded
                DataParallel(*m_dpOptions, torch::kCPU);  // throws, saying what the build lacks
            if (m_config.online())
                throw Error(fmt::format(
                    "data-parallel training covers the weighted losses (uniform, exp and linear weighting, "
                    "full or sampled softmax); --objective {} runs in one process: start it without "
                    "torchrun or WORLD_SIZE",
                    m_config.objective));
            // By default the ranks on one machine share its cores.
            if (threads <= 0)
                threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) /
                                          m_dpOptions->env.localWorldSize);
        }
        m_threads = setThreads(threads);
        m_device = resolveDevice(m_config.device);
        // One GPU per rank on a machine, unless the command names one (`--device cuda:0`: ranks share it).
        if (m_dpOptions && m_device.is_cuda() && m_config.device.find(':') == std::string::npos) {
            const int64_t gpus = static_cast<int64_t>(torch::cuda::device_count());
            if (m_dpOptions->env.localRank >= gpus)
                throw Error(fmt::format(
                    "data-parallel training, rank {}: LOCAL_RANK {} asks for cuda:{}, but this machine has "
                    "{} "
                    "CUDA device(s); start at most {} ranks per machine, or put every rank on one GPU with "
                    "--device cuda:N",
                    m_dpOptions->env.rank, m_dpOptions->env.localRank, m_dpOptions->env.localRank, gpus,
                    gpus));
            m_device = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(m_dpOptions->env.localRank));
        }
        m_result.device = m_device.str();
        m_bf16Body = m_config.precision == "bf16-all";
        m_bf16 = m_bf16Body || m_config.precision == "bf16" ||
                 (m_config.precision == "auto" && (!m_device.is_cpu() || cpuHasNativeBf16()));
        m_result.precision = m_bf16Body ? "bf16-all" : m_bf16 ? "bf16" : "fp32";
    }

    void prepare() {
        m_log = m_ws.loadLog(m_info.id);
        m_split = std::make_unique<Split>(Split::make(m_log, m_config.split));
        // Checked before the run exists: the parent (the starting weights and the reference policy) and the
        // reward source.
        std::string parentState;
        try {
            parentState = parentCheckpoint();
        } catch (const Error&) {
            if (!m_resume || m_config.online())
                throw;
            // A resumed weighted run needs its parent only for the KL curve: without it, it has none.
        }
        const RewardSource source = RewardSource::parse(m_config.rewardSource);
        m_targetRewards = sourcedTrainingRewards(m_ws, source, m_info, *m_split);
        m_rewardModel = sourcedRewardModel(m_ws, source, m_info, *m_split);
        recordRun();
        weightSequences();
        if (m_config.loss == "sampled") {
            std::vector<int32_t>
                positions;  // the items the loss predicts (a window's first item is input only)
            positions.reserve(static_cast<size_t>(m_result.trainingPositions));
            for (const auto& seq : m_seqs)
                positions.insert(positions.end(), seq.items.begin() + 1, seq.items.end());
            m_sampler = std::make_unique<NegativeSampler>(m_config.negatives, m_config.numNegatives,
                                                          positions, m_split->numItems(), m_device);
        }
        m_modelConfig = sasrecModelConfig(m_config, m_split->numItems());
        checkSasrecModelSize(m_modelConfig);
        m_modelConfig.bf16 = m_bf16;
        m_modelConfig.bf16Body = m_bf16Body;
        // Post-training's frozen parent serves validation's diagnostics and DPO/PPO, so rank 0 alone builds
        // it (DPO and PPO are not data-parallel); built before the seed, so the random stream is as without
        // it.
        if (!parentState.empty() && writes()) {
            m_reference = std::make_unique<SasrecModel>(m_modelConfig, m_result.device);
            m_reference->loadState(parentState, fmt::format("run {}: checkpoints.blob", m_config.initFrom));
            m_reference->setTraining(false);
        }
        seedTorch(m_config.seed);
        m_rng.seed(m_config.seed);
        m_model = std::make_unique<SasrecModel>(m_modelConfig, m_result.device);
        if (!parentState.empty() && !m_resume)  // post-training: the parent's best weights, not random ones
            m_model->loadState(parentState, fmt::format("run {}: checkpoints.blob", m_config.initFrom));
        m_optimizer = std::make_unique<torch::optim::Adam>(
            m_model->impl().module->parameters(),
            torch::optim::AdamOptions(m_config.lr).weight_decay(m_config.weightDecay));
        if (auto record = m_ws.loadGroundTruth(m_info.id)) {
            m_truth = GroundTruth::fromRecord(*record);
            m_trueReward = [this](int32_t u, int32_t i) { return m_truth->expectedReward(u, i); };
        }
        m_scorer = std::make_unique<SasrecScorer>(*m_model);
        if (writes()) {  // data parallel: validation and the final figures are rank 0's alone
            EvalConfig vc = sasrecEvalConfig(m_config, 0, m_trueReward);
            vc.sampleUsers = m_config.validUsers;  // 0 = every user
            vc.sampleSeed = m_config.seed;
            m_validator = std::make_unique<Evaluator>(m_log, *m_split, vc);
            if (m_reference)
                m_referenceScorer = std::make_unique<SasrecScorer>(*m_reference);
            if (m_reference || m_rewardModel) {
                m_recorder = std::make_unique<ScoreRecorder>(*m_scorer);
                // On the users validation ranks (a --valid-users sample, or all), so the epoch's proxy reward
                // and KL describe the same users as its NDCG, and their cost shrinks with the sample.
                m_diagnostics = std::make_unique<PolicyDiagnostics>(
                    m_log, *m_split, EvalSet::Validation, m_referenceScorer.get(), m_rewardModel.get(), 10,
                    m_validator->selectedTargets(EvalSet::Validation));
            }
        }
        if (m_config.online()) {
            m_online = std::make_unique<OnlineObjective>(
                m_config, m_model->impl().module, m_reference->impl().module, *m_rewardModel,
                m_split->training().item, m_split->numItems(), m_device);
        }
        if (m_resume)
            restoreResumedState();
        if (m_bestState.empty())
            m_bestState = m_model->saveState();
        if (m_dpOptions) {
            joinRanks();
            m_stopTogether = true;
        }
        m_stepsPerEpoch = (static_cast<int64_t>(m_seqs.size()) + m_config.batchSize - 1) / m_config.batchSize;
    }

    int firstEpoch() const { return m_loop.epochsDone + 1; }
    bool stoppedEarly() const { return m_loop.stoppedEarly; }

    void trainEpoch(int epoch) {
        const auto tEpoch = Clock::now();
        TrainProgress p = trainPass(epoch, tEpoch);
        const double epochTrain = secondsSince(tEpoch);
        m_loop.trainSeconds += epochTrain;
        if (m_dp && !writes()) {
            // Validation, records and the stopping decision are rank 0's; the others wait for the decision.
            m_loop.epochsDone = epoch;
            SasrecEpochRecord rec{epoch, p.loss, std::numeric_limits<double>::quiet_NaN(), epochTrain,
                                  secondsSince(tEpoch)};
            m_result.epochs.push_back(rec);
            const auto decision = m_dp->sum({0.0, stopWanted()}, "waiting for rank 0's validation");
            m_loop.stoppedEarly = decision[0] > 0.5;
            stopDecided(decision[1]);
            TrainProgress ep = p;
            ep.stage = "epoch";
            ep.trainSeconds = rec.trainSeconds;
            ep.epochSeconds = secondsSince(tEpoch);
            report(ep);
            return;
        }

        const auto tEval = Clock::now();
        // Rank 0 validates alone while the machine's other ranks wait: it takes their cores meanwhile.
        const bool borrowCores = m_dp && m_config.threads <= 0 && m_dpOptions->env.localWorldSize > 1;
        if (borrowCores)
            setThreads(m_threads * m_dpOptions->env.localWorldSize);
        TrainProgress vp = p;
        vp.stage = "validating";
        // With diagnostics, validation scores through the recorder, and the diagnostics read its scores back.
        if (m_recorder)
            m_recorder->clear();
        const EvalResult valid =
            m_validator->evaluate(m_recorder ? *m_recorder : static_cast<const Scorer&>(*m_scorer),
                                  EvalSet::Validation, [&](const Progress&) {
                                      report(vp);
                                      return true;
                                  });
        const PolicyFigures figures = m_diagnostics ? m_diagnostics->measure(*m_recorder) : PolicyFigures{};
        if (borrowCores)
            setThreads(m_threads);
        m_loop.evalSeconds += secondsSince(tEval);
        SasrecEpochRecord rec{epoch, p.loss, valid.value("ndcg@10"), epochTrain, secondsSince(tEpoch)};
        m_result.epochs.push_back(rec);
        m_loop.epochs.push_back(rec);
        queueEpochRecords(epoch, rec, valid, figures);
        // The epoch's figures go out now, from memory: its records may have to wait for the workspace, and a
        // caller's learning curve should not (the Train page plotted nothing while they waited).
        TrainProgress ep = p;
        ep.stage = "epoch";
        ep.loss = rec.trainLoss;
        ep.validNdcg10 = rec.validNdcg10;
        ep.validHr10 = valid.value("hr@10");
        ep.validProxyReward10 = figures.proxyReward;
        ep.validKlRef = figures.kl;
        ep.validTrueReward10 = valid.value("true_reward@10");
        ep.trainSeconds = rec.trainSeconds;
        ep.epochSeconds = rec.seconds;
        report(ep);
        tryWriteRecords(p);
        if (m_dp)  // rank 0's decision reaches the others, and any rank's wish to stop all of them
            stopDecided(m_dp->sum({m_loop.stoppedEarly ? 1.0 : 0.0, stopWanted()},
                                  "sending the validation's decision")[1]);
    }

    SasrecRunResult finish() {
        m_stopTogether = false;  // rank 0 evaluates alone: a stop now is its own
        if (!writes()) {         // the run's final figures and records are rank 0's
            m_result.totalSeconds = secondsSince(m_t0);
            return m_result;
        }
        if (m_pending.pendingEpochs() > 0)
            tryWriteRecords(
                TrainProgress{"testing", m_result.bestEpoch, m_config.epochs, 0, 0, 0.0, 0.0, 0.0});
        // Final figures come from the state chosen on validation, with intervals.
        m_model->loadState(m_bestState);
        m_model->setTraining(false);
        const EvalConfig fc = sasrecEvalConfig(m_config, m_config.bootstrapResamples, m_trueReward);
        const auto tTest = Clock::now();
        const TrainProgress tp{"testing", m_result.bestEpoch, m_config.epochs, 0, 0, 0.0, 0.0, 0.0};
        const Evaluator finalEval(m_log, *m_split, fc);
        auto evalProgress = [&](const Progress&) {
            report(tp);
            return true;
        };
        m_result.valid = finalEval.evaluate(*m_scorer, EvalSet::Validation, evalProgress);
        m_result.test = finalEval.evaluate(*m_scorer, EvalSet::Test, evalProgress);
        m_loop.evalSeconds += secondsSince(tTest);

        std::vector<MetricRow> rows;
        std::vector<PerUserMetric> perUser;
        appendFinalMetrics(m_result.valid, "valid", rows, perUser);
        appendFinalMetrics(m_result.test, "test", rows, perUser);
        appendPopularityProfile(m_result.test, finalEval.itemStatistics().count, rows);
        if (m_diagnostics) {  // the best state's proxy reward and KL over every user, as final figures
            PolicyDiagnostics testDiagnostics(m_log, *m_split, EvalSet::Test, m_referenceScorer.get(),
                                              m_rewardModel.get());
            std::unique_ptr<PolicyDiagnostics> allValid;
            if (m_config.validUsers > 0)
                allValid = std::make_unique<PolicyDiagnostics>(m_log, *m_split, EvalSet::Validation,
                                                               m_referenceScorer.get(), m_rewardModel.get());
            const double nan = std::numeric_limits<double>::quiet_NaN();
            for (auto [split, f] : {std::pair<const char*, PolicyFigures>{
                                        "valid", (allValid ? *allValid : *m_diagnostics).measure(*m_scorer)},
                                    {"test", testDiagnostics.measure(*m_scorer)}}) {
                if (std::isfinite(f.proxyReward))
                    rows.push_back({-1, split, "proxy_reward@10", f.proxyReward, nan, nan});
                if (std::isfinite(f.kl))
                    rows.push_back({-1, split, "kl_ref", f.kl, nan, nan});
            }
        }
        m_pending.flush(
            m_result.runId);  // the epochs' records land before the run's figures, waiting if need be
        m_runs.addMetrics(m_result.runId, rows, perUser);
        m_result.totalSeconds = secondsSince(m_t0);
        nlohmann::json epochSeconds = nlohmann::json::array();
        for (const auto& e : m_result.epochs)
            epochSeconds.push_back(e.trainSeconds);
        if (m_dp)
            m_timings["world_size"] = m_dp->size();
        m_timings.update(nlohmann::json{
            {"total_seconds", m_result.totalSeconds},
            {"train_seconds", m_loop.trainSeconds},
            {"eval_seconds", m_loop.evalSeconds},
            {"epochs_run", m_result.epochs.size()},
            {"best_epoch", m_result.bestEpoch},
            {"seconds_per_epoch", epochSeconds},
            {"mean_epoch_seconds", m_loop.trainSeconds / static_cast<double>(m_result.epochs.size())},
            {"training_positions", m_result.trainingPositions}});
        m_runs.finishRun(m_result.runId, "done", {}, m_timings.dump());
        dropTrainState(m_ws, m_result.runId);  // a finished run is not resumed; its state is megabytes
        return m_result;
    }

    // The finished epochs stay resumable. A cancel while waiting for the workspace gives up the wait (the
    // lock-wait callback says no): then the epochs still queued are lost, the run is not.
    void recordCancelled() {
        if (!m_result.runId || !writes())
            return;
        m_timings["total_seconds"] = secondsSince(m_t0);
        m_timings["epochs_run"] = m_result.epochs.size();
        try {
            m_pending.flush(m_result.runId);
            m_runs.finishRun(m_result.runId, "cancelled", {}, m_timings.dump());
        } catch (const std::exception&) {
            // The wait was given up too: the run shows as interrupted.
        }
    }

    // What the caller tells the user: the run is kept, and how to continue it.
    Cancelled cancelledWithHint() const {
        if (!m_result.runId)
            return Cancelled();
        const std::string resume = fmt::format("continue it with `tiltbench-cli train -w {} --resume {}`",
                                               m_ws.path(), m_result.runId);
        if (!writes())
            return Cancelled(
                fmt::format("cancelled with the other ranks (this is rank {} of {}): rank 0 "
                            "records run {} as cancelled with every finished epoch; {}",
                            m_dpOptions->env.rank, m_dpOptions->env.worldSize, m_result.runId, resume));
        return Cancelled(
            fmt::format("cancelled: run {} is recorded as cancelled with every finished epoch; {}",
                        m_result.runId, resume));
    }

    void recordFailed(const std::string& error) {
        if (!m_result.runId || !writes())
            return;
        try {
            m_pending.flush(m_result.runId);
        } catch (...) {
        }
        try {
            m_runs.finishRun(m_result.runId, "failed", error);
        } catch (...) {
        }
    }

  private:
    bool writes() const { return !m_dpOptions || m_dpOptions->env.writes(); }

    SequenceBatch rankRows(const SequenceBatch& batch) const {
        std::vector<int64_t> rows;
        for (int64_t r = m_dp->rank(); r < batch.rows; r += m_dp->size())
            rows.push_back(r);
        return takeRows(batch, rows);
    }

    // Data-parallel: every rank joins the process group, checks that all train the same run from the same
    // state, and starts from rank 0's parameters.
    void joinRanks() {
        m_dp = std::make_unique<DataParallel>(*m_dpOptions, m_device);
        WordHash h;
        h.text(m_config.toJson());
        h.text(m_split->hashHex());
        h.text(m_result.precision);
        for (const TrainSequence& seq : m_seqs) {  // items, weights (rewards or a reward model's) and times
            h.word(static_cast<uint64_t>(seq.user));
            for (const int32_t item : seq.items)
                h.word(static_cast<uint64_t>(item));
            for (const float w : seq.weights)
                h.real(w);
            for (const int64_t t : seq.times)
                h.word(static_cast<uint64_t>(t));
        }
        h.word(static_cast<uint64_t>(m_loop.epochsDone));
        h.word(static_cast<uint64_t>(m_loop.stepsDone));
        h.word(static_cast<uint64_t>(m_resumeRunId));
        h.text(m_result.device.substr(0, 4));  // "cpu" or "cuda" (ranks use their own GPU)
        m_dp->requireSame(h.value(), "the run (its settings, data, split or resumed state)");
        m_dp->broadcastFromRankZero(m_model->impl().module->parameters(), "taking rank 0's parameters");
        // Every rank learns the run's id, for the way back after a lost peer.
        m_result.runId = static_cast<int64_t>(std::llround(
            m_dp->sum({writes() ? static_cast<double>(m_result.runId) : 0.0}, "sharing the run id")[0]));
        m_dp->setRecoveryHint(fmt::format(
            "rank 0 has recorded every finished epoch of run {0}: continue it with `tiltbench-cli train -w "
            "{1} "
            "--resume {0}` (in one process or under a launcher again; a run stopped before its first epoch "
            "ended is trained again)",
            m_result.runId, m_ws.path()));
    }

    // A progress callback that says stop cancels the run here — except between the ranks' joining and the
    // end of training, where a stop is only remembered and decided together at the next collective
    // (stopDecided): Ctrl-C reaches every rank of a launcher, but not at the same step, and a rank that left
    // on its own would leave the others failing in their next all-reduce and the run recorded as failed.
    void report(const TrainProgress& p) {
        if (!m_progress || m_progress(p))
            return;
        if (m_stopTogether) {
            m_stopWanted = true;
            return;
        }
        throw Cancelled();
    }

    double stopWanted() const { return m_stopWanted ? 1.0 : 0.0; }

    // After a collective that carried every rank's stopWanted() (summed): every rank stops after the same
    // step.
    void stopDecided(double wanted) const {
        if (wanted > 0.5)
            throw Cancelled();
    }

    // After an epoch: write its records if the workspace is free, else say so and train on.
    void tryWriteRecords(const TrainProgress& p) {
        if (m_pending.tryFlush(m_result.runId))
            return;
        TrainProgress wp = p;
        wp.stage = "waiting_for_workspace";
        wp.pendingEpochs = m_pending.pendingEpochs();
        report(wp);
    }

    // Post-training (--init-from): the parent's best checkpoint, after checking that the parent is a finished
    // SASRec run of the same dataset, split and architecture — a mismatch is an Error before anything is
    // recorded or trained. Empty when the run starts from scratch.
    std::string parentCheckpoint() {
        const int64_t id = m_config.initFrom;
        if (id <= 0)
            return {};
        checkPostTrainingParent(m_ws, m_info, *m_split, m_config);  // train/post_training.h
        std::string state = bestCheckpointBytes(m_ws, id);
        if (state.empty())
            throw Error(fmt::format("--init-from {}: run {} has no checkpoint", id, id));
        return state;
    }

    // A resumed run must see the split it was trained on; a fresh run is recorded with its config.
    void recordRun() {
        if (!writes()) {  // rank 0 records (or reopens) the run
            m_result.runId = m_resumeRunId;
            return;
        }
        if (m_resume) {
            const auto recorded = nlohmann::json::parse(m_runs.run(m_resumeRunId).config, nullptr, false);
            if (!recorded.is_object() || !recorded.contains("split_hash") ||
                !recorded["split_hash"].is_string())
                throw Error(fmt::format("run {}: its stored config records no split hash", m_resumeRunId));
            if (recorded.value("split_hash", std::string()) != m_split->hashHex()) {
                throw Error(fmt::format(
                    "run {} cannot be resumed: dataset '{}' no longer gives the split it was trained on",
                    m_resumeRunId, m_info.name));
            }
            m_runs.resumeRun(m_resumeRunId);
            m_result.runId = m_resumeRunId;
            return;
        }
        nlohmann::json cfg = nlohmann::json::parse(m_config.toJson());
        cfg["split_hash"] = m_split->hashHex();
        cfg["split_description"] = m_split->description();
        cfg["num_items"] = m_split->numItems();
        cfg["device"] = m_result.device;
        cfg["precision"] = m_result.precision;
        cfg["threads"] = m_threads;
        if (m_dpOptions)
            cfg["world_size"] = m_dpOptions->env.worldSize;
        cfg["torch_version"] = TORCH_VERSION;
        cfg["tiltbench_version"] = versionString();
        m_result.runId = m_runs.createRun(m_info.id, m_config.model, cfg.dump(), m_result.device);
    }

    // The training targets with their weights w = f(reward) as sequences of at most maxLen items.
    void weightSequences() {
        const TrainingTargets& targets = m_split->training();
        if (targets.size() == 0)
            throw Error(fmt::format("dataset '{}' has no training targets", m_info.name));
        TargetView view = viewOf(targets, m_split->numItems());
        view.reward = m_targetRewards.data();  // logged, or a reward model's estimates (--reward-source)
        const RewardLevelTable table(view);
        std::vector<float> targetWeight(targets.size());
        table.fillTargetWeights(m_config.scheme, targetWeight.data());
        m_seqs = buildSequences(targets, targetWeight, m_config.maxLen,
                                m_config.model == "hstu" ? &m_log.ts : nullptr);
        if (m_seqs.empty())
            throw Error(fmt::format("dataset '{}': no user has two training interactions to learn from",
                                    m_info.name));
        for (const auto& s : m_seqs)
            m_result.trainingPositions += static_cast<int64_t>(s.items.size()) - 1;
    }

    // Everything the loop consumed before the stop comes back, so the remaining epochs draw the same batches
    // and dropout masks and take the same optimizer steps as an uninterrupted run.
    void restoreResumedState() {
        m_loop = m_resume->loop;
        const std::string where = fmt::format("run {}: run_train_states", m_result.runId);
        m_model->loadState(m_resume->model, where + ".model");
        loadOptimizer(*m_optimizer, *m_model, m_resume->optimizer, where + ".optimizer");
        m_bestState = bestCheckpointBytes(m_ws, m_result.runId);
        if (!m_bestState.empty()) {
            // Checked (and, in the old format, converted) now, not after the remaining epochs; before the
            // generator is restored, as building a model draws from it.
            SasrecModel best(m_modelConfig, "cpu");
            best.loadState(m_bestState, fmt::format("run {}: checkpoints.blob", m_result.runId));
            m_bestState = best.saveState();
        }
        setCpuGeneratorState(m_resume->generator);
        rngFromText(m_rng, m_loop.batchRng);
        m_result.epochs = m_loop.epochs;
        m_result.bestEpoch = m_loop.bestEpoch;
        m_timings["resumed_after_epoch"] = m_loop.epochsDone;
    }

    // One optimizer step on the weighted next-item loss of a batch with n targets. A random batch's forward
    // and backward passes run over length-sorted slices of its rows, each padded to its own longest row. Each
    // slice's mean loss is weighted by its share of the batch's targets, so the summed loss and gradient are
    // the batch's mean loss and its gradient.
    double weightedStep(Sasrec& module, const SequenceBatch& batch, int64_t n) {
        double batchLossValue = 0.0;
        bool stepped = false;
        const std::vector<SequenceBatch> slices =
            m_config.lengthBuckets ? std::vector<SequenceBatch>{batch} : sliceRows(batch, kRowsPerSlice);
        // Sampled softmax: one candidate set for the whole batch, shared by its slices.
        std::optional<SampledCandidates> candidates;
        if (m_sampler)
            candidates = m_sampler->draw(batch.targets);
        for (const SequenceBatch& slice : slices) {
            const int64_t ns = countTargets(slice);
            if (ns == 0)
                continue;
            auto loss = batchLoss(module, slice, m_device, candidates ? &*candidates : nullptr);
            if (ns != n)
                loss = loss * (static_cast<double>(ns) / static_cast<double>(n));
            if (loss.requires_grad()) {
                loss.backward();
                stepped = true;
            }
            batchLossValue += loss.item<double>();
        }
        if (m_dp) {
            // Every rank takes part in every step (a rank whose rows had no target adds zeros): the summed
            // gradients are the batch's.
            m_dp->sumGradients(module->parameters());
            stepped = n > 0;
        }
        if (stepped)
            m_optimizer->step();
        return batchLossValue;
    }

    // One pass over the training sequences in batches; cancel points between batches.
    TrainProgress trainPass(int epoch, Clock::time_point tEpoch) {
        auto& module = m_model->impl().module;
        m_model->setTraining(true);
        if (m_dp) {
            // Each rank draws its own dropout masks and negatives, from a stream fixed by the seed, the epoch
            // and the rank, so a resumed run draws what the uninterrupted one would have.
            WordHash h;
            h.word(m_config.seed);
            h.word(static_cast<uint64_t>(epoch));
            h.word(static_cast<uint64_t>(m_dp->rank()));
            seedTorch(h.value());
        }
        const auto batches = makeBatches(m_seqs, m_config.batchSize, m_config.lengthBuckets, m_rng);
        const auto steps = static_cast<int64_t>(batches.size());
        double lossSum = 0.0;
        int64_t positions = 0;
        TrainProgress p{"training", epoch, m_config.epochs, 0, steps, 0.0, 0.0, 0.0};
        for (int64_t s = 0; s < steps; ++s) {
            p.step = s;
            report(p);  // cancel point between batches
            SequenceBatch batch = makeBatch(m_seqs, batches[static_cast<size_t>(s)], m_config.scheme);
            m_optimizer->zero_grad();
            const int64_t n = countTargets(batch);
            if (m_dp)  // this rank's rows of the batch: r, r + N, r + 2N, … (each rank gets long and short
                       // rows)
                batch = rankRows(batch);
            double batchLossValue = 0.0;
            if (m_online) {  // DPO or PPO: the objective samples, scores and steps itself
                std::vector<const TrainSequence*> rows;
                for (const size_t r : batches[static_cast<size_t>(s)])
                    rows.push_back(&m_seqs[r]);
                batchLossValue = m_online->step(rows, *m_optimizer);
            } else {
                batchLossValue = weightedStep(module, batch, n);
            }
            if (m_dp) {  // each rank's loss is its rows' share of the batch's mean loss: the live figure is
                         // the sum; a stop asked of any rank since the last step stops every rank here
                const auto sums = m_dp->sum({batchLossValue, stopWanted()}, "summing the batch's loss");
                batchLossValue = sums[0];
                stopDecided(sums[1]);
            }
            lossSum += batchLossValue * static_cast<double>(n);
            positions += n;
            ++m_loop.stepsDone;
            const double elapsed = m_loop.trainSeconds + secondsSince(tEpoch);
            p.loss = positions ? lossSum / static_cast<double>(positions) : 0.0;
            p.examplesPerSecond = static_cast<double>(positions) / std::max(1e-9, secondsSince(tEpoch));
            const int64_t remaining =
                (steps - s - 1) + static_cast<int64_t>(m_config.epochs - epoch) * m_stepsPerEpoch;
            p.etaSeconds = elapsed / static_cast<double>(m_loop.stepsDone) * static_cast<double>(remaining);
        }
        p.step = steps;
        report(p);
        return p;
    }

    // The epoch's metric rows and resumable state go into the queue; the best state and early stopping are
    // decided here.
    void queueEpochRecords(int epoch, const SasrecEpochRecord& rec, const EvalResult& valid,
                           const PolicyFigures& figures) {
        std::vector<MetricRow> rows;
        const double nan = std::numeric_limits<double>::quiet_NaN();
        if (std::isfinite(rec.trainLoss))
            rows.push_back({epoch, "train", "loss", rec.trainLoss, nan, nan});
        std::vector<std::string> names{"ndcg@10", "hr@10"};
        if (std::find(names.begin(), names.end(), m_config.select) == names.end())
            names.push_back(m_config.select);  // the selection metric's curve is kept too
        for (const std::string& name : names) {
            const double v = valid.value(name);
            if (std::isfinite(v))
                rows.push_back({epoch, "valid", name, v, nan, nan});
        }
        // Over-optimisation: the reward model's score of the top-10, the KL to the reference and, on the
        // simulator, the true reward of the same top-10 (train/policy_diagnostics.h).
        for (const auto& [name, v] : {std::pair<const char*, double>{"proxy_reward@10", figures.proxyReward},
                                      {"kl_ref", figures.kl},
                                      {"true_reward@10", valid.value("true_reward@10")}}) {
            if (std::isfinite(v))
                rows.push_back({epoch, "valid", name, v, nan, nan});
        }
        rows.push_back({epoch, "train", "seconds", rec.trainSeconds, nan, nan});

        // The checkpoint is chosen, and early stopping decided, on the --select metric.
        const double selected = valid.value(m_config.select);
        const double score = std::isfinite(selected) ? selected : -1.0;
        SasrecTrainState state;
        state.model = m_model->saveState();
        const bool improved = score > m_loop.best;
        if (improved) {
            m_loop.best = score;
            m_loop.bestEpoch = m_result.bestEpoch = epoch;
            m_bestState = state.model;
            m_loop.sinceBest = 0;
        } else if (m_config.patience > 0 && ++m_loop.sinceBest >= m_config.patience) {
            m_loop.stoppedEarly = true;
        }
        m_loop.epochsDone = epoch;
        m_loop.batchRng = rngText(m_rng);
        state.loop = m_loop;
        state.optimizer = saveOptimizer(*m_optimizer, *m_model);
        state.generator = cpuGeneratorState();
        m_pending.add(std::move(rows), std::move(state), improved ? &m_bestState : nullptr);
    }

    Workspace& m_ws;
    const SasrecRunConfig& m_config;
    const int64_t m_resumeRunId;
    std::optional<SasrecTrainState> m_resume;
    const std::function<bool(const TrainProgress&)>& m_progress;
    const DataParallelOptions* m_dpOptions;  // set when this process is one rank of several
    const Clock::time_point m_t0 = Clock::now();
    RunStore m_runs;
    EpochRecordQueue m_pending;
    std::mt19937_64 m_rng;
    nlohmann::json m_timings = nlohmann::json::object();
    SasrecRunResult m_result;
    DatasetInfo m_info;
    int m_threads = 0;
    torch::Device m_device{torch::kCPU};
    bool m_bf16 = false;      // the output layer's products in bfloat16
    bool m_bf16Body = false;  // the body's too

    InteractionLog m_log;
    std::unique_ptr<Split> m_split;
    std::vector<double> m_targetRewards;  // what the weighting reads per training target
    std::vector<TrainSequence> m_seqs;
    SasrecConfig m_modelConfig;
    std::unique_ptr<SasrecModel> m_model;
    std::unique_ptr<torch::optim::Adam> m_optimizer;
    std::optional<GroundTruth> m_truth;
    TrueRewardFunction m_trueReward;
    std::unique_ptr<Evaluator> m_validator;
    std::unique_ptr<SasrecScorer> m_scorer;
    std::unique_ptr<SasrecModel> m_reference;  // post-training: the parent, frozen
    std::unique_ptr<SasrecScorer> m_referenceScorer;
    std::unique_ptr<RewardModel> m_rewardModel;  // --reward-source model:RUN
    std::unique_ptr<ScoreRecorder> m_recorder;   // validation's scores, kept for the diagnostics
    std::unique_ptr<PolicyDiagnostics> m_diagnostics;
    std::unique_ptr<OnlineObjective> m_online;   // --objective dpo | ppo
    std::unique_ptr<NegativeSampler> m_sampler;  // --loss sampled
    SasrecLoopState m_loop;
    std::unique_ptr<DataParallel> m_dp;
    bool m_stopTogether = false;  // data-parallel training under way: stops are decided together
    bool m_stopWanted = false;    // a progress callback said stop since the ranks joined
    std::string m_bestState;
    int64_t m_stepsPerEpoch = 0;
};

// A fresh run (`resume` empty) or the continuation of run `resumeRunId` from its saved state.
SasrecRunResult trainSasrec(Workspace& ws, const SasrecRunConfig& config, int64_t resumeRunId,
                            std::optional<SasrecTrainState> resume,
                            const std::function<bool(const TrainProgress&)>& progress,
                            const DataParallelOptions* dp) {
    SasrecTraining training(ws, config, resumeRunId, std::move(resume), progress, dp);
    training.open();
    try {
        training.prepare();
        for (int epoch = training.firstEpoch(); epoch <= config.epochs && !training.stoppedEarly(); ++epoch)
            training.trainEpoch(epoch);
        return training.finish();
    } catch (const Cancelled&) {
        training.recordCancelled();
        throw training.cancelledWithHint();
    } catch (const std::exception& e) {
        training.recordFailed(e.what());
        if (dynamic_cast<const Error*>(&e))
            throw;
        throw Error(fmt::format("sasrec training failed: {}", e.what()));
    }
}

}  // namespace

SasrecRunResult runSasrec(Workspace& ws, const SasrecRunConfig& config,
                          const std::function<bool(const TrainProgress&)>& progress,
                          const DataParallelOptions* dp) {
    return trainSasrec(ws, config, 0, std::nullopt, progress, dp);
}

SasrecRunResult resumeSasrec(Workspace& ws, int64_t runId,
                             const std::function<bool(const TrainProgress&)>& progress,
                             const DataParallelOptions* dp) {
    RunStore runs(ws);
    const RunRecord run = runs.run(runId);
    if (!isSequentialModel(run.model))
        throw Error(
            fmt::format("run {} is a '{}' run: only sasrec and hstu runs can be resumed", runId, run.model));
    if (run.status == "done")
        throw Error(fmt::format("run {} is done: there is nothing to resume", runId));
    // Rank 0 checks and reopens the run; the others may see it reopened already.
    if (run.status == "running" && (!dp || dp->env.writes())) {
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
    if (config.model != run.model)
        throw Error(fmt::format("run {} is recorded as '{}' but its config describes a '{}' model", runId,
                                run.model, config.model));
    config.dataset = ws.dataset(run.datasetId).name;
    // Continue in the precision the run started with, whatever `auto` would pick on this machine.
    const auto recorded = nlohmann::json::parse(run.config, nullptr, false);  // an object: fromJson read it
    if (recorded.contains("precision")) {
        const auto& p = recorded["precision"];
        if (!p.is_string() || (p != "fp32" && p != "bf16" && p != "bf16-all"))
            throw Error(
                fmt::format("run {}: its stored config has precision {}, expected fp32, bf16 or bf16-all",
                            runId, p.dump()));
        config.precision = p.get<std::string>();
    }
    return trainSasrec(ws, config, runId, std::move(state), progress, dp);
}

SasrecModel loadSasrecCheckpoint(Workspace& ws, int64_t runId, const std::string& device) {
    RunStore runs(ws);
    const RunRecord run = runs.run(runId);
    if (!isSequentialModel(run.model))
        throw Error(
            fmt::format("run {} is a '{}' run, not sasrec or hstu: it has no checkpoint", runId, run.model));
    // The model's shape comes from the stored config: checked (fields, ranges, parameter count) before the
    // model is built.
    const SasrecRunConfig config = SasrecRunConfig::fromJson(run.config);
    if (config.model != run.model)
        throw Error(fmt::format("run {} is recorded as '{}' but its config describes a '{}' model", runId,
                                run.model, config.model));
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
