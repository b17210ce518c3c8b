#pragma once
// TitlesImporter: attaches item titles (u.item, movies.dat, movies.csv or any id/title table) to the items
// of the dataset being written. It runs after the ratings so it knows which items exist: titles of items that
// were never rated are counted and reported as a warning, lines it cannot read are counted too — a titles
// file never fails an import. Titles are stored as UTF-8; Latin-1 text (ML-100K, ML-1M) is converted.
#include <cstdint>
#include <string>

#include "io/csv_sniffer.h"
#include "io/import_sink.h"

namespace tiltbench {

class TitlesImporter {
  public:
    TitlesImporter(TitlesLayout layout, ImportSink& sink) : m_layout(std::move(layout)), m_sink(sink) {}

    // Reads the file and adds its warnings to the sink.
    void importFile(const std::string& path);

    int64_t titlesSet() const { return m_titlesSet; }
    int64_t unknownItems() const { return m_unknown; }
    int64_t badLines() const { return m_badLines; }

  private:
    TitlesLayout m_layout;
    ImportSink& m_sink;
    int64_t m_titlesSet = 0;
    int64_t m_unknown = 0;
    int64_t m_badLines = 0;
};

}  // namespace tiltbench
