#include "data/ground_truth.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <utility>

#include "common/error.h"
#include "common/limits.h"
#include "common/random.h"

namespace tiltbench {

namespace {

constexpr char kBlobMagic[8] = {'T', 'B', 'S', 'I', 'M', 'G', 'T', '1'};
constexpr uint32_t kBlobVersion = 1;
constexpr size_t kBlobHeaderSize = 8 + 4 + 4 + 8 + 8;
constexpr double kPi = 3.14159265358979323846;
constexpr double kSqrtHalf = 0.70710678118654752440;

constexpr uint64_t kStreamItems = 1;
constexpr uint64_t kStreamUsers = 2;

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

double normalCdf(double x) {
    return 0.5 * std::erfc(-x * kSqrtHalf);
}

}  // namespace

double simulatorRewardLevel(double x) {
    return std::clamp(std::floor(x + 0.5), 1.0, 5.0);
}

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
        return simulatorRewardLevel(mean);
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
    record.kind = kSimulatorTruthKind;
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
    if (record.kind != kSimulatorTruthKind) {
        throw Error(fmt::format("simulator ground truth: unknown kind '{}' (expected '{}')", record.kind,
                                kSimulatorTruthKind));
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

}  // namespace tiltbench
