#include "io/csv_sniffer.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/error.h"
#include "io/line_reader.h"
#include "io/text_encoding.h"
#include "io/value_parsing.h"

namespace tiltbench {

namespace {

// Header names are compared lower-case with separators removed, so "user_id", "UserId" and "user id" agree.
std::string normalise(const std::string& name) {
    std::string out;
    for (char c : name) {
        if (c >= 'A' && c <= 'Z') {
            out += static_cast<char>(c - 'A' + 'a');
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            out += c;
        }
    }
    return out;
}

const std::set<std::string>& userNames() {
    static const std::set<std::string> names = {
        "user",     "userid",     "uid",    "users",    "customer", "customerid", "visitor", "visitorid",
        "reviewer", "reviewerid", "member", "memberid", "account",  "accountid",  "u"};
    return names;
}

const std::set<std::string>& itemNames() {
    static const std::set<std::string> names = {
        "item",     "itemid",    "iid",      "movie",    "movieid",    "product", "productid",
        "asin",     "book",      "bookid",   "isbn",     "track",      "trackid", "song",
        "songid",   "artist",    "artistid", "business", "businessid", "video",   "videoid",
        "article",  "articleid", "anime",    "animeid",  "game",       "gameid",  "recipe",
        "recipeid", "venue",     "venueid",  "poi",      "i"};
    return names;
}

const std::set<std::string>& rewardNames() {
    static const std::set<std::string> names = {
        "rating", "ratings", "reward",     "score", "click", "clicked",  "clicks", "label",    "value",
        "stars",  "rate",    "preference", "like",  "liked", "feedback", "target", "response", "r"};
    return names;
}

const std::set<std::string>& timeNames() {
    static const std::set<std::string> names = {"timestamp", "time",          "ts",    "date",    "datetime",
                                                "unixtime",  "unixtimestamp", "epoch", "created", "createdat",
                                                "eventtime", "timestamps",    "t"};
    return names;
}

bool isTimestamp(const std::string& s) {
    int64_t ts = 0;
    return parseTimestamp(s, ts);
}

bool allDigits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The most frequent field count; ties go to the larger count (a short row is likelier broken than a long
// one).
size_t mostCommon(const std::map<size_t, size_t>& counts) {
    size_t best = 0, bestN = 0;
    for (const auto& [fields, n] : counts) {
        if (n >= bestN) {
            best = fields;
            bestN = n;
        }
    }
    return best;
}

// Whether `text` ends inside a quoted field (same rules as LineReader's quote tracking).
bool endsInsideQuotes(std::string_view text, char delimiter) {
    bool inQuotes = false, fieldStart = true;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inQuotes) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    ++i;
                } else {
                    inQuotes = false;
                }
            }
        } else if (c == '"' && fieldStart) {
            inQuotes = true;
            fieldStart = false;
        } else if (c == delimiter) {
            fieldStart = true;
        } else if (c != ' ' && c != '\t') {
            fieldStart = false;
        }
    }
    return inQuotes;
}

// The sample is read as plain lines before the delimiter is known; once it is, quoted fields that contain
// line breaks are put back together so that they count as one row.
std::vector<std::string> joinQuotedLines(const std::vector<std::string>& lines, char delimiter) {
    constexpr size_t kMaxJoined = 100;
    std::vector<std::string> out;
    for (size_t i = 0; i < lines.size(); ++i) {
        std::string record = lines[i];
        size_t j = i;
        while (endsInsideQuotes(record, delimiter) && j + 1 < lines.size() && j - i < kMaxJoined) {
            record += "\n" + lines[++j];
        }
        if (j > i && endsInsideQuotes(record, delimiter)) {
            out.push_back(lines[i]);  // a stray quote: keep the line as it was
            continue;
        }
        out.push_back(std::move(record));
        i = j;
    }
    return out;
}

// Assigns the user, item, reward and time roles to columns: explicit choices first (so guesses never take a
// column the user asked for), then familiar header names for every role, then positions — names before
// positions, so that a header "rating,a,b" does not give column 0 to the user.
class ColumnResolver {
  public:
    ColumnResolver(DelimitedLayout& layout, const std::vector<std::vector<std::string>>& rows,
                   const std::string& path, size_t firstData)
        : m_layout(layout), m_rows(rows), m_path(path), m_firstData(firstData) {}

