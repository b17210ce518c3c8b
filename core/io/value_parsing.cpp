#include "io/value_parsing.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

namespace tiltbench {

namespace {

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

// Reads exactly `n` digits at `pos`.
bool digits(std::string_view s, size_t& pos, size_t n, int& out) {
    if (pos + n > s.size()) {
        return false;
    }
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
        const char c = s[pos + i];
        if (!isDigit(c)) {
            return false;
        }
        v = v * 10 + (c - '0');
    }
    pos += n;
    out = v;
    return true;
}

bool isLeap(int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned daysInMonth(int64_t y, unsigned m) {
    static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && isLeap(y) ? 29 : kDays[m - 1];
}

bool parseIso(std::string_view s, int64_t& out) {
    size_t p = 0;
    int year = 0, month = 0, day = 0;
    if (!digits(s, p, 4, year) || p >= s.size() || s[p] != '-') {
        return false;
    }
    ++p;
    if (!digits(s, p, 2, month) || p >= s.size() || s[p] != '-') {
        return false;
    }
    ++p;
    if (!digits(s, p, 2, day)) {
        return false;
    }
    if (month < 1 || month > 12 || day < 1 || static_cast<unsigned>(day) > daysInMonth(year, month)) {
        return false;
    }
    int64_t seconds = daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400;
    if (p == s.size()) {
        out = seconds;
        return true;
    }
    if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') {
        return false;
    }
    ++p;
    int hour = 0, minute = 0, second = 0;
    if (!digits(s, p, 2, hour) || p >= s.size() || s[p] != ':') {
        return false;
    }
    ++p;
    if (!digits(s, p, 2, minute)) {
        return false;
    }
    if (p < s.size() && s[p] == ':') {
        ++p;
        if (!digits(s, p, 2, second)) {
            return false;
        }
        if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
            ++p;
            const size_t start = p;
            while (p < s.size() && isDigit(s[p])) {
                ++p;
            }
            if (p == start) {
                return false;
            }
        }
    }
    // 24:00:00 would be legal ISO but no logger writes it; 60 s covers leap seconds.
    if (hour > 23 || minute > 59 || second > 60) {
        return false;
    }
    seconds += hour * 3600 + minute * 60 + second;
    if (p < s.size() && (s[p] == 'Z' || s[p] == 'z')) {
        ++p;
    } else if (p < s.size() && (s[p] == '+' || s[p] == '-')) {
        const int sign = s[p] == '+' ? 1 : -1;
        ++p;
        int oh = 0, om = 0;
        if (!digits(s, p, 2, oh)) {
            return false;
        }
        if (p < s.size() && s[p] == ':') {
            ++p;
        }
        if (p < s.size() && !digits(s, p, 2, om)) {
            return false;
        }
        if (oh > 23 || om > 59) {
            return false;
        }
        seconds -= sign * (oh * 3600 + om * 60);
    }
    if (p != s.size()) {
        return false;
    }
    out = seconds;
    return true;
}

}  // namespace

int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
    // Howard Hinnant's days_from_civil: exact for the whole proleptic Gregorian calendar.
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

NumberStatus parseReward(std::string_view s, double& out) {
    if (s.empty()) {
        return NumberStatus::Empty;
    }
    const char* b = s.data();
    const char* e = b + s.size();
    if (*b == '+' && s.size() > 1 && *(b + 1) != '-') {
        ++b;
    }
    auto [ptr, ec] = std::from_chars(b, e, out);
    if (ptr != e) {
        return NumberStatus::NotANumber;
    }
    if (ec == std::errc::result_out_of_range) {
        // from_chars reports underflow and overflow alike; strtod tells them apart (rare path).
        const std::string copy(b, e);
        out = std::strtod(copy.c_str(), nullptr);
        return std::isfinite(out) ? NumberStatus::Ok : NumberStatus::NonFinite;
    }
    if (ec != std::errc()) {
        return NumberStatus::NotANumber;
    }
    return std::isfinite(out) ? NumberStatus::Ok : NumberStatus::NonFinite;
}

bool isNumber(std::string_view s) {
    double v = 0;
    return parseReward(s, v) == NumberStatus::Ok;
}

bool parseTimestamp(std::string_view s, int64_t& out) {
    if (s.empty()) {
        return false;
    }
    const char* b = s.data();
    const char* e = b + s.size();
    if (*b == '+') {
        ++b;
    }
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(b, e, v);
    if (ec == std::errc() && ptr == e) {
        out = v;
        return true;
    }
    if (ec == std::errc() && *ptr == '.' && ptr - b <= 12) {
        // Fractional epoch seconds ("964982703.250"); keep whole seconds, rounding toward the past.
        const char* q = ptr + 1;
        while (q < e && isDigit(*q)) {
            ++q;
        }
        if (q == e && q > ptr + 1) {
            const bool negative = *b == '-';
            bool nonzero = false;
            for (const char* r = ptr + 1; r < e; ++r) {
                nonzero |= *r != '0';
            }
            out = negative && nonzero ? v - 1 : v;
            return true;
        }
        return false;
    }
    return parseIso(s, out);
}

}  // namespace tiltbench
