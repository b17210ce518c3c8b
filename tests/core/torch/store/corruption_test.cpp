// Crafted workspaces (issue 13, section 2): a table-driven, seeded corruption of every column of every table.
//
// A small workspace holds every table Tiltbench reads: a simulated dataset with ground truth, an imported
// matrix dataset with a random test set, a finished closed-form run (metrics, per-user metrics) and a
// cancelled SASRec run (per-epoch metrics, a checkpoint, a resumable train state). The columns are listed
// from sqlite_master and pragma table_info, so a column added later is covered without touching this file.
// For each column, seeded corruptions are written into a copy of the file with a plain SQLite connection
// (huge, negative and boundary integers, the workspace's own counts, infinities, wrong types, truncated,
// extended and bit-flipped blobs, overwritten array words, garbage JSON and every key of a JSON object set to
// a wrong value); then every reading path runs in-process: the catalogue, loadLog (+ summarize), ground
// truth, run listing, metrics and per-user metrics, re-evaluation of each run (recorded split, run config,
// checkpoint), the train state and `--resume`, a paired comparison. Each must work or throw tiltbench::Error
// — never crash, never another exception, and a log that loads must satisfy InteractionLog::validate(). Under
// the ASan preset (same test binary) any out-of-bounds access is a sanitizer report and fails the run.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <typeinfo>
#include <vector>

#include "common/error.h"
#include "corruption_cases.h"
#include "data/summary.h"
#include "eval/run_comparison.h"
#include "io/import.h"
#include "store/run_store.h"
#include "store/simulated_dataset.h"
#include "store/workspace.h"
#include "support/test_support.h"
#include "torch/train/run_evaluation.h"
#include "torch/train/sasrec_train_state.h"
#include "torch/train/sasrec_trainer.h"
#include "train/closed_form_run.h"

using namespace tiltbench;
using tiltbench::test::TempDir;

