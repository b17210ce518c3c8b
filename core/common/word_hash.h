#pragma once
// WordHash: a 64-bit hash of a stream of words, reals (by their bits) and texts — the split's hash
// (eval/split.h) and a dataset's content fingerprint (data/fingerprint.h). Not cryptographic: it tells
// honest differences apart; where a crafted collision could matter, callers compare the contents too.
#include <cstdint>
#include <cstring>
#include <string>

#include "common/seeded_random.h"

namespace tiltbench {

// Chains 64-bit words through the SplitMix64 finaliser: order-sensitive, well mixed, a few cycles a word, and
// defined on values rather than bytes, so the result is the same on every platform.
class WordHash {
  public:
    void word(uint64_t v) { m_h = SeededRandom::mix(m_h ^ (v + 0x9e3779b97f4a7c15ULL + (m_h << 6))); }
    void real(double v) {
        uint64_t bits = 0;
        std::memcpy(&bits, &v, sizeof bits);
        word(bits);
    }
    void text(const std::string& s) {
        word(s.size());
        for (unsigned char c : s) {
            word(c);
        }
    }
    uint64_t value() const { return m_h; }

  private:
    uint64_t m_h = 0x7469'6c74'6265'6e63ULL;  // "tiltbenc"
};

}  // namespace tiltbench
