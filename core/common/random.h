#pragma once
// Random numbers that are the same on every platform and with every standard library: own generators and
// distributions instead of <random>'s (the standard leaves the algorithms of std::normal_distribution & co.
// to the library, and the same seed must give the same dataset everywhere). Used by the simulator
// (core/data/simulator.cpp) and bench/make_log; evaluation's samples use common/seeded_random.h.
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

namespace tiltbench {

inline uint64_t splitMix64(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// Independent streams per purpose (and per user) keep the log reproducible even if the order of the
// generation steps changes, and make each user's rows a function of (seed, user) alone.
inline uint64_t streamSeed(uint64_t seed, uint64_t stream) {
    uint64_t s = stream * 0xD1B54A32D192ED03ULL + 0x8CB92BA72F3D8DD7ULL;
    uint64_t mixed = splitMix64(s) ^ seed;
    return splitMix64(mixed);
}

// xoshiro256** seeded through splitmix64 (Blackman & Vigna).
class Rng {
  public:
    explicit Rng(uint64_t seed) {
        for (auto& word : m_s) {
            word = splitMix64(seed);
        }
    }
    uint64_t next() {
        const uint64_t result = rotl(m_s[1] * 5, 7) * 9;
        const uint64_t t = m_s[1] << 17;
        m_s[2] ^= m_s[0];
        m_s[3] ^= m_s[1];
        m_s[1] ^= m_s[2];
        m_s[0] ^= m_s[3];
        m_s[2] ^= t;
        m_s[3] = rotl(m_s[3], 45);
        return result;
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }              // [0, 1)
    double uniformOpen() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }  // (0, 1)
    double exponential() { return -std::log(uniformOpen()); }
    uint32_t below(uint32_t n) {  // uniform in [0, n); 32×32 multiply-shift, bias < 2^-32 · n
        return static_cast<uint32_t>(((next() >> 32) * static_cast<uint64_t>(n)) >> 32);
    }
    // Uniform in [0, n) by a 64×64 → 128-bit multiply (Lemire); the tiny bias is deterministic.
    uint64_t below64(uint64_t n) {
        __extension__ typedef unsigned __int128 U128;  // GCC/Clang; __extension__ silences -Wpedantic
        return static_cast<uint64_t>((static_cast<U128>(next()) * n) >> 64);
    }
    double normal() {  // Box–Muller, caching the second value
        if (m_hasSpare) {
            m_hasSpare = false;
            return m_spare;
        }
        const double r = std::sqrt(-2.0 * std::log(uniformOpen()));
        const double theta = 2.0 * 3.14159265358979323846 * uniform();
        m_spare = r * std::sin(theta);
        m_hasSpare = true;
        return r * std::cos(theta);
    }

  private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t m_s[4];
    double m_spare = 0.0;
    bool m_hasSpare = false;
};

// Vose's alias method: O(1) draws from a fixed discrete distribution.
class AliasTable {
  public:
    explicit AliasTable(const std::vector<double>& weights)
        : m_prob(weights.size()), m_alias(weights.size()) {
        const size_t n = weights.size();
        const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
        std::vector<double> scaled(n);
        std::vector<uint32_t> small, large;
        for (size_t i = 0; i < n; ++i) {
            scaled[i] = weights[i] * static_cast<double>(n) / total;
            (scaled[i] < 1.0 ? small : large).push_back(static_cast<uint32_t>(i));
        }
        while (!small.empty() && !large.empty()) {
            const uint32_t s = small.back(), l = large.back();
            small.pop_back();
            m_prob[s] = scaled[s];
            m_alias[s] = l;
            scaled[l] = (scaled[l] + scaled[s]) - 1.0;
            if (scaled[l] < 1.0) {
                large.pop_back();
                small.push_back(l);
            }
        }
        // Whatever is left is 1 up to rounding.
        for (uint32_t i : large) {
            m_prob[i] = 1.0;
            m_alias[i] = i;
        }
        for (uint32_t i : small) {
            m_prob[i] = 1.0;
            m_alias[i] = i;
        }
    }
    uint32_t sample(Rng& rng) const {
        const uint32_t j = rng.below(static_cast<uint32_t>(m_prob.size()));
        return rng.uniform() < m_prob[j] ? j : m_alias[j];
    }

  private:
    std::vector<double> m_prob;
    std::vector<uint32_t> m_alias;
};

}  // namespace tiltbench
