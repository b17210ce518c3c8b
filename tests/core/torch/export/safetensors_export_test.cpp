// The safetensors export, read back by an independent reader (tests/support/check_safetensors.py: Python's
// json + struct, and the safetensors package where installed): the file layout is the format's, every tensor
// holds exactly the values Tiltbench's model or policy holds, the config says how to rebuild the model, and
// a markov policy's sparse table ranks items as Tiltbench does.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "eval/split.h"
#include "export_fixture.h"
#include "model/closed_form_policy.h"
#include "model/markov_policy.h"
#include "model/popularity_policy.h"
#include "torch/export/export.h"
#include "torch/model/sasrec_module.h"
#include "train/closed_form_run.h"
#include "weighting/target_view.h"

using namespace tiltbench;
using namespace tiltbench::test;
using nlohmann::json;

namespace {

using ojson = nlohmann::ordered_json;

ojson number(double v) {
    if (std::isnan(v))
        return "nan";
    if (std::isinf(v))
        return v > 0 ? "inf" : "-inf";
    return v;
}

template <typename T>
ojson tensorJson(const std::string& dtype, std::vector<int64_t> shape, const std::vector<T>& data) {
    ojson values = ojson::array();
    for (const T& v : data)
        values.push_back(number(static_cast<double>(v)));
    return {{"dtype", dtype}, {"shape", shape}, {"data", values}};
}

const std::string& jsonPython() {
    static const std::string python = findPython("import json, struct, math; math.prod");
    return python;
}

// Runs the independent reader on `expected`: {"file", "names" (file order), "tensors" {name: values},
// "metadata", "markov"}.
void runReader(const TempDir& tmp, const ojson& expected) {
    if (jsonPython().empty())
        FAIL() << "no python3 found (tried $TILTBENCH_PYTHON, /usr/bin/python3 and python3 on PATH): run "
                  "packaging/install-deps.sh";
    const std::string path = tmp.file("expected.json");
    writeFile(path, expected.dump());
    const ProcessResult r = runProcess({jsonPython(), supportScript("check_safetensors.py"), path});
    EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("OK"), std::string::npos) << r.out << r.err;
}

// The JSON header of a safetensors file, read here with its own length prefix (a multiple of 8).
ojson readHeader(const std::string& path) {
    const std::string blob = readFile(path);
    uint64_t n = 0;
    for (int b = 7; b >= 0; --b)
        n = (n << 8) | static_cast<uint8_t>(blob[static_cast<size_t>(b)]);
    EXPECT_EQ(n % 8, 0u);
    return ojson::parse(blob.substr(8, n));
}

ExportResult exportTo(Workspace& ws, int64_t run, const std::string& out) {
    ExportRequest r;
    r.runId = run;
    r.format = ExportFormat::Safetensors;
    r.outPath = out;
    r.threads = 1;
    return exportRun(ws, r);
}

}  // namespace

TEST(SafetensorsExport, SasrecWeightsAreTheCheckpointsAndTheConfigDescribesThem) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRingDataset(ws, "ints", true);
    const int64_t run = runSasrec(ws, tinySasrec("ints")).runId;
    const ExportResult res = exportTo(ws, run, tmp.file("model.safetensors"));
    ASSERT_EQ(res.files,
              (std::vector<std::string>{tmp.file("model.safetensors"), tmp.file("model.config.json")}));
    const ojson header = readHeader(tmp.file("model.safetensors"));
    EXPECT_EQ(header["__metadata__"]["model_type"], "sasrec");

    const SasrecModel model = loadSasrecCheckpoint(ws, run, "cpu");
    ojson names = ojson::array(), tensors = ojson::object();
    for (const auto& p : model.impl().module->named_parameters(true)) {
        const at::Tensor t = p.value().detach().contiguous();
        const std::vector<float> v(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
        names.push_back(p.key());
        tensors[p.key()] = tensorJson("F32", t.sizes().vec(), v);
    }
    EXPECT_EQ(names.size(), 2u + 2u * 12u + 2u);  // embeddings, 2 blocks of 12, final norm
    runReader(tmp, {{"file", tmp.file("model.safetensors")},
                    {"names", names},
                    {"tensors", tensors},
                    {"metadata",
                     {{"model_type", "sasrec"}, {"dataset", "ints"}, {"run_id", std::to_string(run)}}}});

    const json config = json::parse(readFile(tmp.file("model.config.json")));
    EXPECT_EQ(config["model_type"], "sasrec");
    EXPECT_EQ(config["weights_file"], "model.safetensors");
    EXPECT_EQ(config["architecture"]["num_items"], kExportItems);
    EXPECT_EQ(config["architecture"]["dim"], 8);
    EXPECT_EQ(config["architecture"]["blocks"], 2);
    EXPECT_EQ(config["architecture"]["heads"], 2);
    EXPECT_EQ(config["architecture"]["max_len"], 8);
    EXPECT_EQ(config["architecture"]["item_index_shift"], 1);
    EXPECT_TRUE(config["architecture"]["parameters"].contains("items.weight"));
    EXPECT_EQ(config["tensors"]["items.weight"]["shape"], (std::vector<int64_t>{kExportItems + 1, 8}));
    ASSERT_EQ(config["item_ids"].size(), static_cast<size_t>(kExportItems));
    EXPECT_EQ(config["item_ids"][0], "101");
    EXPECT_EQ(config["item_titles"][0], "Star, \"Wars\" (1977)");
    EXPECT_EQ(config["metadata"]["run_id"], run);
    EXPECT_EQ(config["metadata"]["lambda"], "inf");
    EXPECT_TRUE(config["metadata"]["metrics"]["test"].contains("ndcg@10"));
}

