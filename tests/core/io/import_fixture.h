#pragma once
// Shared scaffolding of the importer suites: a scratch folder with a fresh workspace, small files written on
// the fly, and helpers to read back what an import stored.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "data/interaction_log.h"
#include "io/import.h"
#include "store/workspace.h"
#include "support/test_support.h"

namespace tiltbench::test {

class ImportFixture : public ::testing::Test {
  protected:
    void SetUp() override {
        m_ws = std::make_unique<Workspace>(m_tmp.file("workspace.sqlite"), OpenMode::CreateIfMissing);
    }

    std::string write(const std::string& name, const std::string& content) {
        const std::string path = m_tmp.file(name);
        writeFile(path, content);
        return path;
    }

    static ImportRequest request(const std::string& name, ImportFormat format,
                                 std::vector<std::string> files) {
        ImportRequest r;
        r.name = name;
        r.format = format;
        r.files = std::move(files);
        return r;
    }

    ImportReport run(const ImportRequest& r, const ProgressCallback& progress = {}) {
        return importDataset(*m_ws, r, progress);
    }

    InteractionLog log(const ImportReport& report) { return m_ws->loadLog(report.dataset.id); }

    static std::map<double, int64_t> rewardCounts(const InteractionLog& log) {
        std::map<double, int64_t> counts;
        for (double r : log.reward) {
            ++counts[r];
        }
        return counts;
    }

    // The external (user, item) ids of every interaction, in the log's order.
    static std::vector<std::pair<std::string, std::string>> pairs(const InteractionLog& log) {
        std::vector<std::pair<std::string, std::string>> out;
        for (size_t k = 0; k < log.size(); ++k) {
            out.emplace_back(log.userIds[log.user[k]], log.itemIds[log.item[k]]);
        }
        return out;
    }

    // A failed or cancelled import must leave no dataset behind.
    void expectWorkspaceEmpty() {
        EXPECT_TRUE(m_ws->datasets().empty());
        Workspace reopened(m_tmp.file("workspace.sqlite"));
        EXPECT_TRUE(reopened.datasets().empty());
    }

    TempDir m_tmp;
    std::unique_ptr<Workspace> m_ws;
};

}  // namespace tiltbench::test
