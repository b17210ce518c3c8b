#pragma once
// Top-k recommendation lists from any Scorer: every user (or one) scored after their whole logged history,
// the items of that history excluded, best first, ties broken by the lower dense item index. The topk-csv
// export and the preview of one user share it, so both list the same items. Torch-free, private to core.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/progress.h"
#include "data/interaction_log.h"
#include "eval/scorer.h"

namespace tiltbench {

struct ScoredItem {
    int32_t item = 0;  // dense index
    float score = 0.0f;
};

// Reusable scratch for one thread: select() costs O(items + history + k log k).
class TopKSelector {
  public:
    explicit TopKSelector(int32_t numItems);
    // The k best items of `scores` [numItems] outside `history` (fewer when the rest of the catalogue is
    // smaller than k).
    std::vector<ScoredItem> select(const float* scores, const int32_t* history, int64_t historyLength, int k);

  private:
    std::vector<uint32_t> m_stamp;
    uint32_t m_generation = 0;
    std::vector<int32_t> m_candidates;
};

// Scores the users [0, numUsers) of `log` in batches (about 16 M scores a batch) and calls `onUser` with
// each user's list, in user order; progress after every batch ("scoring", users done of all).
void forEachUserTopK(const InteractionLog& log, const Scorer& scorer, int k, const ProgressCallback& progress,
                     const std::function<void(int32_t user, const std::vector<ScoredItem>&)>& onUser);

// One user's list.
std::vector<ScoredItem> userTopK(const InteractionLog& log, const Scorer& scorer, int32_t user, int k);

// A CSV field as RFC 4180 wants it: quoted (with inner quotes doubled) when it holds a comma, a quote, CR
// or LF, or starts or ends with a space; as it is otherwise.
std::string csvField(const std::string& text);

}  // namespace tiltbench
