#include "io/matrix_importer.h"

#include <cmath>

#include "common/error.h"
#include "io/field_splitter.h"
#include "io/line_reader.h"
#include "io/value_parsing.h"

namespace tiltbench {

int32_t MatrixImporter::item(size_t column) {
    if (column >= m_itemIds.size()) {
        m_itemIds.resize(column + 1, -1);
    }
    int32_t& id = m_itemIds[column];
    if (id < 0) {
        id = m_sink.writer().itemIndex(std::to_string(column));
    }
    return id;
}

bool MatrixImporter::importFile(const std::string& path, bool randomTest) {
    LineReader reader(path);
    m_sink.beginFile(reader);
    FieldSplitter splitter(Delimiter::whitespace(), false);
    DatasetWriter& writer = m_sink.writer();
    int64_t row = -1;
    int64_t ratings = 0;
    int64_t testSeen = 0;
    bool stopped = false;
    std::string_view record;
    while (!stopped && reader.next(record)) {
        const auto& fields = splitter.split(record);
        if (fields.empty()) {
            continue;
        }
        ++row;
        const int64_t line = reader.lineNumber();
        if (m_columns == 0) {
            m_columns = fields.size();
        } else if (row == 0 && randomTest && fields.size() != m_columns) {
            throw Error("The random test matrix '" + path + "' has " + std::to_string(fields.size()) +
                        " columns but the training matrix has " + std::to_string(m_columns) +
                        "; both must have one column per item.");
        }
        if (fields.size() != m_columns) {
            if (!randomTest) {
                m_sink.rowSeen(reader);
            }
            stopped = m_sink.problem(fieldCountProblem(path, line, m_columns, fields.size(), "whitespace"));
            continue;
        }
        int32_t user = -1;
        for (size_t c = 0; c < fields.size() && !stopped; ++c) {
            const std::string_view token = fields[c];
            if (token.size() == 1 && token[0] == '0') {
                continue;  // the common case in a sparse matrix, decided without parsing
            }
            double value = 0;
            const NumberStatus status = parseReward(token, value);
            if (status == NumberStatus::Ok && value == 0.0) {
                continue;
            }
            ++ratings;
            if (randomTest) {
                if ((++testSeen & (ImportSink::kProgressEveryRows - 1)) == 0) {
                    m_sink.tick(reader);
                }
            } else {
                m_sink.rowSeen(reader);
            }
            if (status != NumberStatus::Ok) {
                stopped = m_sink.problem(
                    valueProblem(path, line, "reward", "column " + std::to_string(c),
                                 status == NumberStatus::NonFinite ? "non_finite" : "bad_number", token));
                continue;
            }
            if (std::fabs(value) > kMaxRewardMagnitude) {
                stopped = m_sink.problem(
                    valueProblem(path, line, "reward", "column " + std::to_string(c), "reward_range", token));
                continue;
            }
            if (!m_sink.writing()) {
                continue;
            }
            if (user < 0) {
                user = writer.userIndex(std::to_string(row));
            }
            if (randomTest) {
                m_sink.addRandomTest(user, item(c), value);
            } else {
                m_sink.add(user, item(c), value, m_position++);
            }
        }
    }
    m_sink.endFile(reader);
    if (!randomTest) {
        m_rows = row + 1;
    }
    if (!stopped && ratings == 0) {
        throw Error("The matrix '" + path + "' holds no rating: " +
                    (row < 0 ? std::string("it has no lines") : std::string("every entry is 0 (missing)")) +
                    ".");
    }
    return !stopped;
}

}  // namespace tiltbench
