// The CLI's inspecting commands beyond datasets and info: weights (how a scheme reweights the targets), runs
// (the recorded runs) and runtime (threads, CUDA). Registered in cli_commands.cpp.
#include "cli_commands.h"

#include "model/sasrec_config.h"
#include "torch_forward.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "common/error.h"
#include "common/limits.h"
#include "data/summary.h"
#include "eval/evaluator.h"
#include "eval/split.h"
#include "export/atomic_file.h"
#include "io/text_encoding.h"
#include "json_output.h"
#include "report/report.h"
#include "runtime/version.h"
#include "store/run_store.h"
#include "store/simulated_dataset.h"
#include "store/workspace.h"
#include "terminal_progress.h"
#include "weighting/lambda_grid.h"
#include "weighting/reward_level_table.h"
#include "weighting/target_view.h"
#include "weighting/weight_stats.h"

#ifndef TILTBENCH_CLI_LIGHT
#include "torch/runtime/runtime.h"
#endif

namespace tiltbench::cli {

using json = nlohmann::json;

WeightScheme Commands::schemeFromOptions() const {
    WeightScheme scheme;
    scheme.kind = parseWeightKind(m_scheme);
    scheme.lambda = parseLambda(m_lambda);
    scheme.normalization = parseWeightNormalization(m_normalization);
    scheme.clip = parseClip(m_clip);
    scheme.epsilon = m_epsilon;
    scheme.threshold = m_threshold;
    scheme.validate();
    return scheme;
}

int Commands::runReport() {
    Workspace ws(m_workspace, OpenMode::ReadOnly);
    ReportOptions options;
    options.dataset = m_dataset;
    options.resamples = m_bootstrap;
    options.seed = m_seed.value_or(1);
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) == 0)
        options.machine = fmt::format("{} · {} cores", host, std::thread::hardware_concurrency());
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    gmtime_r(&now, &utc);
    options.generatedAt = fmt::format("{:04}-{:02}-{:02} {:02}:{:02} UTC", utc.tm_year + 1900, utc.tm_mon + 1,
                                      utc.tm_mday, utc.tm_hour, utc.tm_min);
    const std::string html = buildReport(ws, options);
    AtomicFile out(m_outPath, outputGuard());  // never the workspace, an input or any SQLite database
    out.write(html);
    out.commit();
    if (m_json) {
        std::cout << jsonText(nlohmann::json{{"out", m_outPath}, {"bytes", html.size()}}) << "\n";
    } else {
        std::cout << fmt::format("Wrote {} ({} bytes)\n", m_outPath, html.size());
    }
    return 0;
}

int Commands::runWeights() {
    const WeightScheme scheme = schemeFromOptions();
    Workspace ws(m_workspace, OpenMode::ReadOnly);
    const DatasetInfo d = ws.datasetByName(m_dataset);
    TerminalProgress progress;
    const InteractionLog log = ws.loadLog(d.id, progress.callback());
    progress.finish();
    const Split split = Split::make(log);
    const RewardLevelTable table(viewOf(split.training(), split.numItems()));
    WeightStatsOptions options;
    options.topItems = m_top;
    const WeightStats s = computeWeightStats(table, scheme, options);
    const double suggested = smallestLambdaWithEss(table, scheme, lambda_grid::metricGrid(), m_essFloor);
    auto itemJson = [&](const ItemWeightShift& it) {
        const auto i = static_cast<size_t>(it.item);
        return json{{"item", log.itemIds[i]}, {"title", log.itemTitles[i]},       {"count", it.count},
                    {"share", it.share},      {"uniform_share", it.uniformShare}, {"change", it.change},
                    {"lift", it.lift}};
    };
    if (m_json) {
        json j = {
            {"dataset", m_dataset},
            {"weighting", json::parse(scheme.toJson())},
            {"targets", s.numTargets},
            {"protocol", "training targets of the leave-one-out split (" + split.description() + ")"},
            {"ess", s.ess},
            {"ess_ratio", s.essRatio},
            {"mean_weight", s.meanWeight},
            {"max_weight", s.maxWeight},
            {"min_weight", s.minWeight},
            {"max_over_mean", s.maxOverMean},
            {"top_level_mass", s.topLevelMass},
            {"gini", s.gini},
            {"uniform_gini", s.uniformGini},
            {"levels_binned", s.levelsBinned},
            {"levels", json::array()},
            {"gainers", json::array()},
            {"losers", json::array()},
            {"ess_floor", m_essFloor},
            {"smallest_lambda_above_ess_floor", std::isfinite(suggested) ? json(suggested) : json("inf")}};
        for (const auto& l : s.levels) {
            j["levels"].push_back({{"reward", l.reward},
                                   {"count", l.count},
                                   {"weight", l.weight},
                                   {"mass", l.mass},
                                   {"uniform_mass", l.uniformMass}});
        }
        for (const auto& g : s.gainers)
            j["gainers"].push_back(itemJson(g));
        for (const auto& g : s.losers)
            j["losers"].push_back(itemJson(g));
        std::cout << jsonText(j) << "\n";
        return 0;
    }
    std::cout << fmt::format("'{}' at {}: {} training targets\n", m_dataset, scheme.describe(), s.numTargets);
    std::cout << fmt::format(
        "  ESS/N {:.4f} (ESS {:.0f})   max/mean weight {:.3g}   Gini of item shares {:.4f} "
        "(uniform {:.4f})\n",
        s.essRatio, s.ess, s.maxOverMean, s.gini, s.uniformGini);
    std::cout << fmt::format("  {:>10} {:>10} {:>12} {:>10} {:>12}\n", "reward", "targets", "weight", "mass",
                             "uniform mass");
    for (const auto& l : s.levels) {
        std::cout << fmt::format("  {:>10g} {:>10} {:>12.4g} {:>10.4f} {:>12.4f}\n", l.reward, l.count,
                                 l.weight, l.mass, l.uniformMass);
    }
    auto printItems = [&](const char* title, const std::vector<ItemWeightShift>& items) {
        std::cout << "  " << title << ":\n";
        for (const auto& it : items) {
            const auto i = static_cast<size_t>(it.item);
            const std::string& name = log.itemTitles[i].empty() ? log.itemIds[i] : log.itemTitles[i];
            std::cout << fmt::format("    {:<44} {:>7} logged  share {:.5f} (uniform {:.5f}, x{:.2f})\n",
                                     name.substr(0, 44), it.count, it.share, it.uniformShare, it.lift);
        }
    };
    printItems("items gaining most", s.gainers);
    printItems("items losing most", s.losers);
    std::cout << fmt::format(
        "  smallest lambda on the grid with ESS/N >= {:g}: {}\n", m_essFloor,
        std::isfinite(suggested) ? fmt::format("{:.3g}", suggested) : std::string("inf"));
    return 0;
}

