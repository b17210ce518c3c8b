#pragma once
// RewardLevelTable: everything about a set of training targets that the λ slider needs, aggregated once per
// dataset/split so that moving λ costs O(items × levels) instead of O(interactions). Rewards are grouped by
// exact distinct value (never quantised): with k distinct rewards a weight scheme has only k distinct
// weights, so any weighted sum over targets is a sum over (item, level) counts. Holds: the distinct reward
// levels with their counts, a sparse item × level count table (CSR per item, only non-zero cells), per-item
// counts and mean rewards, the level of every target (for per-example weights), and the uniform (λ = ∞)
// item shares with their Gini and Lorenz curve. Datasets with continuous rewards stay exact; their update
// cost then grows with the number of non-zero (item, level) cells, which is at most the number of targets.
// Immutable after construction, so it can be shared between threads (e.g. through a shared_ptr).
#include <cstdint>
#include <vector>

#include "weighting/target_view.h"
#include "weighting/weight_scheme.h"

namespace tiltbench {

class RewardLevelTable {
  public:
    struct Cell {  // one non-zero cell of the item × level table
        int32_t level;
        int32_t count;
    };

    // Throws Error when the targets are empty or invalid (see TargetView::validate) or exceed 2^31 − 1.
    explicit RewardLevelTable(const TargetView& targets);

    int64_t numTargets() const { return m_numTargets; }
    int32_t numItems() const { return static_cast<int32_t>(m_itemCount.size()); }
    size_t numLevels() const { return m_levelReward.size(); }
    double minReward() const { return m_levelReward.front(); }
    double maxReward() const { return m_levelReward.back(); }

    const std::vector<double>& levelReward() const { return m_levelReward; }  // ascending, distinct
    const std::vector<int64_t>& levelCount() const { return m_levelCount; }

    // Cells of item i are cells()[itemOffsets()[i] .. itemOffsets()[i + 1]), ascending level.
    const std::vector<int64_t>& itemOffsets() const { return m_itemOffsets; }
    const std::vector<Cell>& cells() const { return m_cells; }

    const std::vector<int64_t>& itemCount() const { return m_itemCount; }
    const std::vector<double>& itemMeanReward() const { return m_itemMeanReward; }  // 0 for unlogged items
    double meanReward() const { return m_meanReward; }
    // Items by descending training count (ties: ascending id) — the x axis of share-vs-popularity plots.
    const std::vector<int32_t>& popularityOrder() const { return m_popularityOrder; }

    // Level index of each target, in target order.
    const std::vector<int32_t>& targetLevel() const { return m_targetLevel; }

    // λ = ∞ references: count_i / N, their Gini and Lorenz curve (see WeightStats for the definitions).
    const std::vector<double>& uniformShare() const { return m_uniformShare; }
    double uniformGini() const { return m_uniformGini; }
    std::vector<double> uniformLorenz(int32_t points) const;

    // The scheme's weights for these levels (see WeightScheme::levelWeights).
    LevelWeights levelWeights(const WeightScheme& scheme) const {
        return scheme.levelWeights(m_levelReward, m_levelCount);
    }
    // One weight per target, in target order, as the trainer consumes them (`out` holds numTargets()
    // floats). Weights of positive schemes that underflow a float are held at FLT_MIN, so no target silently
    // drops out; `batch` normalisation is left to WeightScheme::normalizeBatch.
    void fillTargetWeights(const WeightScheme& scheme, float* out) const;

  private:
    int64_t m_numTargets = 0;
    std::vector<double> m_levelReward;
    std::vector<int64_t> m_levelCount;
    std::vector<int64_t> m_itemOffsets;
    std::vector<Cell> m_cells;
    std::vector<int64_t> m_itemCount;
    std::vector<double> m_itemMeanReward;
    double m_meanReward = 0.0;
    std::vector<int32_t> m_popularityOrder;
    std::vector<int32_t> m_targetLevel;
    std::vector<double> m_uniformShare;
    std::vector<double> m_uniformSorted;  // ascending, for the Lorenz curve
    double m_uniformGini = 0.0;
};

// Gini coefficient of non-negative values sorted ascending: Σ_i (2i − n − 1)·x_i / (n·Σx), i = 1..n
// (0 = all equal, → 1 = all on one). 0 for n ≤ 1 or Σx = 0.
double giniOfSorted(const std::vector<double>& ascending);
// Lorenz curve of non-negative values sorted ascending: `points` values y_k = share of the total held by
// the smallest fraction x_k = k/(points − 1) of them (linear within an element); y_0 = 0, y_last = 1.
std::vector<double> lorenzOfSorted(const std::vector<double>& ascending, int32_t points);

}  // namespace tiltbench
