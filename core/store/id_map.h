#pragma once
// IdMap: the dataset writer's map from external id to dense index (store/dataset_writer.cpp).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace tiltbench {

// External id → dense index, in order of first appearance, with the ids stored back to back in one string
// (the layout of store/id_chunks.h). Ids that are small decimal integers in canonical spelling ("42", not
// "042" or
// "+42") — MovieLens, FilmTrust and most exported logs — are looked up in an array indexed by their value:
// no hashing, and it stays in cache. Any other id goes to an open-addressing table (linear probing, at most
// half full) whose slots hold the id's index and the high half of its hash, so a lookup touches one slot
// unless the hashes agree. A canonical spelling never equals a non-canonical one, so the two never disagree
// about the same text; a new id costs no allocation of its own (std::unordered_map allocates a node per id
// and chases a pointer per lookup; a log with a new user every other row spends its time here).
class IdMap {
  public:
    // Values at or above this take the hash table: the array costs 4 bytes per possible value.
    static constexpr uint32_t kMaxDirectValue = uint32_t(1) << 24;

    int32_t getOrAdd(std::string_view id) {
        uint32_t value = 0;
        if (smallCanonical(id, value)) {
            if (value < m_byValue.size() && m_byValue[value] >= 0)
                return m_byValue[value];
            const int32_t idx = append(id, 0);
            if (value >= m_byValue.size())
                m_byValue.resize(std::max<size_t>(value + 1, m_byValue.size() + m_byValue.size() / 2), -1);
            m_byValue[value] = idx;
            return idx;
        }
        const uint64_t h = std::hash<std::string_view>{}(id);
        const size_t slot = probe(id, h);
        if (m_slots[slot].idx >= 0)
            return m_slots[slot].idx;
        const int32_t idx = append(id, h);
        m_slots[slot] = {idx, tag(h)};
        if (++m_hashed * 2 > m_slots.size())
            grow();
        return idx;
    }
    int32_t find(std::string_view id) const {
        uint32_t value = 0;
        if (smallCanonical(id, value))
            return value < m_byValue.size() ? m_byValue[value] : -1;
        return m_slots[probe(id, std::hash<std::string_view>{}(id))].idx;
    }
    std::string_view at(int64_t i) const {
        const size_t start = i == 0 ? 0 : m_ends[static_cast<size_t>(i) - 1];
        return {m_text.data() + start, m_ends[static_cast<size_t>(i)] - start};
    }
    int32_t size() const { return static_cast<int32_t>(m_ends.size()); }

  private:
    struct Slot {
        int32_t idx = -1;
        uint32_t tag = 0;
    };
    static uint32_t tag(uint64_t h) { return static_cast<uint32_t>(h >> 32); }
    static bool smallCanonical(std::string_view s, uint32_t& value) {
        if (s.empty() || s.size() > 8 || (s[0] == '0' && s.size() > 1))
            return false;
        uint32_t v = 0;
        for (char c : s) {
            if (c < '0' || c > '9')
                return false;
            v = v * 10 + static_cast<uint32_t>(c - '0');
        }
        value = v;
        return v < kMaxDirectValue;
    }
    // Stores a new id (hash `h` if it goes to the table) and returns its index.
    int32_t append(std::string_view id, uint64_t h) {
        if (m_ends.size() >= static_cast<size_t>(std::numeric_limits<int32_t>::max()) - 1)
            throw Error("more than 2^31 - 2 distinct ids");
        m_text.append(id);
        m_ends.push_back(m_text.size());
        m_hashes.push_back(h);
        return static_cast<int32_t>(m_ends.size() - 1);
    }
    // The slot holding `id`, or the empty slot where it would go.
    size_t probe(std::string_view id, uint64_t h) const {
        const size_t mask = m_slots.size() - 1;
        for (size_t s = h & mask;; s = (s + 1) & mask) {
            const Slot slot = m_slots[s];
            if (slot.idx < 0 || (slot.tag == tag(h) && at(slot.idx) == id))
                return s;
        }
    }
    void grow() {
        std::vector<Slot> slots(m_slots.size() * 2);
        const size_t mask = slots.size() - 1;
        uint32_t value = 0;
        for (size_t i = 0; i < m_ends.size(); ++i) {
            if (smallCanonical(at(static_cast<int64_t>(i)), value))
                continue;  // in m_byValue
            size_t s = m_hashes[i] & mask;
            while (slots[s].idx >= 0)
                s = (s + 1) & mask;
            slots[s] = {static_cast<int32_t>(i), tag(m_hashes[i])};
        }
        m_slots.swap(slots);
    }

    std::string m_text;              // the ids back to back
    std::vector<size_t> m_ends;      // where id i ends in m_text
    std::vector<uint64_t> m_hashes;  // of id i if it is in the table (for grow)
    std::vector<int32_t> m_byValue;  // index of the canonical decimal id with this value, or -1
    std::vector<Slot> m_slots = std::vector<Slot>(1024);  // a power of two
    size_t m_hashed = 0;                                  // ids in m_slots
};

}  // namespace tiltbench
