#include "cli_commands.h"

#include "torch_forward.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/error.h"
#include "common/limits.h"
#include "data/fingerprint.h"
#include "data/summary.h"
#include "eval/evaluator.h"
#include "eval/split.h"
#include "io/text_encoding.h"
#include "json_output.h"
#include "runtime/version.h"
#include "store/run_store.h"
#include "store/simulated_dataset.h"
#include "store/workspace.h"
#include "terminal_progress.h"
#include "weighting/lambda_grid.h"
#include "weighting/reward_level_table.h"
#include "weighting/target_view.h"
#include "weighting/weight_stats.h"

namespace tiltbench::cli {
namespace {

using json = nlohmann::json;

json datasetJson(const DatasetInfo& d) {
    json j = {{"id", d.id},
              {"name", d.name},
              {"format", d.format},
              {"created_at", d.createdAt},
              {"rows", d.rows},
              {"users", d.users},
              {"items", d.items},
              {"density", d.density()},
              {"has_time", d.hasTime},
              {"reward_min", d.rewardMin},
              {"reward_max", d.rewardMax},
              {"reward_mean", d.rewardMean},
              {"random_test_rows", d.randomTestRows},
              {"has_ground_truth", d.hasTruth}};
    j["source"] = storedJson(d.source);
    j["meta"] = storedJson(d.meta);
    return j;
}

json problemJson(const ImportProblem& p) {
    return {{"file", p.file}, {"line", p.line}, {"field", p.field}, {"kind", p.kind}, {"message", p.message}};
}

void printDatasetLine(const DatasetInfo& d) {
    std::cout << fmt::format(
        "{:<24} {:>10} rows {:>8} users {:>8} items  reward {:g}..{:g} (mean {:.3f})  {}\n",
        displayText(d.name), d.rows, d.users, d.items, d.rewardMin, d.rewardMax, d.rewardMean, d.format);
}

}  // namespace

void Commands::registerAll(CLI::App& app) {
    auto addCommon = [this](CLI::App* sub, bool workspaceRequired = true) {
        auto* w = sub->add_option("-w,--workspace", m_workspace, "Workspace file (SQLite)");
        if (workspaceRequired)
            w->required();
        sub->add_flag("--json", m_json, "Print one JSON object on stdout");
    };

    auto* imp =
        app.add_subcommand("import", "Import an interaction log into a workspace (created if missing)");
    addCommon(imp);
    imp->add_option(
           "-f,--format", m_format,
           "Format: " +
               [] {
                   std::string s;
                   for (const auto& n : formatNames())
                       s += (s.empty() ? "" : ", ") + n;
                   return s;
               }())
        ->capture_default_str();
    imp->add_option("-n,--name", m_import.name, "Dataset name in the workspace")->required();
    imp->add_option("--titles", m_import.titlesFile, "Item titles file (u.item, movies.dat, movies.csv)");
    imp->add_option("--on-error", m_onError,
                    "Bad rows: fail (default: list the first 20) or skip (count them)")
        ->check(CLI::IsMember({"fail", "skip"}))
        ->capture_default_str();
    imp->add_option("--delimiter", m_delimiter,
                    "csv: field delimiter (e.g. ',', 'tab', ';', '::'); default: sniff");
    imp->add_flag("--header", m_header, "csv: the first line is a header");
    imp->add_flag("--no-header", m_noHeader, "csv: there is no header line");
    imp->add_option("--user-col", m_import.csv.userCol, "csv: user column (name or 0-based index)");
    imp->add_option("--item-col", m_import.csv.itemCol, "csv: item column (name or 0-based index)");
    imp->add_option("--reward-col", m_import.csv.rewardCol, "csv: reward column (name or 0-based index)");
    imp->add_option("--time-col", m_import.csv.timeCol,
                    "csv: timestamp column (name or 0-based index, 'none' = file order)");
    imp->add_option(
        "--random-test", m_import.randomTestFile,
        "matrix: a randomly exposed test matrix of the same users and items (e.g. Coat's test.ascii)");
    // "-" is standard input; pipes, FIFOs and .gz/.zst files are read once (core/io/input_spool.h).
    const CLI::Validator pathOrStdin(
        [](std::string& path) { return path == "-" ? std::string() : CLI::ExistingPath(path); }, "PATH or -");
    imp->add_option("files", m_import.files,
                    "Input file(s), '-' for standard input; .gz and .zst are decompressed; several files are "
                    "concatenated")
        ->required()
        ->check(pathOrStdin);
    imp->callback([this] { m_selected = [this] { return runImport(); }; });

    auto* gen = app.add_subcommand("generate", "Generate a synthetic log with known ground truth (the demo)");
    addCommon(gen);
    gen->add_option("-n,--name", m_name, "Dataset name")->required();
    gen->add_option("--users", m_sim.users, "Users")->capture_default_str();
    gen->add_option("--items", m_sim.items, "Items")->capture_default_str();
    gen->add_option("--interactions", m_sim.interactions, "Interactions")->capture_default_str();
    gen->add_option("--taste-dim", m_sim.tasteDim, "Latent taste dimensions")->capture_default_str();
    gen->add_option("--popularity-exponent", m_sim.popularityExponent, "Zipf exponent of item exposure")
        ->capture_default_str();
    gen->add_option("--quality-popularity-corr", m_sim.qualityPopularityCorrelation,
                    "Rank correlation of item quality and exposure, -1..1")
        ->capture_default_str();
    gen->add_option("--quality-scale", m_sim.qualityScale, "Spread of item quality")->capture_default_str();
    gen->add_option("--taste-scale", m_sim.tasteScale, "Spread of user-item affinity")->capture_default_str();
    gen->add_option("--noise", m_sim.noise, "Reward noise (std dev)")->capture_default_str();
    gen->add_option("--self-selection", m_sim.selfSelection,
                    "How much users choose items they like (0 = none)")
        ->capture_default_str();
    gen->add_option("--seed", m_sim.seed, "Random seed")->capture_default_str();
    gen->callback([this] { m_selected = [this] { return runGenerate(); }; });

    auto* ds = app.add_subcommand("datasets", "List the datasets of a workspace");
    addCommon(ds);
    ds->callback([this] { m_selected = [this] { return runDatasets(); }; });

    auto* info = app.add_subcommand("info", "Describe one dataset: counts, rewards, popularity, sequences");
    addCommon(info);
    info->add_option("-d,--dataset", m_dataset, "Dataset name")->required();
    info->callback([this] { m_selected = [this] { return runInfo(); }; });

    auto addWeighting = [this](CLI::App* sub) {
        sub->add_option("--scheme", m_scheme,
                        "Weighting: uniform (plain SFT), exp (w = exp(r/lambda)), linear, filter")
            ->check(CLI::IsMember({"uniform", "sft", "exp", "linear", "filter"}))
            ->capture_default_str();
        sub->add_option("--lambda", m_lambda, "Temperature of exp, > 0, or 'inf' (= uniform)")
            ->capture_default_str();
        addWeightShapeOptions(sub);
    };

    auto* train = app.add_subcommand("train", "Train (fit) a model at one weighting and record the run");
    addCommon(train);
    addWeighting(train);
    addTrainingOptions(train);
    train->add_option("--resume", m_resume,
                      "sasrec: continue stopped run RUN (cancelled, interrupted or failed) from its last "
                      "finished epoch, with its recorded settings (other training options are ignored)");
    train->add_option("--progress-jsonl", m_progressJsonl,
                      "Also write machine-readable progress, one JSON object per line (events run, progress, "
                      "epoch, finished), to TARGET: stderr, stdout, fd:N or a file path");
    train->callback([this] { m_selected = [this] { return runTrain(); }; });

    auto* sweep = app.add_subcommand(
        "sweep", "Train one model at a grid of weightings (lambdas x schemes), one recorded run each");
    addCommon(sweep);
    sweep->add_option("--lambdas", m_lambdas, "Temperatures of exp, comma-separated ('inf' = uniform)")
        ->capture_default_str();
    sweep
        ->add_option("--schemes", m_schemes,
                     "Schemes, comma-separated: exp (once per lambda), uniform, linear, filter (once each)")
        ->capture_default_str();
    addWeightShapeOptions(sweep);
    addTrainingOptions(sweep, true);
    sweep->add_option(
        "--seeds", m_seeds,
        "One pass of the grid per seed, comma-separated (e.g. 1,2,3); the table then gives each "
        "configuration's mean over seeds and its paired difference against the SFT baseline of "
        "the same seed (default: --seed once)");
    sweep->add_option(
        "--init-from", m_sweepInitFrom,
        "sasrec post-training: RUN (every configuration starts from finished run RUN's best "
        "checkpoint) or sft (per seed, train — or reuse — one SFT parent: uniform weights, "
        "--sft-epochs/--sft-lr/--sft-patience, the other settings as given; every configuration "
        "of that seed starts from it)");
    sweep->add_option("--sft-epochs", m_sftEpochs, "--init-from sft: the SFT parents' epochs at most")
        ->capture_default_str();
    sweep->add_option("--sft-lr", m_sftLr, "--init-from sft: the SFT parents' learning rate")
        ->capture_default_str();
    sweep->add_option("--sft-patience", m_sftPatience, "--init-from sft: the SFT parents' patience")
        ->capture_default_str();
    sweep
        ->add_option("--sft-select", m_sftSelect,
                     "--init-from sft: the validation metric that picks the SFT parents' checkpoint")
        ->check(CLI::IsMember(kSelectMetrics))
        ->capture_default_str();
    sweep->add_option("--linear-epsilons", m_linearEpsilons,
                      "linear once per epsilon, comma-separated (e.g. 0.01,1: w = r - r_min + 0.01 and, on a "
                      "1-5 scale, w = r); default: --epsilon once");
    sweep->add_option(
        "--shard", m_shard,
        "I/N: run only the I-th of N contiguous, near-equal blocks of the sweep's runs (seeds in "
        "order, each seed's weightings in order), e.g. a job array's task I of N machines; a "
        "post-training shard finds or trains the SFT parents of its seeds. Bring the shards' "
        "workspaces together with tiltbench-cli merge");
    sweep->get_option("--dataset")->required();
    sweep->get_option("--model")->required();
    sweep->callback([this] { m_selected = [this] { return runSweep(); }; });

    auto* eval = app.add_subcommand(
        "eval", "Evaluate a recorded run again on its split (closed-form: refit; sasrec: best checkpoint)");
    addCommon(eval);
    eval->add_option("-r,--run", m_runId, "Run id (see 'runs')")->required();
    eval->add_option("--device", m_evalDevice, "sasrec: cpu, cuda, cuda:N or auto")->capture_default_str();
    eval->add_option("--threads", m_threads, "Threads (0 = as the run was trained)")->capture_default_str();
    eval->add_flag("--top-counts", m_topCounts,
                   "With --json: add how often each item appears in the test users' top-10 lists "
                   "(\"top_counts\")");
    eval->callback([this] { m_selected = [this] { return runEval(); }; });

    auto* weights = app.add_subcommand("weights", "Training-weight statistics of a dataset at one weighting");
    addCommon(weights);
    weights->add_option("-d,--dataset", m_dataset, "Dataset name")->required();
    addWeighting(weights);
    weights->add_option("--top", m_top, "Items gaining and losing most to list")->capture_default_str();
    weights->add_option("--ess-floor", m_essFloor, "Suggest the smallest lambda with ESS/N above this")
        ->capture_default_str();
    weights->callback([this] { m_selected = [this] { return runWeights(); }; });

    auto* report = app.add_subcommand(
        "report",
        "One self-contained HTML report of a dataset's runs: metrics against lambda with paired "
        "intervals over seeds, the method's claims, ESS/N, protocol and commands");
    addCommon(report);
    report->add_option("-d,--dataset", m_dataset, "Dataset name")->required();
    report->add_option("-o,--out", m_outPath, "The HTML file to write (replaced atomically)")->required();
    report->add_option("--bootstrap", m_bootstrap, "Bootstrap resamples of every interval (0 = none)")
        ->capture_default_str();
    report->add_option("--seed", m_seed, "Bootstrap seed (default 1)");
    report->callback([this] { m_selected = [this] { return runReport(); }; });

    auto* runtime = app.add_subcommand(
        "runtime", "What this build can train on: LibTorch version, CUDA devices, CPU threads");
    runtime->add_flag("--json", m_json, "Print one JSON object on stdout");
    runtime->callback([this] { m_selected = [this] { return runRuntime(); }; });

    auto* runs = app.add_subcommand("runs", "List the recorded runs of a workspace");
    addCommon(runs);
    runs->add_option("-d,--dataset", m_dataset, "Only runs of this dataset");
    runs->callback([this] { m_selected = [this] { return runRuns(); }; });

    auto* merge = app.add_subcommand("merge",
                                     "Bring the finished runs of other workspaces (e.g. a sweep's --shard "
                                     "I/N, trained elsewhere) into one "
                                     "dataset of this workspace: datasets are matched by content, run links "
                                     "renumbered, equal runs kept once");
    addCommon(merge);
    merge->add_option("-d,--dataset", m_dataset, "The dataset of this workspace the runs join")->required();
    merge
        ->add_option(
            "--from", m_mergeSources,
            "A workspace to take runs from (read only; repeat for several): its datasets with the same "
            "content (by fingerprint, whatever their names) give their finished runs")
        ->required();
    merge->add_flag("--dry-run", m_dryRun, "Check everything and say what would be merged; write nothing");
    merge->callback([this] { m_selected = [this] { return runMerge(); }; });

    registerExportCommands(app);
    registerRewardCommands(app);
}

// Normalisation, clip, ε and τ: the shape of a weighting apart from its kind and λ (train, sweep, weights).
void Commands::addWeightShapeOptions(CLI::App* sub) {
    sub->add_option("--normalization", m_normalization, "none, mean (mean weight 1) or batch")
        ->check(CLI::IsMember({"none", "mean", "batch"}))
        ->capture_default_str();
    sub->add_option("--clip", m_clip, "Maximum normalised weight, or 'none'")->capture_default_str();
    sub->add_option("--epsilon", m_epsilon, "linear: w = r - r_min + epsilon")->capture_default_str();
    sub->add_option("--threshold", m_threshold,
                    "filter: keep targets with reward >= threshold (default: top)");
}

std::vector<std::string> splitCommaList(const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t end = std::min(text.find(',', start), text.size());
        std::string item = text.substr(start, end - start);
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (!item.empty())
            out.push_back(item);
        start = end + 1;
    }
    return out;
}

