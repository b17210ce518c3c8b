#pragma once
// Private to core (.cpp files only): the resumable state of a SASRec training run — everything the epoch
// loop carries from one epoch to the next — and its storage in the workspace (run_train_states, one row per
// unfinished run, replaced after every epoch). A run resumed from it continues exactly as if it had never
// stopped (on CPU, same thread count): the parameters, Adam's moments and step counts, the batch-order
// generator and torch's CPU generator (dropout) all come back. CUDA's generator is not saved, so on a GPU a
// resumed run is a faithful continuation but not bit-identical.
#include <torch/optim/adam.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "store/workspace.h"
#include "torch/train/sasrec_trainer.h"

namespace tiltbench {

struct SasrecLoopState {
    int epochsDone = 0;
    bool stoppedEarly = false;                               // patience ran out: no epoch is left to train
    double best = -std::numeric_limits<double>::infinity();  // best validation score so far
    int bestEpoch = 0;
    int sinceBest = 0;
    double trainSeconds = 0.0;
    double evalSeconds = 0.0;
    int64_t stepsDone = 0;
    std::vector<SasrecEpochRecord> epochs;
    std::string batchRng;  // the batch-order std::mt19937_64, streamed as text
};

struct SasrecTrainState {
    SasrecLoopState loop;
    std::string model;      // SasrecModel::saveState
    std::string optimizer;  // torch::optim::Adam, serialised
    std::string generator;  // torch's CPU generator state
};

// Adam's per-parameter state (LibTorch's AdamParamState: step, exp_avg, exp_avg_sq and, with amsgrad,
// max_exp_avg_sq) of `model`'s parameters as a tensor archive (common/tensor_archive.h), keyed
// "<parameter name>/<field>": step I64 of shape [], the moments F32 of the parameter's shape. The optimizer
// must have been built over model's parameters. `loadOptimizer` reads such an archive strictly (known
// parameter and field names, exact dtypes and shapes, all three fields of a parameter together; an Error
// starting with `what` and naming the tensor otherwise, leaving the optimizer unchanged) and runs no code
// from the bytes. A blob of the old format (torch::serialize::OutputArchive, a zip file) is accepted only
// when it holds nothing but declarations and values (model/torch_archive.h), and converted in memory.
std::string saveOptimizer(torch::optim::Adam& optimizer, const SasrecModel& model);
void loadOptimizer(torch::optim::Adam& optimizer, const SasrecModel& model, const std::string& bytes,
                   const std::string& what);
std::string cpuGeneratorState();
void setCpuGeneratorState(const std::string& bytes);
std::string rngText(const std::mt19937_64& rng);
void rngFromText(std::mt19937_64& rng, const std::string& text);

// The end of an epoch, in one transaction so the two never disagree: the new best checkpoint (when
// `bestState` is given; it replaces the old one) and the resumable state.
void saveEpochEnd(Workspace& ws, int64_t runId, const SasrecTrainState& state, const std::string* bestState);
std::optional<SasrecTrainState> loadTrainState(Workspace& ws, int64_t runId);
void dropTrainState(Workspace& ws, int64_t runId);
// The stored best checkpoint's bytes; empty when there is none.
std::string bestCheckpointBytes(Workspace& ws, int64_t runId);

}  // namespace tiltbench
