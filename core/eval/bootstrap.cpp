#include "eval/bootstrap.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <thread>
#include <tuple>

#include "common/error.h"
#include "common/seeded_random.h"
#include "eval/metrics.h"

namespace tiltbench {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void checkConfig(const BootstrapConfig& c) {
    if (c.resamples < 0 || c.threads < 0 || !(c.level > 0.0 && c.level < 1.0)) {
        throw Error(
            fmt::format("bootstrap: resamples and threads must be ≥ 0 and level in (0, 1) (got {}, {}, {})",
                        c.resamples, c.threads, c.level));
    }
}

// Per-user series laid out user-major (users × series), so one draw adds one contiguous row: the sums of all
// series advance together with no dependency between them. NaN (user outside a subset) is stored as value 0
// with weight 0, which keeps the inner loop free of branches.
class SeriesTable {
  public:
    explicit SeriesTable(size_t users) : m_users(users) {}
    void add(const std::vector<double>& v) { m_columns.push_back(v); }
    size_t size() const { return m_columns.size(); }

    // Percentile intervals of the mean of each series. Resample b draws from its own derived seed, so the
    // numbers do not depend on how resamples are spread over threads.
    std::vector<std::pair<double, double>> intervals(const BootstrapConfig& config) const {
        const size_t series = m_columns.size();
        std::vector<std::pair<double, double>> out(series, {kNaN, kNaN});
        if (config.resamples == 0 || m_users == 0 || series == 0)
            return out;
        std::vector<double> value(m_users * series), weight(m_users * series);
        for (size_t s = 0; s < series; ++s) {
            for (size_t u = 0; u < m_users; ++u) {
                const double v = m_columns[s][u];
                value[u * series + s] = std::isnan(v) ? 0.0 : v;
                weight[u * series + s] = std::isnan(v) ? 0.0 : 1.0;
            }
        }
        const auto resamples = static_cast<size_t>(config.resamples);
        std::vector<double> samples(series * resamples, kNaN);  // series-major
        std::atomic<size_t> next{0};
        const auto work = [&] {
            std::vector<double> sum(series), count(series);
            for (size_t b = next.fetch_add(1); b < resamples; b = next.fetch_add(1)) {
                std::fill(sum.begin(), sum.end(), 0.0);
                std::fill(count.begin(), count.end(), 0.0);
                SeededRandom rng(SeededRandom::derive(config.seed, b));
                for (size_t d = 0; d < m_users; ++d) {
                    const size_t row = static_cast<size_t>(rng.below(m_users)) * series;
                    for (size_t s = 0; s < series; ++s) {
                        sum[s] += value[row + s];
                        count[s] += weight[row + s];
                    }
                }
                for (size_t s = 0; s < series; ++s) {
                    samples[s * resamples + b] = count[s] > 0.0 ? sum[s] / count[s] : kNaN;
                }
            }
        };
        size_t threads = config.threads > 0 ? static_cast<size_t>(config.threads)
                                            : std::max(1U, std::thread::hardware_concurrency());
        // At least 50 resamples per thread: below that, starting threads costs more than it saves.
        threads = std::max<size_t>(1, std::min(threads, resamples / 50));
        if (threads == 1) {
            work();
        } else {
            std::vector<std::thread> pool;
            for (size_t t = 0; t < threads; ++t) {
                pool.emplace_back(work);
            }
            for (auto& t : pool) {
                t.join();
            }
        }
        for (size_t s = 0; s < series; ++s) {
            std::vector<double> x;
            x.reserve(resamples);
            for (size_t b = 0; b < resamples; ++b) {
                if (!std::isnan(samples[s * resamples + b]))
                    x.push_back(samples[s * resamples + b]);
            }
            out[s] = metrics::percentileInterval(x, config.level);
        }
        return out;
    }

  private:
    size_t m_users;
    std::vector<std::vector<double>> m_columns;
};

}  // namespace

void attachIntervals(EvalResult& result, const BootstrapConfig& config) {
    checkConfig(config);
    result.protocol.bootstrapResamples = config.resamples;
    result.protocol.bootstrapSeed = config.seed;
    result.protocol.level = config.level;
    SeriesTable series(result.users.size());
    std::vector<size_t> which;  // metric index of each series
    for (size_t i = 0; i < result.metrics.size(); ++i) {
        auto& m = result.metrics[i];
        m.lo = m.hi = kNaN;
        const auto* values = m.perUser() ? result.perUser(m.name) : nullptr;
        if (values && values->size() == result.users.size()) {
            series.add(*values);
            which.push_back(i);
        }
    }
    const auto intervals = series.intervals(config);
    for (size_t s = 0; s < series.size(); ++s) {
        std::tie(result.metrics[which[s]].lo, result.metrics[which[s]].hi) = intervals[s];
    }
}

const MetricDifference* PairedComparison::find(const std::string& name) const {
    for (const auto& m : metrics) {
        if (m.name == name)
            return &m;
    }
    return nullptr;
}

PairedComparison comparePaired(const EvalResult& a, const EvalResult& b, const BootstrapConfig& config) {
    checkConfig(config);
    if (a.protocol.splitHash != b.protocol.splitHash || a.protocol.targets != b.protocol.targets) {
        throw Error(
            fmt::format("compare: the results come from different splits or target sets ({:016x} {} vs "
                        "{:016x} {})",
                        a.protocol.splitHash, a.protocol.targets, b.protocol.splitHash, b.protocol.targets));
    }
    if (a.users != b.users || a.protocol.numItems != b.protocol.numItems) {
        throw Error(
            fmt::format("compare: the results evaluated different users ({} vs {}); use the same user "
                        "sample for both",
                        a.users.size(), b.users.size()));
    }
    PairedComparison out;
    out.protocol = a.protocol.toString();
    if (config.resamples > 0) {
        out.protocol += fmt::format("; paired {}% bootstrap ({} resamples, seed {})", config.level * 100.0,
                                    config.resamples, config.seed);
    }
    SeriesTable series(a.users.size());
    std::vector<size_t> which;  // difference index of each series
    for (const auto& ma : a.metrics) {
        const auto* mb = b.find(ma.name);
        if (!mb || mb->aggregate != ma.aggregate || mb->k != ma.k)
            continue;
        MetricDifference d;
        d.name = ma.name;
        d.a = ma.value;
        d.b = mb->value;
        d.lo = d.hi = kNaN;
        if (ma.perUser()) {
            const auto* va = a.perUser(ma.name);
            const auto* vb = b.perUser(ma.name);
            if (!va || !vb || va->size() != a.users.size() || vb->size() != a.users.size())
                continue;
            std::vector<double> diff(va->size(), kNaN);
            double sum = 0.0;
            for (size_t u = 0; u < va->size(); ++u) {
                if (!std::isnan((*va)[u]) && !std::isnan((*vb)[u])) {
                    diff[u] = (*va)[u] - (*vb)[u];
                    sum += diff[u];
                    ++d.users;
                }
            }
            d.diff = d.users > 0 ? sum / static_cast<double>(d.users) : kNaN;
            series.add(diff);
            which.push_back(out.metrics.size());
        } else {
            d.diff = ma.value - mb->value;
            d.users = static_cast<int64_t>(a.users.size());
        }
        out.metrics.push_back(d);
    }
    const auto intervals = series.intervals(config);
    for (size_t s = 0; s < series.size(); ++s) {
        std::tie(out.metrics[which[s]].lo, out.metrics[which[s]].hi) = intervals[s];
    }
    return out;
}

}  // namespace tiltbench
