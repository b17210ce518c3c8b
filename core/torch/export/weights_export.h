#pragma once
// The safetensors export: a run's tensors in the safetensors format plus a JSON config that says how to
// rebuild the model and score with it, without Tiltbench.
//   SASRec: the best checkpoint's parameters under their module names ("items.weight", "positions.weight",
//     "blocks.{b}.{norm1,qkv,out,norm2,ff1,ff2}.{weight,bias}", "final_norm.{weight,bias}"), F32; the config
//     gives the architecture, each parameter's role, the item index shift (row i + 1 of items.weight is item
//     index i, row 0 is padding), the position convention and the forward pass step by step.
//   popularity / itemmean: one score vector over the catalogue (log_probability or shrunk_mean, F64) and
//     `score` (F32), the exact number Tiltbench ranks by.
//   markov: log π(j | i) as a sparse CSR table (indptr, indices, values over the transitions seen in
//   training)
//     plus log_popularity and row_base, so that an unseen transition scores row_base[i] + log_popularity[j].
// Both configs carry the item id map (item_ids, item_titles by item index) and the run's metadata.
// Private to core/export.
#include <vector>

#include "export/safetensors_writer.h"

namespace tiltbench {

class AtomicFile;
struct ExportedRun;

std::vector<NamedTensor> exportTensors(const ExportedRun& run);

// Writes the tensors to `weights` and the config to `config` (the caller commits both). `weightsName` is the
// file name the config refers to.
void writeSafetensorsExport(const ExportedRun& run, bool titles, const std::string& weightsName,
                            AtomicFile& weights, AtomicFile& config);

}  // namespace tiltbench
