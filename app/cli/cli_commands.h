#pragma once
// The CLI's subcommands: their options (CLI11) and how each prints its result, as text or one JSON object.
#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/output_guard.h"
#include "data/ground_truth.h"
#include "io/import.h"
#include "model/closed_form_policy.h"
#include "reward/reward_model.h"
#include "train/closed_form_run.h"
#include "train/distributed_env.h"
#include "train/sasrec_run_config.h"
#include "weighting/lambda_grid.h"
#include "weighting/weight_scheme.h"

namespace tiltbench::cli {

// "a, b,,c " → {"a", "b", "c"}: comma-separated values, trimmed, empty ones dropped.
std::vector<std::string> splitCommaList(const std::string& text);

// Option checks shared by the commands, run before anything is opened or recorded: Error naming the option
// and its documented range (--threads 0..4096, --k 1..1000).
void checkThreadsOption(int threads);
void checkTopKOption(int k);

class Commands {
  public:
    void registerAll(CLI::App& app);
    // Runs the chosen subcommand; returns the process exit code (0 ok, 1 error, 130 cancelled).
    int run();

  private:
    int runImport();
    int runGenerate();
    int runDatasets();
    int runInfo();
    int runTrain();
    int runSasrecTrain();
    int runSasrecTrainRank(const DataParallelOptions& dp);  // a data-parallel rank other than 0
    int runWeights();
    int runReport();
    int runRuns();
    int runMerge();
    int runEval();
    int runSweep();
    int runRuntime();
    void registerExportCommands(CLI::App& app);  // export_commands.cpp
    int runExport();
    int runRecommend();
    void registerRewardCommands(CLI::App& app);  // reward_commands.cpp
    int runReward();
    void addWeightShapeOptions(CLI::App* sub);
    void addTrainingOptions(CLI::App* sub, bool sweep = false);
    // What no output of this command may replace: the workspace and its SQLite side files (output_guard.h).
    OutputGuard outputGuard() const;
    WeightScheme schemeFromOptions() const;
    ClosedFormRunConfig closedFormConfig() const;  // from the training options
    SasrecRunConfig sasrecConfig() const;

    std::function<int()> m_selected;
    std::string m_workspace;
    bool m_json = false;
    // import
    ImportRequest m_import;
    std::string m_format = "auto";
    std::string m_onError = "fail";
    std::string m_delimiter;
    bool m_header = false, m_noHeader = false;
    // generate
    std::string m_name;
    SimulatorConfig m_sim;
    // info, train, weights, runs
    std::string m_dataset;
    // weighting (train, weights)
    std::string m_scheme = "exp";
    std::string m_lambda = "1";
    std::string m_normalization = "mean";
    std::string m_clip = "none";
    double m_epsilon = WeightScheme::kDefaultEpsilon;
    std::optional<double> m_threshold;
    int m_top = 10;
    double m_essFloor = 0.3;
    // train
    std::string m_model;
    std::string m_split = "loo";
    std::vector<int> m_ks{10, 20};
    int m_bootstrap = 1000;
    std::optional<double> m_highThreshold;  // default: the dataset's top reward level
    std::optional<uint64_t> m_seed;         // default: 1 (bootstrap seed of closed-form runs), 42 (sasrec)
    int m_threads = 0;
    PolicyParams m_policyParams;
    // train -m sasrec: the settings of sasrecSettings(), bound from that table (train/sasrec_run_config.h)
    SasrecRunConfig m_sasrec;
    std::optional<int64_t> m_resume;
    std::string m_progressJsonl;  // train: where machine-readable progress goes (progress_stream.h)
    double m_distTimeout =
        DataParallelOptions().timeoutSeconds;  // train under torchrun (docs/DISTRIBUTED.md)
    // sweep
    std::string m_lambdas = lambda_grid::kDefaultSweep;
    std::string m_schemes = "exp";
    std::string m_sweepInitFrom;  // RUN or "sft"
    std::string m_seeds;          // comma-separated
    int m_sftEpochs = SasrecRunConfig().epochs;
    double m_sftLr = SasrecRunConfig().lr;
    int m_sftPatience = SasrecRunConfig().patience;
    std::string m_sftSelect = "ndcg@10";
    std::string m_shard;  // sweep --shard I/N
    // merge
    std::vector<std::string> m_mergeSources;
    bool m_dryRun = false;
    std::string m_linearEpsilons;  // sweep: one linear run per ε
    // eval
    int64_t m_runId = 0;
    std::string m_evalDevice = "cpu";
    bool m_topCounts = false;
    // export, recommend
    std::string m_exportFormat;
    std::string m_outPath;
    int m_topK = 10;
    std::string m_exportDevice = "cpu";
    bool m_noTitles = false;
    std::string m_modelPath;
    bool m_trustModel = false;
    std::string m_history;
    std::vector<int64_t> m_times;
    std::string m_user;
    // reward
    std::string m_rewardModels = "item-mean,bias,mf";
    RewardModelOptions m_reward;
};

}  // namespace tiltbench::cli