    void resolve(const CsvOptions& options) {
        int user = explicitColumn(options.userCol, "user", false);
        int item = explicitColumn(options.itemCol, "item", false);
        int reward = explicitColumn(options.rewardCol, "reward", true);
        int time = explicitColumn(options.timeCol, "timestamp", true);
        const char* roleNames[] = {"user", "item", "reward", "timestamp"};
        int* roles[] = {&user, &item, &reward, &time};
        for (int a = 0; a < 4; ++a) {
            for (int b = a + 1; b < 4; ++b) {
                if (*roles[a] >= 0 && *roles[a] == *roles[b]) {
                    throw Error(std::string("The ") + roleNames[a] + " and " + roleNames[b] +
                                " columns are both " + m_layout.columnLabel(*roles[a]) + " of '" + m_path +
                                "'; each needs its own column.");
                }
            }
            if (*roles[a] >= 0) {
                take(*roles[a], roleNames[a], "given");
            }
        }
        guessByName(user, userNames(), "user");
        guessByName(item, itemNames(), "item");
        guessByName(reward, rewardNames(), "reward");
        guessByName(time, timeNames(), "timestamp");
        guessByPosition(user, 0, "user");
        guessByPosition(item, 1, "item");
        if (user < 0 || item < 0) {
            throw Error("'" + m_path + "' needs separate user and item columns; set them explicitly.");
        }
        guessByPosition(reward, 2, "reward");
        if (reward < 0) {
            m_layout.notes.push_back("reward: none, every row gets reward 1 (implicit feedback)");
        }
        if (time == kUnset) {
            time = positionalTime();
        }
        if (time < 0) {
            m_layout.notes.push_back("timestamp: none, rows keep their order in the file");
        }
        m_layout.userCol = user;
        m_layout.itemCol = item;
        m_layout.rewardCol = reward;
        m_layout.timeCol = time;
    }

  private:
    static constexpr int kUnset = -2;  // -1 means "no such column"

    const std::vector<std::string>& header() const { return m_rows[0]; }

    void take(int column, const std::string& role, const char* how) {
        m_used.insert(column);
        m_layout.notes.push_back(role + ": " + m_layout.columnLabel(column) + " (" + how + ")");
    }

    int explicitColumn(const std::string& spec, const char* role, bool mayBeNone) const {
        if (spec.empty()) {
            return kUnset;
        }
        if (spec == "none") {
            if (!mayBeNone) {
                throw Error(std::string("The ") + role + " column cannot be 'none'; every row needs a " +
                            role + ".");
            }
            return -1;
        }
        if (m_layout.header) {
            // Exact spelling first, then the relaxed comparison ("user_id" finds "UserId").
            const size_t n = std::min(header().size(), m_layout.fieldCount);
            for (size_t c = 0; c < n; ++c) {
                if (header()[c] == spec) {
                    return static_cast<int>(c);
                }
            }
            const std::string wanted = normalise(spec);
            for (size_t c = 0; c < n && !wanted.empty(); ++c) {
                if (normalise(header()[c]) == wanted) {
                    return static_cast<int>(c);
                }
            }
        }
        if (allDigits(spec)) {
            const unsigned long index = spec.size() > 9 ? ~0UL : std::stoul(spec);
            if (index >= m_layout.fieldCount) {
                throw Error("The " + std::string(role) + " column index " + spec +
                            " is out of range: rows of '" + m_path + "' have " +
                            std::to_string(m_layout.fieldCount) + " fields (columns 0 to " +
                            std::to_string(m_layout.fieldCount - 1) + ").");
            }
            return static_cast<int>(index);
        }
        if (!m_layout.header) {
            throw Error("'" + m_path + "' has no header, so the " + role +
                        " column must be a 0-based index; got '" + spec + "'.");
        }
        std::string names;
        for (size_t c = 0; c < m_layout.columnNames.size(); ++c) {
            names += (c ? ", " : "") + m_layout.columnNames[c];
        }
        throw Error("No column named '" + spec + "' (for the " + role + ") in the header of '" + m_path +
                    "'; its columns are: " + names + ".");
    }

    int firstFree(int preferred) const {
        if (preferred >= 0 && static_cast<size_t>(preferred) < m_layout.fieldCount &&
            !m_used.count(preferred)) {
            return preferred;
        }
        for (size_t c = 0; c < m_layout.fieldCount; ++c) {
            if (!m_used.count(static_cast<int>(c))) {
                return static_cast<int>(c);
            }
        }
        return -1;
    }

    void guessByName(int& slot, const std::set<std::string>& names, const char* role) {
        if (slot != kUnset || !m_layout.header) {
            return;
        }
        for (size_t c = 0; c < m_layout.fieldCount && c < header().size(); ++c) {
            if (!m_used.count(static_cast<int>(c)) && names.count(normalise(header()[c]))) {
                slot = static_cast<int>(c);
                take(slot, role, "by its name");
                return;
            }
        }
    }

    void guessByPosition(int& slot, int preferred, const char* role) {
        if (slot != kUnset) {
            return;
        }
        slot = firstFree(preferred);
        if (slot >= 0) {
            take(slot, role, "by position");
        }
    }

