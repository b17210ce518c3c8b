#include "io/problem_log.h"

#include "io/text_encoding.h"

namespace tiltbench {

namespace {

// Long values would drown the message; the line number lets the user find the rest. Quoted as UTF-8 (the
// bytes of the file may be anything), so messages can go into JSON and the GUI.
std::string quoteValue(std::string_view v) {
    constexpr size_t kMax = 40;
    std::string s = utf8Prefix(v, kMax);
    if (v.size() > kMax) {
        s += "...";
    }
    return "\"" + s + "\"";
}

}  // namespace

bool ProblemLog::add(ImportProblem problem) {
    ++m_total;
    ++m_byKind[problem.kind];
    if (m_kept.size() < kMaxKept) {
        m_kept.push_back(std::move(problem));
    }
    return full();
}

ImportError ProblemLog::failure() const {
    std::string count = std::to_string(m_total) + (m_total == 1 ? " bad row" : " bad rows");
    if (full()) {
        count = "at least " + count + " (reading stopped there)";
    }
    std::string message = "Import failed with " + count + "; nothing was imported.";
    if (!m_kept.empty()) {
        message += " First: " + m_kept.front().message;
    }
    message += " Fix the rows or choose to skip bad rows to import the rest.";
    return ImportError(message, m_kept);
}

ImportProblem fieldCountProblem(const std::string& file, int64_t line, size_t expected, size_t found,
                                const std::string& delimiter) {
    ImportProblem p;
    p.file = file;
    p.line = line;
    p.field = "row";
    p.kind = "field_count";
    p.message = file + ", line " + std::to_string(line) + ": expected " + std::to_string(expected) +
                " fields separated by " + delimiter + ", found " + std::to_string(found) + ".";
    return p;
}

ImportProblem valueProblem(const std::string& file, int64_t line, const std::string& field,
                           const std::string& column, const std::string& kind, std::string_view value) {
    ImportProblem p;
    p.file = file;
    p.line = line;
    p.field = field;
    p.kind = kind;
    std::string where = file + ", line " + std::to_string(line) + ", field \"" + field + "\"";
    if (!column.empty()) {
        where += " (" + column + ")";
    }
    if (kind == "empty_id") {
        p.message = where + ": the " + field + " id is empty.";
    } else if (kind == "non_finite") {
        p.message = where + ": expected a finite number, found " + quoteValue(value) + ".";
    } else if (kind == "reward_range") {
        p.message =
            where +
            ": expected a reward of magnitude at most 1e15 (larger ones overflow the statistics), found " +
            quoteValue(value) + ".";
    } else if (kind == "bad_time") {
        p.message = where +
                    ": expected epoch seconds or an ISO-8601 date such as 2020-01-31 or 2020-01-31T12:00:00, "
                    "found " +
                    quoteValue(value) + ".";
    } else if (value.empty()) {
        p.message = where + ": expected a number, found an empty field.";
    } else {
        p.message = where + ": expected a number, found " + quoteValue(value) + ".";
    }
    return p;
}

}  // namespace tiltbench
