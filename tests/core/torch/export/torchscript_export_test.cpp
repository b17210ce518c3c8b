// The TorchScript export of a SASRec run: reloaded with plain LibTorch (torch::jit::load) and with Python's
// torch.jit.load, it gives the same top-k as Tiltbench's own model for the same history — one history or a
// padded batch, histories longer than the model reads, integer or string item ids — and refuses unknown ids.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/serialization/import.h>

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "export_fixture.h"
#include "torch/export/export.h"
#include "torch/model/sasrec.h"

using namespace tiltbench;
using namespace tiltbench::test;
using nlohmann::json;

namespace {

struct Trained {
    std::unique_ptr<TempDir> tmp;
    std::unique_ptr<Workspace> ws;
    int64_t intRun = 0, stringRun = 0;
    std::string intModel, stringModel;  // exported .pt files
    InteractionLog intLog, stringLog;
};

Trained* g = nullptr;

class TorchScriptExport : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        g = new Trained;
        g->tmp = std::make_unique<TempDir>();
        g->ws = std::make_unique<Workspace>(g->tmp->file("ws.sqlite"), OpenMode::CreateIfMissing);
        addRingDataset(*g->ws, "ints", true);
        addRingDataset(*g->ws, "strs", false);
        g->intRun = runSasrec(*g->ws, tinySasrec("ints")).runId;
        g->stringRun = runSasrec(*g->ws, tinySasrec("strs")).runId;
        g->intLog = g->ws->loadLog(g->ws->datasetByName("ints").id);
        g->stringLog = g->ws->loadLog(g->ws->datasetByName("strs").id);
        for (auto [run, path] :
             {std::pair{g->intRun, &g->intModel}, std::pair{g->stringRun, &g->stringModel}}) {
            *path = g->tmp->file("run" + std::to_string(run) + ".pt");
            ExportRequest r;
            r.runId = run;
            r.format = ExportFormat::TorchScript;
            r.outPath = *path;
            r.threads = 1;
            const ExportResult res = exportRun(*g->ws, r);
            ASSERT_EQ(res.files, std::vector<std::string>{*path});
            ASSERT_EQ(res.model, "sasrec");
        }
    }
    static void TearDownTestSuite() {
        delete g;
        g = nullptr;
    }
};

int32_t denseOf(const InteractionLog& log, const std::string& id) {
    const auto it = std::find(log.itemIds.begin(), log.itemIds.end(), id);
    return it == log.itemIds.end() ? -1 : static_cast<int32_t>(it - log.itemIds.begin());
}

// The reference: Tiltbench's own model (the run's best checkpoint) scoring the history, history masked.
std::vector<std::pair<int32_t, float>> expectedTopK(int64_t run, const std::vector<int32_t>& history, int k) {
    const SasrecModel model = loadSasrecCheckpoint(*g->ws, run, "cpu");
    return referenceTopK(scoresAfter(SasrecScorer(model), history), history, k);
}

// Same ids in the same order and scores within 1e-4; two items whose reference scores are within 1e-4 of
// each other may come in either order.
void expectSameTopK(const InteractionLog& log, const std::vector<std::pair<int32_t, float>>& expected,
                    const std::vector<std::string>& ids, const std::vector<double>& scores) {
    ASSERT_EQ(ids.size(), expected.size());
    ASSERT_EQ(scores.size(), expected.size());
    for (size_t r = 0; r < expected.size(); ++r) {
        EXPECT_NEAR(scores[r], expected[r].second, 1e-4) << "rank " << r + 1;
        const bool tie =
            (r > 0 && std::abs(expected[r].second - expected[r - 1].second) < 1e-4) ||
            (r + 1 < expected.size() && std::abs(expected[r].second - expected[r + 1].second) < 1e-4);
        if (!tie) {
            EXPECT_EQ(ids[r], log.itemIds[static_cast<size_t>(expected[r].first)]) << "rank " << r + 1;
        }
    }
}

std::vector<int64_t> externalIds(const InteractionLog& log, const std::vector<int32_t>& dense) {
    std::vector<int64_t> out;
    for (const int32_t i : dense)
        out.push_back(std::stoll(log.itemIds[static_cast<size_t>(i)]));
    return out;
}

std::pair<at::Tensor, at::Tensor> callForward(torch::jit::Module& m, const at::Tensor& history, int64_t k) {
    const auto out = m.forward({history, k}).toTuple();
    return {out->elements().at(0).toTensor(), out->elements().at(1).toTensor()};
}

std::vector<std::string> idsOfRow(const at::Tensor& ids) {
    std::vector<std::string> out;
    for (int64_t j = 0; j < ids.size(0); ++j)
        out.push_back(std::to_string(ids[j].item<int64_t>()));
    return out;
}

std::vector<double> scoresOfRow(const at::Tensor& scores) {
    std::vector<double> out;
    for (int64_t j = 0; j < scores.size(0); ++j)
        out.push_back(scores[j].item<double>());
    return out;
}

}  // namespace

