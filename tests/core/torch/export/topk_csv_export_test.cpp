// The top-k CSV export (every user, k rows each, RFC 4180 quoting, the same lists as the per-user preview)
// for SASRec and closed-form runs, and what every export refuses: unfinished runs, formats a model does not
// have, unknown formats, paths it cannot write, datasets that changed — each a clear error that leaves no
// file behind, as does a cancel.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "common/error.h"
#include "export_fixture.h"
#include "store/run_store.h"
#include "torch/export/export.h"
#include "train/closed_form_run.h"

using namespace tiltbench;
using namespace tiltbench::test;

namespace {

struct CsvRow {
    std::string user, rank, item, title, score;
};

// A minimal RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks.
std::vector<std::vector<std::string>> parseCsv(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            row.push_back(field);
            field.clear();
        } else if (c == '\n') {
            row.push_back(field);
            field.clear();
            rows.push_back(row);
            row.clear();
        } else {
            field += c;
        }
    }
    return rows;
}

std::vector<CsvRow> readTopk(const std::string& path) {
    const auto rows = parseCsv(readFile(path));
    EXPECT_FALSE(rows.empty());
    EXPECT_EQ(rows.at(0), (std::vector<std::string>{"user", "rank", "item", "title", "score"}));
    std::vector<CsvRow> out;
    for (size_t r = 1; r < rows.size(); ++r) {
        EXPECT_EQ(rows[r].size(), 5u) << "line " << r + 1;
        if (rows[r].size() == 5)
            out.push_back({rows[r][0], rows[r][1], rows[r][2], rows[r][3], rows[r][4]});
    }
    return out;
}

ExportRequest csvRequest(int64_t run, const std::string& out, int k) {
    ExportRequest r;
    r.runId = run;
    r.format = ExportFormat::TopkCsv;
    r.outPath = out;
    r.k = k;
    r.threads = 1;
    return r;
}

// Every user's CSV rows are recommendForUser's list: same items in the same order, scores to 9 digits.
void expectSameAsPreview(Workspace& ws, int64_t run, const std::vector<CsvRow>& rows, int k) {
    std::map<std::string, std::vector<CsvRow>> byUser;
    for (const auto& r : rows)
        byUser[r.user].push_back(r);
    ASSERT_EQ(byUser.size(), static_cast<size_t>(kExportUsers));
    for (const auto& [user, list] : byUser) {
        const auto preview = recommendForUser(ws, run, user, k);
        ASSERT_EQ(list.size(), preview.size()) << user;
        for (size_t i = 0; i < list.size(); ++i) {
            EXPECT_EQ(list[i].rank, std::to_string(i + 1));
            EXPECT_EQ(list[i].item, preview[i].item) << user << " rank " << i + 1;
            EXPECT_EQ(list[i].title, preview[i].title);
            EXPECT_NEAR(std::stod(list[i].score), preview[i].score,
                        1e-6 * std::max(1.0, std::abs(preview[i].score)));
        }
    }
}

// Files in `dir` other than the workspace's.
std::vector<std::string> strayFiles(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("ws.sqlite", 0) != 0)
            out.push_back(name);
    }
    return out;
}

void expectError(const std::function<void()>& f, const std::vector<std::string>& parts) {
    try {
        f();
        ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
        for (const auto& p : parts)
            EXPECT_NE(std::string(e.what()).find(p), std::string::npos)
                << "'" << p << "' not in: " << e.what();
    }
}

}  // namespace

TEST(TopkCsvExport, SasrecListsEveryUserKTimesAsThePreviewDoes) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRingDataset(ws, "ints", true);
    const int64_t run = runSasrec(ws, tinySasrec("ints")).runId;

    uint64_t lastDone = 0, total = 0;
    const ExportResult res = exportRun(ws, csvRequest(run, tmp.file("top.csv"), 10), [&](const Progress& p) {
        if (p.stage == "scoring") {
            lastDone = p.done;
            total = p.total;
        }
        return true;
    });
    EXPECT_EQ(lastDone, static_cast<uint64_t>(kExportUsers));
    EXPECT_EQ(total, static_cast<uint64_t>(kExportUsers));
    EXPECT_EQ(res.model, "sasrec");
    EXPECT_EQ(res.users, kExportUsers);
    EXPECT_EQ(res.rows, kExportUsers * 10);
    const auto rows = readTopk(tmp.file("top.csv"));
    EXPECT_EQ(rows.size(), static_cast<size_t>(kExportUsers * 10));
    expectSameAsPreview(ws, run, rows, 10);
    EXPECT_EQ(strayFiles(tmp.path()), std::vector<std::string>{"top.csv"});
}

