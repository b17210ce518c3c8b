#pragma once
// SeededRandom: a tiny SplitMix64 generator for everything in evaluation that must be reproducible from a
// seed on every platform (user samples, the time split's validation/test deal, bootstrap resamples). The
// standard library's distributions are implementation-defined, so a user sample drawn with them could differ
// between compilers and break the promise that a seed names the same evaluation everywhere.
#include <cstdint>

namespace tiltbench {

class SeededRandom {
  public:
    explicit SeededRandom(uint64_t seed) : m_state(seed) {}

    // Steele, Lea & Flood, "Fast splittable pseudorandom number generators" (OOPSLA 2014).
    static uint64_t mix(uint64_t z) {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    // A seed for stream `index` of `seed`, so that work split over threads draws the same numbers as serial.
    static uint64_t derive(uint64_t seed, uint64_t index) {
        return mix(seed ^ mix(index + 0x9e3779b97f4a7c15ULL));
    }

    uint64_t next() {
        m_state += 0x9e3779b97f4a7c15ULL;
        return mix(m_state);
    }
    // Uniform in [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    // Uniform integer in [0, n), n > 0, without modulo bias: Lemire's multiply-shift with rejection
    // ("Fast random integer generation in an interval", ACM TOMACS 2019); divides only in the rare retry
    // case.
    uint64_t below(uint64_t n) {
        __extension__ using U128 = unsigned __int128;  // GCC/Clang; __extension__ keeps -Wpedantic quiet
        U128 m = static_cast<U128>(next()) * n;
        auto low = static_cast<uint64_t>(m);
        if (low < n) {
            const uint64_t threshold = (0 - n) % n;
            while (low < threshold) {
                m = static_cast<U128>(next()) * n;
                low = static_cast<uint64_t>(m);
            }
        }
        return static_cast<uint64_t>(m >> 64);
    }

  private:
    uint64_t m_state;
};

}  // namespace tiltbench
