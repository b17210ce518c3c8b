#include "io/duplicate_counter.h"

#include <array>
#include <cstring>
#include <memory>

namespace tiltbench {

namespace {

// LSD radix sort, one byte per pass: 3-4x faster than std::sort on tens of millions of keys, and this sort
// runs after the last row is parsed, where nothing else overlaps it. Passes whose byte is the same in every
// key (the high bytes of small user/item ids) are skipped. Costs a second buffer of the same size.
void radixSort(std::vector<uint64_t, BigBufferAllocator<uint64_t>>& keys) {
    const size_t n = keys.size();
    std::array<std::array<size_t, 256>, 8> counts{};
    for (uint64_t k : keys) {
        for (int d = 0; d < 8; ++d) {
            ++counts[d][(k >> (8 * d)) & 0xFF];
        }
    }
    // Not a std::vector: that would zero-fill n words (and fault their pages in) only to overwrite them.
    struct Buffer {
        explicit Buffer(size_t n) : words(n), p(static_cast<uint64_t*>(bigbuffer::allocate(n * 8))) {}
        ~Buffer() { bigbuffer::deallocate(p, words * 8); }
        size_t words;
        uint64_t* p;
    } buffer(n);
    uint64_t* from = keys.data();
    uint64_t* to = buffer.p;
    for (int d = 0; d < 8; ++d) {
        auto& c = counts[d];
        if (c[(from[0] >> (8 * d)) & 0xFF] == n) {
            continue;
        }
        size_t sum = 0;
        for (auto& v : c) {
            const size_t here = v;
            v = sum;
            sum += here;
        }
        for (size_t i = 0; i < n; ++i) {
            const uint64_t k = from[i];
            to[c[(k >> (8 * d)) & 0xFF]++] = k;
        }
        std::swap(from, to);
    }
    if (from != keys.data())
        std::memcpy(keys.data(), from, n * sizeof(uint64_t));
}

}  // namespace

int64_t DuplicateCounter::count() {
    if (m_keys.size() < 2) {
        decltype(m_keys)().swap(m_keys);
        return 0;
    }
    radixSort(m_keys);
    int64_t duplicates = 0;
    for (size_t i = 1; i < m_keys.size(); ++i) {
        duplicates += m_keys[i] == m_keys[i - 1];
    }
    decltype(m_keys)().swap(m_keys);
    return duplicates;
}

}  // namespace tiltbench
