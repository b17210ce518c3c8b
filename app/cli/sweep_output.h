#pragma once
// What `sweep` reads beyond the training options (--seeds, a run id for --init-from) and what it prints after
// its runs: the per-configuration summary over seeds (train/sweep_summary.h) as a table and as JSON.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "train/sweep_summary.h"

namespace tiltbench::cli {

// A whole number ≥ 0 that fits uint64, all of `text`; otherwise nullopt.
std::optional<uint64_t> wholeNumber(const std::string& text);
// --seeds 1,2,3: distinct whole numbers, at most 1000 of them; empty text = none. Throws Error naming
// --seeds.
std::vector<uint64_t> parseSeedList(const std::string& text);
// `--shard I/N` as (I - 1, N); throws Error unless 1 <= I <= N <= limits::kMaxSweepShards.
std::pair<int, int> parseShard(const std::string& text);
// A run id ≥ 0 (0 = none) for `option`; throws Error saying what was `expected`.
int64_t parseRunIdOption(const char* option, const std::string& text, const char* expected);

// The figures the summary gives per configuration.
extern const std::vector<std::string> kSummaryMetrics;
// "higher" / "lower" when the interval excludes 0 and every seed agrees; "not established" otherwise.
std::string verdict(const SeededDifference& d);
nlohmann::json summaryJson(const SweepSummary& summary, int resamples, uint64_t seed);
void printSummary(const SweepSummary& summary, int resamples);

}  // namespace tiltbench::cli
