// Untrusted workspace files (issue 7): a workspace from someone else may be malformed or made to look like
// one. Opening or reading it fails with a tiltbench::Error naming the file — never a crash — and names that
// carry SQL are stored and found as plain text (every statement binds its values; none is built from user
// input).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "common/error.h"
#include "store/dataset_writer.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "store/workspace_impl.h"
#include "support/test_support.h"

using namespace tiltbench;
using tiltbench::test::execSql;
using tiltbench::test::TempDir;

namespace {

void addDataset(Workspace& ws, const std::string& name, int users) {
    auto w = ws.createDataset({name, "test", "{}"});
    for (int u = 0; u < users; ++u) {
        const int32_t user = w->userIndex("u" + std::to_string(u));
        for (int t = 0; t < 5; ++t) {
            w->add(user, w->itemIndex("i" + std::to_string((u + t) % 40)), 1.0 + t, t);
        }
    }
    w->commit();
}

// Opening and reading everything: what the CLI's `datasets`/`info` and the GUI's Data page do.
void openAndReadAll(const std::string& path) {
    Workspace ws(path);
    RunStore store(ws);
    for (const DatasetInfo& d : ws.datasets()) {
        ws.loadLog(d.id);
    }
    for (const RunRecord& run : store.runs()) {
        store.metrics(run.id);
    }
}

}  // namespace

TEST(UntrustedWorkspace, AWorkspaceIdWithoutItsTablesIsRefusedNamingTheMissingTable) {
    TempDir tmp;
    const std::string path = tmp.file("fake.sqlite");
    { Workspace ws(path, OpenMode::CreateIfMissing); }
    execSql(path, "DROP TABLE run_user_metrics;");
    try {
        Workspace ws(path);
        FAIL() << "opened";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("run_user_metrics"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
}

TEST(UntrustedWorkspace, CorruptedPagesAreAnErrorNotACrash) {
    TempDir tmp;
    const std::string clean = tmp.file("clean.sqlite");
    {
        Workspace ws(clean, OpenMode::CreateIfMissing);
        addDataset(ws, "a", 400);
    }
    std::ifstream in(clean, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_GT(bytes.size(), 8192u);
    // Seeded damage at many places: garbage runs over bytes after the file header that hold something (page
    // headers, cell pointers, records); a 64 KiB page of a small workspace is mostly zeros, where damage
    // would test nothing.
    std::vector<size_t> used;
    for (size_t k = 100; k + 100 < bytes.size(); ++k)
        if (bytes[k] != 0)
            used.push_back(k);
    ASSERT_GT(used.size(), 1000u);
    std::mt19937 rng(99);
    int errors = 0, opened = 0;
    for (int trial = 0; trial < 40; ++trial) {
        std::string damaged = bytes;
        const size_t at = used[rng() % used.size()];
        const size_t length = 1 + rng() % 64;
        for (size_t k = at; k < std::min(damaged.size(), at + length); ++k) {
            damaged[k] = static_cast<char>(rng());
        }
        const std::string path = tmp.file("damaged" + std::to_string(trial) + ".sqlite");
        std::ofstream(path, std::ios::binary) << damaged;
        try {
            openAndReadAll(path);
            ++opened;  // damage in unused bytes, or in values that still read
        } catch (const std::exception& e) {
            ++errors;
            EXPECT_NE(std::string(e.what()).size(), 0u);
        }
    }
    EXPECT_EQ(errors + opened, 40);
    EXPECT_GT(errors, 0) << "no trial hit a structure SQLite checks";
}

TEST(UntrustedWorkspace, DefensiveModeForbidsWritingTheSchemaDirectly) {
    TempDir tmp;
    const std::string path = tmp.file("ws.sqlite");
    Workspace ws(path, OpenMode::CreateIfMissing);
    // Through Tiltbench's own connection, a schema rewrite is refused (SQLITE_DBCONFIG_DEFENSIVE).
    EXPECT_THROW(ws.impl().db.exec("PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = 'x';"),
                 std::exception);
    EXPECT_NO_THROW(Workspace(path + "").datasets());
}

TEST(UntrustedWorkspace, NamesThatLookLikeSqlAreStoredAsText) {
    TempDir tmp;
    const std::string path = tmp.file("ws.sqlite");
    const std::string hostile = "x'); DROP TABLE runs; --";
    {
        Workspace ws(path, OpenMode::CreateIfMissing);
        addDataset(ws, hostile, 10);
        ASSERT_NO_THROW(ws.datasetByName(hostile));
    }
    Workspace ws(path);
    EXPECT_EQ(ws.datasetByName(hostile).name, hostile);
    EXPECT_NO_THROW(RunStore(ws).runs());  // the table is still there
}
