#pragma once
// The fuzzing entry points, shared by the libFuzzer targets (fuzz/fuzz_target.cpp, one executable per target,
// built with clang and -fsanitize=fuzzer,address,undefined) and by the GoogleTest that replays the stored
// crash inputs and seed corpora with a normal build (tests/core/io/fuzz_regression_test.cpp).
//
// `runOne` feeds one input to one target. The importer targets write the input to files in a private scratch
// folder and run the real import (`importDataset`, the same call the CLI and GUI make) into a fresh in-memory
// workspace that is thrown away afterwards. A tiltbench::Error from the import is an expected outcome (bad
// input, clearly reported); anything else escapes: another exception type, or an `InvariantViolation` when a
// cheap consistency check after the import fails. Crashes and sanitizer reports end the process by
// themselves.
//
// Input layout of the importer targets (plain text, so seeds stay readable):
//   * a line that is exactly "%%" splits the input into the ratings file and an attachment: the titles file
//     (MovieLens, csv and auto targets) or the randomly exposed test matrix (matrix target; the auto target
//     attaches it as a test matrix when the preview detects a matrix);
//   * import_csv only: a first line "#! key=value ..." sets the column mapping: d=<delimiter> (',' or 'tab',
//     '::', 'space', …), h=0|1 (header), u=, i=, r=, t= (columns by name or index, r/t may be "none") and the
//     word "skip" (OnError::Skip from the start).
// Every importer target first imports with OnError::Fail; when that fails on bad rows, it imports the same
// files again with OnError::Skip into the same workspace, which must still be empty and usable.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace tiltbench::fuzz {

enum class Target {
    DelimitedParser,  // LineReader (two chunk sizes compared), FieldSplitter, CsvSniffer, value parsing
    ImportAuto,
    ImportMovieLens100k,
    ImportMovieLensDat,
    ImportMovieLensCsv,
    ImportCsv,
    ImportMatrix,
};

// "delimited_parser", "import_auto", "import_movielens_100k", "import_movielens_dat", "import_movielens_csv",
// "import_csv", "import_matrix": the names of the fuzz executables (fuzz_<name>), of their seed corpora
// (fuzz/corpus/<name>/) and of the stored crash inputs (tests/data/fuzz_regressions/<name>/).
const std::vector<Target>& allTargets();
std::string targetName(Target target);

enum class Outcome {
    Imported,  // the import committed (parser target: the input was read to the end)
    Rejected,  // a tiltbench::Error: bad input, reported with a message
};

// A consistency check failed: a bug even though nothing crashed.
class InvariantViolation : public std::logic_error {
  public:
    using std::logic_error::logic_error;
};

// Runs one input through `target`. Returns the outcome; throws InvariantViolation or whatever unexpected
// exception the code under test let out.
Outcome runOne(Target target, const uint8_t* data, size_t size);

}  // namespace tiltbench::fuzz
