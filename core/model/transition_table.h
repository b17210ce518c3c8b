#pragma once
// TransitionTable: the first-order transitions of a set of training targets (previous item → target item),
// counted per reward level of the target, built once per dataset/split so the tilted Markov policy can be
// refitted at any λ without touching the targets again. Sparse, CSR per source item: source i's distinct
// destinations are pairs [sourceOffsets[i], sourceOffsets[i+1]) (ascending destination), and pair p's
// counts per level are cells [pairOffsets[p], pairOffsets[p+1]) (ascending level). Row totals per level are
// kept too, so a row's normaliser is O(levels). Immutable; share it through a shared_ptr.
#include <cstdint>
#include <vector>

#include "weighting/reward_level_table.h"
#include "weighting/target_view.h"

namespace tiltbench {

class TransitionTable {
  public:
    using Cell = RewardLevelTable::Cell;

    // `levels` must have been built from the same targets (it supplies each target's level).
    TransitionTable(const TargetView& targets, const RewardLevelTable& levels);

    int32_t numItems() const { return static_cast<int32_t>(m_sourceOffsets.size()) - 1; }
    int64_t numTransitions() const { return m_numTransitions; }
    int64_t numPairs() const { return static_cast<int64_t>(m_pairDest.size()); }

    const std::vector<int64_t>& sourceOffsets() const { return m_sourceOffsets; }
    const std::vector<int32_t>& pairDest() const { return m_pairDest; }
    const std::vector<int64_t>& pairOffsets() const { return m_pairOffsets; }
    const std::vector<Cell>& cells() const { return m_cells; }
    // Per source item: transitions out of it per level, cells [rowOffsets[i], rowOffsets[i+1]).
    const std::vector<int64_t>& rowOffsets() const { return m_rowOffsets; }
    const std::vector<Cell>& rowCells() const { return m_rowCells; }

  private:
    int64_t m_numTransitions = 0;
    std::vector<int64_t> m_sourceOffsets;
    std::vector<int32_t> m_pairDest;
    std::vector<int64_t> m_pairOffsets;
    std::vector<Cell> m_cells;
    std::vector<int64_t> m_rowOffsets;
    std::vector<Cell> m_rowCells;
};

}  // namespace tiltbench
