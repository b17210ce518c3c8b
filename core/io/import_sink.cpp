#include "io/import_sink.h"

#include <algorithm>
#include <filesystem>

#include "io/line_reader.h"

namespace tiltbench {

ImportSink::ImportSink(DatasetWriter& writer, OnError policy, ProgressCallback progress, uint64_t totalBytes,
                       bool hasTime)
    : m_writer(writer),
      m_problems(policy),
      m_duplicates(hasTime),
      m_progress(std::move(progress)),
      m_totalBytes(totalBytes) {}

void ImportSink::beginFile(const LineReader& reader) {
    m_stage = "reading " +
              std::filesystem::path(m_names ? m_names(reader.path()) : reader.path()).filename().string();
    report(reader);
}

void ImportSink::endFile(const LineReader& reader) {
    m_bytesBefore += reader.fileSize();
    reportProgress(m_progress,
                   Progress{m_stage, std::min(m_bytesBefore, m_totalBytes), m_totalBytes, "bytes"});
}

void ImportSink::report(const LineReader& reader) {
    const uint64_t done = std::min(m_bytesBefore + reader.bytesConsumed(), m_totalBytes);
    reportProgress(m_progress, Progress{m_stage, done, m_totalBytes, "bytes"});
}

}  // namespace tiltbench
