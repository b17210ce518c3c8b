#pragma once
// A SASRec run's settings, progress and result: torch-free, so that the CLI's options, the GUI's Train form
// and the torch-free core read, check and write them without LibTorch. Training itself is
// torch/train/sasrec_trainer.h.
#include <cstdint>
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "eval/eval_result.h"
#include "eval/evaluator.h"
#include "eval/split.h"
#include "model/sasrec_config.h"
#include "train/run_config.h"
#include "weighting/weight_scheme.h"

namespace tiltbench {

// The validation metrics a run may select its checkpoint on (--select).
inline const std::vector<std::string> kSelectMetrics{"ndcg@10", "hr@10", "ndcg_high@10", "hr_high@10"};
// What a run optimises (--objective): the reward-weighted next-item cross-entropy over the logged targets
// (the method), or one of the RLHF baselines that sample items from the policy and score them with a reward
// model — online DPO and PPO (torch/train/online_objectives.h).
inline const std::vector<std::string> kObjectives{"weighted", "dpo", "ppo"};

// The output layer's loss (--loss): the softmax over the whole catalogue, or sampled softmax with the logQ
// correction over a set of candidates per batch (torch/model/sasrec_ops.h), drawn by --negatives
// (torch/train/negative_sampler.h). Both are weighted by the scheme's w exactly alike; evaluation always
// ranks the whole catalogue.
inline const std::vector<std::string> kLosses{"full", "sampled"};
inline const std::vector<std::string> kNegativeSamplers{"uniform", "popularity", "in-batch"};
// The shared fields (dataset, weighting, split, ks, bootstrap, seed, threads) are RunConfigBase's; defaults
// uniform weights (plain SFT) and seed 42. The model and training settings below are each declared once more,
// in sasrecSettings(): that table binds them to the CLI's options, writes them into an engine request's
// arguments and into the run record, and reads them back.
struct SasrecRunConfig : RunConfigBase {
    SasrecRunConfig() : RunConfigBase(WeightScheme::uniform(), 42) {}

    // The backbone, also the run's model name: "sasrec" or "hstu" (model/sasrec_config.h: Backbone). Set by
    // the CLI's --model, not a row of sasrecSettings().
    std::string model = "sasrec";
    int dim = 64;
    int blocks = 2;
    int heads = 1;
    int maxLen = 200;
    double dropout = 0.2;
    int epochs = 200;
    int batchSize = 128;
    bool lengthBuckets = false;  // length-bucketed instead of random batches (see above)
    double lr = 1e-3;
    double weightDecay = 0.0;  // Adam's L2 penalty on every parameter
    // Epochs without a better validation `select` metric before stopping; ≤ 0 = never stop early. On ML-100K
    // the random-batch curve has flat stretches of 10+ epochs (around epochs 30–45) before it climbs again.
    int patience = 30;
    // The validation metric that picks the best checkpoint and drives early stopping: one of kSelectMetrics.
    // "ndcg_high@10" selects on high-reward targets only (RunConfigBase::highThreshold).
    std::string select = "ndcg@10";
    std::string loss = "full";  // one of kLosses
    // sampled: one of kNegativeSamplers. in-batch with 1,024 is what trained best per epoch and per second in
    // the measurements (bench/RESULTS.md, "Scale (issue 18)": on ML-100K, ml-latest-small and at ML-1M size
    // in-batch led popularity and uniform negatives, popularity by far the worst).
    std::string negatives = "in-batch";
    // sampled: candidates per batch — drawn (uniform, popularity), or the most of a batch's distinct targets
    // kept (in-batch)
    int numNegatives = 1024;
    // Validation after each epoch ranks a fixed random sample of this many validation users (drawn once from
    // the run's seed, the same users every epoch, so the epochs compare on equal footing; the checkpoint and
    // early stopping are chosen on it); 0 = every user. The final valid and test figures rank every user.
    int validUsers = 0;
    std::string device = "auto";  // auto | cpu | cuda | cuda:N
    // Training's matrix products: fp32; bf16 = the output layer's in bfloat16 (SasrecConfig::bf16); bf16-all
    // = the body's too (SasrecConfig::bf16Body); auto = bf16 on CUDA and on CPUs with native bfloat16. The
    // run records what it used.
    std::string precision = "auto";
    // Post-training: start from the best checkpoint of this finished SASRec run (same dataset, split and
    // architecture; checked before any step) instead of random weights. 0 = from scratch. Recorded as the
    // run's parent.
    int64_t initFrom = 0;
    // The rewards the weighting reads: "logged", or "model:RUN" — the predictions of finished reward-model
    // run RUN of the same dataset and split (train/reward_source.h; checked before the run is recorded).
    std::string rewardSource = "logged";
    // weighted | dpo | ppo. dpo and ppo post-train (initFrom > 0; the parent is the frozen reference policy)
    // against a reward model (rewardSource "model:RUN"); the weighting scheme does not enter their loss.
    std::string objective = "weighted";
    double dpoBeta = 0.1;  // DPO: β of −log σ(β·[(log π − log π_ref)(winner) − (…)(loser)])
    int dpoPairs = 1;      // DPO: item pairs sampled per context
    int ppoSamples = 4;    // PPO: K items sampled per context (advantage: reward − the K samples' mean)
    double ppoClip = 0.2;  // PPO: ε of the clipped ratio
    double klBeta = 0.05;  // PPO: β_KL of the exact KL(π ‖ π_ref) penalty over the catalogue
    int ppoEpochs = 2;     // PPO: optimizer steps on each batch's samples
    bool online() const { return objective != "weighted"; }
    // What the run optimises, in a few words: the scheme's description ("exp lambda=1 norm=mean"), or
    // "dpo beta=0.1 pairs=1", "ppo K=4 clip=0.2 kl_beta=0.05 epochs=2".
    std::string methodDescription() const;

