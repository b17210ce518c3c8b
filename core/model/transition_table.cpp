#include "model/transition_table.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.h"

namespace tiltbench {

TransitionTable::TransitionTable(const TargetView& targets, const RewardLevelTable& levels) {
    if (static_cast<int64_t>(targets.size) != levels.numTargets() || targets.numItems != levels.numItems()) {
        throw Error(
            fmt::format("transition table: the reward level table ({} targets, {} items) was built from "
                        "other targets ({} targets, {} items)",
                        levels.numTargets(), levels.numItems(), targets.size, targets.numItems));
    }
    const auto numItems = static_cast<size_t>(targets.numItems);
    const auto& targetLevel = levels.targetLevel();

    // Bucket the transitions by source (counting sort); each entry packs destination and level.
    std::vector<int64_t> start(numItems + 1, 0);
    for (size_t k = 0; k < targets.size; ++k) {
        if (targets.prevItem[k] >= 0) {
            ++start[static_cast<size_t>(targets.prevItem[k]) + 1];
        }
    }
    for (size_t i = 0; i < numItems; ++i) {
        start[i + 1] += start[i];
    }
    m_numTransitions = start[numItems];
    std::vector<uint64_t> bucket(static_cast<size_t>(m_numTransitions));
    {
        std::vector<int64_t> fill(start.begin(), start.end() - 1);
        for (size_t k = 0; k < targets.size; ++k) {
            if (const int32_t src = targets.prevItem[k]; src >= 0) {
                bucket[static_cast<size_t>(fill[static_cast<size_t>(src)]++)] =
                    (static_cast<uint64_t>(targets.item[k]) << 32) | static_cast<uint32_t>(targetLevel[k]);
            }
        }
    }

    m_sourceOffsets.assign(numItems + 1, 0);
    m_rowOffsets.assign(numItems + 1, 0);
    m_pairOffsets.push_back(0);
    std::vector<Cell> rowCells;
    for (size_t i = 0; i < numItems; ++i) {
        const auto b = bucket.begin() + start[i], e = bucket.begin() + start[i + 1];
        std::sort(b, e);  // by destination, then level
        for (auto it = b; it != e;) {
            const auto dest = static_cast<int32_t>(*it >> 32);
            m_pairDest.push_back(dest);
            while (it != e && static_cast<int32_t>(*it >> 32) == dest) {
                const uint64_t key = *it;
                auto next = it;
                while (next != e && *next == key) {
                    ++next;
                }
                const auto level = static_cast<int32_t>(key & 0xffffffffULL);
                m_cells.push_back({level, static_cast<int32_t>(next - it)});
                it = next;
            }
            m_pairOffsets.push_back(static_cast<int64_t>(m_cells.size()));
        }
        m_sourceOffsets[i + 1] = static_cast<int64_t>(m_pairDest.size());

        // Row totals per level: aggregate this row's cells.
        rowCells.clear();
        for (int64_t c = m_pairOffsets[static_cast<size_t>(m_sourceOffsets[i])];
             c < m_pairOffsets[static_cast<size_t>(m_sourceOffsets[i + 1])]; ++c) {
            rowCells.push_back(m_cells[static_cast<size_t>(c)]);
        }
        std::sort(rowCells.begin(), rowCells.end(),
                  [](const Cell& a, const Cell& b) { return a.level < b.level; });
        for (size_t c = 0; c < rowCells.size();) {
            Cell sum = rowCells[c];
            size_t d = c + 1;
            for (; d < rowCells.size() && rowCells[d].level == sum.level; ++d) {
                sum.count += rowCells[d].count;
            }
            m_rowCells.push_back(sum);
            c = d;
        }
        m_rowOffsets[i + 1] = static_cast<int64_t>(m_rowCells.size());
    }
}

}  // namespace tiltbench
