#include "train/sasrec_sequences.h"

#include <algorithm>
#include <numeric>

namespace tiltbench {

namespace {
constexpr int kBatchesPerPool = 32;
}  // namespace

std::vector<TrainSequence> buildSequences(const TrainingTargets& t, const std::vector<float>& targetWeight,
                                          int maxLen, const std::vector<int64_t>* logTimes) {
    std::vector<TrainSequence> out;
    const auto window = static_cast<size_t>(maxLen);
    size_t i = 0;
    while (i < t.size()) {
        size_t j = i;
        while (j < t.size() && t.user[j] == t.user[i])
            ++j;
        // Windows of at most maxLen + 1 items (maxLen inputs, each predicting the next), newest first; each
        // older window ends where the next one's first target starts, so every training interaction but the
        // user's first is a target exactly once, however long the history.
        for (size_t end = j; end >= i + 2;) {
            const size_t begin = (end - i > window + 1) ? end - window - 1 : i;
            TrainSequence s;
            s.items.assign(t.item.begin() + static_cast<std::ptrdiff_t>(begin),
                           t.item.begin() + static_cast<std::ptrdiff_t>(end));
            s.weights.assign(targetWeight.begin() + static_cast<std::ptrdiff_t>(begin),
                             targetWeight.begin() + static_cast<std::ptrdiff_t>(end));
            if (logTimes) {
                s.times.reserve(end - begin);
                for (size_t k = begin; k < end; ++k)
                    s.times.push_back((*logTimes)[static_cast<size_t>(t.logIndex[k])]);
            }
            s.user = t.user[i];
            s.begin = begin;
            s.userBegin = i;
            out.push_back(std::move(s));
            if (begin == i)
                break;
            end = begin + 1;  // this window's first item is the older window's last target
        }
        i = j;
    }
    return out;
}

// Batches of sequence indices. Random (the default): shuffle and cut, so every
// batch mixes users of every history length and the batches change every
// epoch; the rows of each batch are then sorted by length for sliceRows.
// Length-bucketed: shuffle, sort each pool of kBatchesPerPool batches by
// length, cut, shuffle the batches — nearly padding-free, but when the
// sequences fit in one pool (ML-100K: about 1000 sequences) each batch holds
// one band of lengths and the batches are nearly the same every epoch.
std::vector<std::vector<size_t>> makeBatches(const std::vector<TrainSequence>& seqs, int batchSize,
                                             bool lengthBuckets, std::mt19937_64& rng) {
    std::vector<size_t> order(seqs.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::shuffle(order.begin(), order.end(), rng);
    // A pool of one batch only sorts the rows inside each batch: the same batch, in slice-friendly order.
    const size_t b = static_cast<size_t>(batchSize), pool = lengthBuckets ? b * kBatchesPerPool : b;
    std::vector<std::vector<size_t>> batches;
    for (size_t p = 0; p < order.size(); p += pool) {
        const auto first = order.begin() + static_cast<std::ptrdiff_t>(p);
        const auto last = order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), p + pool));
        std::stable_sort(first, last,
                         [&](size_t x, size_t y) { return seqs[x].items.size() > seqs[y].items.size(); });
        for (auto it = first; it < last;
             it += static_cast<std::ptrdiff_t>(std::min<size_t>(b, static_cast<size_t>(last - it))))
            batches.emplace_back(
                it, it + static_cast<std::ptrdiff_t>(std::min<size_t>(b, static_cast<size_t>(last - it))));
    }
    std::shuffle(batches.begin(), batches.end(), rng);
    return batches;
}

SequenceBatch makeBatch(const std::vector<TrainSequence>& seqs, const std::vector<size_t>& rows,
                        const WeightScheme& scheme) {
    SequenceBatch batch;
    batch.rows = static_cast<int64_t>(rows.size());
    for (size_t r : rows)
        batch.length = std::max<int64_t>(batch.length, static_cast<int64_t>(seqs[r].items.size()) - 1);
    const auto cells = static_cast<size_t>(batch.rows * batch.length);
    batch.inputs.assign(cells, 0);
    batch.targets.assign(cells, -1);
    batch.weights.assign(cells, 0.0f);
    const bool timed =
        std::all_of(rows.begin(), rows.end(), [&](size_t r) { return !seqs[r].times.empty(); });
    if (timed && !rows.empty())
        batch.times.assign(cells, 0);
    std::vector<float*> real;  // the weights of steps with a target, for `batch` normalisation
    for (size_t k = 0; k < rows.size(); ++k) {
        const TrainSequence& s = seqs[rows[k]];
        const size_t base = k * static_cast<size_t>(batch.length);
        for (size_t t = 0; t + 1 < s.items.size(); ++t) {
            batch.inputs[base + t] = s.items[t] + 1;
            batch.targets[base + t] = s.items[t + 1];
            batch.weights[base + t] = s.weights[t + 1];
            if (!batch.times.empty())
                batch.times[base + t] = s.times[t];
        }
    }
    if (scheme.normalization == WeightNormalization::Batch) {
        std::vector<float> w;
        std::vector<size_t> at;
        for (size_t i = 0; i < cells; ++i) {
            if (batch.targets[i] >= 0) {
                w.push_back(batch.weights[i]);
                at.push_back(i);
            }
        }
        scheme.normalizeBatch(w.data(), w.size());
        for (size_t k = 0; k < at.size(); ++k)
            batch.weights[at[k]] = w[k];
    }
    return batch;
}

}  // namespace tiltbench