TEST_F(TorchScriptExport, PlainLibTorchGivesTheModelsTopKForOneHistory) {
    torch::jit::Module m = torch::jit::load(g->intModel);
    EXPECT_EQ(m.attr("run_id").toInt(), g->intRun);
    EXPECT_EQ(m.attr("dataset").toStringRef(), "ints");
    EXPECT_EQ(m.attr("model").toStringRef(), "sasrec");
    EXPECT_TRUE(m.attr("integer_ids").toBool());
    EXPECT_EQ(m.attr("item_ids").toList().size(), static_cast<size_t>(kExportItems));
    EXPECT_EQ(m.attr("item_titles").toList().get(0).toStringRef(), "Star, \"Wars\" (1977)");
    EXPECT_TRUE(std::isinf(m.attr("weight_lambda").toDouble()));  // uniform: λ = ∞
    EXPECT_EQ(m.attr("max_len").toInt(), 8);
    EXPECT_FALSE(m.attr("tiltbench_version").toStringRef().empty());
    EXPECT_TRUE(m.attr("metrics").toGenericDict().contains("ndcg@10"));
    EXPECT_EQ(json::parse(m.attr("hyperparameters").toStringRef())["dim"], 8);

    for (int32_t u = 0; u < 4; ++u) {
        // The whole logged history (12 items, longer than max_len 8) and a short prefix of it.
        for (const size_t len : {static_cast<size_t>(kExportLength), size_t{3}}) {
            std::vector<int32_t> h = userHistory(g->intLog, u);
            h.resize(len);
            const auto expected = expectedTopK(g->intRun, h, 10);
            const auto [scores, ids] = callForward(m, at::tensor(externalIds(g->intLog, h)), 10);
            ASSERT_EQ(scores.dim(), 1);
            EXPECT_EQ(ids.scalar_type(), at::kLong);
            expectSameTopK(g->intLog, expected, idsOfRow(ids), scoresOfRow(scores));
        }
    }
}

TEST_F(TorchScriptExport, BatchedRowsPaddedWithMinusOneMatchOneByOne) {
    torch::jit::Module m = torch::jit::load(g->intModel);
    const std::vector<size_t> lengths{12, 5, 1, 9};
    const int64_t width = 12;
    std::vector<int64_t> flat;
    std::vector<std::vector<int32_t>> rows;
    for (size_t r = 0; r < lengths.size(); ++r) {
        std::vector<int32_t> h = userHistory(g->intLog, static_cast<int32_t>(r + 4));
        h.resize(lengths[r]);
        rows.push_back(h);
        std::vector<int64_t> row = externalIds(g->intLog, h);
        // Padding at the end, and in the last row at the front: -1 entries are skipped wherever they are.
        if (r + 1 < lengths.size())
            row.resize(static_cast<size_t>(width), -1);
        else
            row.insert(row.begin(), static_cast<size_t>(width) - row.size(), -1);
        flat.insert(flat.end(), row.begin(), row.end());
    }
    const at::Tensor batch = at::tensor(flat).reshape({static_cast<int64_t>(lengths.size()), width});
    const auto [scores, ids] = callForward(m, batch, 7);
    ASSERT_EQ(scores.sizes().vec(), (std::vector<int64_t>{4, 7}));
    ASSERT_EQ(ids.sizes().vec(), (std::vector<int64_t>{4, 7}));
    for (size_t r = 0; r < rows.size(); ++r) {
        SCOPED_TRACE("row " + std::to_string(r));
        expectSameTopK(g->intLog, expectedTopK(g->intRun, rows[r], 7), idsOfRow(ids[static_cast<int64_t>(r)]),
                       scoresOfRow(scores[static_cast<int64_t>(r)]));
    }
}

TEST_F(TorchScriptExport, UnknownIdRaisesAndHistoryIsMasked) {
    torch::jit::Module m = torch::jit::load(g->intModel);
    try {
        callForward(m, at::tensor(std::vector<int64_t>{101, 999}), 5);
        ADD_FAILURE() << "expected an error for item 999";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("unknown item id 999"), std::string::npos) << e.what();
    }
    // Asking for the whole catalogue: the history's items come last at -inf, everything else is finite.
    const auto [scores, ids] = callForward(m, at::tensor(std::vector<int64_t>{101, 102, 103}), 100);
    ASSERT_EQ(scores.size(0), kExportItems);
    for (int64_t j = 0; j < kExportItems; ++j) {
        const int64_t id = ids[j].item<int64_t>();
        const bool seen = id == 101 || id == 102 || id == 103;
        EXPECT_EQ(j >= kExportItems - 3, seen) << "rank " << j;
        EXPECT_EQ(std::isinf(scores[j].item<double>()), seen);
    }
}

