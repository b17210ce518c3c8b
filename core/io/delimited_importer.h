#pragma once
// DelimitedImporter: the streaming reader behind the csv and MovieLens formats. It reads rating files one
// after another with one DelimitedLayout (several files are parts of one log, e.g. FilmTrust), checks every
// row — field count, empty ids, reward a finite number, time epoch seconds or ISO 8601 — and hands good rows
// to the ImportSink. Without a time column a row's timestamp is its position among all data rows read.
#include <cstdint>
#include <string>

#include "io/csv_sniffer.h"
#include "io/field_splitter.h"
#include "io/import_sink.h"

namespace tiltbench {

class DelimitedImporter {
  public:
    DelimitedImporter(DelimitedLayout layout, ImportSink& sink);

    // Reads one file. Throws Error when it has no data rows. Returns false when reading stopped early because
    // the Fail policy collected enough problems.
    bool importFile(const std::string& path);

    const DelimitedLayout& layout() const { return m_layout; }

  private:
    // Records the problem; true when reading should stop.
    bool bad(const std::string& path, int64_t line, const char* field, const std::string& column,
             const char* kind, std::string_view value);

    DelimitedLayout m_layout;
    ImportSink& m_sink;
    FieldSplitter m_splitter;
    std::string m_userLabel, m_itemLabel, m_rewardLabel, m_timeLabel;
    std::string m_scratch;  // an id converted to UTF-8
};

}  // namespace tiltbench
