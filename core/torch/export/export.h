#pragma once
// Model export: a finished run leaves Tiltbench in forms other tools read without Tiltbench code —
//   torchscript   (SASRec) one self-contained TorchScript file: the weights, the item id map and the run's
//                 metadata as attributes, and `forward(history, k)` / `recommend(history, k)` returning the
//                 top-k unseen items; loads with torch.jit.load (Python) or torch::jit::load (C++);
//   safetensors   the weights (SASRec) or score tables (closed-form policies) in the safetensors format, with
//                 a JSON config beside it that says how to rebuild the model and score with it;
//   topk-csv      the top-k recommendations of every user of the run's dataset, after the user's whole
//                 history, history masked.
// Only `done` runs export, and only while their dataset still gives the split they were trained on. Files
// are written under a temporary name in the target folder and renamed into place at the end, so an error or
// a cancel leaves nothing behind. Torch-free header: the CLI (and through it the GUI) calls it.
#include <cstdint>
#include <string>
#include <vector>

#include "common/progress.h"
#include "store/workspace.h"

namespace tiltbench {

enum class ExportFormat { TorchScript, Safetensors, TopkCsv };

std::string toString(ExportFormat format);  // "torchscript" | "safetensors" | "topk-csv"
// Throws Error naming the text and listing the valid names.
ExportFormat exportFormatFromString(const std::string& name);
// The formats a run of `model` can be exported to: sasrec all three, the closed-form policies (popularity,
// markov, itemmean) safetensors and topk-csv; none for anything else.
std::vector<ExportFormat> exportFormatsFor(const std::string& model);

struct ExportRequest {
    int64_t runId = 0;
    ExportFormat format = ExportFormat::TorchScript;
    // The file to write (replaced if it exists; its folder must exist). safetensors also writes the config
    // beside it: `model.safetensors` → `model.config.json` (any other name: `<out>.config.json`).
    std::string outPath;
    int k = 10;                  // topk-csv: recommendations per user (≥ 1)
    std::string device = "cpu";  // SASRec scoring for topk-csv: cpu, cuda, cuda:N or auto
    int threads = 0;             // 0 = all cores
    bool titles = true;          // false: leave item titles out (TorchScript attributes, config, CSV column)
};

struct ExportResult {
    std::vector<std::string> files;  // written, main file first
    int64_t rows = 0;                // topk-csv: data rows (without the header); 0 otherwise
    int64_t users = 0;               // topk-csv: users listed
    std::string model;               // sasrec | popularity | markov | itemmean
    double seconds = 0.0;
};

// Throws Error (the run is absent, not done, of a model without that format, its dataset changed since, the
// output cannot be written — naming the path) or Cancelled when `progress` returns false.
ExportResult exportRun(Workspace& ws, const ExportRequest& request, const ProgressCallback& progress = {});

// The path of the config JSON written next to a safetensors file at `outPath`.
std::string safetensorsConfigPath(const std::string& outPath);

struct Recommendation {
    std::string item;   // external item id
    std::string title;  // "" when the dataset has none
    double score = 0.0;
};

// Top-k of one user of the run's dataset (by external user id) after the user's whole history, items of
// the history excluded, best first (ties: lower dense item index first). Fewer than k when the catalogue
// minus the history is smaller. Throws Error naming the user when the dataset has no such user. `history`,
// when given, receives the user's logged items (external ids, oldest first).
std::vector<Recommendation> recommendForUser(Workspace& ws, int64_t runId, const std::string& userExternalId,
                                             int k, const std::string& device = "cpu",
                                             std::vector<std::string>* history = nullptr);

// Top-k of an exported TorchScript file (no workspace): calls its `recommend(history, k)` with external item
// ids, oldest first; titles come from the file's item map. A TorchScript file is code, so unless
// `trustModel`, the file is read into memory and, before torch::jit::load sees it, its code records,
// constants and versions must be byte for byte what this version's exporter writes and it may hold no other
// record than its data (data.pkl, data/N, extra/tiltbench.json); after loading, its tensors and attributes
// must agree with each other (shapes, catalogue size), so the exporter's own code is what runs, on checked
// values. Throws Error naming the file (and the first differing record, and --trust-model) when it is
// refused, does not load or is not a Tiltbench export, and naming the item when an id is not in the model's
// catalogue. With `trustModel` the file's code runs as it is. `times`: the history's timestamps, read by an
// HSTU export (its time-gap bias; without them every gap is unknown); an Error for a SASRec export.
std::vector<Recommendation> recommendFromTorchScript(const std::string& modelPath,
                                                     const std::vector<std::string>& history, int k,
                                                     bool trustModel = false,
                                                     const std::vector<int64_t>& times = {});

// Top-k of a SASRec or HSTU safetensors export (the weights file; its config beside it, see
// safetensorsConfigPath)
// with Tiltbench's own model code: nothing in the files is code. The config and the tensor archive are
// checked (architecture in range, exactly the tensors and shapes it implies, the item map of num_items ids)
// before the model is built. Throws Error naming the file.
std::vector<Recommendation> recommendFromSafetensors(const std::string& modelPath,
                                                     const std::vector<std::string>& history, int k,
                                                     const std::vector<int64_t>& times = {});

// `recommend --model FILE`: a zip file is a TorchScript export (recommendFromTorchScript), anything else a
// safetensors export (recommendFromSafetensors).
std::vector<Recommendation> recommendFromModelFile(const std::string& modelPath,
                                                   const std::vector<std::string>& history, int k,
                                                   bool trustModel = false,
                                                   const std::vector<int64_t>& times = {});

}  // namespace tiltbench
