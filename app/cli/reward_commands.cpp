// `tiltbench-cli reward`: fit and judge reward models (issue 16), one recorded run each, and answer "does a
// learned reward model beat item-mean here?" with paired differences over the same held-out users.
// Torch-free and run by the light CLI, except a sasrec-head (it reads a SASRec run's hidden states), which
// hands over to tiltbench-cli-torch.
#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_commands.h"
#include "common/error.h"
#include "json_output.h"
#include "progress_stream.h"
#include "store/workspace.h"
#include "terminal_progress.h"
#include "torch/runtime/runtime.h"
#include "torch/train/reward_states.h"
#include "torch_forward.h"
#include "train/reward_run.h"

namespace tiltbench::cli {

using nlohmann::json;

namespace {

// A figure for JSON: null when it is not a finite number.
json jsonNumber(double v) {
    return std::isfinite(v) ? json(v) : json(nullptr);
}

std::string interval(double lo, double hi) {
    return std::isfinite(lo) ? fmt::format("[{:+.4f}, {:+.4f}]", lo, hi) : std::string("—");
}

json figuresJson(const RewardEvaluation& e) {
    json j = json::object();
    for (const RewardFigure& f : e.figures)
        j[f.name] = {
            {"value", f.value}, {"lo", jsonNumber(f.lo)}, {"hi", jsonNumber(f.hi)}, {"users", f.users}};
    return j;
}

// Lower is better for errors, higher for AUCs: the word a difference earns.
std::string verdict(const RewardDifference& d) {
    if (!std::isfinite(d.lo))
        return "no interval";
    const bool lowerIsBetter = d.name == "rmse" || d.name == "mae";
    if (d.lo > 0.0)
        return lowerIsBetter ? "worse" : "better";
    if (d.hi < 0.0)
        return lowerIsBetter ? "better" : "worse";
    return "not established";
}

}  // namespace

void Commands::registerRewardCommands(CLI::App& app) {
    auto* reward = app.add_subcommand(
        "reward",
        "Fit reward models on the training split's logged rewards and judge them on held-out rewards "
        "(RMSE, MAE, pairwise AUC; random-exposure and true-reward AUC where known), one recorded run each");
    reward->add_option("-w,--workspace", m_workspace, "Workspace file (SQLite)")->required();
    reward->add_flag("--json", m_json, "Print one JSON object on stdout");
    reward->add_option("-d,--dataset", m_dataset, "Dataset name")->required();
    reward
        ->add_option(
            "-m,--model", m_rewardModels,
            "Reward models, comma-separated: item-mean (shrunk item mean), bias (user + item biases), mf "
            "(matrix factorisation), sasrec-head (a linear head on a SASRec run's frozen hidden states; "
            "needs --state-run); the first is the baseline of the paired table")
        ->capture_default_str();
    reward->add_option("--split", m_split, "Split: loo (leave-one-out) or time")
        ->check(CLI::IsMember({"loo", "leave-one-out", "time"}))
        ->capture_default_str();
    reward
        ->add_option("--prior", m_reward.prior,
                     "item-mean: prior strength (pseudo-ratings at the global mean)")
        ->capture_default_str();
    reward->add_option(
        "--state-run", m_reward.stateRun,
        "sasrec-head: the finished SASRec run (same dataset and split) whose hidden states the "
        "head reads");
    reward
        ->add_option("--l2", m_reward.l2,
                     "bias, mf, sasrec-head: ridge strength on every bias and factor (> 0)")
        ->capture_default_str();
    reward->add_option("--dim", m_reward.dim, "mf: factor dimension (1..256)")->capture_default_str();
    reward
        ->add_option("--iterations", m_reward.iterations,
                     "bias, mf: alternating least-squares sweeps (1..1000)")
        ->capture_default_str();
    reward->add_option("--threads", m_threads, "sasrec-head: threads reading the states (0 = all cores)")
        ->capture_default_str();
    reward->add_option("--bootstrap", m_bootstrap, "Bootstrap resamples of every interval (0 = none)")
        ->capture_default_str();
    reward->add_option("--seed", m_seed, "mf initial factors and bootstrap seed (default 1)");
    reward->add_option(
        "--progress-jsonl", m_progressJsonl,
        "Also write machine-readable progress (one JSON object per line) to TARGET: stderr, stdout, "
        "fd:N or a file path");
    reward->callback([this] { m_selected = [this] { return runReward(); }; });
}

int Commands::runReward() {
    std::vector<RewardRunConfig> configs;
    for (const std::string& name : splitCommaList(m_rewardModels)) {
        RewardRunConfig c;
        c.dataset = m_dataset;
        c.split.kind = SplitConfig::kindFromString(m_split);
        c.model = m_reward;
        c.model.kind = parseRewardModelKind(name);
        c.bootstrapResamples = m_bootstrap;
        c.seed = m_seed.value_or(1);
        c.validate();  // every model's options before anything is opened or recorded
        configs.push_back(c);
    }
    if (configs.empty())
        throw Error("reward: --model names no reward model (item-mean, bias, mf, sasrec-head)");
    checkThreadsOption(m_threads);
    RewardStatesFunction states;
    for (const RewardRunConfig& c : configs) {
        if (c.model.kind != RewardModelKind::SasrecHead)
            continue;
#ifdef TILTBENCH_CLI_LIGHT
        return forwardToTorchCli();
#else
        states = [this](Workspace& w, int64_t run, const DatasetInfo& info, const InteractionLog& log,
                        const Split& split, const ProgressCallback& progress) {
            setThreads(m_threads);
            return sasrecRewardStates(w, run, info, log, split, progress);
        };
#endif
    }
    ProgressStream stream(m_progressJsonl, outputGuard());
    Workspace ws(m_workspace, OpenMode::OpenExisting);
    ws.setLockWaitCallback(stream.lockWaitCallback());
    TerminalProgress progress;
    const ProgressCallback callback = stream.progressCallback(progress.callback());
    std::vector<RewardRunResult> results;
    for (const RewardRunConfig& c : configs)
        results.push_back(runRewardModel(ws, c, callback, states));
    progress.finish();

    const RewardEvalOptions eo{m_bootstrap, m_seed.value_or(1)};
    json out = {{"dataset", m_dataset}, {"runs", json::array()}, {"against_baseline", json::array()}};
    for (size_t m = 0; m < results.size(); ++m) {
        const RewardRunResult& r = results[m];
        out["runs"].push_back({{"run_id", r.runId},
                               {"model", formatRewardModelKind(configs[m].model.kind)},
                               {"valid", figuresJson(r.valid)},
                               {"test", figuresJson(r.test)},
                               {"objective", jsonNumber(r.objective)},
                               {"fit_seconds", r.fitSeconds},
                               {"seconds", r.totalSeconds}});
    }
    std::vector<std::vector<RewardDifference>> diffs;
    for (size_t m = 1; m < results.size(); ++m) {
        diffs.push_back(compareRewardModels(results[m].test, results[0].test, eo));
        json d = {{"model", formatRewardModelKind(configs[m].model.kind)},
                  {"baseline", formatRewardModelKind(configs[0].model.kind)},
                  {"split", "test"},
                  {"metrics", json::object()}};
        for (const RewardDifference& x : diffs.back())
            d["metrics"][x.name] = {{"diff", x.diff},
                                    {"lo", jsonNumber(x.lo)},
                                    {"hi", jsonNumber(x.hi)},
                                    {"users", x.users},
                                    {"verdict", verdict(x)}};
        out["against_baseline"].push_back(d);
    }
    if (m_json) {
        std::cout << jsonText(out) << "\n";
        return 0;
    }
    std::cout << fmt::format(
        "Reward models on '{}' (held-out targets; 95 % bootstrap intervals over users)\n", m_dataset);
    std::cout << fmt::format("{:<5} {:<11} {:<6} {:>26} {:>26} {:>26}\n", "run", "model", "split", "RMSE",
                             "MAE", "AUC");
    for (size_t m = 0; m < results.size(); ++m) {
        for (const RewardEvaluation* e : {&results[m].valid, &results[m].test}) {
            std::string row = fmt::format("{:<5} {:<11} {:<6}", results[m].runId,
                                          formatRewardModelKind(configs[m].model.kind), e->split);
            for (const char* name : {"rmse", "mae", "auc"}) {
                const RewardFigure* f = e->find(name);
                row += fmt::format(" {:>26}",
                                   f ? fmt::format("{:.4f} {}", f->value, interval(f->lo, f->hi)) : "—");
            }
            for (const char* name : {"auc_random", "auc_true"})
                if (const RewardFigure* f = e->find(name))
                    row += fmt::format("  {} {:.4f} {} ({} users)", name, f->value, interval(f->lo, f->hi),
                                       f->users);
            std::cout << row << "\n";
        }
    }
    for (size_t m = 1; m < results.size(); ++m) {
        std::cout << fmt::format("\n{} − {} on the test targets (paired over the same users):\n",
                                 formatRewardModelKind(configs[m].model.kind),
                                 formatRewardModelKind(configs[0].model.kind));
        for (const RewardDifference& d : diffs[m - 1])
            std::cout << fmt::format("  {:<11} {:+.4f} {}  {} ({} users)\n", d.name, d.diff,
                                     interval(d.lo, d.hi), verdict(d), d.users);
    }
    return 0;
}

}  // namespace tiltbench::cli