TEST(SafetensorsExport, ClosedFormScoreTablesRankAsTiltbenchDoes) {
    TempDir tmp;
    Workspace ws(tmp.file("ws.sqlite"), OpenMode::CreateIfMissing);
    addRingDataset(ws, "ints", true);
    ClosedFormRunConfig c;
    c.dataset = "ints";
    c.model = PolicyKind::Markov;
    c.scheme = WeightScheme::exp(0.5);
    c.bootstrapResamples = 0;
    const int64_t markovRun = runClosedForm(ws, c).runId;
    c.model = PolicyKind::Popularity;
    const int64_t popRun = runClosedForm(ws, c).runId;

    const ExportResult res = exportTo(ws, markovRun, tmp.file("markov.st"));
    EXPECT_EQ(res.files,
              (std::vector<std::string>{tmp.file("markov.st"), tmp.file("markov.st.config.json")}));
    exportTo(ws, popRun, tmp.file("pop.safetensors"));

    // The reference policies, fitted here from the public API.
    const InteractionLog log = ws.loadLog(ws.datasetByName("ints").id);
    const Split split = Split::make(log);
    const PolicyData data = PolicyData::build(viewOf(split.training(), split.numItems()));
    const MarkovPolicy markov(data.transitions, *data.levels, c.scheme);
    const PopularityPolicy pop(*data.levels, c.scheme);

    // markov: log_popularity value by value; the CSR arrays through the dense table log π(j | i) they give,
    // and the top-10 lists they rank (against recommendForUser).
    std::vector<double> logPop;
    ojson dense = ojson::array();
    for (int32_t j = 0; j < kExportItems; ++j)
        logPop.push_back(markov.logProbability(-1, j));
    for (int32_t i = 0; i < kExportItems; ++i) {
        ojson row = ojson::array();
        for (int32_t j = 0; j < kExportItems; ++j)
            row.push_back(number(markov.logProbability(i, j)));
        dense.push_back(row);
    }
    ojson users = ojson::array();
    for (int32_t u = 0; u < kExportUsers; ++u) {
        ojson top = ojson::array();
        for (const auto& r : recommendForUser(ws, markovRun, log.userIds[static_cast<size_t>(u)], 10))
            top.push_back(std::find(log.itemIds.begin(), log.itemIds.end(), r.item) - log.itemIds.begin());
        users.push_back({{"history", userHistory(log, u)}, {"top", top}});
    }
    const ojson header = readHeader(tmp.file("markov.st"));
    EXPECT_EQ(header["indptr"]["dtype"], "I64");
    EXPECT_EQ(header["indptr"]["shape"], (std::vector<int64_t>{kExportItems + 1}));
    EXPECT_EQ(header["values"]["dtype"], "F64");
    runReader(tmp, {{"file", tmp.file("markov.st")},
                    {"names", {"log_popularity", "row_base", "indptr", "indices", "values"}},
                    {"tensors", {{"log_popularity", tensorJson("F64", {kExportItems}, logPop)}}},
                    {"metadata", {{"model_type", "markov"}}},
                    {"markov", {{"dense", dense}, {"users", users}}}});

    // popularity: the log-probabilities and the exact scores Tiltbench ranks by.
    runReader(tmp, {{"file", tmp.file("pop.safetensors")},
                    {"names", {"log_probability", "score"}},
                    {"tensors",
                     {{"log_probability", tensorJson("F64", {kExportItems}, pop.logProbabilities())},
                      {"score", tensorJson("F32", {kExportItems}, scoresAfter(pop, {}))}}},
                    {"metadata", {{"model_type", "popularity"}}}});
    const json config = json::parse(readFile(tmp.file("pop.config.json")));
    EXPECT_EQ(config["model_type"], "popularity");
    EXPECT_TRUE(config["scoring"].contains("score"));
}