TEST(TopkCsvExport, TitlesAreQuotedAndShortListsSayWhy) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRingDataset(ws, "ints", true);
    ClosedFormRunConfig c;
    c.dataset = "ints";
    c.model = PolicyKind::Markov;
    c.scheme = WeightScheme::exp(1.0);
    c.bootstrapResamples = 0;
    const int64_t run = runClosedForm(ws, c).runId;

    // Each user has 12 distinct items, so 18 are left: k = 25 lists those 18 (every unseen item, so item
    // 101 and its title with a comma and quotes appear wherever the user has not seen it).
    const ExportResult res = exportRun(ws, csvRequest(run, tmp.file("all.csv"), 25));
    EXPECT_EQ(res.model, "markov");
    EXPECT_EQ(res.rows, kExportUsers * (kExportItems - kExportLength));
    const std::string raw = readFile(tmp.file("all.csv"));
    EXPECT_NE(raw.find(",101,\"Star, \"\"Wars\"\" (1977)\","), std::string::npos);
    const auto rows = readTopk(tmp.file("all.csv"));
    int starWars = 0;
    for (const auto& r : rows)
        starWars += r.item == "101" && r.title == "Star, \"Wars\" (1977)";
    EXPECT_GT(starWars, 0);
    expectSameAsPreview(ws, run, rows, 25);

    // Users × k at k = 10, and the preview of a single user.
    EXPECT_EQ(exportRun(ws, csvRequest(run, tmp.file("top10.csv"), 10)).rows, kExportUsers * 10);
    expectSameAsPreview(ws, run, readTopk(tmp.file("top10.csv")), 10);
    expectError([&] { recommendForUser(ws, run, "nobody", 10); }, {"nobody", "ints"});
}

TEST(TopkCsvExport, CancelLeavesNothingBehind) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRingDataset(ws, "ints", true);
    ClosedFormRunConfig c;
    c.dataset = "ints";
    c.model = PolicyKind::Popularity;
    c.bootstrapResamples = 0;
    const int64_t run = runClosedForm(ws, c).runId;
    EXPECT_THROW(exportRun(ws, csvRequest(run, tmp.file("top.csv"), 10),
                           [](const Progress& p) { return p.stage != "scoring"; }),
                 Cancelled);
    EXPECT_TRUE(strayFiles(tmp.path()).empty());
}

TEST(ExportErrors, UnfinishedRunsWrongFormatsAndBadPathsAreClearAndWriteNothing) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRingDataset(ws, "ints", true);
    RunStore store(ws);
    const int64_t d = ws.datasetByName("ints").id;
    const int64_t failed = store.createRun(d, "sasrec", R"({"dataset":"ints","split":"loo"})", "cpu");
    store.finishRun(failed, "failed", "boom");
    const int64_t cancelled = store.createRun(d, "sasrec", R"({"dataset":"ints","split":"loo"})", "cpu");
    store.finishRun(cancelled, "cancelled");
    const int64_t cancelledMarkov = store.createRun(d, "markov", R"({"dataset":"ints"})", "cpu");
    store.finishRun(cancelledMarkov, "cancelled");
    const int64_t otherSplit =
        store.createRun(d, "popularity", R"({"dataset":"ints","split_hash":"0000000000000000"})", "cpu");
    store.finishRun(otherSplit, "done");
    ClosedFormRunConfig c;
    c.dataset = "ints";
    c.model = PolicyKind::Markov;
    c.bootstrapResamples = 0;
    const int64_t markov = runClosedForm(ws, c).runId;

    auto request = [&](int64_t run, ExportFormat f, const std::string& out) {
        ExportRequest r;
        r.runId = run;
        r.format = f;
        r.outPath = out;
        return r;
    };
    for (const auto f : {ExportFormat::TorchScript, ExportFormat::Safetensors, ExportFormat::TopkCsv}) {
        expectError([&] { exportRun(ws, request(failed, f, tmp.file("out"))); },
                    {"run " + std::to_string(failed), "failed", "done", "train it again"});
        expectError([&] { exportRun(ws, request(cancelled, f, tmp.file("out"))); },
                    {"cancelled", "--resume " + std::to_string(cancelled)});
    }
    expectError([&] { exportRun(ws, request(cancelledMarkov, ExportFormat::TopkCsv, tmp.file("out"))); },
                {"cancelled", "train it again"});
    expectError([&] { exportRun(ws, request(otherSplit, ExportFormat::TopkCsv, tmp.file("out"))); },
                {"changed", "split hash"});
    expectError([&] { exportRun(ws, request(markov, ExportFormat::TorchScript, tmp.file("m.pt"))); },
                {"markov", "safetensors, topk-csv", "torchscript"});
    expectError([&] { exportRun(ws, request(999, ExportFormat::TopkCsv, tmp.file("out"))); }, {"999"});
    const std::string unwritable = tmp.file("no-such-folder/top.csv");
    expectError([&] { exportRun(ws, request(markov, ExportFormat::TopkCsv, unwritable)); }, {unwritable});
    expectError([&] { exportRun(ws, request(markov, ExportFormat::Safetensors, unwritable)); }, {unwritable});
    EXPECT_TRUE(strayFiles(tmp.path()).empty());

    expectError([] { exportFormatFromString("onnx"); }, {"onnx", "torchscript, safetensors, topk-csv"});
    EXPECT_EQ(exportFormatFromString("topk-csv"), ExportFormat::TopkCsv);
    EXPECT_EQ(toString(ExportFormat::Safetensors), "safetensors");
    EXPECT_EQ(exportFormatsFor("sasrec").size(), 3u);
    EXPECT_EQ(exportFormatsFor("itemmean"),
              (std::vector<ExportFormat>{ExportFormat::Safetensors, ExportFormat::TopkCsv}));
    EXPECT_TRUE(exportFormatsFor("unknown").empty());
    EXPECT_EQ(safetensorsConfigPath("/a/model.safetensors"), "/a/model.config.json");
    EXPECT_EQ(safetensorsConfigPath("/a/weights"), "/a/weights.config.json");
}
