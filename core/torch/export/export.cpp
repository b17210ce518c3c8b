#include "torch/export/export.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "common/error.h"
#include "common/limits.h"
#include "export/atomic_file.h"
#include "export/topk.h"
#include "model/sasrec_config.h"
#include "torch/export/export_run.h"
#include "torch/export/sasrec_torchscript.h"
#include "torch/export/weights_export.h"
#include "torch/runtime/runtime.h"

namespace tiltbench {
namespace {

const char* kFormatNames = "torchscript, safetensors, topk-csv";

std::string baseName(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string scoreText(float score) {
    return fmt::format("{:.9g}", static_cast<double>(score));
}

void requireFormat(const RunRecord& run, ExportFormat format) {
    const auto formats = exportFormatsFor(run.model);
    if (std::find(formats.begin(), formats.end(), format) != formats.end())
        return;
    std::string valid;
    for (const auto f : formats)
        valid += (valid.empty() ? "" : ", ") + toString(f);
    throw Error(fmt::format("run {} is a '{}' run: it exports to {}, not {}", run.id, run.model, valid,
                            toString(format)));
}

void writeTopkCsv(const ExportedRun& run, const ExportRequest& request, AtomicFile& file,
                  const ProgressCallback& progress, ExportResult& result) {
    const InteractionLog& log = run.log;
    file.write("user,rank,item,title,score\n");
    std::string buffer;
    forEachUserTopK(
        log, run.scorer(), request.k, progress, [&](int32_t user, const std::vector<ScoredItem>& top) {
            const std::string userField = csvField(log.userIds[static_cast<size_t>(user)]);
            buffer.clear();
            for (size_t r = 0; r < top.size(); ++r) {
                const auto i = static_cast<size_t>(top[r].item);
                buffer += fmt::format("{},{},{},{},{}\n", userField, r + 1, csvField(log.itemIds[i]),
                                      request.titles ? csvField(log.itemTitles[i]) : std::string(),
                                      scoreText(top[r].score));
            }
            file.write(buffer);
            result.rows += static_cast<int64_t>(top.size());
            ++result.users;
        });
}

}  // namespace

std::string toString(ExportFormat format) {
    switch (format) {
        case ExportFormat::TorchScript:
            return "torchscript";
        case ExportFormat::Safetensors:
            return "safetensors";
        case ExportFormat::TopkCsv:
            return "topk-csv";
    }
    return "torchscript";
}

ExportFormat exportFormatFromString(const std::string& name) {
    for (const auto f : {ExportFormat::TorchScript, ExportFormat::Safetensors, ExportFormat::TopkCsv}) {
        if (name == toString(f))
            return f;
    }
    throw Error(fmt::format("unknown export format '{}': expected {}", name, kFormatNames));
}

std::vector<ExportFormat> exportFormatsFor(const std::string& model) {
    if (isSequentialModel(model))
        return {ExportFormat::TorchScript, ExportFormat::Safetensors, ExportFormat::TopkCsv};
    if (model == "popularity" || model == "markov" || model == "itemmean")
        return {ExportFormat::Safetensors, ExportFormat::TopkCsv};
    return {};
}

std::string safetensorsConfigPath(const std::string& outPath) {
    const std::string ext = ".safetensors";
    const std::string name = baseName(outPath);
    if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0)
        return outPath.substr(0, outPath.size() - ext.size()) + ".config.json";
    return outPath + ".config.json";
}

ExportResult exportRun(Workspace& ws, const ExportRequest& request, const ProgressCallback& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    if (request.outPath.empty())
        throw Error("export: no output path given (--out)");
    if (request.format == ExportFormat::TopkCsv && (request.k < 1 || request.k > limits::kMaxK))
        throw Error(fmt::format("export: k must be in 1..{} (got {})", limits::kMaxK, request.k));
    setThreads(request.threads);
    // Check the run before loading anything heavy, and the output folder before the work.
    const RunRecord record = RunStore(ws).run(request.runId);
    requireExportable(record);
    requireFormat(record, request.format);
    const std::string device = request.format == ExportFormat::TopkCsv ? request.device : "cpu";
    // The outputs never replace the workspace (or its side files) or any other SQLite database.
    OutputGuard guard;
    guard.protectWorkspace(ws.path());
    auto main = std::make_unique<AtomicFile>(request.outPath, guard);
    std::unique_ptr<AtomicFile> config;
    if (request.format == ExportFormat::Safetensors)
        config = std::make_unique<AtomicFile>(safetensorsConfigPath(request.outPath), guard);

    const auto run = loadRunForExport(ws, request.runId, device, progress);
    ExportResult result;
    result.model = run->run.model;
    reportProgress(progress, {"writing " + toString(request.format), 0, 0, ""});
    switch (request.format) {
        case ExportFormat::TorchScript:
            writeSasrecTorchScript(*run, request.titles, *main);
            break;
        case ExportFormat::Safetensors:
            writeSafetensorsExport(*run, request.titles, baseName(request.outPath), *main, *config);
            break;
        case ExportFormat::TopkCsv:
            writeTopkCsv(*run, request, *main, progress, result);
            break;
    }
    reportProgress(progress, {"writing " + toString(request.format), 1, 1, ""});
    main->close();
    if (config)
        config->close();
    // Both closed and complete: rename into place (the config last, so a reader never finds a config
    // without its weights).
    main->commit();
    result.files.push_back(request.outPath);
    if (config) {
        try {
            config->commit();
        } catch (...) {
            std::remove(request.outPath.c_str());
            throw;
        }
        result.files.push_back(config->path());
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return result;
}

std::vector<Recommendation> recommendForUser(Workspace& ws, int64_t runId, const std::string& userExternalId,
                                             int k, const std::string& device,
                                             std::vector<std::string>* history) {
    if (k < 1 || k > limits::kMaxK)
        throw Error(fmt::format("k must be in 1..{} (got {})", limits::kMaxK, k));
    const auto run = loadRunForExport(ws, runId, device, {});
    const InteractionLog& log = run->log;
    int32_t user = -1;
    for (int32_t u = 0; u < log.numUsers(); ++u) {
        if (log.userIds[static_cast<size_t>(u)] == userExternalId) {
            user = u;
            break;
        }
    }
    if (user < 0)
        throw Error(
            fmt::format("dataset '{}' (run {}) has no user '{}'", run->dataset.name, runId, userExternalId));
    if (history != nullptr) {
        history->clear();
        for (int64_t p = log.userOffsets[static_cast<size_t>(user)];
             p < log.userOffsets[static_cast<size_t>(user) + 1]; ++p) {
            history->push_back(log.itemIds[static_cast<size_t>(log.item[static_cast<size_t>(p)])]);
        }
    }
    std::vector<Recommendation> out;
    for (const auto& s : userTopK(log, run->scorer(), user, k)) {
        const auto i = static_cast<size_t>(s.item);
        out.push_back({log.itemIds[i], log.itemTitles[i], static_cast<double>(s.score)});
    }
    return out;
}

}  // namespace tiltbench