    // Position 3 is taken as time only when its sample values really are times: a fourth column of genres or
    // prices must not turn every row into a bad_time problem.
    int positionalTime() {
        const int candidate = firstFree(3);
        if (candidate < 3) {
            return -1;
        }
        for (size_t r = m_firstData; r < m_rows.size(); ++r) {
            if (static_cast<size_t>(candidate) >= m_rows[r].size() || !isTimestamp(m_rows[r][candidate])) {
                return -1;
            }
        }
        take(candidate, "timestamp", "by position");
        return candidate;
    }

    DelimitedLayout& m_layout;
    const std::vector<std::vector<std::string>>& m_rows;
    const std::string& m_path;
    size_t m_firstData;
    std::set<int> m_used;
};

}  // namespace

std::string DelimitedLayout::columnLabel(int col) const {
    std::string label = "column " + std::to_string(col);
    if (header && col >= 0 && static_cast<size_t>(col) < columnNames.size() && !columnNames[col].empty()) {
        label += " \"" + columnNames[col] + "\"";
    }
    return label;
}

CsvOptions DelimitedLayout::asOptions() const {
    CsvOptions o;
    if (delimiter.kind() == Delimiter::Kind::Text) {
        o.delimiterText = delimiter.textValue();
    } else {
        o.delimiter = delimiter.kind() == Delimiter::Kind::Whitespace ? ' ' : delimiter.ch();
    }
    o.header = header;
    o.userCol = std::to_string(userCol);
    o.itemCol = std::to_string(itemCol);
    o.rewardCol = rewardCol >= 0 ? std::to_string(rewardCol) : "none";
    o.timeCol = timeCol >= 0 ? std::to_string(timeCol) : "none";
    return o;
}

std::vector<std::string> CsvSniffer::sample(const std::string& path, size_t maxLines) {
    LineReader reader(path, 64 * 1024);
    std::vector<std::string> lines;
    std::string_view rec;
    while (lines.size() < maxLines && reader.next(rec)) {
        if (!trimField(rec).empty()) {
            lines.emplace_back(rec);
        }
    }
    return lines;
}

std::vector<std::vector<std::string>> CsvSniffer::splitAll(const std::vector<std::string>& lines,
                                                           const Delimiter& delimiter, bool quoted) {
    FieldSplitter splitter(delimiter, quoted);
    const bool joins = quoted && delimiter.kind() == Delimiter::Kind::Char;
    const std::vector<std::string> joined =
        joins ? joinQuotedLines(lines, delimiter.ch()) : std::vector<std::string>();
    std::vector<std::vector<std::string>> rows;
    rows.reserve(lines.size());
    for (const auto& line : joins ? joined : lines) {
        const auto& fields = splitter.split(line);
        rows.emplace_back(fields.begin(), fields.end());
    }
    return rows;
}

Delimiter CsvSniffer::sniffDelimiter(const std::vector<std::string>& lines, const std::string& path) {
    const std::vector<Delimiter> candidates = {Delimiter::text("::"),     Delimiter::character('\t'),
                                               Delimiter::character(','), Delimiter::character(';'),
                                               Delimiter::character('|'), Delimiter::whitespace()};
    struct Score {
        bool consistent = false;
        double agreement = 0;
        size_t fields = 0;
    };
    int best = -1;
    Score bestScore;
    for (size_t c = 0; c < candidates.size(); ++c) {
        FieldSplitter splitter(candidates[c], true);
        std::map<size_t, size_t> counts;
        for (const auto& line : lines) {
            ++counts[splitter.split(line).size()];
        }
        const size_t mode = mostCommon(counts);
        if (mode < 2) {
            continue;
        }
        Score s;
        s.fields = mode;
        s.agreement = static_cast<double>(counts[mode]) / static_cast<double>(lines.size());
        s.consistent = counts.size() == 1;
        // Earlier candidates win ties, so only a strictly better score replaces the best.
        const bool better =
            best < 0 || (s.consistent != bestScore.consistent ? s.consistent
                         : s.consistent                       ? s.fields > bestScore.fields
                         : s.agreement != bestScore.agreement ? s.agreement > bestScore.agreement
                                                              : s.fields > bestScore.fields);
        if (better) {
            best = static_cast<int>(c);
            bestScore = s;
        }
    }
    if (best < 0) {
        throw Error("Cannot tell the delimiter of '" + path +
                    "': no comma, tab, semicolon, pipe, '::' or whitespace splits its lines into two or more "
                    "fields. Set the delimiter explicitly.");
    }
    return candidates[static_cast<size_t>(best)];
}

