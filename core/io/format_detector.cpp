#include "io/format_detector.h"

#include <filesystem>

#include "io/field_splitter.h"
#include "io/movielens_layouts.h"
#include "io/value_parsing.h"

namespace tiltbench {

namespace {

// Columns a matrix line needs before a whitespace-separated file counts as a matrix rather than a short
// "user item rating" log, and the share of zeros (missing entries) it needs.
constexpr size_t kMatrixMinColumns = 10;
constexpr double kMatrixMinZeroShare = 0.5;

bool isInteger(std::string_view s) {
    if (!s.empty() && s[0] == '-') {
        s.remove_prefix(1);
    }
    if (s.empty()) {
        return false;
    }
    for (char c : s) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

bool allRows(const std::vector<std::string>& sample, const Delimiter& d,
             bool (*rowOk)(const std::vector<std::string_view>&)) {
    FieldSplitter splitter(d, false);
    for (const auto& line : sample) {
        if (!rowOk(splitter.split(line))) {
            return false;
        }
    }
    return !sample.empty();
}

// ML-100K names: u.data and the ready-made splits u1.base … u5.test, ua.base, ub.test.
bool isMovieLens100kName(const std::string& name) {
    if (name == "u.data") {
        return true;
    }
    const auto dot = name.rfind('.');
    if (dot == std::string::npos || name[0] != 'u') {
        return false;
    }
    const std::string ext = name.substr(dot + 1);
    return (ext == "base" || ext == "test") && dot <= 3;
}

}  // namespace

FormatGuess FormatDetector::detect(const std::string& path, const std::vector<std::string>& sample) {
    const std::string name = std::filesystem::path(path).filename().string();
    FormatGuess guess;
    if (sample.empty()) {
        guess.reason = "empty sample; read as delimited text";
        return guess;
    }
    if (isMovieLensCsvHeader(sample.front())) {
        guess.format = ImportFormat::MovieLensCsv;
        guess.reason = "header userId,movieId,rating,timestamp (MovieLens latest/20M/25M)";
        return guess;
    }
    const bool datRows = allRows(sample, Delimiter::text("::"), [](const std::vector<std::string_view>& f) {
        return f.size() == 4 && !f[0].empty() && !f[1].empty() && isNumber(f[2]) && isInteger(f[3]);
    });
    if (datRows) {
        guess.format = ImportFormat::MovieLensDat;
        guess.reason = "rows user::item::rating::timestamp (MovieLens 1M/10M ratings.dat)";
        return guess;
    }
    const bool tabRows =
        allRows(sample, Delimiter::character('\t'), [](const std::vector<std::string_view>& f) {
            return f.size() == 4 && isInteger(f[0]) && isInteger(f[1]) && isNumber(f[2]) && isInteger(f[3]);
        });
    if (tabRows && isMovieLens100kName(name)) {
        guess.format = ImportFormat::MovieLens100k;
        guess.reason = "'" + name + "' with tab-separated user, item, rating, timestamp (MovieLens 100K)";
        return guess;
    }
    FieldSplitter ws(Delimiter::whitespace(), false);
    size_t columns = 0, values = 0, zeros = 0;
    bool matrix = true;
    for (const auto& line : sample) {
        const auto& fields = ws.split(line);
        if (columns == 0) {
            columns = fields.size();
        }
        if (fields.size() != columns || columns < kMatrixMinColumns) {
            matrix = false;
            break;
        }
        for (auto f : fields) {
            double v = 0;
            if (parseReward(f, v) != NumberStatus::Ok) {
                matrix = false;
                break;
            }
            ++values;
            zeros += v == 0.0;
        }
        if (!matrix) {
            break;
        }
    }
    if (matrix && values > 0 &&
        static_cast<double>(zeros) >= kMatrixMinZeroShare * static_cast<double>(values)) {
        guess.format = ImportFormat::Matrix;
        guess.reason =
            std::to_string(columns) + " whitespace-separated numbers per line, mostly 0 (a dense matrix)";
        return guess;
    }
    guess.reason = "no MovieLens or matrix signature; read as delimited text";
    return guess;
}

}  // namespace tiltbench
