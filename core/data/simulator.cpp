#include "data/simulator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <utility>

#include "common/error.h"
#include "common/limits.h"
#include "store/dataset_writer.h"

namespace tiltbench {

namespace {

constexpr const char* kTruthKind = "simulator-v1";
constexpr char kBlobMagic[8] = {'T', 'B', 'S', 'I', 'M', 'G', 'T', '1'};
constexpr uint32_t kBlobVersion = 1;
constexpr size_t kBlobHeaderSize = 8 + 4 + 4 + 8 + 8;
constexpr double kPi = 3.14159265358979323846;
constexpr double kSqrtHalf = 0.70710678118654752440;

// Own generator and distributions instead of <random>'s: the standard leaves the algorithms of
// std::normal_distribution & co. to the library, and the same seed must give the same dataset everywhere.
uint64_t splitMix64(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// Independent streams per purpose (and per user) keep the log reproducible even if the order of the
// generation steps changes, and make each user's rows a function of (seed, user) alone.
uint64_t streamSeed(uint64_t seed, uint64_t stream) {
    uint64_t s = stream * 0xD1B54A32D192ED03ULL + 0x8CB92BA72F3D8DD7ULL;
    uint64_t mixed = splitMix64(s) ^ seed;
    return splitMix64(mixed);
}

constexpr uint64_t kStreamItems = 1;
constexpr uint64_t kStreamUsers = 2;
constexpr uint64_t kStreamActivity = 3;
constexpr uint64_t kStreamUserRowsBase = 1ULL << 32;

class Rng {  // xoshiro256**
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
    double normal() {  // Box–Muller, caching the second value
        if (m_hasSpare) {
            m_hasSpare = false;
            return m_spare;
        }
        const double r = std::sqrt(-2.0 * std::log(uniformOpen()));
        const double theta = 2.0 * kPi * uniform();
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

// ---- little-endian blob I/O (byte by byte, so the host's endianness does not matter) ----

template <typename U>
void putLe(std::vector<uint8_t>& out, U value) {
    for (size_t b = 0; b < sizeof(U); ++b) {
        out.push_back(static_cast<uint8_t>(value >> (8 * b)));
    }
}
void putF64(std::vector<uint8_t>& out, double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    putLe(out, bits);
}
void putF32(std::vector<uint8_t>& out, float v) {
    uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    putLe(out, bits);
}

class BlobReader {
  public:
    explicit BlobReader(const std::vector<uint8_t>& blob) : m_blob(blob) {}
    template <typename U>
    U le() {
        need(sizeof(U));
        U value = 0;
        for (size_t b = 0; b < sizeof(U); ++b) {
            value |= static_cast<U>(static_cast<U>(m_blob[m_pos + b]) << (8 * b));
        }
        m_pos += sizeof(U);
        return value;
    }
    double f64() {
        const auto bits = le<uint64_t>();
        double v;
        std::memcpy(&v, &bits, sizeof v);
        return v;
    }
    float f32() {
        const auto bits = le<uint32_t>();
        float v;
        std::memcpy(&v, &bits, sizeof v);
        return v;
    }
    void bytes(char* out, size_t n) {
        need(n);
        std::memcpy(out, m_blob.data() + m_pos, n);
        m_pos += n;
    }

  private:
    void need(size_t n) const {
        if (m_blob.size() - m_pos < n) {
            throw Error(
                fmt::format("simulator ground truth: blob truncated at byte {} of {}", m_pos, m_blob.size()));
        }
    }
    const std::vector<uint8_t>& m_blob;
    size_t m_pos = 0;
};

// ---- config JSON ----

template <typename T>
struct Field {
    const char* key;
    T SimulatorConfig::*member;
};

const Field<int64_t> kIntFields[] = {
    {"users", &SimulatorConfig::users},
    {"items", &SimulatorConfig::items},
    {"interactions", &SimulatorConfig::interactions},
    {"min_per_user", &SimulatorConfig::minPerUser},
    {"start_time", &SimulatorConfig::startTime},
};
const Field<double> kDoubleFields[] = {
    {"popularity_exponent", &SimulatorConfig::popularityExponent},
    {"quality_popularity_correlation", &SimulatorConfig::qualityPopularityCorrelation},
    {"global_mean", &SimulatorConfig::globalMean},
    {"quality_scale", &SimulatorConfig::qualityScale},
    {"user_bias_scale", &SimulatorConfig::userBiasScale},
    {"taste_scale", &SimulatorConfig::tasteScale},
    {"noise", &SimulatorConfig::noise},
    {"self_selection", &SimulatorConfig::selfSelection},
    {"activity_spread", &SimulatorConfig::activitySpread},
    {"time_span_days", &SimulatorConfig::timeSpanDays},
};

[[noreturn]] void badField(const char* key, const std::string& expected, const std::string& got) {
    throw Error(fmt::format("simulator config: '{}' must be {} (got {})", key, expected, got));
}

void checkRange(const char* key, double value, double lo, double hi) {
    if (!std::isfinite(value) || value < lo || value > hi) {
        badField(key, fmt::format("a number in [{}, {}]", lo, hi), fmt::format("{}", value));
    }
}

// ---- generation helpers ----

double normalCdf(double x) {
    return 0.5 * std::erfc(-x * kSqrtHalf);
}

double rewardLevel(double x) {
    return std::clamp(std::floor(x + 0.5), 1.0, 5.0);
}

// Splits `total` interactions over users: `minPerUser` each, the rest in proportion to log-normal activity,
// nobody above the catalogue size. Water-filling for the cap, then largest remainders, so the sum is exact.
std::vector<int64_t> allocateInteractions(const SimulatorConfig& c) {
    const auto users = static_cast<size_t>(c.users);
    Rng rng(streamSeed(c.seed, kStreamActivity));
    std::vector<double> activity(users);
    for (auto& a : activity) {
        a = std::exp(c.activitySpread * rng.normal());
    }
    const double cap = static_cast<double>(c.items - c.minPerUser);
    std::vector<double> extra(users, 0.0);
    std::vector<char> capped(users, 0);
    double remaining = static_cast<double>(c.interactions - c.users * c.minPerUser);
    for (bool changed = true; changed && remaining > 0;) {
        changed = false;
        double mass = 0.0;
        for (size_t u = 0; u < users; ++u) {
            mass += capped[u] ? 0.0 : activity[u];
        }
        if (!(mass > 0.0)) {
            break;
        }
        double spilled = 0.0;
        for (size_t u = 0; u < users; ++u) {
            if (capped[u]) {
                continue;
            }
            extra[u] = remaining * activity[u] / mass;
            if (extra[u] >= cap) {
                extra[u] = cap;
                capped[u] = 1;
                spilled += cap;
                changed = true;
            }
        }
        if (changed) {
            remaining -= spilled;
            for (size_t u = 0; u < users; ++u) {
                extra[u] = capped[u] ? cap : 0.0;
            }
        }
    }
    std::vector<int64_t> counts(users);
    int64_t assigned = 0;
    std::vector<std::pair<double, uint32_t>> remainders;
    remainders.reserve(users);
    for (size_t u = 0; u < users; ++u) {
        const double whole = std::floor(extra[u]);
        counts[u] = c.minPerUser + static_cast<int64_t>(whole);
        assigned += counts[u];
        remainders.emplace_back(extra[u] - whole, static_cast<uint32_t>(u));
    }
    std::sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    // Rounding can leave a few interactions over or under; hand them out (or take them back) in remainder
    // order, respecting the per-user bounds. The configuration is feasible, so this terminates.
    while (assigned != c.interactions) {
        const bool add = assigned < c.interactions;
        for (const auto& [frac, u] : remainders) {
            if (assigned == c.interactions) {
                break;
            }
            if (add && counts[u] < c.items) {
                ++counts[u];
                ++assigned;
            } else if (!add && counts[u] > c.minPerUser) {
                --counts[u];
                --assigned;
            }
        }
    }
    return counts;
}

// Draws one user's items without replacement from P(i) ∝ w_i · exp(s · taste_u · taste_i), with
// w_i = exposure_i · exp(s · quality_i), exactly. Mostly by rejection from an alias table over w (O(1) per
// draw; item taste vectors have a fixed length, so exp(|s| · |taste_u| · tasteScale) bounds the taste factor
// tightly); when a user wants a large part of the catalogue, or duplicates make rejection slow, the rest of
// the draw is an exhaustive Gumbel-top-k over the items not yet taken. Sampling without replacement is
// sequential, so switching method mid-way keeps the distribution exact.
class ItemSampler {
  public:
    explicit ItemSampler(const GroundTruth& truth)
        : m_truth(truth),
          m_items(static_cast<uint32_t>(truth.itemQuality.size())),
          m_dim(truth.config.tasteDim),
          m_s(truth.config.selfSelection),
          m_logW(m_items),
          m_taken(m_items, -1) {
        for (uint32_t i = 0; i < m_items; ++i) {
            m_logW[i] = std::log(truth.itemExposure[i]) + m_s * truth.itemQuality[i];
        }
        const double top = *std::max_element(m_logW.begin(), m_logW.end());
        std::vector<double> w(m_items);
        for (uint32_t i = 0; i < m_items; ++i) {
            w[i] = std::exp(m_logW[i] - top);
        }
        m_alias = std::make_unique<AliasTable>(w);
        m_keys.reserve(m_items);
    }

    void sample(int32_t user, int64_t k, Rng& rng, std::vector<int32_t>& out) {
        out.clear();
        const float* tu = &m_truth.userTaste[static_cast<size_t>(user) * m_dim];
        double norm2 = 0.0;
        for (int d = 0; d < m_dim; ++d) {
            norm2 += static_cast<double>(tu[d]) * tu[d];
        }
        const double logBound = std::abs(m_s) * std::sqrt(norm2) * m_truth.config.tasteScale;
        const double trialsPerDraw = std::exp(logBound);
        if (2.0 * static_cast<double>(k) * trialsPerDraw < static_cast<double>(m_items)) {
            const uint64_t budget = 2ULL * m_items + 64;
            uint64_t trials = 0;
            while (static_cast<int64_t>(out.size()) < k && trials++ < budget) {
                const uint32_t j = m_alias->sample(rng);
                if (m_taken[j] == user) {
                    continue;
                }
                if (logBound > 0.0 && rng.uniform() >= std::exp(m_s * tasteDot(tu, j) - logBound)) {
                    continue;
                }
                m_taken[j] = user;
                out.push_back(static_cast<int32_t>(j));
            }
        }
        if (static_cast<int64_t>(out.size()) < k) {
            exhaustive(user, tu, k - static_cast<int64_t>(out.size()), rng, out);
        }
    }

  private:
    double tasteDot(const float* tu, uint32_t item) const {
        const float* ti = &m_truth.itemTaste[static_cast<size_t>(item) * m_dim];
        double dot = 0.0;
        for (int d = 0; d < m_dim; ++d) {
            dot += static_cast<double>(tu[d]) * ti[d];
        }
        return dot;
    }

    // Gumbel-top-k: the k largest log-weight + Gumbel keys are a sample without replacement.
    void exhaustive(int32_t user, const float* tu, int64_t k, Rng& rng, std::vector<int32_t>& out) {
        m_keys.clear();
        for (uint32_t j = 0; j < m_items; ++j) {
            if (m_taken[j] != user) {
                m_keys.emplace_back(m_logW[j] + m_s * tasteDot(tu, j) - std::log(rng.exponential()), j);
            }
        }
        const auto kth = m_keys.begin() + k;
        std::nth_element(m_keys.begin(), kth - 1, m_keys.end(),
                         [](const auto& a, const auto& b) { return a.first > b.first; });
        for (auto it = m_keys.begin(); it != kth; ++it) {
            m_taken[it->second] = user;
            out.push_back(static_cast<int32_t>(it->second));
        }
    }

    const GroundTruth& m_truth;
    uint32_t m_items;
    int m_dim;
    double m_s;
    std::vector<double> m_logW;
    std::vector<int32_t> m_taken;  // last user that took the item: no per-user clearing needed
    std::unique_ptr<AliasTable> m_alias;
    std::vector<std::pair<double, uint32_t>> m_keys;
};

}  // namespace

// ---- public API ----

void SimulatorConfig::validate() const {
    constexpr int64_t kMaxIds = limits::kMaxIds;  // as a workspace allows (common/limits.h)
    if (users < 1 || users > kMaxIds) {
        badField("users", fmt::format("between 1 and {}", kMaxIds), std::to_string(users));
    }
    if (items < 2 || items > kMaxIds) {
        badField("items", fmt::format("between 2 and {}", kMaxIds), std::to_string(items));
    }
    if (minPerUser < 1 || minPerUser > items) {
        badField("min_per_user", fmt::format("between 1 and items = {}", items), std::to_string(minPerUser));
    }
    if (interactions < users * minPerUser) {
        badField("interactions", fmt::format("at least users × min_per_user = {}", users * minPerUser),
                 std::to_string(interactions));
    }
    if (interactions > users * items) {
        badField("interactions",
                 fmt::format("at most users × items = {} (no user sees an item twice)", users * items),
                 std::to_string(interactions));
    }
    if (tasteDim < 1 || tasteDim > 1024) {
        badField("taste_dim", "between 1 and 1024", std::to_string(tasteDim));
    }
    checkRange("popularity_exponent", popularityExponent, 0.0, 5.0);
    checkRange("quality_popularity_correlation", qualityPopularityCorrelation, -1.0, 1.0);
    checkRange("global_mean", globalMean, -100.0, 100.0);
    checkRange("quality_scale", qualityScale, 0.0, 10.0);
    checkRange("user_bias_scale", userBiasScale, 0.0, 10.0);
    checkRange("taste_scale", tasteScale, 0.0, 10.0);
    checkRange("noise", noise, 0.0, 10.0);
    checkRange("self_selection", selfSelection, -10.0, 10.0);
    checkRange("activity_spread", activitySpread, 0.0, 5.0);
    checkRange("time_span_days", timeSpanDays, 1.0 / 86400.0, 36500.0);
    if (startTime < 0 || startTime > (int64_t{1} << 40)) {
        badField("start_time", "seconds since the epoch, ≥ 0", std::to_string(startTime));
    }
}

std::string SimulatorConfig::toJson() const {
    nlohmann::ordered_json j;
    for (const auto& f : kIntFields) {
        j[f.key] = this->*f.member;
    }
    j["taste_dim"] = tasteDim;
    for (const auto& f : kDoubleFields) {
        j[f.key] = this->*f.member;
    }
    j["seed"] = seed;
    return j.dump();
}

SimulatorConfig SimulatorConfig::fromJson(const std::string& json) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(json);
    } catch (const nlohmann::json::exception& e) {
        throw Error(fmt::format("simulator config: not valid JSON ({})", e.what()));
    }
    if (!j.is_object()) {
        throw Error("simulator config: expected a JSON object");
    }
    SimulatorConfig c;
    for (const auto& [key, value] : j.items()) {
        bool known = false;
        for (const auto& f : kIntFields) {
            if (key == f.key) {
                if (!value.is_number_integer()) {
                    badField(f.key, "an integer", value.dump());
                }
                c.*f.member = value.get<int64_t>();
                known = true;
            }
        }
        for (const auto& f : kDoubleFields) {
            if (key == f.key) {
                if (!value.is_number()) {
                    badField(f.key, "a number", value.dump());
                }
                c.*f.member = value.get<double>();
                known = true;
            }
        }
        if (key == "taste_dim") {
            if (!value.is_number_integer() || value.get<int64_t>() < std::numeric_limits<int>::min() ||
                value.get<int64_t>() > std::numeric_limits<int>::max()) {
                badField("taste_dim", "an integer", value.dump());
            }
            c.tasteDim = static_cast<int>(value.get<int64_t>());
            known = true;
        } else if (key == "seed") {
            if (!value.is_number_unsigned()) {
                badField("seed", "a non-negative integer", value.dump());
            }
            c.seed = value.get<uint64_t>();
            known = true;
        }
        if (!known) {
            throw Error(fmt::format("simulator config: unknown key '{}'", key));
        }
    }
    return c;
}

GroundTruth GroundTruth::sample(const SimulatorConfig& config) {
    config.validate();
    GroundTruth t;
    t.config = config;
    t.globalMean = config.globalMean;
    const auto items = static_cast<size_t>(config.items);
    const auto users = static_cast<size_t>(config.users);
    const auto dim = static_cast<size_t>(config.tasteDim);

    Rng itemRng(streamSeed(config.seed, kStreamItems));
    // Gaussian copula: Pearson ρ of the latent normals gives Spearman (6/π)·asin(ρ/2) between quality and
    // exposure, so invert that to make the parameter the rank correlation itself.
    const double rho = 2.0 * std::sin(kPi * config.qualityPopularityCorrelation / 6.0);
    const double rhoRest = std::sqrt(std::max(0.0, 1.0 - rho * rho));
    t.itemQuality.resize(items);
    std::vector<double> exposureLatent(items);
    for (size_t i = 0; i < items; ++i) {
        const double z = itemRng.normal();
        const double zOther = itemRng.normal();
        t.itemQuality[i] = config.qualityScale * z;
        exposureLatent[i] = rho * z + rhoRest * zOther;
    }
    std::vector<uint32_t> order(items);
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        return exposureLatent[a] != exposureLatent[b] ? exposureLatent[a] > exposureLatent[b] : a < b;
    });
    t.itemExposure.resize(items);
    double total = 0.0;
    for (size_t r = 0; r < items; ++r) {
        const double e = std::pow(static_cast<double>(r + 1), -config.popularityExponent);
        t.itemExposure[order[r]] = e;
        total += e;
    }
    for (auto& e : t.itemExposure) {
        e /= total;
    }
    // Fixed-length item tastes (uniform directions): taste_u · taste_i then has std tasteScale, and
    // |taste_u| · tasteScale bounds it per user, which keeps the logging policy's rejection sampler
    // efficient.
    t.itemTaste.resize(items * dim);
    for (size_t i = 0; i < items; ++i) {
        float* v = &t.itemTaste[i * dim];
        double norm2 = 0.0;
        do {
            norm2 = 0.0;
            for (size_t d = 0; d < dim; ++d) {
                const double x = itemRng.normal();
                v[d] = static_cast<float>(x);
                norm2 += x * x;
            }
        } while (norm2 < 1e-12);
        const double scale = config.tasteScale / std::sqrt(norm2);
        for (size_t d = 0; d < dim; ++d) {
            v[d] = static_cast<float>(v[d] * scale);
        }
    }

