#pragma once
// Parsing of the values in a log row: rewards (any finite decimal number) and timestamps (integer epoch
// seconds, optionally with a fraction, or an ISO-8601 date / date-time, converted to epoch seconds UTC).
// Everything goes through std::from_chars: locale-independent and fast enough for tens of millions of rows.
#include <cstdint>
#include <string_view>

namespace tiltbench {

enum class NumberStatus { Ok, Empty, NotANumber, NonFinite };

// Rewards of larger magnitude are refused at import (problem kind "reward_range"): their squares summed over
// a log overflow the statistics (mean, standard deviation) and they do not fit the float32 the models train
// on.
constexpr double kMaxRewardMagnitude = 1e15;

// `s` must already be trimmed. A leading '+' is accepted; "nan", "inf" and overflowing values are NonFinite.
NumberStatus parseReward(std::string_view s, double& out);

// Epoch seconds (e.g. "964982703", "964982703.25", "-86400") or ISO 8601: "2020-01-31",
// "2020-01-31T12:00:00", "2020-01-31 12:00", with optional fraction of a second and "Z" or "+02:00" /
// "-0500". Dates without an offset are UTC. False when `s` is none of these.
bool parseTimestamp(std::string_view s, int64_t& out);

// True when `s` parses as a finite number (used by sniffing: header detection, matrix detection).
bool isNumber(std::string_view s);

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d);

}  // namespace tiltbench
