#pragma once
// ImportSink: what every reader of one import shares — the dataset writer, the problem log (OnError policy),
// the duplicate counter, progress over the bytes of all input files (with cancel), warnings and row counts.
// Readers hand it parsed rows; it decides whether they are still written (not once the Fail policy has seen a
// bad row: the import is going to roll back anyway) and reports progress every 64K rows.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/progress.h"
#include "io/duplicate_counter.h"
#include "io/problem_log.h"
#include "store/dataset_writer.h"

namespace tiltbench {

class LineReader;

class ImportSink {
  public:
    static constexpr int64_t kProgressEveryRows = 64 * 1024;

    ImportSink(DatasetWriter& writer, OnError policy, ProgressCallback progress, uint64_t totalBytes,
               bool hasTime);

    DatasetWriter& writer() { return m_writer; }
    ProblemLog& problems() { return m_problems; }
    const ProblemLog& problems() const { return m_problems; }
    DuplicateCounter& duplicates() { return m_duplicates; }

    // How progress names a file (the user's name of a spooled input); default: the path itself.
    void setDisplayNames(std::function<std::string(const std::string&)> names) { m_names = std::move(names); }

    // Progress at file boundaries; `bytesDone` of the whole input moves on by the file's size at the end.
    void beginFile(const LineReader& reader);
    void endFile(const LineReader& reader);

    // Counts one data row (good or bad) and reports progress now and then (may throw Cancelled).
    void rowSeen(const LineReader& reader) {
        if ((++m_rowsRead & (kProgressEveryRows - 1)) == 0) {
            report(reader);
        }
    }
    // Progress without counting a row (titles, random test sets).
    void tick(const LineReader& reader) { report(reader); }
    // Records a bad row; true when the reader should stop (Fail policy, enough problems collected).
    bool problem(ImportProblem p) { return m_problems.add(std::move(p)); }
    bool writing() const { return !m_problems.failing(); }

    void add(int32_t user, int32_t item, double reward, int64_t ts) {
        m_writer.add(user, item, reward, ts);
        m_duplicates.add(user, item, ts);
        ++m_rowsAdded;
    }
    void addRandomTest(int32_t user, int32_t item, double reward) {
        m_writer.addRandomTest(user, item, reward);
        ++m_randomTestRows;
    }

    void warn(std::string message) { m_warnings.push_back(std::move(message)); }
    const std::vector<std::string>& warnings() const { return m_warnings; }

    int64_t rowsRead() const { return m_rowsRead; }
    int64_t rowsAdded() const { return m_rowsAdded; }
    int64_t randomTestRows() const { return m_randomTestRows; }
    uint64_t totalBytes() const { return m_totalBytes; }

  private:
    void report(const LineReader& reader);

    DatasetWriter& m_writer;
    ProblemLog m_problems;
    DuplicateCounter m_duplicates;
    ProgressCallback m_progress;
    uint64_t m_totalBytes;
    uint64_t m_bytesBefore = 0;  // sizes of the files already read
    std::string m_stage;
    std::function<std::string(const std::string&)> m_names;
    int64_t m_rowsRead = 0;
    int64_t m_rowsAdded = 0;
    int64_t m_randomTestRows = 0;
    std::vector<std::string> m_warnings;
};

}  // namespace tiltbench