namespace {

// One reading path: it may work or throw tiltbench::Error; any other exception is a failure.
void attempt(const std::string& caseName, const char* what, const std::function<void()>& read, int& errors) {
    try {
        read();
    } catch (const Error&) {
        ++errors;
    } catch (const std::exception& e) {
        ADD_FAILURE() << caseName << ": " << what << " threw a " << typeid(e).name()
                      << " instead of tiltbench::Error: " << e.what();
    }
}

// Every reading path over the workspace at `path`; returns how many of them ended in an Error.
int readEverything(const std::string& path, const std::string& caseName) {
    int errors = 0;
    std::unique_ptr<Workspace> ws;
    attempt(
        caseName, "open", [&] { ws = std::make_unique<Workspace>(path); }, errors);
    if (!ws)
        return errors;
    std::vector<DatasetInfo> datasets;
    attempt(
        caseName, "datasets", [&] { datasets = ws->datasets(); }, errors);
    if (datasets.empty()) {  // one damaged catalogue row fails the listing: read each one by id
        for (int64_t id = 1; id <= 2; ++id)
            attempt(
                caseName, "dataset", [&] { datasets.push_back(ws->dataset(id)); }, errors);
    }
    RunStore store(*ws);
    for (const DatasetInfo& d : datasets) {
        attempt(
            caseName, "loadLog",
            [&] {
                const InteractionLog log = ws->loadLog(d.id);
                try {
                    log.validate();
                } catch (const Error& e) {
                    ADD_FAILURE() << caseName
                                  << ": loadLog returned a log that breaks its invariants: " << e.what();
                    return;
                }
                summarize(log);
            },
            errors);
        attempt(
            caseName, "ground truth",
            [&] {
                if (auto record = ws->loadGroundTruth(d.id)) {
                    const GroundTruth truth = GroundTruth::fromRecord(*record);
                    truth.expectedReward(0, 0);
                }
            },
            errors);
        attempt(
            caseName, "user ids", [&] { store.userExternalIds(d.id); }, errors);
    }
    std::vector<RunRecord> runs;
    attempt(
        caseName, "runs", [&] { runs = store.runs(); }, errors);
    for (const RunRecord& r : runs) {
        attempt(
            caseName, "metrics", [&] { store.metrics(r.id); }, errors);
        attempt(
            caseName, "per-user metrics", [&] { store.perUserMetrics(r.id); }, errors);
        attempt(
            caseName, "re-evaluation", [&] { reevaluateRun(*ws, r.id, "cpu", 1); }, errors);
        if (r.model == "sasrec") {
            attempt(
                caseName, "train state", [&] { loadTrainState(*ws, r.id); }, errors);
            // Everything a resume reads and builds, stopped at its first progress report.
            attempt(
                caseName, "resume",
                [&] {
                    try {
                        resumeSasrec(*ws, r.id, [](const TrainProgress&) { return false; });
                    } catch (const Cancelled&) {  // what the callback asked for: everything before it worked
                    }
                },
                errors);
        }
    }
    if (runs.size() >= 2)
        attempt(
            caseName, "comparison", [&] { compareRuns(store, runs[0].id, runs[1].id, "test"); }, errors);
    return errors;
}

// The clean workspace every case starts from.
template <typename Dir>
std::string buildCleanWorkspace(const Dir& tmp) {
    const std::string path = tmp.file("clean.sqlite");
    {
        Workspace ws(path, OpenMode::CreateIfMissing);
        SimulatorConfig sim;
        sim.users = 20;
        sim.items = 30;
        sim.interactions = 200;
        sim.tasteDim = 2;
        sim.seed = 3;
        generateDataset(ws, "sim", sim);

        const std::string train = tmp.file("train.ascii"), test = tmp.file("test.ascii");
        test::writeFile(train, "0 4 0 1\n0 0 3 0\n5 0 2 0\n1 2 0 0\n");
        test::writeFile(test, "3 0 0 0\n0 2 0 0\n0 0 0 1\n");
        ImportRequest req;
        req.name = "coat";
        req.format = ImportFormat::Matrix;
        req.files = {train};
        req.randomTestFile = test;
        importDataset(ws, req);

        ClosedFormRunConfig cf;
        cf.dataset = "sim";
        cf.ks = {10};
        cf.bootstrapResamples = 5;
        cf.threads = 1;
        runClosedForm(ws, cf);

        SasrecRunConfig sr;
        sr.dataset = "sim";
        sr.dim = 4;
        sr.blocks = 1;
        sr.heads = 1;
        sr.maxLen = 6;
        sr.epochs = 3;
        sr.batchSize = 16;
        sr.ks = {10};
        sr.bootstrapResamples = 0;
        sr.device = "cpu";
        sr.precision = "fp32";
        sr.threads = 1;
        // Cancelled in its second epoch: a checkpoint, per-epoch metrics and a resumable train state.
        EXPECT_THROW(runSasrec(ws, sr, [](const TrainProgress& p) { return p.epoch < 2; }), Cancelled);
    }
    return path;
}

void copyWorkspace(const std::string& from, const std::string& to) {
    namespace fs = std::filesystem;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
        fs::remove(to + suffix);
    fs::copy_file(from, to);
}

// A scratch folder in memory (/dev/shm) when there is one: hundreds of cases each commit a few times, and on
// a busy disk every fsync of a file-backed copy costs tens of milliseconds.
class ScratchDir {
  public:
    ScratchDir() {
        char name[] = "/dev/shm/tiltbench-corrupt-XXXXXX";
        if (::mkdtemp(name))
            m_path = name;
        else
            m_fallback = std::make_unique<TempDir>(), m_path = m_fallback->path();
    }
    ~ScratchDir() {
        if (!m_fallback) {
            std::error_code ec;
            std::filesystem::remove_all(m_path, ec);
        }
    }
    std::string file(const std::string& name) const { return m_path + "/" + name; }

  private:
    std::string m_path;
    std::unique_ptr<TempDir> m_fallback;
};

}  // namespace