TEST_F(TorchScriptExport, RecommendWorksWithStringIdsWhereForwardCannot) {
    torch::jit::Module m = torch::jit::load(g->stringModel);
    EXPECT_FALSE(m.attr("integer_ids").toBool());
    try {
        callForward(m, at::tensor(std::vector<int64_t>{1, 2}), 5);
        ADD_FAILURE() << "expected forward to refuse";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("recommend("), std::string::npos) << e.what();
    }
    const std::vector<int32_t> h = userHistory(g->stringLog, 2);
    std::vector<std::string> ids;
    for (const int32_t i : h)
        ids.push_back(g->stringLog.itemIds[static_cast<size_t>(i)]);
    const auto got = recommendFromTorchScript(g->stringModel, ids, 10);
    std::vector<std::string> gotIds;
    std::vector<double> gotScores;
    for (const auto& r : got) {
        gotIds.push_back(r.item);
        gotScores.push_back(r.score);
        EXPECT_EQ(r.title, g->stringLog.itemTitles[static_cast<size_t>(denseOf(g->stringLog, r.item))]);
    }
    expectSameTopK(g->stringLog, expectedTopK(g->stringRun, h, 10), gotIds, gotScores);

    try {
        recommendFromTorchScript(g->stringModel, {"i1", "nope"}, 3);
        ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("unknown item id 'nope'"), std::string::npos) << e.what();
    }
    EXPECT_THROW(recommendFromTorchScript(g->tmp->file("missing.pt"), {"i1"}, 3), Error);
}

TEST_F(TorchScriptExport, PythonTorchJitLoadGivesTheSameTopK) {
    const std::string& python = torchPython();
    if (python.empty()) {
        FAIL()
            << "no python3 that can `import torch` was found (tried $TILTBENCH_PYTHON, /usr/bin/python3 and "
               "python3 on PATH): run packaging/install-deps.sh, which installs Debian's python3-torch";
    }
    json cases = json::array();
    for (int32_t u = 0; u < kExportUsers; u += 3) {
        const std::vector<int32_t> h = userHistory(g->intLog, u);
        json expectedIds = json::array(), expectedScores = json::array();
        for (const auto& [item, score] : expectedTopK(g->intRun, h, 10)) {
            expectedIds.push_back(std::stoll(g->intLog.itemIds[static_cast<size_t>(item)]));
            expectedScores.push_back(score);
        }
        cases.push_back(
            {{"history", externalIds(g->intLog, h)}, {"ids", expectedIds}, {"scores", expectedScores}});
    }
    const std::vector<int32_t> sh = userHistory(g->stringLog, 1);
    json strHistory = json::array(), strIds = json::array(), strScores = json::array();
    for (const int32_t i : sh)
        strHistory.push_back(g->stringLog.itemIds[static_cast<size_t>(i)]);
    for (const auto& [item, score] : expectedTopK(g->stringRun, sh, 5)) {
        strIds.push_back(g->stringLog.itemIds[static_cast<size_t>(item)]);
        strScores.push_back(score);
    }
    const json expected = {
        {"model", g->intModel},
        {"k", 10},
        {"run_id", g->intRun},
        {"dataset", "ints"},
        {"num_items", kExportItems},
        {"cases", cases},
        {"unknown_id", 999},
        {"string_model", g->stringModel},
        {"string_case", {{"history", strHistory}, {"k", 5}, {"ids", strIds}, {"scores", strScores}}}};
    const std::string path = g->tmp->file("expected.json");
    writeFile(path, expected.dump(2));
    const ProcessResult r = runProcess({python, supportScript("check_export.py"), path});
    EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("OK"), std::string::npos) << r.out << r.err;
}

// recommend --model accepts an export only when its code records are exactly the exporter's (issue 13):
// both exports above pass (RecommendWorksWithStringIdsWhereForwardCannot), and the same export with one
// line added to recommend() — a file write, built in Python at test time — is refused naming the record,
// before any of its code runs. Trusted, the tampered file does write: the line is live code.
TEST_F(TorchScriptExport, ATamperedExportIsRefusedNamingTheRecord) {
    if (torchPython().empty())
        GTEST_SKIP() << "no python3 that can `import torch` (Debian's python3-torch): the tampered export is "
                        "built with it";
    const std::string tampered = g->tmp->file("tampered.pt"), marker = g->tmp->file("tamper-marker");
    const ProcessResult r = runProcess(
        {torchPython(), supportScript("hostile_models.py"), "tamper", g->stringModel, tampered, marker});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    try {
        recommendFromModelFile(tampered, {"i1"}, 3);
        ADD_FAILURE() << "the tampered export was accepted";
    } catch (const Error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(tampered), std::string::npos) << message;
        EXPECT_NE(message.find("record 'code/__torch__/tiltbench.py' differs"), std::string::npos) << message;
        EXPECT_NE(message.find("--trust-model"), std::string::npos) << message;
    }
    EXPECT_FALSE(pathExists(marker));
    EXPECT_EQ(recommendFromModelFile(tampered, {"i1"}, 3, true).size(), 3u);
    EXPECT_TRUE(pathExists(marker)) << "the control did not run the added line: the test would prove nothing";
}
