#pragma once
// TargetView: the training targets that weighting and the closed-form policies read — one entry per
// training target (a logged interaction used as "history → next item"): its item, its reward and the item
// right before it in the user's sequence. A non-owning view of parallel arrays, so weighting does not
// depend on how a split stores them: a core/eval Split's training() arrays, or a TargetColumns, both fit
// without a copy. The arrays must outlive whatever is being built from the view (RewardLevelTable and
// TransitionTable copy what they need, so only their construction reads it).
#include <cstddef>
#include <cstdint>

namespace tiltbench {

struct TargetView {
    const int32_t* item = nullptr;      // dense item id of each target
    const double* reward = nullptr;     // its logged reward (finite)
    const int32_t* prevItem = nullptr;  // the item right before it in the user's full sequence; -1 if first
    size_t size = 0;
    int32_t numItems = 0;  // catalogue size (items with no training target still count)

    bool empty() const { return size == 0; }

    // Throws Error naming the first problem: missing arrays, item ids outside 0..numItems-1, a prevItem
    // outside -1..numItems-1, a non-finite reward.
    void validate() const;
};

// The view of any struct with `item`, `reward` and `prevItem` vectors, e.g. `viewOf(split.training(),
// split.numItems())` — kept a template so weighting needs no core/eval header.
template <typename Columns>
TargetView viewOf(const Columns& c, int32_t numItems) {
    TargetView v;
    v.item = c.item.data();
    v.reward = c.reward.data();
    v.prevItem = c.prevItem.data();
    v.size = c.item.size();
    v.numItems = numItems;
    return v;
}

}  // namespace tiltbench
