#pragma once
// The engine's requests (see engine/protocol.h): what a front end asks `tiltbench-cli` to do, as typed
// structs that turn themselves into the child's argument list (without the program). Every request asks for
// the reply on stdout (--json); those that report progress ask for the event stream on stderr. The SASRec
// settings are written from sasrecSettings() (train/sasrec_run_config.h), the table the CLI binds its options
// from, so a request and the CLI cannot disagree on an option's name. Torch-free and Qt-free.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/closed_form_policy.h"
#include "train/closed_form_run.h"
#include "train/sasrec_run_config.h"
#include "weighting/weight_scheme.h"

namespace tiltbench::engine {

using Arguments = std::vector<std::string>;

// Where a request asks for its events: stderr, beside the log lines (what the GUI reads).
inline constexpr const char* kEventStream = "stderr";

// `train`: one run of a closed-form policy or SASRec, or the resume of a stopped SASRec run.
struct TrainRequest {
    std::string workspace;
    std::string model = "sasrec";  // sasrec | popularity | markov | itemmean
    // The run's shared fields (RunConfigBase) and SASRec's settings (used for SASRec only); its seed is
    // replaced by `seed`, or unset by the model's own default (defaultSeed(): 42 for SASRec, 1 for
    // closed-form runs).
    SasrecRunConfig run;
    std::optional<uint64_t> seed;
    PolicyParams params;                 // closed-form
    std::optional<int64_t> resumeRunId;  // SASRec: continue this stopped run (the other settings are its own)

    bool isSasrec() const { return isSequentialModel(model); }  // sasrec or hstu
    uint64_t defaultSeed() const;
    Arguments arguments() const;
    // The same run for runClosedForm on a thread of the caller (closed-form models only).
    ClosedFormRunConfig closedFormConfig() const;
};

// `sweep`: one model at a grid of weightings, one recorded run each.
struct SweepRequest {
    TrainRequest train;  // model, dataset and settings; its scheme's kind and λ are replaced by the grid's
    std::vector<double> lambdas;
    std::vector<std::string> schemes{"exp"};
    std::vector<uint64_t> seeds;  // --seeds; empty = the train request's seed once
    // --init-from sft: per seed an SFT parent with this budget (train.run.initFrom > 0 instead names one
    // run).
    bool sftParents = false;
    int sftEpochs = SasrecRunConfig().epochs;
    double sftLr = SasrecRunConfig().lr;
    int sftPatience = SasrecRunConfig().patience;
    std::string sftSelect = "ndcg@10";
    std::vector<double> linearEpsilons;  // --linear-epsilons; empty = the scheme's epsilon once
    Arguments arguments() const;
};

// `eval`: a recorded run evaluated again; with topCounts, how often each item is in the test users' top-10.
struct EvalRequest {
    std::string workspace;
    int64_t runId = 0;
    bool topCounts = false;
    std::string device;  // empty: the CLI's default (cpu)
    Arguments arguments() const;
};

// `export`: a done run's model or recommendations into a file.
struct ExportRequest {
    std::string workspace;
    int64_t runId = 0;
    std::string format;  // safetensors | torchscript | topk-csv | …
    std::string outPath;
    int k = 10;
    Arguments arguments() const;
};

// `recommend`: one user's top-k from a recorded run.
struct RecommendRequest {
    std::string workspace;
    int64_t runId = 0;
    std::string user;
    int k = 10;
    Arguments arguments() const;
};

// `runtime`: what this build can train on.
struct RuntimeRequest {
    Arguments arguments() const;
};

}  // namespace tiltbench::engine
