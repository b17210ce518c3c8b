// sweep's extra options and its summary output (sweep_output.h).
#include "sweep_output.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <iostream>

#include "cli_commands.h"
#include "common/error.h"
#include "common/limits.h"

namespace tiltbench::cli {

using json = nlohmann::json;

// A whole number ≥ 0 that fits uint64, all of `text`; otherwise nullopt.
std::optional<uint64_t> wholeNumber(const std::string& text) {
    uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return v;
}

// --seeds 1,2,3: distinct whole numbers, at most 1000 of them.
std::vector<uint64_t> parseSeedList(const std::string& text) {
    std::vector<uint64_t> seeds;
    if (text.empty())
        return seeds;
    for (const auto& token : splitCommaList(text)) {
        const auto v = wholeNumber(token);
        if (!v)
            throw Error(
                fmt::format("--seeds: '{}' is not a whole number >= 0 (give e.g. --seeds 1,2,3)", token));
        if (std::find(seeds.begin(), seeds.end(), *v) != seeds.end())
            throw Error(fmt::format("--seeds: seed {} is listed twice", *v));
        seeds.push_back(*v);
    }
    if (seeds.size() > 1000)
        throw Error(fmt::format("--seeds: at most 1000 seeds (got {})", seeds.size()));
    return seeds;
}

std::pair<int, int> parseShard(const std::string& text) {
    const auto slash = text.find('/');
    const uint64_t index = wholeNumber(text.substr(0, slash)).value_or(0);
    const uint64_t count = slash == std::string::npos ? 0 : wholeNumber(text.substr(slash + 1)).value_or(0);
    if (index < 1 || index > count || count > static_cast<uint64_t>(limits::kMaxSweepShards))
        throw Error(fmt::format("--shard: expected I/N with 1 <= I <= N <= {}, e.g. 2/3 (got '{}')",
                                limits::kMaxSweepShards, text));
    return {static_cast<int>(index) - 1, static_cast<int>(count)};
}

int64_t parseRunIdOption(const char* option, const std::string& text, const char* expected) {
    const auto v = wholeNumber(text);
    if (!v || *v > static_cast<uint64_t>(INT64_MAX))
        throw Error(fmt::format("{}: expected {} (got '{}')", option, expected, text));
    return static_cast<int64_t>(*v);
}

// The figures a sweep's summary gives per configuration.
extern const std::vector<std::string> kSummaryMetrics;
const std::vector<std::string> kSummaryMetrics{"ndcg@10",        "ndcg_high@10", "item_mean_reward@10",
                                               "true_reward@10", "arp@10",       "coverage@10"};

static std::string signedInterval(const SeededDifference& d) {
    if (!std::isfinite(d.diff))
        return "-";
    std::string s = fmt::format("{:+.4f}", d.diff);
    if (std::isfinite(d.lo) && std::isfinite(d.hi))
        s += fmt::format(" [{:+.4f}, {:+.4f}]", d.lo, d.hi);
    return s;
}

// "established" when the interval excludes 0 and every seed agrees in sign; otherwise "not established".
std::string verdict(const SeededDifference& d) {
    if (!std::isfinite(d.lo) || !std::isfinite(d.hi))
        return "no interval";
    if ((d.lo > 0.0 || d.hi < 0.0) && d.seedsAgree())
        return d.diff > 0.0 ? "higher" : "lower";
    return "not established";
}

json summaryJson(const SweepSummary& summary, int resamples, uint64_t seed) {
    json rows = json::array();
    for (const auto& row : summary.rows) {
        json cells = json::object();
        for (const auto& c : row.cells) {
            json cell = {{"mean", std::isfinite(c.mean) ? json(c.mean) : json()}};
            if (c.paired && !row.isBaseline) {
                const auto& d = c.vsBaseline;
                auto num = [](double v) { return std::isfinite(v) ? json(v) : json(); };
                json perSeed = json::array();
                for (const double v : d.perSeed)
                    perSeed.push_back(num(v));
                cell["diff"] = num(d.diff);
                cell["lo"] = num(d.lo);
                cell["hi"] = num(d.hi);
                cell["per_seed_diff"] = perSeed;
                cell["users"] = d.users;
                cell["verdict"] = verdict(d);
            }
            cells[c.metric] = cell;
        }
        rows.push_back(
            {{"scheme", formatWeightKind(row.scheme.kind)},
             {"lambda", row.scheme.kind == WeightKind::Exp ? json(formatLambda(row.scheme.lambda)) : json()},
             {"weighting", json::parse(row.scheme.toJson())},
             {"configuration", row.label},
             {"baseline", row.isBaseline},
             {"seeds", row.seeds},
             {"run_ids", row.runIds},
             {"metrics", cells}});
    }
    return {{"targets", "test"},
            {"baseline", "the uniform (exp lambda = inf) run of the same seed"},
            {"has_baseline", summary.hasBaseline},
            {"interval", fmt::format("95% two-level bootstrap over seeds and users ({} resamples, seed {}); "
                                     "core/eval/seeded_comparison.h",
                                     resamples, seed)},
            {"rows", rows}};
}

void printSummary(const SweepSummary& summary, int resamples) {
    size_t maxSeeds = 0;
    for (const auto& row : summary.rows)
        maxSeeds = std::max(maxSeeds, row.seeds.size());
    if (maxSeeds < 2 && !summary.hasBaseline)
        return;
    std::cout << "\nPer configuration over seeds (test targets; Δ = paired difference against the uniform / "
                 "λ = inf run of the same seed, 95 % two-level bootstrap over seeds and users, "
              << resamples << " resamples):\n";
    if (!summary.hasBaseline)
        std::cout << "(no baseline in the grid: add inf to --lambdas or uniform to --schemes for Δ)\n";
    std::cout << fmt::format("{:<30} {:>5} {:<20} {:>9} {:<30} {:<10} {}\n", "configuration", "seeds",
                             "metric", "mean", "Δ vs SFT [95%]", "seeds +/−", "verdict");
    for (const auto& row : summary.rows) {
        const std::string config = !row.label.empty() ? row.label
                                   : row.scheme.kind == WeightKind::Exp
                                       ? fmt::format("exp λ={}", formatLambda(row.scheme.lambda))
                                       : row.scheme.describe();
        for (const auto& c : row.cells) {
            std::string diff = row.isBaseline ? "(baseline)" : "-";
            std::string signs, judged;
            if (c.paired && !row.isBaseline) {
                diff = signedInterval(c.vsBaseline);
                int up = 0, down = 0;
                for (const double v : c.vsBaseline.perSeed) {
                    up += v > 0.0 ? 1 : 0;
                    down += v < 0.0 ? 1 : 0;
                }
                signs = fmt::format("{}/{}", up, down);
                judged = verdict(c.vsBaseline);
            }
            std::cout << fmt::format("{:<30} {:>5} {:<20} {:>9} {:<30} {:<10} {}\n", config, row.seeds.size(),
                                     c.metric, std::isfinite(c.mean) ? fmt::format("{:.4f}", c.mean) : "-",
                                     diff, signs, judged);
        }
    }
}

}  // namespace tiltbench::cli