TEST(CorruptWorkspace, EveryColumnOfEveryTableReadsOrFailsWithAnError) {
    ScratchDir tmp;
    const std::string clean = buildCleanWorkspace(tmp);
    ASSERT_FALSE(HasFailure());
    const std::string path = tmp.file("case.sqlite");
    // The clean file reads without a single error: what the cases below break is the corruption alone.
    copyWorkspace(clean, path);
    EXPECT_EQ(readEverything(path, "clean"), 0);

    std::vector<Column> columns;
    std::vector<std::string> counts;
    {
        Db db(clean);
        columns = listColumns(db);
        std::set<std::string> distinct;
        for (const auto& r : db.rows("SELECT users, items FROM datasets"))
            distinct.insert(r.begin(), r.end());
        counts.assign(distinct.begin(), distinct.end());
    }
    // Every table the store reads is here with rows in it (else the cases would test nothing).
    std::set<std::string> tables;
    for (const Column& c : columns)
        tables.insert(c.table);
    for (const char* t : {"datasets", "id_chunks", "interaction_chunks", "random_test", "ground_truth",
                          "runs", "run_metrics", "checkpoints", "run_user_metrics", "run_train_states"}) {
        ASSERT_TRUE(tables.count(t)) << t;
        Db db(clean);
        EXPECT_GT(std::stoi(db.rows(std::string("SELECT count(*) FROM ") + t)[0][0]), 0) << t << " is empty";
    }

    const std::vector<Case> cases = buildCases(columns, counts);
    int applied = 0, failedReads = 0;
    for (const Case& c : cases) {
        copyWorkspace(clean, path);
        {
            Db db(path);
            if (!c.apply(db))
                continue;  // SQLite itself refused the value (NOT NULL, a duplicate key)
        }
        ++applied;
        const auto t0 = std::chrono::steady_clock::now();
        failedReads += readEverything(path, c.name) > 0;
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (seconds > 0.5)
            std::cout << "[ slow     ] " << c.name << ": " << seconds << " s" << std::endl;
        if (HasFatalFailure())
            return;
    }
    std::cout << "[ corrupt  ] " << columns.size() << " columns, " << cases.size() << " cases, " << applied
              << " applied, " << failedReads << " refused with an Error somewhere\n";
    EXPECT_GT(applied, static_cast<int>(cases.size()) / 2);
    EXPECT_GT(failedReads, applied / 4);
}

// The two crafted files of the issue, named: an item index of −2e9 in one chunk, and one equal to the item
// count. Before the fix the first crashed `info` and the second silently overran the heap.
TEST(CorruptWorkspace, AnItemIndexOutsideTheCatalogueIsAnErrorNamingTheTable) {
    ScratchDir tmp;
    const std::string clean = buildCleanWorkspace(tmp);
    const std::string path = tmp.file("case.sqlite");
    for (const int32_t bad : {-2000000000, 30}) {
        copyWorkspace(clean, path);
        {
            Db db(path);
            Column c;
            c.table = "interaction_chunks";
            c.name = "item_idx";
            c.primaryKey = {"dataset_id", "chunk"};
            ASSERT_TRUE(mutateBlobs(db, c, [&](auto& b) { putWord<int32_t>(b, 7, bad); }));
        }
        Workspace ws(path);
        try {
            ws.loadLog(ws.datasetByName("sim").id);
            FAIL() << "item index " << bad << " was loaded";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("interaction_chunks"), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("item " + std::to_string(bad)), std::string::npos)
                << e.what();
        }
    }
}

TEST(CorruptWorkspace, HugeCountsAndModelSizesAreRefusedBeforeAnyAllocation) {
    ScratchDir tmp;
    const std::string clean = buildCleanWorkspace(tmp);
    const std::string path = tmp.file("case.sqlite");
    auto expectError = [&](const std::string& sql, const std::function<void(Workspace&)>& read,
                           const std::string& needle) {
        copyWorkspace(clean, path);
        test::execSql(path, sql);
        Workspace ws(path);
        try {
            read(ws);
            ADD_FAILURE() << sql << ": read without an error";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << sql << ": " << e.what();
        }
    };
    expectError(
        "UPDATE datasets SET items = 4000000000 WHERE name = 'sim'", [](Workspace& ws) { ws.datasets(); },
        "column items");
    expectError(
        "UPDATE datasets SET users = 2000000000 WHERE name = 'sim'",
        [](Workspace& ws) { ws.loadLog(ws.datasetByName("sim").id); }, "kind 'user' holds 20 ids");
    expectError(
        "UPDATE datasets SET rows = 1000000000000 WHERE name = 'sim'",
        [](Workspace& ws) { ws.loadLog(ws.datasetByName("sim").id); }, "interaction_chunks holds");
    expectError(
        "UPDATE random_test SET item_idx = 4 WHERE pos = 1",
        [](Workspace& ws) { ws.loadLog(ws.datasetByName("coat").id); }, "table random_test, row pos 1");
    expectError(
        "UPDATE runs SET config = json_set(config, '$.dim', 1048576) WHERE model = 'sasrec'",
        [](Workspace& ws) { reevaluateRun(ws, 2, "cpu", 1); }, "dim");
    expectError(
        "UPDATE runs SET config = json_set(config, '$.num_items', 2000000000) WHERE model = 'sasrec'",
        [](Workspace& ws) { reevaluateRun(ws, 2, "cpu", 1); }, "parameters");
    expectError(
        "UPDATE runs SET config = json_set(config, '$.ks', json('[2147483647]')) WHERE model != 'sasrec'",
        [](Workspace& ws) { reevaluateRun(ws, 1, "cpu", 1); }, "'ks'");
}
