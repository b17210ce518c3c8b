#pragma once
// ProblemLog: the bad rows of one import. It applies the OnError policy: under Fail it keeps the first 20
// problems and tells the reader to stop once it has them (the import then throws ImportError and the writer
// rolls back); under Skip it counts every bad row per kind and keeps the first 20 as examples. The problem
// builders word every message the same way: file, 1-based line, field and what was expected.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "io/import.h"

namespace tiltbench {

class ProblemLog {
  public:
    static constexpr size_t kMaxKept = 20;

    explicit ProblemLog(OnError policy) : m_policy(policy) {}

    // Records a bad row. Returns true when reading should stop (Fail policy, kMaxKept problems collected).
    bool add(ImportProblem problem);

    OnError policy() const { return m_policy; }
    bool failing() const { return m_policy == OnError::Fail && m_total > 0; }
    bool full() const { return m_policy == OnError::Fail && m_kept.size() >= kMaxKept; }
    int64_t total() const { return m_total; }
    const std::map<std::string, int64_t>& countsByKind() const { return m_byKind; }
    const std::vector<ImportProblem>& problems() const { return m_kept; }

    // The exception for a failed import: the count, the first problem and how to get past it.
    ImportError failure() const;

  private:
    OnError m_policy;
    int64_t m_total = 0;
    std::map<std::string, int64_t> m_byKind;
    std::vector<ImportProblem> m_kept;
};

// "field_count": the row does not have the expected number of fields.
ImportProblem fieldCountProblem(const std::string& file, int64_t line, size_t expected, size_t found,
                                const std::string& delimiter);
// A bad value in one field. `field` is "user", "item", "reward" or "timestamp"; `column` describes where it
// was read from ("column 2 \"rating\""); `kind` is "bad_number", "non_finite", "empty_id" or "bad_time".
ImportProblem valueProblem(const std::string& file, int64_t line, const std::string& field,
                           const std::string& column, const std::string& kind, std::string_view value);

}  // namespace tiltbench
