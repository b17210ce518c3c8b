#include "fuzz_entry.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string_view>
#include <utility>

#include "common/error.h"
#include "data/interaction_log.h"
#include "io/csv_sniffer.h"
#include "io/field_splitter.h"
#include "io/format_detector.h"
#include "io/import.h"
#include "io/line_reader.h"
#include "io/text_encoding.h"
#include "io/value_parsing.h"
#include "store/workspace.h"

namespace fs = std::filesystem;

namespace tiltbench::fuzz {

namespace {

// ---- scratch files ---------------------------------------------------------------------------------------

// One private folder per process under $TMPDIR (or /tmp), reused for every input and removed at exit.
class Scratch {
  public:
    Scratch() {
        const char* base = std::getenv("TMPDIR");
        std::string pattern = std::string(base && *base ? base : "/tmp") + "/tiltbench-fuzz-XXXXXX";
        if (!::mkdtemp(pattern.data())) {
            throw std::runtime_error("fuzz: cannot create a scratch folder from " + pattern + ": " +
                                     std::strerror(errno));
        }
        m_dir = pattern;
    }
    ~Scratch() {
        std::error_code ec;
        fs::remove_all(m_dir, ec);
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;

    std::string write(const std::string& name, std::string_view content) const {
        const std::string path = m_dir + "/" + name;
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) {
            throw std::runtime_error("fuzz: cannot write " + path + ": " + std::strerror(errno));
        }
        size_t done = 0;
        while (done < content.size()) {
            const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                ::close(fd);
                throw std::runtime_error("fuzz: cannot write " + path + ": " + std::strerror(errno));
            }
            done += static_cast<size_t>(n);
        }
        ::close(fd);
        return path;
    }