void checkThreadsOption(int threads) {
    if (threads < 0 || threads > kMaxEvalThreads) {
        throw Error(
            fmt::format("--threads must be in 0..{} (0 = all cores), got {}", kMaxEvalThreads, threads));
    }
}

void checkTopKOption(int k) {
    if (k < 1 || k > limits::kMaxK)
        throw Error(fmt::format("--k must be in 1..{}, got {}", limits::kMaxK, k));
}

OutputGuard Commands::outputGuard() const {
    OutputGuard guard;
    guard.protectWorkspace(m_workspace);
    return guard;
}

int Commands::run() {
    try {
        return m_selected ? m_selected() : 2;
    } catch (const Cancelled& e) {
        if (std::string(e.what()) == Cancelled::kByTheUser)
            std::cerr << "tiltbench-cli: cancelled; the workspace is unchanged\n";
        else
            std::cerr << "tiltbench-cli: " << e.what() << "\n";
        return 130;
    } catch (const ImportError& e) {
        if (m_json) {
            json j = {{"error", e.what()}, {"problems", json::array()}};
            for (const auto& p : e.problems())
                j["problems"].push_back(problemJson(p));
            std::cout << jsonText(j) << "\n";
        }
        std::cerr << "tiltbench-cli: error: " << e.what() << "\n";
        for (const auto& p : e.problems())
            std::cerr << "  " << p.message << "\n";
        std::cerr << "The workspace is unchanged.\n";
        return 1;
    } catch (const std::exception& e) {
        if (m_json)
            std::cout << jsonText(json{{"error", e.what()}}) << "\n";
        std::cerr << "tiltbench-cli: error: " << e.what() << "\n";
        return 1;
    }
}

