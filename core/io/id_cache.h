#pragma once
// IdCache: a direct-indexed shortcut in front of DatasetWriter::userIndex/itemIndex for the overwhelmingly
// common case of ids that are small decimal integers (MovieLens, FilmTrust, most exported logs). The writer's
// string-keyed hash map costs a few cache misses per lookup — measured as ~45% of the parsing thread's time
// on a 5 M-row file with 100 K users — while an array indexed by the id's value stays in cache. Only
// canonical spellings ("42", not "042" or "+42") take the shortcut, so the cache maps exactly the same text
// to the same dense id as the writer; anything else goes to the writer directly.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace tiltbench {

class IdCache {
  public:
    // Values at or above this go to the writer: the array would cost 4 bytes per possible value.
    static constexpr uint32_t kMaxValue = uint32_t(1) << 24;

    template <class Lookup>
    int32_t get(std::string_view text, Lookup&& lookup) {
        uint32_t value = 0;
        if (!smallCanonical(text, value)) {
            return lookup(text);
        }
        if (value < m_ids.size() && m_ids[value] >= 0) {
            return m_ids[value];
        }
        const int32_t id = lookup(text);
        if (value >= m_ids.size()) {
            m_ids.resize(std::max<size_t>(value + 1, m_ids.size() + m_ids.size() / 2), -1);
        }
        m_ids[value] = id;
        return id;
    }

  private:
    static bool smallCanonical(std::string_view s, uint32_t& value) {
        if (s.empty() || s.size() > 8 || (s[0] == '0' && s.size() > 1)) {
            return false;
        }
        uint32_t v = 0;
        for (char c : s) {
            if (c < '0' || c > '9') {
                return false;
            }
            v = v * 10 + static_cast<uint32_t>(c - '0');
        }
        value = v;
        return v < kMaxValue;
    }

    std::vector<int32_t> m_ids;
};

}  // namespace tiltbench