    Rng userRng(streamSeed(config.seed, kStreamUsers));
    t.userBias.resize(users);
    t.userTaste.resize(users * dim);
    for (size_t u = 0; u < users; ++u) {
        t.userBias[u] = config.userBiasScale * userRng.normal();
        for (size_t d = 0; d < dim; ++d) {
            t.userTaste[u * dim + d] = static_cast<float>(userRng.normal());
        }
    }
    return t;
}

double GroundTruth::affinity(int32_t user, int32_t item) const {
    const auto dim = static_cast<size_t>(config.tasteDim);
    const float* tu = &userTaste[static_cast<size_t>(user) * dim];
    const float* ti = &itemTaste[static_cast<size_t>(item) * dim];
    double dot = 0.0;
    for (size_t d = 0; d < dim; ++d) {
        dot += static_cast<double>(tu[d]) * ti[d];
    }
    return itemQuality[static_cast<size_t>(item)] + dot;
}

double GroundTruth::expectedReward(int32_t user, int32_t item) const {
    if (user < 0 || static_cast<size_t>(user) >= userBias.size() || item < 0 ||
        static_cast<size_t>(item) >= itemQuality.size()) {
        throw Error(
            fmt::format("simulator ground truth: (user {}, item {}) out of range ({} users, {} items)", user,
                        item, userBias.size(), itemQuality.size()));
    }
    const double mean = globalMean + userBias[static_cast<size_t>(user)] + affinity(user, item);
    const double sigma = config.noise;
    if (!(sigma > 0.0)) {
        return rewardLevel(mean);
    }
    // reward = 1 + Σ_{k=1..4} 1[x ≥ k + ½] for x ~ N(mean, σ²), so E = 1 + Σ_k Φ((mean − k − ½) / σ).
    double expected = 1.0;
    for (int k = 1; k <= 4; ++k) {
        expected += normalCdf((mean - k - 0.5) / sigma);
    }
    return expected;
}

