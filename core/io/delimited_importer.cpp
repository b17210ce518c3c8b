#include "io/delimited_importer.h"

#include <cmath>

#include "common/error.h"
#include "io/line_reader.h"
#include "io/text_encoding.h"
#include "io/value_parsing.h"

namespace tiltbench {

DelimitedImporter::DelimitedImporter(DelimitedLayout layout, ImportSink& sink)
    : m_layout(std::move(layout)), m_sink(sink), m_splitter(m_layout.delimiter, m_layout.quoted) {
    m_userLabel = m_layout.columnLabel(m_layout.userCol);
    m_itemLabel = m_layout.columnLabel(m_layout.itemCol);
    m_rewardLabel = m_layout.rewardCol >= 0 ? m_layout.columnLabel(m_layout.rewardCol) : "";
    m_timeLabel = m_layout.timeCol >= 0 ? m_layout.columnLabel(m_layout.timeCol) : "";
}

bool DelimitedImporter::bad(const std::string& path, int64_t line, const char* field,
                            const std::string& column, const char* kind, std::string_view value) {
    return m_sink.problem(valueProblem(path, line, field, column, kind, value));
}

bool DelimitedImporter::importFile(const std::string& path) {
    LineReader reader(path);
    reader.setQuoted(m_layout.quoted, m_layout.delimiter.quoteDelimiter());
    m_sink.beginFile(reader);
    DatasetWriter& writer = m_sink.writer();
    const size_t fieldCount = m_layout.fieldCount;
    const int userCol = m_layout.userCol, itemCol = m_layout.itemCol;
    const int rewardCol = m_layout.rewardCol, timeCol = m_layout.timeCol;
    bool headerPending = m_layout.header;
    int64_t dataRows = 0;
    bool stopped = false;
    std::string_view record;
    while (!stopped && reader.next(record)) {
        if (record.empty() || trimField(record).empty()) {
            continue;
        }
        if (headerPending) {
            headerPending = false;
            continue;
        }
        ++dataRows;
        m_sink.rowSeen(reader);
        const auto& f = m_splitter.split(record);
        const int64_t line = reader.lineNumber();
        if (f.size() != fieldCount) {
            stopped = m_sink.problem(
                fieldCountProblem(path, line, fieldCount, f.size(), m_layout.delimiter.describe()));
            continue;
        }
        const std::string_view user = f[userCol];
        const std::string_view item = f[itemCol];
        if (user.empty()) {
            stopped = bad(path, line, "user", m_userLabel, "empty_id", user);
            continue;
        }
        if (item.empty()) {
            stopped = bad(path, line, "item", m_itemLabel, "empty_id", item);
            continue;
        }
        double reward = 1.0;
        if (rewardCol >= 0) {
            const NumberStatus status = parseReward(f[rewardCol], reward);
            if (status != NumberStatus::Ok) {
                stopped = bad(path, line, "reward", m_rewardLabel,
                              status == NumberStatus::NonFinite ? "non_finite" : "bad_number", f[rewardCol]);
                continue;
            }
            if (std::fabs(reward) > kMaxRewardMagnitude) {
                stopped = bad(path, line, "reward", m_rewardLabel, "reward_range", f[rewardCol]);
                continue;
            }
        }
        int64_t ts = m_sink.rowsRead() - 1;
        if (timeCol >= 0 && !parseTimestamp(f[timeCol], ts)) {
            stopped = bad(path, line, "timestamp", m_timeLabel, "bad_time", f[timeCol]);
            continue;
        }
        if (!m_sink.writing()) {
            continue;
        }
        // Ids are stored as UTF-8 (text policy: docs/RELIABILITY.md): Latin-1 bytes are converted, like
        // titles.
        const int32_t u = writer.userIndex(utf8Field(user, m_scratch));
        const int32_t i = writer.itemIndex(utf8Field(item, m_scratch));
        m_sink.add(u, i, reward, ts);
    }
    m_sink.endFile(reader);
    if (!stopped && dataRows == 0) {
        throw Error("'" + path + "' has no data rows" + (m_layout.header ? " (only a header line)" : "") +
                    "; expected lines of user, item and reward.");
    }
    return !stopped;
}

}  // namespace tiltbench
