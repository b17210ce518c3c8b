// The CLI's export commands: `export` (a finished run to a TorchScript model, safetensors weights + config,
// or a top-k CSV) and `recommend` (top-k of an exported TorchScript file, or of a run for one user — the
// GUI's Export page preview).
#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_commands.h"
#include "common/error.h"
#include "json_output.h"
#include "progress_stream.h"
#include "store/workspace.h"
#include "terminal_progress.h"
#include "torch/export/export.h"
#include "torch_forward.h"

namespace tiltbench::cli {
namespace {

using json = nlohmann::json;

}  // namespace

void Commands::registerExportCommands(CLI::App& app) {
    auto* ex = app.add_subcommand(
        "export", "Export a finished run: TorchScript model, safetensors weights + config, or top-k CSV");
    ex->add_option("-w,--workspace", m_workspace, "Workspace file (SQLite)")->required();
    ex->add_flag("--json", m_json, "Print one JSON object on stdout");
    ex->add_option("-r,--run", m_runId, "Run id (see 'runs'); the run must be done")->required();
    ex->add_option("-f,--format", m_exportFormat,
                   "torchscript (sasrec), safetensors (weights or score tables + PATH's .config.json), "
                   "topk-csv (user,rank,item,title,score for every user)")
        ->required();
    ex->add_option("-o,--out", m_outPath, "File to write (replaced if it exists; its folder must exist)")
        ->required();
    ex->add_option("--k", m_topK, "topk-csv: recommendations per user")->capture_default_str();
    ex->add_option("--device", m_exportDevice, "topk-csv of a sasrec run: cpu, cuda, cuda:N or auto")
        ->capture_default_str();
    ex->add_option("--threads", m_threads, "Threads (0 = all cores)")->capture_default_str();
    ex->add_flag("--no-titles", m_noTitles, "Leave item titles out of the exported files");
    ex->add_option("--progress-jsonl", m_progressJsonl,
                   "Also write machine-readable progress, one JSON object per line (events progress, "
                   "finished), to TARGET: stderr, stdout, fd:N or a file path");
    ex->callback([this] { m_selected = [this] { return runExport(); }; });

    auto* rec = app.add_subcommand(
        "recommend",
        "Top-k items after a history: of an exported TorchScript file (--model, --history) or of a run for "
        "one user of its dataset (--workspace, --run, --user)");
    rec->add_option("--model", m_modelPath,
                    "A file written by 'export': safetensors (SASRec; its .config.json beside it) or "
                    "torchscript (accepted only when its code is exactly what this version exports)");
    rec->add_flag("--trust-model", m_trustModel,
                  "--model: load a TorchScript file whatever code it holds (its code runs with your "
                  "permissions; only for files you trust)");
    rec->add_option("--history", m_history, "--model: item ids, oldest first, comma-separated");
    rec->add_option("--times", m_times,
                    "--model, HSTU exports: the history's timestamps (integers in the training log's unit), "
                    "comma-separated; without them HSTU's time-gap bias sees every gap as unknown")
        ->delimiter(',');
    rec->add_option("-w,--workspace", m_workspace, "Workspace file (SQLite)");
    rec->add_option("-r,--run", m_runId, "--workspace: run id (the run must be done)");
    rec->add_option("--user", m_user, "--workspace: user id as in the dataset; their whole history is read");
    rec->add_option("--k", m_topK, "Items to list")->capture_default_str();
    rec->add_option("--device", m_exportDevice, "--workspace with a sasrec run: cpu, cuda, cuda:N or auto")
        ->capture_default_str();
    rec->add_flag("--json", m_json, "Print one JSON object on stdout");
    rec->callback([this] { m_selected = [this] { return runRecommend(); }; });
}

int Commands::runExport() {
#ifdef TILTBENCH_CLI_LIGHT
    return forwardToTorchCli();
#else
    checkThreadsOption(m_threads);
    checkTopKOption(m_topK);
    ExportRequest request;
    request.runId = m_runId;
    request.format = exportFormatFromString(m_exportFormat);
    request.outPath = m_outPath;
    request.k = m_topK;
    request.device = m_exportDevice;
    request.threads = m_threads;
    request.titles = !m_noTitles;
    ProgressStream stream(m_progressJsonl, outputGuard());
    // Export only reads the workspace: a read-only one (or one in a read-only folder) exports too.
    Workspace ws(m_workspace, OpenMode::ReadOnly);
    TerminalProgress progress;
    const ProgressCallback callback = stream.progressCallback(progress.callback());
    ExportResult r;
    try {
        r = exportRun(ws, request, callback);
    } catch (const Cancelled&) {
        progress.finish();
        stream.emit(engine::FinishedEvent{engine::FinishedEvent::Status::Cancelled});
        throw;
    } catch (const std::exception& e) {
        progress.finish();
        engine::FinishedEvent failed;
        failed.error = e.what();
        stream.emit(failed);
        throw;
    }
    progress.finish();
    engine::FinishedEvent done{engine::FinishedEvent::Status::Done};
    done.files = r.files;
    done.rows = r.rows;
    done.users = r.users;
    done.seconds = r.seconds;
    stream.emit(done);
    if (m_json) {
        std::cout << jsonText(json{{"run", m_runId},
                                   {"format", toString(request.format)},
                                   {"model", r.model},
                                   {"files", r.files},
                                   {"rows", r.rows},
                                   {"users", r.users},
                                   {"seconds", r.seconds}})
                  << "\n";
        return 0;
    }
    std::cout << fmt::format("Exported run {} ({}) as {} in {:.2f} s:\n", m_runId, r.model,
                             toString(request.format), r.seconds);
    for (const auto& f : r.files)
        std::cout << "  " << f << "\n";
    if (request.format == ExportFormat::TopkCsv)
        std::cout << fmt::format("{} rows for {} users (top {})\n", r.rows, r.users, request.k);
    return 0;
#endif
}

int Commands::runRecommend() {
#ifdef TILTBENCH_CLI_LIGHT
    return forwardToTorchCli();
#else
    const bool fromFile = !m_modelPath.empty();
    const bool fromRun = !m_workspace.empty() || m_runId != 0 || !m_user.empty();
    if (fromFile == fromRun)
        throw Error(
            "recommend: give either --model FILE --history IDS (an exported model) or "
            "--workspace W "
            "--run ID --user USER (a run of the workspace)");
    if (fromRun && (m_workspace.empty() || m_runId == 0 || m_user.empty()))
        throw Error("recommend: --workspace, --run and --user are needed together");
    if (!fromFile && m_trustModel)
        throw Error("recommend: --trust-model goes with --model");
    if (!fromFile && !m_times.empty())
        throw Error("recommend: --times goes with --model (with --run the logged timestamps are read)");
    if (!fromFile && !m_history.empty())
        throw Error("recommend: --history goes with --model (with --run the user's logged history is read)");
    checkTopKOption(m_topK);
    std::vector<Recommendation> items;
    std::vector<std::string> history;
    if (fromFile) {
        items = recommendFromModelFile(m_modelPath, splitCommaList(m_history), m_topK, m_trustModel, m_times);
    } else {
        Workspace ws(m_workspace, OpenMode::ReadOnly);
        items = recommendForUser(ws, m_runId, m_user, m_topK, m_exportDevice, &history);
    }
    if (m_json) {
        json j = {{"items", json::array()}};
        for (size_t r = 0; r < items.size(); ++r) {
            j["items"].push_back({{"rank", r + 1},
                                  {"item", items[r].item},
                                  {"title", items[r].title},
                                  {"score", items[r].score}});
        }
        if (fromRun) {
            j["user"] = m_user;
            j["run"] = m_runId;
            j["history"] = history;  // the user's logged items, oldest first
        }
        std::cout << jsonText(j) << "\n";
        return 0;
    }
    if (fromRun)
        std::cout << fmt::format("Top {} for user {} (run {}):\n", items.size(), m_user, m_runId);
    for (size_t r = 0; r < items.size(); ++r) {
        std::cout << fmt::format("{:>4}  {:<12} {:>12.6g}{}\n", r + 1, items[r].item, items[r].score,
                                 items[r].title.empty() ? std::string() : "  " + items[r].title);
    }
    return 0;
#endif
}

}  // namespace tiltbench::cli