GroundTruthRecord GroundTruth::toRecord() const {
    const size_t users = userBias.size(), items = itemQuality.size();
    const auto dim = static_cast<size_t>(config.tasteDim);
    if (itemExposure.size() != items || userTaste.size() != users * dim || itemTaste.size() != items * dim ||
        users != static_cast<size_t>(config.users) || items != static_cast<size_t>(config.items)) {
        throw Error("simulator ground truth: array sizes do not match the configuration");
    }
    GroundTruthRecord record;
    record.kind = kTruthKind;
    SimulatorConfig c = config;
    c.globalMean = globalMean;
    record.config = c.toJson();
    auto& blob = record.blob;
    blob.reserve(kBlobHeaderSize + 8 * (2 * items + users) + 4 * dim * (users + items));
    blob.insert(blob.end(), std::begin(kBlobMagic), std::end(kBlobMagic));
    putLe<uint32_t>(blob, kBlobVersion);
    putLe<uint32_t>(blob, static_cast<uint32_t>(dim));
    putLe<uint64_t>(blob, users);
    putLe<uint64_t>(blob, items);
    for (double v : itemQuality) {
        putF64(blob, v);
    }
    for (double v : itemExposure) {
        putF64(blob, v);
    }
    for (double v : userBias) {
        putF64(blob, v);
    }
    for (float v : userTaste) {
        putF32(blob, v);
    }
    for (float v : itemTaste) {
        putF32(blob, v);
    }
    return record;
}