    // Throws Error naming the field (epochs, batch size, lr, …; model fields via
    // SasrecConfig::validate).
    void validate() const;
    std::string toJson() const;
    // Reads what toJson wrote (a run's stored config); missing keys keep their defaults. Throws Error naming
    // the field that does not parse.
    static SasrecRunConfig fromJson(const std::string& json);
};

// One SASRec setting, declared once: its command-line option and help, its key in the run record, the field
// it binds, and for a text setting its allowed values. An int read from a record must lie in [min, max].
// Adding a setting = a field above + a row in sasrecSettings() (sasrec_run_config.cpp); the CLI option, the
// engine request's arguments and the run record follow. (The GUI's Train form still adds its widget by hand.)
struct SasrecSetting {
    using Field = std::variant<int SasrecRunConfig::*, int64_t SasrecRunConfig::*, double SasrecRunConfig::*,
                               bool SasrecRunConfig::*, std::string SasrecRunConfig::*>;
    const char* option;  // "--epochs"
    const char* key;     // "epochs"
    const char* help;
    Field field;
    std::vector<std::string> choices;  // text: the allowed values (empty = any)
    int64_t min = 0;                   // integer: the range a stored record may hold
    int64_t max = 0;
};
const std::vector<SasrecSetting>& sasrecSettings();

// The setting's value in `config` as the command line spells it ("64", "0.001", "cpu"; a flag: "true" or
// "false").
std::string sasrecSettingText(const SasrecSetting& setting, const SasrecRunConfig& config);

struct TrainProgress {
    // "training", "validating", "testing", "waiting_for_workspace", or "epoch": reported once per finished
    // epoch, after its validation and before its records are written (they may wait for the workspace), with
    // `loss` the epoch's mean training loss and the validation figures below.
    std::string stage;
    int epoch = 0;  // 1-based
    int epochs = 0;
    int64_t step = 0;  // batches done in this epoch
    int64_t stepsPerEpoch = 0;
    double loss = 0.0;               // running mean training loss of this epoch
    double examplesPerSecond = 0.0;  // training positions (next-item targets) per second
    double etaSeconds = 0.0;         // to the last epoch, validation excluded; 0 while unknown
    // Stage "waiting_for_workspace": another connection holds the workspace's write lock, so the records of
    // `pendingEpochs` finished epochs wait in memory; training goes on and they are written when it can.
    int pendingEpochs = 0;
    // Stage "epoch" only (NaN when not measured).
    double validNdcg10 = std::numeric_limits<double>::quiet_NaN();
    double validHr10 = std::numeric_limits<double>::quiet_NaN();
    // Post-training (train/policy_diagnostics.h): the reward model's mean score of the top-10, the KL to the
    // parent, the simulator's true reward of the top-10 (NaN where not measured).
    double validProxyReward10 = std::numeric_limits<double>::quiet_NaN();
    double validKlRef = std::numeric_limits<double>::quiet_NaN();
    double validTrueReward10 = std::numeric_limits<double>::quiet_NaN();
    double trainSeconds = 0.0;  // the training pass
    double epochSeconds = 0.0;  // training + validation
};

struct SasrecEpochRecord {
    int epoch = 0;
    double trainLoss = 0.0;
    double validNdcg10 = 0.0;
    double trainSeconds = 0.0;  // the training pass
    double seconds = 0.0;       // training + validation
};

struct SasrecRunResult {
    int64_t runId = 0;
    std::string device;
    std::string precision;  // fp32 | bf16 | bf16-all
    std::vector<SasrecEpochRecord> epochs;
    int bestEpoch = 0;
    int64_t trainingPositions = 0;  // next-item targets per epoch
    EvalResult valid;               // best state, with intervals
    EvalResult test;
    double totalSeconds = 0.0;
};

// The evaluator settings of a SASRec run: K = 10 is always among the cut-offs (validation selects on
// ndcg@10) and the evaluator runs one thread (the scorer is serialised; torch parallelises inside it).
// `bootstrapResamples` = 0 for the per-epoch validation. `eval` uses the same settings, so a re-evaluation
// of the best checkpoint reproduces the recorded figures.
EvalConfig sasrecEvalConfig(const SasrecRunConfig& config, int bootstrapResamples,
                            const TrueRewardFunction& trueReward);

// The model configuration of a run with `numItems` items, and the documented size limits (common/limits.h)
// of a model, checked before any tensor is allocated — for a config from the command line and for one read
// from a workspace alike.
SasrecConfig sasrecModelConfig(const SasrecRunConfig& config, int32_t numItems);
void checkSasrecModelSize(const SasrecConfig& model);

}  // namespace tiltbench