namespace {

// True when every input of the import is a regular file (which can be read twice).
bool allRegularFiles(const ImportRequest& request) {
    std::vector<std::string> files = request.files;
    if (!request.titlesFile.empty())
        files.push_back(request.titlesFile);
    if (!request.randomTestFile.empty())
        files.push_back(request.randomTestFile);
    for (const auto& f : files) {
        struct stat st {};
        if (::stat(f.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
            return false;
    }
    return !files.empty();
}

}  // namespace

int Commands::runImport() {
    m_import.format = parseFormatName(m_format);
    m_import.onError = m_onError == "skip" ? OnError::Skip : OnError::Fail;
    if (m_header && m_noHeader)
        throw Error("--header and --no-header contradict each other");
    if (m_header)
        m_import.csv.header = true;
    if (m_noHeader)
        m_import.csv.header = false;
    if (m_delimiter == "tab" || m_delimiter == "\\t") {
        m_import.csv.delimiter = '\t';
    } else if (m_delimiter == "space") {
        m_import.csv.delimiter = ' ';
    } else if (m_delimiter.size() == 1) {
        m_import.csv.delimiter = m_delimiter[0];
    } else if (!m_delimiter.empty()) {
        m_import.csv.delimiterText = m_delimiter;
    }
    {
        // The workspace this import writes is never one of its inputs (compared by device and inode).
        OutputGuard inputs;
        for (const auto& f : m_import.files)
            inputs.protectInput(f);
        inputs.protectInput(m_import.titlesFile);
        inputs.protectInput(m_import.randomTestFile);
        inputs.checkNotProtected(m_workspace, "workspace");
    }
    TerminalProgress progress;
    std::optional<ImportReport> report;
    // A new workspace is built aside and appears whole (buildNewWorkspace); that may have to read the
    // inputs a second time, so only plain files go that way, not standard input or pipes.
    if (allRegularFiles(m_import) && !buildNewWorkspace(m_workspace, [&](Workspace& ws) {
            report = importDataset(ws, m_import, progress.callback());
        })) {
        report.reset();  // the workspace appeared meanwhile: the import runs again, into it
    }
    if (!report) {
        Workspace ws(m_workspace, OpenMode::CreateIfMissing);
        report = importDataset(ws, m_import, progress.callback());
    }
    progress.finish();
    const ImportReport& r = *report;
    if (m_json) {
        json j = datasetJson(r.dataset);
        j["detected_format"] = formatName(r.format);
        j["rows_read"] = r.rowsRead;
        j["rows_skipped"] = r.rowsSkipped;
        j["skipped_by_kind"] = r.skippedByKind;
        j["duplicates"] = r.duplicates;
        j["warnings"] = r.warnings;
        j["seconds"] = r.seconds;
        j["problems"] = json::array();
        for (const auto& p : r.problems)
            j["problems"].push_back(problemJson(p));
        std::cout << jsonText(j) << "\n";
        return 0;
    }
    std::cout << fmt::format("Imported '{}' ({}) into {}: {} rows, {} users, {} items in {:.2f} s\n",
                             r.dataset.name, formatName(r.format), m_workspace, r.dataset.rows,
                             r.dataset.users, r.dataset.items, r.seconds);
    if (r.dataset.randomTestRows > 0) {
        std::cout << fmt::format("Randomly exposed test set: {} ratings\n", r.dataset.randomTestRows);
    }
    if (r.rowsSkipped > 0) {
        std::cout << fmt::format("Skipped {} bad rows:", r.rowsSkipped);
        for (const auto& [kind, n] : r.skippedByKind)
            std::cout << fmt::format(" {} {}", kind, n);
        std::cout << "\n";
        for (const auto& p : r.problems)
            std::cout << "  " << p.message << "\n";
    }
    if (r.duplicates > 0)
        std::cout << fmt::format("{} duplicate (user, item, time) rows\n", r.duplicates);
    for (const auto& w : r.warnings)
        std::cout << "warning: " << w << "\n";
    return 0;
}

int Commands::runGenerate() {
    TerminalProgress progress;
    const auto t0 = std::chrono::steady_clock::now();
    DatasetInfo d;
    // A new workspace appears whole, as for import (the simulator is deterministic, so it can run again).
    if (!buildNewWorkspace(m_workspace, [&](Workspace& ws) {
            d = generateDataset(ws, m_name, m_sim, progress.callback());
        })) {
        Workspace ws(m_workspace, OpenMode::CreateIfMissing);
        d = generateDataset(ws, m_name, m_sim, progress.callback());
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    progress.finish();
    if (m_json) {
        json j = datasetJson(d);
        j["seconds"] = seconds;
        std::cout << jsonText(j) << "\n";
        return 0;
    }
    std::cout << fmt::format("Generated '{}' into {}: {} rows, {} users, {} items in {:.2f} s (seed {})\n",
                             d.name, m_workspace, d.rows, d.users, d.items, seconds, m_sim.seed);
    return 0;
}

int Commands::runDatasets() {
    Workspace ws(m_workspace, OpenMode::ReadOnly);
    const auto list = ws.datasets();
    if (m_json) {
        json j = {{"workspace", m_workspace}, {"datasets", json::array()}};
        for (const auto& d : list)
            j["datasets"].push_back(datasetJson(d));
        std::cout << jsonText(j) << "\n";
        return 0;
    }
    if (list.empty())
        std::cout << "(no datasets in " << m_workspace << ")\n";
    for (const auto& d : list)
        printDatasetLine(d);
    return 0;
}

int Commands::runInfo() {
    Workspace ws(m_workspace, OpenMode::ReadOnly);
    const DatasetInfo d = ws.datasetByName(m_dataset);
    TerminalProgress progress;
    const InteractionLog log = ws.loadLog(d.id, progress.callback());
    progress.finish();
    const DatasetSummary s = summarize(log);
    // What `merge` matches datasets of other workspaces by (data/fingerprint.h).
    const std::string fingerprint = fingerprintHex(datasetFingerprint(log, ws.loadGroundTruth(d.id)));
    if (m_json) {
        json j = datasetJson(d);
        j["fingerprint"] = fingerprint;
        j["reward_std"] = s.rewardStd;
        j["discrete_rewards"] = s.discreteRewards;
        j["reward_levels"] = json::array();
        for (const auto& l : s.rewardLevels)
            j["reward_levels"].push_back({{"reward", l.reward}, {"count", l.count}});
        j["sequence_length"] = {{"min", s.minSequence},
                                {"max", s.maxSequence},
                                {"mean", s.meanSequence},
                                {"median", s.medianSequence}};
        j["time_range"] = {{"min", s.tsMin}, {"max", s.tsMax}};
        j["top20_item_share"] = s.topFifthShare;
        j["top_items"] = json::array();
        for (size_t k = 0; k < std::min<size_t>(10, s.itemsByPopularity.size()); ++k) {
            const auto& it = s.itemsByPopularity[k];
            j["top_items"].push_back({{"item", log.itemIds[static_cast<size_t>(it.item)]},
                                      {"title", log.itemTitles[static_cast<size_t>(it.item)]},
                                      {"count", it.count},
                                      {"mean_reward", it.meanReward}});
        }
        std::cout << jsonText(j) << "\n";
        return 0;
    }
    std::cout << fmt::format("Dataset '{}' ({}), created {}\n", d.name, d.format, d.createdAt);
    std::cout << fmt::format("  rows {}   users {}   items {}   density {:.4f}%\n", s.rows, s.users, s.items,
                             100.0 * s.density);
    std::cout << fmt::format("  reward {:g} .. {:g}, mean {:.3f}, std {:.3f}\n", s.rewardMin, s.rewardMax,
                             s.rewardMean, s.rewardStd);
    std::cout << "  reward " << (s.discreteRewards ? "levels:" : "histogram:");
    for (const auto& l : s.rewardLevels)
        std::cout << fmt::format(" {:g}:{}", l.reward, l.count);
    std::cout << "\n";
    std::cout << fmt::format("  sequence length min {} / median {:g} / mean {:.1f} / max {}\n", s.minSequence,
                             s.medianSequence, s.meanSequence, s.maxSequence);
    std::cout << fmt::format("  top 20% of items get {:.1f}% of interactions\n", 100.0 * s.topFifthShare);
    std::cout << fmt::format("  time: {}\n", d.hasTime ? fmt::format("{} .. {}", s.tsMin, s.tsMax)
                                                       : std::string("none (file order)"));
    if (d.randomTestRows > 0)
        std::cout << fmt::format("  randomly exposed test set: {} ratings\n", d.randomTestRows);
    std::cout << fmt::format("  content fingerprint {}\n", fingerprint);
    if (d.hasTruth)
        std::cout << "  ground truth: stored (simulator)\n";
    return 0;
}

}  // namespace tiltbench::cli