GroundTruth GroundTruth::fromRecord(const GroundTruthRecord& record) {
    if (record.kind != kTruthKind) {
        throw Error(fmt::format("simulator ground truth: unknown kind '{}' (expected '{}')", record.kind,
                                kTruthKind));
    }
    GroundTruth t;
    try {
        t.config = SimulatorConfig::fromJson(record.config);
        t.config.validate();
    } catch (const Error& e) {
        throw Error(fmt::format("simulator ground truth: bad config: {}", e.what()));
    }
    t.globalMean = t.config.globalMean;

    BlobReader in(record.blob);
    char magic[sizeof kBlobMagic];
    in.bytes(magic, sizeof magic);
    if (std::memcmp(magic, kBlobMagic, sizeof magic) != 0) {
        throw Error("simulator ground truth: blob does not start with the simulator's magic bytes");
    }
    const auto version = in.le<uint32_t>();
    if (version != kBlobVersion) {
        throw Error(fmt::format("simulator ground truth: blob version {} (this Tiltbench reads {})", version,
                                kBlobVersion));
    }
    const auto dim = in.le<uint32_t>();
    const auto users = in.le<uint64_t>();
    const auto items = in.le<uint64_t>();
    if (dim != static_cast<uint32_t>(t.config.tasteDim) || users != static_cast<uint64_t>(t.config.users) ||
        items != static_cast<uint64_t>(t.config.items)) {
        throw Error(fmt::format(
            "simulator ground truth: blob holds {} users × {} items × taste_dim {}, config says {} × {} × {}",
            users, items, dim, t.config.users, t.config.items, t.config.tasteDim));
    }
    // The config is validated, so these products cannot overflow.
    const uint64_t expected = kBlobHeaderSize + 8 * (2 * items + users) + 4ULL * dim * (users + items);
    if (record.blob.size() != expected) {
        throw Error(fmt::format("simulator ground truth: blob is {} bytes, expected {}", record.blob.size(),
                                expected));
    }
    auto readF64 = [&](std::vector<double>& out, uint64_t n, const char* what) {
        out.resize(n);
        for (auto& v : out) {
            v = in.f64();
            if (!std::isfinite(v)) {
                throw Error(fmt::format("simulator ground truth: non-finite value in {}", what));
            }
        }
    };
    auto readF32 = [&](std::vector<float>& out, uint64_t n, const char* what) {
        out.resize(n);
        for (auto& v : out) {
            v = in.f32();
            if (!std::isfinite(v)) {
                throw Error(fmt::format("simulator ground truth: non-finite value in {}", what));
            }
        }
    };
    readF64(t.itemQuality, items, "item quality");
    readF64(t.itemExposure, items, "item exposure");
    readF64(t.userBias, users, "user bias");
    readF32(t.userTaste, users * dim, "user taste");
    readF32(t.itemTaste, items * dim, "item taste");
    double total = 0.0;
    for (double e : t.itemExposure) {
        if (e < 0.0) {
            throw Error("simulator ground truth: negative item exposure");
        }
        total += e;
    }
    if (std::abs(total - 1.0) > 1e-6) {
        throw Error(fmt::format("simulator ground truth: item exposure sums to {}, expected 1", total));
    }
    return t;
}

