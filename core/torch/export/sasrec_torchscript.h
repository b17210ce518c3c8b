#pragma once
// The TorchScript export of a SASRec run: a torch::jit::Module built here (not traced from Python) whose
// registered parameters are the best checkpoint's weights, with the blocks' parameters stacked along a
// leading block dimension ([blocks, …]), and whose methods come from sasrecTorchScriptSource():
//   forward(history: Tensor, k: int = 10) -> Tuple[Tensor, Tensor]
//       external int64 item ids, oldest first, [L] or [B, L] with rows padded by -1 → (scores, ids) of the
//       top-k items outside the history; a clear RuntimeError for an id not in the catalogue, and for any
//       call when the dataset's item ids are not all integers;
//   recommend(history: List[str], k: int = 10) -> Tuple[List[str], List[float]]
//       the same with string ids; works for every dataset.
// Attributes: item_ids / item_titles (List[str], by item index), item_index (Dict[str, int]), integer_ids,
// the architecture (num_items, dim, blocks, heads, max_len) and the run's metadata (run_id, dataset, model,
// weighting JSON, scheme, weight_lambda, normalization, hyperparameters JSON, metrics Dict[str, float],
// tiltbench_version, checkpoint_epoch, metadata_json with all of it); the same JSON is stored in the file as
// the extra file "tiltbench.json". Private to core/torch/export.
#include <string>

#include "export/sasrec_torchscript_source.h"

namespace tiltbench {

class AtomicFile;
struct ExportedRun;

// Builds the module of `run` (a loaded SASRec run) and saves it to file.tempPath() (the caller commits).
void writeSasrecTorchScript(const ExportedRun& run, bool titles, AtomicFile& file);

}  // namespace tiltbench
