#pragma once
// CatalogRanker: the one expensive pass of evaluation — for every request (user, held-out target, history)
// it finds the target's rank among all catalogue items and the user's top-K list, without ever holding a
// users × items score matrix. Requests are grouped into batches whose targets fall in the same catalogue
// slice; that slice is scored first so the target's score is known, then the remaining slices stream past
// while a running top-K and the count of items scoring at least the target are kept. Batches run on worker
// threads; each request's output depends only on its own scores, so results are identical for any thread
// count, batch size or slice width (given a scorer whose scores for a user do not depend on the batch).
// History items other than the target are removed from the candidates (the target is never masked). Ties
// are pessimistic: rank = 1 + #{candidates ≠ target with score ≥ target score}; see eval/metrics.h.
#include <cstdint>
#include <vector>

#include "common/progress.h"
#include "eval/scorer.h"

namespace tiltbench {

struct RankRequest {
    int32_t user = 0;
    int32_t target = 0;
    const int32_t* history = nullptr;  // items before the target, oldest first
    int64_t historyLength = 0;
    const int64_t* times = nullptr;  // the history's timestamps, or null
};

struct RankingOptions {
    int kMax = 20;             // length of the kept top lists
    int32_t batchSize = 256;   // users per scorer call
    int32_t chunkSize = 8192;  // catalogue items per scorer call
    int threads = 0;           // 0 = std::thread::hardware_concurrency()
};

struct RankingOutput {
    int kMax = 0;
    std::vector<int64_t> rank;       // per request, 1-based, pessimistic ties
    std::vector<int32_t> topItems;   // requests × kMax, best first, −1 past the end of a short list
    std::vector<int32_t> topLength;  // valid entries per request's list
    std::vector<float> probeScores;  // raw (unmasked) scores of the probe items, laid out like probeItems
};

// Probes: optional items whose raw scores are wanted per request (the randomly exposed test items), as CSR:
// request r's items are probeItems[probeOffsets[r] .. probeOffsets[r+1]) (any order). Empty offsets = none.
// Calls `progress` from the calling thread only (stage "ranking", unit "users"); throws Cancelled when it
// returns false, Error when the scorer's catalogue size differs from `numItems`, and rethrows the first
// exception a scorer call throws.
RankingOutput rankCatalog(const Scorer& scorer, int32_t numItems, const std::vector<RankRequest>& requests,
                          const RankingOptions& options, const std::vector<int64_t>& probeOffsets = {},
                          const std::vector<int32_t>& probeItems = {}, const ProgressCallback& progress = {});

}  // namespace tiltbench