bool CsvSniffer::detectHeader(const std::vector<std::vector<std::string>>& rows) {
    if (rows.empty()) {
        return false;
    }
    const auto& first = rows.front();
    // Two familiar names make a header; one could be a data value ("book", "like").
    int named = 0;
    for (const auto& f : first) {
        const std::string n = normalise(f);
        named += n.size() > 1 && (userNames().count(n) || itemNames().count(n) || rewardNames().count(n) ||
                                  timeNames().count(n));
    }
    if (named >= 2) {
        return true;
    }
    if (rows.size() == 1) {
        return std::none_of(first.begin(), first.end(), [](const std::string& f) { return isNumber(f); });
    }
    // A column whose values are numbers (or dates) on every later line but not on the first line is headed by
    // a name — ids may be text on every line, so a single typed column decides.
    for (size_t c = 0; c < first.size(); ++c) {
        if (isNumber(first[c]) || isTimestamp(first[c])) {
            continue;
        }
        bool typedBelow = true;
        for (size_t r = 1; r < rows.size() && typedBelow; ++r) {
            typedBelow = c < rows[r].size() && (isNumber(rows[r][c]) || isTimestamp(rows[r][c]));
        }
        if (typedBelow) {
            return true;
        }
    }
    return false;
}

DelimitedLayout CsvSniffer::resolve(const std::string& path, const std::vector<std::string>& lines,
                                    const CsvOptions& options) {
    DelimitedLayout layout;
    if (lines.empty()) {
        throw Error("'" + path + "' has no data rows.");
    }
    if (!options.delimiterText.empty()) {
        layout.delimiter = Delimiter::parse(options.delimiterText);
        layout.notes.push_back("delimiter: " + layout.delimiter.describe() + " (given)");
    } else if (options.delimiter != 0) {
        layout.delimiter =
            options.delimiter == ' ' ? Delimiter::whitespace() : Delimiter::character(options.delimiter);
        layout.notes.push_back("delimiter: " + layout.delimiter.describe() + " (given)");
    } else {
        layout.delimiter = sniffDelimiter(lines, path);
        layout.notes.push_back("delimiter: " + layout.delimiter.describe() + " (detected)");
    }
    layout.quoted = layout.delimiter.kind() == Delimiter::Kind::Char;

    const auto rows = splitAll(lines, layout.delimiter, layout.quoted);
    if (options.header.has_value()) {
        layout.header = *options.header;
        layout.notes.push_back(std::string("header: ") + (layout.header ? "yes" : "no") + " (given)");
    } else {
        layout.header = detectHeader(rows);
        layout.notes.push_back(std::string("header: ") + (layout.header ? "yes" : "no") + " (detected)");
    }
    const size_t firstData = layout.header ? 1 : 0;
    if (rows.size() <= firstData) {
        throw Error("'" + path + "' has no data rows (only a header line).");
    }
    // The most common field count among sample rows, so one malformed early row cannot set the rule.
    std::map<size_t, size_t> counts;
    for (size_t r = firstData; r < rows.size(); ++r) {
        ++counts[rows[r].size()];
    }
    layout.fieldCount = mostCommon(counts);
    if (layout.header && rows[0].size() != layout.fieldCount) {
        layout.notes.push_back("the header has " + std::to_string(rows[0].size()) + " names but rows have " +
                               std::to_string(layout.fieldCount) + " fields");
    }
    for (size_t c = 0; c < layout.fieldCount; ++c) {
        // As UTF-8: the names end up in messages, the preview and the dataset's source JSON.
        layout.columnNames.push_back(layout.header && c < rows[0].size() && !rows[0][c].empty()
                                         ? toUtf8(rows[0][c])
                                         : "column " + std::to_string(c));
    }
    if (layout.fieldCount < 2) {
        throw Error("'" + path + "' has only one field per row when split by " + layout.delimiter.describe() +
                    "; expected at least user and item columns. Check the delimiter.");
    }

    ColumnResolver(layout, rows, path, firstData).resolve(options);
    return layout;
}

TitlesLayout CsvSniffer::resolveTitles(const std::string& path, const std::vector<std::string>& lines) {
    TitlesLayout layout;
    if (lines.empty()) {
        throw Error("The titles file '" + path + "' has no lines.");
    }
    layout.delimiter = sniffDelimiter(lines, path);
    layout.quoted = layout.delimiter.kind() == Delimiter::Kind::Char;
    const auto rows = splitAll(lines, layout.delimiter, layout.quoted);
    const auto& first = rows.front();
    for (size_t c = 0; c < first.size(); ++c) {
        const std::string n = normalise(first[c]);
        if (n == "title" || n == "name" || n == "movietitle" || n == "itemname") {
            layout.header = true;
            layout.titleCol = static_cast<int>(c);
        }
    }
    if (!layout.header) {
        layout.header = detectHeader(rows);
    }
    if (layout.titleCol == layout.idCol) {
        layout.idCol = layout.titleCol == 0 ? 1 : 0;
    }
    layout.minFields = static_cast<size_t>(std::max(layout.idCol, layout.titleCol)) + 1;
    return layout;
}

}  // namespace tiltbench
