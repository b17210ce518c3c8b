#include "io/import.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "io/csv_sniffer.h"
#include "io/delimited_importer.h"
#include "io/format_detector.h"
#include "io/import_sink.h"
#include "io/input_spool.h"
#include "io/line_reader.h"
#include "io/matrix_importer.h"
#include "io/movielens_layouts.h"
#include "io/text_encoding.h"
#include "io/titles_importer.h"
#include "store/dataset_writer.h"
#include "store/workspace.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace tiltbench {

namespace {

const std::vector<std::pair<ImportFormat, std::string>>& formatTable() {
    static const std::vector<std::pair<ImportFormat, std::string>> table = {
        {ImportFormat::Auto, "auto"},
        {ImportFormat::MovieLens100k, "movielens-100k"},
        {ImportFormat::MovieLensDat, "movielens-dat"},
        {ImportFormat::MovieLensCsv, "movielens-csv"},
        {ImportFormat::Csv, "csv"},
        {ImportFormat::Matrix, "matrix"},
    };
    return table;
}

std::string absolutePath(const std::string& path) {
    if (InputSpool::isStdin(path))
        return "<stdin>";
    std::error_code ec;
    fs::path p = fs::absolute(path, ec);
    return ec ? path : p.lexically_normal().string();
}

std::string fileName(const std::string& path) {
    return fs::path(path).filename().string();
}

// Everything decided before the transaction opens, so that a bad path or an impossible mapping never
// creates (and rolls back) a dataset.
struct ImportPlan {
    ImportFormat format = ImportFormat::Csv;
    std::string formatReason;
    DelimitedLayout layout;  // csv and MovieLens formats
    bool hasTitles = false;
    TitlesLayout titles;
    uint64_t ratingBytes = 0;
    uint64_t totalBytes = 0;
    double averageLineBytes = 0;
    bool hasTime = false;
};

// `detectName`: the file name format detection looks at (the user's name of a spooled input, without a
// .gz/.zst ending); empty = the first file's path.
ImportFormat resolveFormat(const ImportRequest& request, const std::vector<std::string>& sample,
                           std::string& reason, const std::string& detectName = {}) {
    if (request.format != ImportFormat::Auto) {
        reason = "format " + formatName(request.format) + " (given)";
        return request.format;
    }
    FormatGuess guess =
        FormatDetector::detect(detectName.empty() ? request.files.front() : detectName, sample);
    // Column or delimiter options only mean something to the csv reader; a user who gave them wants it, even
    // for a file that looks like MovieLens.
    const CsvOptions& o = request.csv;
    const bool csvOptionsGiven = o.delimiter != 0 || !o.delimiterText.empty() || o.header.has_value() ||
                                 !o.userCol.empty() || !o.itemCol.empty() || !o.rewardCol.empty() ||
                                 !o.timeCol.empty();
    if (csvOptionsGiven && isMovieLensFormat(guess.format)) {
        reason = "format csv (detected " + formatName(guess.format) + ", but column options were given)";
        return ImportFormat::Csv;
    }
    reason = "format " + formatName(guess.format) + " (detected: " + guess.reason + ")";
    return guess.format;
}

DelimitedLayout ratingsLayout(ImportFormat format, const ImportRequest& request,
                              const std::vector<std::string>& sample) {
    if (isMovieLensFormat(format)) {
        DelimitedLayout layout = movieLensRatingsLayout(format);
        if (format == ImportFormat::MovieLensCsv) {
            for (const auto& file : request.files) {
                const auto head = file == request.files.front() ? sample : CsvSniffer::sample(file, 1);
                checkMovieLensCsvHeader(file, head.empty() ? std::string() : head.front());
            }
        }
        return layout;
    }
    return CsvSniffer::resolve(request.files.front(), sample, request.csv);
}

ImportPlan makePlan(const ImportRequest& request, const std::string& detectName) {
    if (request.files.empty()) {
        throw Error("No input file given; name at least one ratings file.");
    }
    ImportPlan plan;
    for (const auto& file : request.files) {
        plan.ratingBytes += checkTextFile(file, "ratings file");
    }
    plan.totalBytes = plan.ratingBytes;
    if (!request.titlesFile.empty()) {
        plan.totalBytes += checkTextFile(request.titlesFile, "titles file");
    }
    if (!request.randomTestFile.empty()) {
        plan.totalBytes += checkTextFile(request.randomTestFile, "random test file");
    }
    const auto sample = CsvSniffer::sample(request.files.front());
    if (sample.empty()) {
        throw Error("'" + request.files.front() + "' has no data rows: it holds only blank lines.");
    }
    size_t sampleBytes = 0;
    for (const auto& line : sample) {
        sampleBytes += line.size() + 1;
    }
    plan.averageLineBytes = static_cast<double>(sampleBytes) / static_cast<double>(sample.size());
    plan.format = resolveFormat(request, sample, plan.formatReason, detectName);

    if (plan.format == ImportFormat::Matrix) {
        if (request.files.size() > 1) {
            throw Error("The matrix format reads one training matrix, but " +
                        std::to_string(request.files.size()) +
                        " files were given; attach a randomly exposed test matrix as the random test file.");
        }
    } else {
        if (!request.randomTestFile.empty()) {
            throw Error("A random test file ('" + request.randomTestFile +
                        "') can only be attached to the matrix format, not " + formatName(plan.format) + ".");
        }
        plan.layout = ratingsLayout(plan.format, request, sample);
        plan.hasTime = plan.layout.timeCol >= 0;
    }
    if (!request.titlesFile.empty()) {
        plan.hasTitles = true;
        plan.titles =
            isMovieLensFormat(plan.format)
                ? movieLensTitlesLayout(plan.format)
                : CsvSniffer::resolveTitles(request.titlesFile, CsvSniffer::sample(request.titlesFile));
    }
    return plan;
}

// File paths and column options come from the user and may hold any bytes (a Latin-1 file name, say): bytes
// that are not UTF-8 are stored as U+FFFD rather than failing the import with a JSON exception.
std::string dumpJson(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json optionsJson(const CsvOptions& o) {
    json j;
    j["delimiter"] = !o.delimiterText.empty() ? o.delimiterText
                     : o.delimiter            ? std::string(1, o.delimiter)
                                              : std::string();
    j["header"] = o.header.has_value() ? json(*o.header) : json(nullptr);
    j["user_col"] = o.userCol;
    j["item_col"] = o.itemCol;
    j["reward_col"] = o.rewardCol;
    j["time_col"] = o.timeCol;
    return j;
}

std::string sourceJson(const ImportRequest& request, const ImportPlan& plan) {
    json j;
    j["format"] = formatName(plan.format);
    j["requested_format"] = formatName(request.format);
    json files = json::array();
    for (const auto& f : request.files) {
        files.push_back(absolutePath(f));
    }
    j["files"] = files;
    if (!request.titlesFile.empty()) {
        j["titles_file"] = absolutePath(request.titlesFile);
    }
    if (!request.randomTestFile.empty()) {
        j["random_test_file"] = absolutePath(request.randomTestFile);
    }
    j["on_error"] = request.onError == OnError::Skip ? "skip" : "fail";
    j["options"] = optionsJson(request.csv);
    if (plan.format != ImportFormat::Matrix) {
        json mapping = optionsJson(plan.layout.asOptions());
        mapping["delimiter_name"] = plan.layout.delimiter.describe();
        mapping["columns"] = plan.layout.columnNames;
        j["mapping"] = mapping;
    }
    return dumpJson(j);
}

std::string kindSummary(const std::map<std::string, int64_t>& byKind) {
    std::string s;
    for (const auto& [kind, n] : byKind) {
        s += (s.empty() ? "" : ", ") + std::to_string(n) + " " + kind;
    }
    return s;
}

std::string siblingIfExists(const std::string& path, const std::string& name) {
    if (name.empty()) {
        return "";
    }
    fs::path candidate = fs::path(path).parent_path() / name;
    std::error_code ec;
    return fs::is_regular_file(candidate, ec) && fs::path(path).filename() != name ? candidate.string() : "";
}

std::string randomTestSibling(const std::string& path) {
    const std::string name = fileName(path);
    const auto pos = name.find("train");
    if (pos == std::string::npos) {
        return "";
    }
    return siblingIfExists(path, name.substr(0, pos) + "test" + name.substr(pos + 5));
}

}  // namespace

std::string formatName(ImportFormat f) {
    for (const auto& [format, name] : formatTable()) {
        if (format == f) {
            return name;
        }
    }
    return "auto";
}

ImportFormat parseFormatName(const std::string& name) {
    for (const auto& [format, known] : formatTable()) {
        if (known == name) {
            return format;
        }
    }
    std::string names;
    for (const auto& n : formatNames()) {
        names += (names.empty() ? "" : ", ") + n;
    }
    throw Error("Unknown import format '" + name + "'; expected one of: " + names + ".");
}

std::vector<std::string> formatNames() {
    std::vector<std::string> names;
    for (const auto& entry : formatTable()) {
        names.push_back(entry.second);
    }
    return names;
}

namespace {

// The name format detection sees for a spooled input: the user's file name without its compression ending
// ("ratings.csv.gz" -> "ratings.csv"; "<stdin>" gives nothing to go on).
std::string detectionName(const std::string& display) {
    for (const std::string ending : {".gz", ".zst"}) {
        if (display.size() > ending.size() &&
            display.compare(display.size() - ending.size(), ending.size(), ending) == 0)
            return display.substr(0, display.size() - ending.size());
    }
    return display;
}

std::string spoolDirOf(const std::string& workspacePath) {
    const fs::path parent = fs::path(workspacePath).parent_path();
    return parent.empty() ? std::string(".") : parent.string();
}

// `request` with every input replaced by what `spool` made of it (standard input, pipes and compressed files
// read once into temporary files).
ImportRequest spoolInputs(const ImportRequest& original, InputSpool& spool,
                          const ProgressCallback& progress) {
    ImportRequest request = original;
    for (auto& f : request.files)
        f = spool.prepare(f, "ratings file", progress);
    if (!request.titlesFile.empty())
        request.titlesFile = spool.prepare(request.titlesFile, "titles file", progress);
    if (!request.randomTestFile.empty())
        request.randomTestFile = spool.prepare(request.randomTestFile, "random test file", progress);
    return request;
}

// Runs `body`, rewriting the messages of the errors it throws so that they name the user's inputs rather than
// the spool's temporary files.
template <class Body>
auto translatingErrors(const InputSpool& spool, Body&& body) {
    try {
        return body();
    } catch (const Cancelled&) {
        throw;
    } catch (const ImportError& e) {
        std::vector<ImportProblem> problems = e.problems();
        for (auto& p : problems) {
            p.file = spool.displayName(p.file);
            p.message = spool.translate(p.message);
        }
        throw ImportError(spool.translate(e.what()), std::move(problems));
    } catch (const Error& e) {
        throw Error(spool.translate(e.what()));
    }
}

ImportReport importSpooled(Workspace& ws, const ImportRequest& original, const ImportRequest& request,
                           const InputSpool& spool, const ProgressCallback& progress,
                           std::chrono::steady_clock::time_point start) {
    const ImportPlan plan = makePlan(request, detectionName(spool.displayName(request.files.front())));

    NewDatasetSpec spec;
    spec.name = request.name;
    spec.format = formatName(plan.format);
    spec.source = sourceJson(original, plan);
    // From here on, leaving by an exception destroys the writer uncommitted, which rolls everything back.
    std::unique_ptr<DatasetWriter> writer = ws.createDataset(spec);
    writer->setHasTime(plan.hasTime);
    ImportSink sink(*writer, request.onError, progress, plan.totalBytes, plan.hasTime);
    sink.setDisplayNames([&spool](const std::string& path) { return spool.displayName(path); });
    if (plan.format != ImportFormat::Matrix && plan.averageLineBytes > 0) {
        const double estimate = 1.02 * static_cast<double>(plan.ratingBytes) / plan.averageLineBytes + 1024;
        sink.duplicates().reserve(static_cast<size_t>(std::min(estimate, 2.0e9)));
    }

    int64_t matrixRows = 0, matrixColumns = 0;
    // Bad rows of the interaction files; under Skip, bad entries of a random test matrix are counted apart
    // (they are not rows of the log), so that the report's rows = rows read - rows skipped.
    int64_t rowsSkipped = 0;
    std::map<std::string, int64_t> skippedByKind;
    if (plan.format == ImportFormat::Matrix) {
        MatrixImporter matrix(sink);
        const bool trainComplete = matrix.importTrain(request.files.front());
        rowsSkipped = sink.problems().total();
        skippedByKind = sink.problems().countsByKind();
        if (trainComplete && !request.randomTestFile.empty()) {
            matrix.importRandomTest(request.randomTestFile);
        }
        matrixRows = matrix.rows();
        matrixColumns = static_cast<int64_t>(matrix.columns());
    } else {
        DelimitedImporter importer(plan.layout, sink);
        for (const auto& file : request.files) {
            if (!importer.importFile(file)) {
                break;
            }
        }
    }
    const ProblemLog& problems = sink.problems();
    if (problems.failing()) {
        throw problems.failure();
    }
    if (plan.format != ImportFormat::Matrix) {
        rowsSkipped = problems.total();
        skippedByKind = problems.countsByKind();
    }
    const int64_t randomTestSkipped = problems.total() - rowsSkipped;
    if (sink.rowsAdded() == 0) {
        std::string message = "Nothing to import: all " + std::to_string(sink.rowsRead()) +
                              " data rows were bad (" + kindSummary(skippedByKind) + ").";
        if (!problems.problems().empty()) {
            message += " First: " + problems.problems().front().message;
        }
        throw ImportError(message, problems.problems());
    }
    if (rowsSkipped > 0) {
        sink.warn("Skipped " + std::to_string(rowsSkipped) + " bad row(s): " + kindSummary(skippedByKind) +
                  ".");
    }
    if (randomTestSkipped > 0) {
        sink.warn("Skipped " + std::to_string(randomTestSkipped) + " bad entr" +
                  (randomTestSkipped == 1 ? "y" : "ies") + " of the random test matrix '" +
                  fileName(spool.displayName(request.randomTestFile)) +
                  "'; they are not in the random test set.");
    }

    int64_t titles = 0;
    if (plan.hasTitles) {
        TitlesImporter importer(plan.titles, sink);
        importer.importFile(request.titlesFile);
        titles = importer.titlesSet();
    }

    const bool keyWithTime = sink.duplicates().withTime();
    const int64_t duplicates = sink.duplicates().count();
    if (duplicates > 0) {
        sink.warn(std::to_string(duplicates) + " row(s) repeat an earlier (user, item" +
                  (keyWithTime ? ", timestamp)" : ") pair (the log has no time)") + "; they were kept.");
    }

    ImportReport report;
    report.format = plan.format;
    report.rowsRead = sink.rowsRead();
    report.rowsSkipped = rowsSkipped;
    report.skippedByKind = skippedByKind;
    report.randomTestSkipped = randomTestSkipped;
    report.problems = problems.problems();
    report.duplicates = duplicates;
    report.warnings = sink.warnings();
    for (auto& p : report.problems) {
        p.file = spool.displayName(p.file);
        p.message = spool.translate(p.message);
    }
    for (auto& w : report.warnings)
        w = spool.translate(w);

    json meta;
    meta["format"] = formatName(plan.format);
    meta["rows_read"] = report.rowsRead;
    meta["rows_skipped"] = report.rowsSkipped;
    meta["skipped_by_kind"] = report.skippedByKind;
    meta["duplicates"] = duplicates;
    meta["duplicate_key"] = keyWithTime ? "user,item,timestamp" : "user,item";
    meta["warnings"] = report.warnings;
    json problemList = json::array();
    for (const auto& p : report.problems) {
        problemList.push_back({{"file", p.file},
                               {"line", p.line},
                               {"field", p.field},
                               {"kind", p.kind},
                               {"message", p.message}});
    }
    meta["problems"] = problemList;
    meta["titles"] = titles;
    if (plan.format == ImportFormat::Matrix) {
        meta["matrix_rows"] = matrixRows;
        meta["matrix_columns"] = matrixColumns;
        meta["random_test_rows"] = sink.randomTestRows();
        meta["random_test_skipped"] = randomTestSkipped;
    }
    writer->setMeta(dumpJson(meta));

    report.dataset = writer->commit(progress);
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

}  // namespace

ImportReport importDataset(Workspace& ws, const ImportRequest& original, const ProgressCallback& progress) {
    const auto start = std::chrono::steady_clock::now();
    InputSpool spool(spoolDirOf(ws.path()));
    return translatingErrors(spool, [&] {
        const ImportRequest request = spoolInputs(original, spool, progress);
        return importSpooled(ws, original, request, spool, progress, start);
    });
}

namespace {
ImportPreview previewPrepared(const ImportRequest& request, int maxRows, const std::string& detectName);
}  // namespace

ImportPreview previewImport(const ImportRequest& original, int maxRows) {
    if (original.files.empty()) {
        throw Error("No input file given; name at least one ratings file.");
    }
    // A compressed file is previewed from its first MiB, decompressed into a temporary file.
    InputSpool spool(std::string(), uint64_t(1) << 20, true);
    return translatingErrors(spool, [&] {
        ImportRequest request = original;
        request.files.front() = spool.prepare(original.files.front(), "ratings file");
        ImportPreview preview = previewPrepared(request, maxRows, detectionName(original.files.front()));
        if (!preview.problem.empty())
            preview.problem = spool.translate(preview.problem);
        return preview;
    });
}

namespace {

ImportPreview previewPrepared(const ImportRequest& request, int maxRows, const std::string& detectName) {
    const std::string& path = request.files.front();
    checkTextFile(path, "ratings file");
    const size_t wanted = static_cast<size_t>(std::max(maxRows, 1));

    ImportPreview preview;
    {
        LineReader reader(path, 64 * 1024);
        std::string_view line;
        while (preview.lines.size() < wanted && reader.next(line)) {
            preview.lines.push_back(toUtf8(line));
        }
    }
    const auto sample = CsvSniffer::sample(path, std::max(wanted + 1, CsvSniffer::kSampleLines));
    std::string reason;
    preview.format = resolveFormat(request, sample, reason, detectName);
    preview.notes.push_back(reason);
    if (sample.empty()) {
        preview.problem = "'" + path + "' has no data rows: it holds only blank lines.";
        return preview;
    }

    if (preview.format == ImportFormat::Matrix) {
        const auto rows = CsvSniffer::splitAll(sample, Delimiter::whitespace(), false);
        const size_t columns = rows.front().size();
        for (size_t c = 0; c < columns; ++c) {
            preview.columns.push_back("column " + std::to_string(c));
        }
        for (size_t r = 0; r < rows.size() && r < wanted; ++r) {
            preview.rows.push_back(rows[r]);
        }
        preview.mapping.delimiter = ' ';
        preview.mapping.header = false;
        preview.mapping.timeCol = "none";
        preview.notes.push_back(
            "matrix: " + std::to_string(columns) +
            " columns; user = line index, item = column index (both from 0), 0 = not rated");
        preview.notes.push_back("timestamp: none, ratings keep their order in the file");
        preview.suggestedRandomTestFile = randomTestSibling(path);
        return preview;
    }

    DelimitedLayout layout;
    try {
        layout = ratingsLayout(preview.format, request, sample);
    } catch (const Error& e) {
        preview.problem = e.what();
        // Still show the lines cut into fields as well as we can guess, so the user sees what to fix.
        try {
            const Delimiter d = CsvSniffer::sniffDelimiter(sample, path);
            for (size_t r = 0; r < sample.size() && r < wanted; ++r) {
                preview.rows.push_back(CsvSniffer::splitAll({sample[r]}, d, true).front());
            }
        } catch (const Error&) {
        }
        return preview;
    }
    preview.columns = layout.columnNames;
    const auto rows = CsvSniffer::splitAll(sample, layout.delimiter, layout.quoted);
    for (size_t r = layout.header ? 1 : 0; r < rows.size() && preview.rows.size() < wanted; ++r) {
        std::vector<std::string> row;
        for (const auto& field : rows[r]) {
            row.push_back(toUtf8(field));
        }
        preview.rows.push_back(std::move(row));
    }
    preview.mapping = layout.asOptions();
    preview.userColumn = layout.userCol;
    preview.itemColumn = layout.itemCol;
    preview.rewardColumn = layout.rewardCol;
    preview.timeColumn = layout.timeCol;
    preview.notes.insert(preview.notes.end(), layout.notes.begin(), layout.notes.end());
    preview.suggestedTitlesFile = siblingIfExists(path, movieLensTitlesFileName(preview.format));
    return preview;
}

}  // namespace

}  // namespace tiltbench
