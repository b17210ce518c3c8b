#pragma once
// SASRec's training data, torch-free: the split's training targets as per-user windows of at most maxLen + 1
// items with each target's weight, cut into batches (random or length-bucketed) and laid out as a padded
// SequenceBatch. The trainer (core/torch/train/sasrec_trainer.cpp) feeds these to the model.
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "eval/split.h"
#include "model/sasrec_config.h"
#include "weighting/weight_scheme.h"

namespace tiltbench {

// One user's training sequence: items oldest first, and the weight of each item as a target (entry 0 is never
// a target).
struct TrainSequence {
    std::vector<int32_t> items;
    std::vector<float> weights;
    std::vector<int64_t> times;  // timestamp of each item; empty when buildSequences had no times
    int32_t user = 0;
    // Where the window starts in the training targets, and where its user's targets start: the user's history
    // before step t of the window is targets.item[userBegin, begin + t] (what DPO and PPO never sample).
    size_t begin = 0;
    size_t userBegin = 0;
};

// Every training interaction but a user's first is a target exactly once, however long the history. With
// `logTimes` (the InteractionLog's ts column) each sequence carries its items' timestamps (HSTU reads them).
std::vector<TrainSequence> buildSequences(const TrainingTargets& targets,
                                          const std::vector<float>& targetWeight, int maxLen,
                                          const std::vector<int64_t>* logTimes = nullptr);

// Batches of sequence indices, random (shuffled every epoch, rows of a batch sorted by length) or
// length-bucketed; see the .cpp.
std::vector<std::vector<size_t>> makeBatches(const std::vector<TrainSequence>& seqs, int batchSize,
                                             bool lengthBuckets, std::mt19937_64& rng);

// The rows as one padded batch: inputs shifted by one (0 = padding), targets (-1 = none), weights, with
// `batch` normalisation applied when the scheme asks for it, and the inputs' times where the sequences have
// them.
SequenceBatch makeBatch(const std::vector<TrainSequence>& seqs, const std::vector<size_t>& rows,
                        const WeightScheme& scheme);

}  // namespace tiltbench