  private:
    std::string m_dir;
};

const Scratch& scratch() {
    static const Scratch s;
    return s;
}

// ---- checks ----------------------------------------------------------------------------------------------

[[noreturn]] void violated(const std::string& what) {
    throw InvariantViolation("fuzz invariant violated: " + what);
}

void require(bool ok, const std::string& what) {
    if (!ok) {
        violated(what);
    }
}

// Runs a post-condition check; any exception inside it (an Error from reading the workspace back, say) is a
// finding, not an expected outcome.
template <class F>
void checking(const char* context, F&& f) {
    try {
        f();
    } catch (const InvariantViolation&) {
        throw;
    } catch (const std::exception& e) {
        violated(std::string(context) + ": unexpected exception: " + e.what());
    }
}

bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

// ---- delimited-text parser target ------------------------------------------------------------------------

struct Record {
    std::string text;
    int64_t line = 0;
};

std::vector<Record> readAll(const std::string& path, size_t chunk, bool quoted, char delimiter) {
    LineReader reader(path, chunk);
    reader.setQuoted(quoted, delimiter);
    std::vector<Record> records;
    std::string_view rec;
    int64_t lastLine = 0;
    while (reader.next(rec)) {
        require(reader.lineNumber() > lastLine, "LineReader line numbers must increase");
        lastLine = reader.lineNumber();
        records.push_back({std::string(rec), reader.lineNumber()});
    }
    require(reader.bytesConsumed() == reader.fileSize(), "LineReader must consume the whole file (" +
                                                             std::to_string(reader.bytesConsumed()) + " of " +
                                                             std::to_string(reader.fileSize()) + " bytes)");
    require(!reader.next(rec), "LineReader must stay at the end of the file");
    return records;
}

void sameRecords(const std::vector<Record>& a, const std::vector<Record>& b, const char* mode) {
    require(a.size() == b.size(), std::string(mode) +
                                      ": small and large chunks give different record counts (" +
                                      std::to_string(a.size()) + " vs " + std::to_string(b.size()) + ")");
    for (size_t k = 0; k < a.size(); ++k) {
        require(a[k].text == b[k].text && a[k].line == b[k].line,
                std::string(mode) + ": small and large chunks differ at record " + std::to_string(k));
    }
}

// What LineReader must return without quote tracking: the physical lines after a leading BOM, each without
// "\n" and one trailing "\r".
std::vector<Record> expectedLines(std::string_view content) {
    if (content.size() >= 3 && content.substr(0, 3) == "\xEF\xBB\xBF") {
        content.remove_prefix(3);
    }
    std::vector<Record> lines;
    size_t pos = 0;
    int64_t line = 1;
    while (pos < content.size()) {
        const size_t nl = content.find('\n', pos);
        const size_t end = nl == std::string_view::npos ? content.size() : nl;
        std::string_view text = content.substr(pos, end - pos);
        if (!text.empty() && text.back() == '\r') {
            text.remove_suffix(1);
        }
        lines.push_back({std::string(text), line++});
        pos = end + 1;
    }
    return lines;
}

size_t countOf(std::string_view s, std::string_view needle) {
    size_t n = 0;
    for (size_t k = s.find(needle); k != std::string_view::npos; k = s.find(needle, k + needle.size())) {
        ++n;
    }
    return n;
}

bool isBlankChar(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

void checkFields(const Delimiter& d, bool quoted, std::string_view record,
                 const std::vector<std::string_view>& fields) {
    switch (d.kind()) {
        case Delimiter::Kind::Whitespace:
            for (auto f : fields) {
                require(!f.empty() && std::none_of(f.begin(), f.end(), isBlankChar),
                        "whitespace fields are non-empty and hold no blanks");
            }
            return;
        case Delimiter::Kind::Text:
            require(fields.size() == countOf(record, d.textValue()) + 1,
                    "a text delimiter splits a record into (occurrences + 1) fields");
            break;
        case Delimiter::Kind::Char: {
            const size_t n = static_cast<size_t>(std::count(record.begin(), record.end(), d.ch()));
            if (quoted && record.find('"') != std::string_view::npos) {
                require(!fields.empty() && fields.size() <= n + 1,
                        "a quoted record has between 1 and (delimiters + 1) fields");
            } else {
                require(fields.size() == n + 1, "an unquoted record has (delimiters + 1) fields");
            }
            break;
        }
    }
    if (!(quoted && d.kind() == Delimiter::Kind::Char && record.find('"') != std::string_view::npos)) {
        for (auto f : fields) {
            require(trimField(f) == f, "unquoted fields come trimmed");
        }
    }
}

void checkValues(std::string_view field) {
    double v = 0;
    const NumberStatus status = parseReward(field, v);
    require(status != NumberStatus::Ok || std::isfinite(v), "parseReward returns only finite numbers as Ok");
    require(isNumber(field) == (status == NumberStatus::Ok), "isNumber agrees with parseReward");
    int64_t ts = 0;
    (void)parseTimestamp(field, ts);
    require(isValidUtf8(toUtf8(field)), "toUtf8 returns valid UTF-8");
}

Outcome runParser(const uint8_t* data, size_t size) {
    const std::string_view content(reinterpret_cast<const char*>(data), size);
    const std::string path = scratch().write("input.txt", content);
    try {
        checkTextFile(path, "input file");
    } catch (const Error&) {
        // The parsers below must cope with binary and empty files too.
    }

    std::vector<std::string> sample;
    try {
        sample = CsvSniffer::sample(path);
    } catch (const Error&) {
        return Outcome::Rejected;
    }
    Delimiter delimiter = Delimiter::character(',');
    if (!sample.empty()) {
        try {
            delimiter = CsvSniffer::sniffDelimiter(sample, path);
        } catch (const Error&) {
        }
        try {
            const DelimitedLayout layout = CsvSniffer::resolve(path, sample, CsvOptions{});
            require(layout.fieldCount >= 2 && layout.columnNames.size() == layout.fieldCount,
                    "a resolved layout has at least two fields, each named");
            const int cols[] = {layout.userCol, layout.itemCol, layout.rewardCol, layout.timeCol};
            for (int a = 0; a < 4; ++a) {
                require(cols[a] < static_cast<int>(layout.fieldCount), "resolved columns exist");
                for (int b = a + 1; b < 4; ++b) {
                    require(cols[a] < 0 || cols[a] != cols[b], "resolved roles use distinct columns");
                }
            }
            require(layout.userCol >= 0 && layout.itemCol >= 0, "user and item columns are resolved");
        } catch (const Error&) {
        }
        try {
            const TitlesLayout titles = CsvSniffer::resolveTitles(path, sample);
            require(titles.minFields > static_cast<size_t>(std::max(titles.idCol, titles.titleCol)),
                    "a titles layout needs the id and title columns in every accepted line");
        } catch (const Error&) {
        }
        (void)FormatDetector::detect(path, sample);
    }

    // Plain lines: exactly the physical lines, whatever the chunk size.
    const auto plain = readAll(path, 16, false, 0);
    sameRecords(plain, readAll(path, LineReader::kDefaultChunk, false, 0), "plain lines");
    sameRecords(plain, expectedLines(content), "plain lines against the file");

    // Quote-aware records with the sniffed delimiter, as the csv importer reads them.
    const bool quoted = delimiter.kind() == Delimiter::Kind::Char;
    const auto records = readAll(path, 16, quoted, delimiter.quoteDelimiter());
    sameRecords(records, readAll(path, LineReader::kDefaultChunk, quoted, delimiter.quoteDelimiter()),
                "quoted records");
    FieldSplitter splitter(delimiter, quoted);
    for (const auto& r : records) {
        const auto& fields = splitter.split(r.text);
        checkFields(delimiter, quoted, r.text, fields);
        for (auto f : fields) {
            checkValues(f);
        }
    }
    return Outcome::Imported;
}

// ---- importer targets ------------------------------------------------------------------------------------

struct Parts {
    std::string_view main;
    std::string_view attachment;
    bool hasAttachment = false;
};

// Splits at the first line that is exactly "%%" (a trailing "\r" allowed).
Parts splitInput(std::string_view s) {
    Parts parts;
    parts.main = s;
    size_t pos = 0;
    while (pos < s.size()) {
        const size_t nl = s.find('\n', pos);
        const size_t end = nl == std::string_view::npos ? s.size() : nl;
        std::string_view line = s.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (line == "%%") {
            parts.main = s.substr(0, pos);
            parts.attachment = nl == std::string_view::npos ? std::string_view() : s.substr(nl + 1);
            parts.hasAttachment = true;
            return parts;
        }
        if (nl == std::string_view::npos) {
            break;
        }
        pos = nl + 1;
    }
    return parts;
}

// "#! d=; h=1 u=user i=2 r=none t=none skip" at the start of the csv target's input.
bool takeCsvOptions(std::string_view& main, CsvOptions& options) {
    bool skip = false;
    if (main.substr(0, 2) != "#!") {
        return skip;
    }
    const size_t nl = main.find('\n');
    std::string_view line = main.substr(2, nl == std::string_view::npos ? std::string_view::npos : nl - 2);
    main = nl == std::string_view::npos ? std::string_view() : main.substr(nl + 1);
    size_t pos = 0;
    while (pos < line.size()) {
        size_t end = line.find(' ', pos);
        if (end == std::string_view::npos) {
            end = line.size();
        }
        const std::string_view token = line.substr(pos, end - pos);
        pos = end + 1;
        if (token == "skip") {
            skip = true;
            continue;
        }
        if (token.size() < 2 || token[1] != '=') {
            continue;
        }
        const std::string value(token.substr(2));
        switch (token[0]) {
            case 'd':
                if (value.size() == 1) {
                    options.delimiter = value[0];
                } else {
                    options.delimiterText = value;
                }
                break;
            case 'h':
                options.header = value == "1";
                break;
            case 'u':
                options.userCol = value;
                break;
            case 'i':
                options.itemCol = value;
                break;
            case 'r':
                options.rewardCol = value;
                break;
            case 't':
                options.timeCol = value;
                break;
            default:
                break;
        }
    }
    return skip;
}

struct TargetFiles {
    ImportFormat format;
    const char* ratings;
    const char* attachment;
};

TargetFiles targetFiles(Target target) {
    switch (target) {
        case Target::ImportAuto:  // named like ML-100K so that detection by name is reachable too
            return {ImportFormat::Auto, "u.data", "u.item"};
        case Target::ImportMovieLens100k:
            return {ImportFormat::MovieLens100k, "u.data", "u.item"};
        case Target::ImportMovieLensDat:
            return {ImportFormat::MovieLensDat, "ratings.dat", "movies.dat"};
        case Target::ImportMovieLensCsv:
            return {ImportFormat::MovieLensCsv, "ratings.csv", "movies.csv"};
        case Target::ImportCsv:
            return {ImportFormat::Csv, "log.csv", "titles.csv"};
        case Target::ImportMatrix:
            return {ImportFormat::Matrix, "train.ascii", "test.ascii"};
        case Target::DelimitedParser:
            break;
    }
    throw std::logic_error("fuzz: not an importer target");
}

void checkProblem(const ImportProblem& p, const ImportRequest& request) {
    std::vector<std::string> inputs = request.files;
    if (!request.randomTestFile.empty()) {
        inputs.push_back(request.randomTestFile);
    }
    require(std::find(inputs.begin(), inputs.end(), p.file) != inputs.end(),
            "a problem names one of the input files, not '" + p.file + "'");
    require(p.line >= 1, "a problem has a 1-based line number");
    require(!p.field.empty() && !p.kind.empty(), "a problem names its field and kind");
    require(contains(p.message, p.file) && contains(p.message, "line " + std::to_string(p.line)),
            "a problem message names file and line: " + p.message);
}

void checkProblems(const std::vector<ImportProblem>& problems, const ImportRequest& request) {
    require(problems.size() <= 20, "at most 20 problems are kept");
    for (const auto& p : problems) {
        checkProblem(p, request);
    }
}

void checkFailed(const Workspace& ws, const ImportRequest& request, const std::string& message,
                 const std::vector<ImportProblem>& problems) {
    checking("after a failed import", [&] {
        require(!message.empty(), "an import error has a message");
        require(ws.datasets().empty(), "a failed import leaves no dataset in the workspace");
        checkProblems(problems, request);
    });
}

void checkImported(const Workspace& ws, const ImportRequest& request, const ImportReport& report) {
    checking("after a successful import", [&] {
        const DatasetInfo& d = report.dataset;
        const auto all = ws.datasets();
        require(all.size() == 1 && all.front().id == d.id && all.front().name == request.name,
                "exactly the imported dataset is in the workspace");
        require(report.format != ImportFormat::Auto, "the report names the format used");
        require(request.format == ImportFormat::Auto || report.format == request.format,
                "a given format is the format used");
        require(d.rows >= 1, "an imported dataset has rows");
        require(d.rows == report.rowsRead - report.rowsSkipped,
                "rows stored (" + std::to_string(d.rows) + ") = rows read (" +
                    std::to_string(report.rowsRead) + ") - rows skipped (" +
                    std::to_string(report.rowsSkipped) + ")");
        require(request.onError == OnError::Skip || report.rowsSkipped == 0,
                "the Fail policy never skips a row");
        const int64_t ratings = d.rows + d.randomTestRows;
        require(d.users >= 1 && d.users <= ratings && d.items >= 1 && d.items <= ratings,
                "users and items are between 1 and the number of ratings");
        require(std::isfinite(d.rewardMin) && std::isfinite(d.rewardMax) && std::isfinite(d.rewardMean),
                "reward min, max and mean are finite");
        const double tolerance = 1e-9 * std::max({1.0, std::fabs(d.rewardMin), std::fabs(d.rewardMax)});
        require(d.rewardMin <= d.rewardMax && d.rewardMean >= d.rewardMin - tolerance &&
                    d.rewardMean <= d.rewardMax + tolerance,
                "reward min <= mean <= max");
        checkProblems(report.problems, request);

        const InteractionLog log = ws.loadLog(d.id);
        log.validate();
        require(static_cast<int64_t>(log.size()) == d.rows, "the stored log has the reported rows");
        require(static_cast<int64_t>(log.randomTest.size()) == d.randomTestRows,
                "the stored random test set has the reported rows");
        require(log.numUsers() == d.users && log.numItems() == d.items,
                "the stored log has the reported users and items");
        require(log.hasTime == d.hasTime, "the stored log keeps has_time");
    });
}

// One import attempt; the report when it committed, nothing when it failed with an Error.
std::optional<ImportReport> attempt(Workspace& ws, const ImportRequest& request, bool& badRows) {
    badRows = false;
    const ProgressCallback progress = [](const Progress& p) {
        require(p.total == 0 || p.done <= p.total, "progress never passes its total");
        return true;
    };
    try {
        return importDataset(ws, request, progress);
    } catch (const ImportError& e) {
        checkFailed(ws, request, e.what(), e.problems());
        badRows = !e.problems().empty();
    } catch (const Error& e) {
        checkFailed(ws, request, e.what(), {});
    }
    return std::nullopt;
}

void checkPreview(const ImportPreview& preview) {
    if (!preview.problem.empty() || preview.format == ImportFormat::Matrix) {
        return;
    }
    const int columns = static_cast<int>(preview.columns.size());
    require(preview.userColumn >= 0 && preview.userColumn < columns && preview.itemColumn >= 0 &&
                preview.itemColumn < columns && preview.rewardColumn < columns &&
                preview.timeColumn < columns,
            "preview columns are inside the header");
}

Outcome runImport(Target target, const uint8_t* data, size_t size) {
    const TargetFiles names = targetFiles(target);
    Parts parts = splitInput(std::string_view(reinterpret_cast<const char*>(data), size));

    ImportRequest request;
    request.name = "fuzz";
    request.format = names.format;
    bool skipFirst = false;
    if (target == Target::ImportCsv) {
        skipFirst = takeCsvOptions(parts.main, request.csv);
    }
    request.files = {scratch().write(names.ratings, parts.main)};
    std::string attachment;
    if (parts.hasAttachment) {
        attachment = scratch().write(names.attachment, parts.attachment);
    }

    bool matrix = target == Target::ImportMatrix;
    if (target == Target::ImportAuto || target == Target::ImportCsv) {
        // The GUI's import dialog previews before it imports.
        try {
            const ImportPreview preview = previewImport(request);
            checking("previewImport", [&] { checkPreview(preview); });
            matrix = preview.format == ImportFormat::Matrix;
        } catch (const Error&) {
        }
    }
    if (parts.hasAttachment) {
        (matrix ? request.randomTestFile : request.titlesFile) = attachment;
    }

    Workspace ws(":memory:", OpenMode::CreateIfMissing);
    request.onError = skipFirst ? OnError::Skip : OnError::Fail;
    bool badRows = false;
    std::optional<ImportReport> report = attempt(ws, request, badRows);
    if (!report && badRows && request.onError == OnError::Fail) {
        request.onError = OnError::Skip;  // the same workspace, which must be as it was
        report = attempt(ws, request, badRows);
    }
    if (!report) {
        return Outcome::Rejected;
    }
    checkImported(ws, request, *report);
    return Outcome::Imported;
}

}  // namespace

const std::vector<Target>& allTargets() {
    static const std::vector<Target> targets = {Target::DelimitedParser,     Target::ImportAuto,
                                                Target::ImportMovieLens100k, Target::ImportMovieLensDat,
                                                Target::ImportMovieLensCsv,  Target::ImportCsv,
                                                Target::ImportMatrix};
    return targets;
}

std::string targetName(Target target) {
    switch (target) {
        case Target::DelimitedParser:
            return "delimited_parser";
        case Target::ImportAuto:
            return "import_auto";
        case Target::ImportMovieLens100k:
            return "import_movielens_100k";
        case Target::ImportMovieLensDat:
            return "import_movielens_dat";
        case Target::ImportMovieLensCsv:
            return "import_movielens_csv";
        case Target::ImportCsv:
            return "import_csv";
        case Target::ImportMatrix:
            return "import_matrix";
    }
    return "unknown";
}

Outcome runOne(Target target, const uint8_t* data, size_t size) {
    return target == Target::DelimitedParser ? runParser(data, size) : runImport(target, data, size);
}

}  // namespace tiltbench::fuzz
