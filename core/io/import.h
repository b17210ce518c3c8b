#pragma once
// Importing interaction logs into a workspace. One entry point, `importDataset`, for every format: it streams
// the file(s) (never the whole file in memory), maps external ids to dense ids and writes everything in one
// transaction, so a failed or cancelled import leaves the workspace as it was. Bad rows either fail the
// import (default: the first 20 problems are listed with file, line and field) or are skipped and counted per
// kind. `previewImport` reads the first lines of a file and reports the detected format and column mapping,
// for the GUI's import dialog and the CLI's error messages.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/progress.h"
#include "store/dataset_info.h"

namespace tiltbench {

class Workspace;

enum class ImportFormat { Auto, MovieLens100k, MovieLensDat, MovieLensCsv, Csv, Matrix };

std::string formatName(ImportFormat f);                 // "movielens-100k", …
ImportFormat parseFormatName(const std::string& name);  // throws Error listing the valid names
std::vector<std::string> formatNames();

enum class OnError { Fail, Skip };

// Column mapping for the generic delimited format. A column is a header name or a 0-based index ("2").
struct CsvOptions {
    char delimiter = 0;          // 0 = sniff from the first lines (',', '\t', ';', '|', ' ', "::")
    std::string delimiterText;   // multi-character delimiter such as "::" (overrides `delimiter`)
    std::optional<bool> header;  // unset = detect
    std::string userCol;         // empty = guess from header names (user, userId, user_id, …) or column 0
    std::string itemCol;         // … (item, itemId, movieId, …) or column 1
    std::string rewardCol;       // … (rating, reward, score, click, …) or column 2
    std::string timeCol;         // … (timestamp, time, ts, …) or column 3 if present; "none" = no time
};

struct ImportRequest {
    std::string name;  // dataset name in the workspace
    ImportFormat format = ImportFormat::Auto;
    std::vector<std::string> files;  // several files are concatenated (e.g. FilmTrust parts)
    std::string titlesFile;          // optional: u.item, movies.dat, movies.csv
    std::string randomTestFile;      // optional, matrix format: randomly exposed test set
    CsvOptions csv;
    OnError onError = OnError::Fail;
};

struct ImportProblem {
    std::string file;
    int64_t line = 0;     // 1-based
    std::string field;    // "user", "item", "reward", "timestamp", "row"
    std::string kind;     // "field_count", "bad_number", "non_finite", "empty_id", "bad_time", …
    std::string message;  // full sentence naming file, line and field
};

struct ImportReport {
    DatasetInfo dataset;
    ImportFormat format = ImportFormat::Auto;  // the format actually used (after auto-detection)
    int64_t rowsRead = 0;                      // data rows seen, good and bad
    int64_t rowsSkipped = 0;                   // bad data rows (Skip policy): dataset rows = read - skipped
    std::map<std::string, int64_t> skippedByKind;
    int64_t randomTestSkipped = 0;        // matrix format, Skip policy: bad entries of the random test matrix
    std::vector<ImportProblem> problems;  // first 20 (of the data rows and the random test matrix)
    int64_t duplicates = 0;               // rows repeating an earlier (user, item, time)
    std::vector<std::string> warnings;    // e.g. titles for unknown items
    double seconds = 0.0;
};

// Thrown when the import fails because of bad input; carries the problems found (at most 20).
class ImportError : public Error {
  public:
    ImportError(const std::string& message, std::vector<ImportProblem> problems)
        : Error(message), m_problems(std::move(problems)) {}
    const std::vector<ImportProblem>& problems() const { return m_problems; }

  private:
    std::vector<ImportProblem> m_problems;
};

ImportReport importDataset(Workspace& ws, const ImportRequest& request,
                           const ProgressCallback& progress = {});

struct ImportPreview {
    ImportFormat format = ImportFormat::Auto;    // detected (or the one asked for)
    std::vector<std::string> lines;              // first raw lines, as text
    std::vector<std::string> columns;            // header names, or "column 0", "column 1", …
    std::vector<std::vector<std::string>> rows;  // first parsed data rows
    CsvOptions mapping;                          // the resolved mapping (delimiter, header, columns by index)
    int userColumn = -1, itemColumn = -1, rewardColumn = -1, timeColumn = -1;
    std::vector<std::string> notes;   // human-readable: "delimiter: tab (sniffed)", …
    std::string problem;              // why the file cannot be imported as asked ("" when it can)
    std::string suggestedTitlesFile;  // a titles file next to the ratings (u.item, movies.csv), if any
    std::string
        suggestedRandomTestFile;  // matrix: a test matrix next to the training one (test.ascii), if any
};

ImportPreview previewImport(const ImportRequest& request, int maxRows = 20);

}  // namespace tiltbench
