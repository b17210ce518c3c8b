#include "io/titles_importer.h"

#include <filesystem>

#include "io/field_splitter.h"
#include "io/line_reader.h"
#include "io/text_encoding.h"

namespace tiltbench {

void TitlesImporter::importFile(const std::string& path) {
    LineReader reader(path);
    reader.setQuoted(m_layout.quoted, m_layout.delimiter.quoteDelimiter());
    FieldSplitter splitter(m_layout.delimiter, m_layout.quoted);
    m_sink.beginFile(reader);
    DatasetWriter& writer = m_sink.writer();
    bool headerPending = m_layout.header;
    int64_t firstBadLine = 0;
    int64_t lines = 0;
    std::string_view record;
    while (reader.next(record)) {
        if (trimField(record).empty()) {
            continue;
        }
        if (headerPending) {
            headerPending = false;
            continue;
        }
        if ((++lines & (ImportSink::kProgressEveryRows - 1)) == 0) {
            m_sink.tick(reader);
        }
        const auto& f = splitter.split(record);
        if (f.size() < m_layout.minFields || f[m_layout.idCol].empty()) {
            if (m_badLines++ == 0) {
                firstBadLine = reader.lineNumber();
            }
            continue;
        }
        std::string scratch;
        const int32_t item = writer.findItem(utf8Field(f[m_layout.idCol], scratch));
        if (item < 0) {
            ++m_unknown;
            continue;
        }
        writer.setItemTitle(item, toUtf8(f[m_layout.titleCol]));
        ++m_titlesSet;
    }
    m_sink.endFile(reader);
    const std::string name = std::filesystem::path(path).filename().string();
    if (m_unknown > 0) {
        m_sink.warn(std::to_string(m_unknown) + " title(s) in '" + name +
                    "' belong to items without any rating and were not stored.");
    }
    if (m_badLines > 0) {
        m_sink.warn(std::to_string(m_badLines) + " line(s) of '" + name +
                    "' could not be read as item id and " + "title (first: line " +
                    std::to_string(firstBadLine) + ") and were ignored.");
    }
    if (m_titlesSet == 0) {
        m_sink.warn("No title in '" + name + "' matched an item id of the ratings; is it the right file?");
    }
}

}  // namespace tiltbench
