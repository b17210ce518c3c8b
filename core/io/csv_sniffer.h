#pragma once
// CsvSniffer: turns the first lines of a delimited file plus the user's CsvOptions into a complete reading
// plan (DelimitedLayout): which delimiter, whether the first line is a header, how many fields a row has and
// which column holds the user, item, reward and time. Whatever the user left unset is guessed — the delimiter
// from field counts that agree across lines, the header from names and from values that are numbers below
// but not in the first line, columns from familiar header names (userId, movieId, rating, timestamp, …) and
// otherwise from position — and every decision is written down in `notes` for the import dialog. A mapping
// that cannot work (unknown column name, index out of range, two roles on one column) is an Error naming the
// file and the column, raised before any row is written.
#include <cstddef>
#include <string>
#include <vector>

#include "io/field_splitter.h"
#include "io/import.h"

namespace tiltbench {

struct DelimitedLayout {
    Delimiter delimiter;
    bool quoted = true;
    bool header = false;
    size_t fieldCount = 0;                 // fields in every data row
    std::vector<std::string> columnNames;  // header names, or "column 0", "column 1", …
    int userCol = 0;
    int itemCol = 1;
    int rewardCol = 2;  // -1: no reward column, every row gets reward 1 (implicit feedback)
    int timeCol = -1;   // -1: no time, a row's timestamp is its position in the input
    std::vector<std::string> notes;

    // For messages: `column 2 "rating"` (or just `column 2` without a header).
    std::string columnLabel(int col) const;
    // The mapping written back as CsvOptions with columns by index ("none" for an absent time/reward).
    CsvOptions asOptions() const;
};

struct TitlesLayout {
    Delimiter delimiter;
    bool quoted = false;
    bool header = false;
    size_t minFields = 2;
    int idCol = 0;
    int titleCol = 1;
};

class CsvSniffer {
  public:
    static constexpr size_t kSampleLines = 64;

    // The first `maxLines` non-blank lines of `path` (BOM and line endings removed).
    static std::vector<std::string> sample(const std::string& path, size_t maxLines = kSampleLines);

    // Picks the delimiter whose field count is the same on every line (more fields wins, then the order
    // "::", tab, comma, semicolon, pipe, whitespace). Throws Error naming `path` when none splits the lines.
    static Delimiter sniffDelimiter(const std::vector<std::string>& lines, const std::string& path);

    static bool detectHeader(const std::vector<std::vector<std::string>>& rows);

    static DelimitedLayout resolve(const std::string& path, const std::vector<std::string>& lines,
                                   const CsvOptions& options);

    // Titles file of unknown shape: item id in the first column, title in a column named title/name or the
    // second one.
    static TitlesLayout resolveTitles(const std::string& path, const std::vector<std::string>& lines);

    // Splits sample lines with a delimiter; in quoted mode, lines broken inside a quoted field are joined
    // first.
    static std::vector<std::vector<std::string>> splitAll(const std::vector<std::string>& lines,
                                                          const Delimiter& delimiter, bool quoted);
};

}  // namespace tiltbench