DatasetInfo generateDataset(Workspace& ws, const std::string& name, const SimulatorConfig& config,
                            const ProgressCallback& progress) {
    config.validate();
    const uint64_t total = static_cast<uint64_t>(config.interactions);
    reportProgress(progress, Progress{"generating", 0, total, "rows"});
    const GroundTruth truth = GroundTruth::sample(config);
    const std::vector<int64_t> perUser = allocateInteractions(config);
    const std::string configJson = config.toJson();

    nlohmann::ordered_json source;
    source["generator"] = kTruthKind;
    source["config"] = nlohmann::ordered_json::parse(configJson);
    auto writer = ws.createDataset(NewDatasetSpec{name, "simulator", source.dump()});
    writer->setHasTime(true);
    writer->setMeta(configJson);

    // Register everything first, in order, so dense ids equal the ground truth's indices (and items that the
    // logging policy never showed still exist for evaluation).
    for (int64_t u = 0; u < config.users; ++u) {
        if (writer->userIndex("u" + std::to_string(u + 1)) != u) {
            throw Error("simulator: the dataset writer did not hand out dense user ids in order");
        }
    }
    std::vector<uint32_t> rankOf(truth.itemExposure.size());
    {
        std::vector<uint32_t> order(rankOf.size());
        std::iota(order.begin(), order.end(), 0u);
        std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
            return truth.itemExposure[a] > truth.itemExposure[b];
        });
        for (size_t r = 0; r < order.size(); ++r) {
            rankOf[order[r]] = static_cast<uint32_t>(r + 1);
        }
    }
    for (int64_t i = 0; i < config.items; ++i) {
        const auto item = writer->itemIndex("i" + std::to_string(i + 1));
        if (item != i) {
            throw Error("simulator: the dataset writer did not hand out dense item ids in order");
        }
        writer->setItemTitle(
            item, fmt::format("Item {} (q={:+.2f}, pop #{})", i + 1,
                              truth.itemQuality[static_cast<size_t>(i)], rankOf[static_cast<size_t>(i)]));
    }

    ItemSampler sampler(truth);
    const double span = config.timeSpanDays * 86400.0;
    std::vector<int32_t> chosen;
    std::vector<double> gaps;
    uint64_t done = 0, nextReport = 1 << 16;
    for (int64_t u = 0; u < config.users; ++u) {
        const auto user = static_cast<int32_t>(u);
        const int64_t n = perUser[static_cast<size_t>(u)];
        Rng rng(streamSeed(config.seed, kStreamUserRowsBase + static_cast<uint64_t>(u)));
        sampler.sample(user, n, rng, chosen);
        // Successive sampling draws the likeliest items first; random time order keeps that order from
        // leaking into position (the held-out last item would otherwise be systematically less popular and
        // less liked).
        for (size_t k = chosen.size(); k > 1; --k) {
            std::swap(chosen[k - 1], chosen[rng.below(static_cast<uint32_t>(k))]);
        }
        // Each user is active in a random window of the period (so users interleave in time), at Poisson-like
        // moments inside it: normalised cumulative exponential gaps are sorted uniforms in O(n).
        double a = rng.uniform() * span, b = rng.uniform() * span;
        if (a > b) {
            std::swap(a, b);
        }
        gaps.resize(static_cast<size_t>(n) + 1);
        double cumulative = 0.0;
        for (auto& g : gaps) {
            cumulative += rng.exponential();
            g = cumulative;
        }
        int64_t previous = std::numeric_limits<int64_t>::min();
        for (int64_t k = 0; k < n; ++k) {
            const auto item = chosen[static_cast<size_t>(k)];
            const double when = a + (b - a) * gaps[static_cast<size_t>(k)] / cumulative;
            const int64_t ts = std::max(config.startTime + static_cast<int64_t>(when), previous + 1);
            previous = ts;
            const double latent = truth.globalMean + truth.userBias[static_cast<size_t>(u)] +
                                  truth.affinity(user, item) + config.noise * rng.normal();
            writer->add(user, item, rewardLevel(latent), ts);
        }
        done += static_cast<uint64_t>(n);
        if (done >= nextReport) {
            reportProgress(progress, Progress{"generating", done, total, "rows"});
            nextReport = done + (1 << 16);
        }
    }
    reportProgress(progress, Progress{"generating", done, total, "rows"});
    writer->setGroundTruth(truth.toRecord());
    return writer->commit(progress);
}

}  // namespace tiltbench