int Commands::runRuns() {
    Workspace ws(m_workspace, OpenMode::ReadOnly);
    std::optional<int64_t> datasetId;
    if (!m_dataset.empty())
        datasetId = ws.datasetByName(m_dataset).id;
    RunStore store(ws);
    const auto list = store.runs(datasetId);
    std::map<int64_t, std::string> names;
    for (const auto& d : ws.datasets())
        names[d.id] = d.name;
    json out = {{"workspace", m_workspace}, {"runs", json::array()}};
    if (!m_json) {
        std::cout << fmt::format("{:>4}  {:<16} {:<16} {:<11} {:<34} {:>9} {:>12}  {}\n", "id", "dataset",
                                 "model", "status", "weighting", "ndcg@10", "ndcg_high@10", "created");
    }
    for (const auto& r : list) {
        std::map<std::string, double> test, valid;
        for (const auto& m : store.metrics(r.id)) {
            if (m.epoch != -1 || (m.split != "test" && m.split != "valid"))
                continue;  // per-epoch rows and the stored profile (split "profile")
            (m.split == "test" ? test : valid)[m.name] = m.value;
        }
        const json cfg = storedJson(r.config);
        if (m_json) {
            out["runs"].push_back({{"run_id", r.id},
                                   {"dataset", names[r.datasetId]},
                                   {"model", r.model},
                                   {"status", r.status},
                                   {"device", r.device},
                                   {"created_at", r.createdAt},
                                   {"finished_at", r.finishedAt},
                                   {"error", r.error},
                                   {"config", cfg},
                                   {"timings", storedJson(r.timings)},
                                   {"metrics", {{"valid", valid}, {"test", test}}}});
            continue;
        }
        std::string weighting = "-";
        if (cfg.is_object() && cfg.contains("weighting")) {
            weighting = WeightScheme::fromJson(cfg["weighting"].dump()).describe();
            if (isSequentialModel(r.model) && cfg.value("objective", std::string("weighted")) != "weighted") {
                try {
                    weighting = SasrecRunConfig::fromJson(r.config).methodDescription();
                } catch (const Error&) {
                    weighting = "? (config does not read)";
                }
            }
        }
        auto val = [&](const char* name) {
            auto it = test.find(name);
            return it == test.end() ? std::string("-") : fmt::format("{:.4f}", it->second);
        };
        std::cout << fmt::format("{:>4}  {:<16} {:<16} {:<11} {:<34} {:>9} {:>12}  {}\n", r.id,
                                 names[r.datasetId].substr(0, 16), r.model, r.status, weighting.substr(0, 34),
                                 val("ndcg@10"), val("ndcg_high@10"), r.createdAt);
    }
    if (m_json)
        std::cout << jsonText(out) << "\n";
    return 0;
}

int Commands::runRuntime() {
#ifdef TILTBENCH_CLI_LIGHT
    return forwardToTorchCli();
#else
    const RuntimeInfo info = runtimeInfo();
    json devices = json::array({"cpu"});
    for (int d = 0; d < info.cudaDevices; ++d)
        devices.push_back(d == 0 ? std::string("cuda") : fmt::format("cuda:{}", d));
    if (m_json) {
        std::cout << jsonText(json{{"tiltbench_version", info.tiltbenchVersion},
                                   {"torch_version", info.torchVersion},
                                   {"cuda_available", info.cudaAvailable},
                                   {"cuda_devices", info.cudaDevices},
                                   {"devices", devices},
                                   {"threads", info.threads},
                                   {"hardware_threads", info.hardwareThreads}})
                  << "\n";
        return 0;
    }
    std::cout << fmt::format("tiltbench {} with LibTorch {}\n", info.tiltbenchVersion, info.torchVersion);
    std::cout << fmt::format("  CUDA: {}\n", info.cudaAvailable
                                                 ? fmt::format("available, {} device(s)", info.cudaDevices)
                                                 : std::string("not available (CPU only)"));
    std::cout << fmt::format("  CPU threads: {} (default in use: {})\n", info.hardwareThreads, info.threads);
    return 0;
#endif
}

}  // namespace tiltbench::cli
