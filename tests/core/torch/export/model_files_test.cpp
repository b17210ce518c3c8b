// Model files and model state inside workspaces never run code (issue 13, section 1), and a TorchScript
// export onto a full disk is a clean error (section 7):
//  - checkpoints (checkpoints.blob) and training states (run_train_states.model / .optimizer) are tensor
//    archives; an old-format blob (a torch archive written by torch::serialize::OutputArchive, as the test
//    writes it itself) still loads, gives identical scores and resumes exactly;
//  - a hostile blob (a torch archive whose __setstate__ creates a file, built in Python at test time) in
//    either table is refused by eval, export, recommend --run and --resume, naming the run and the table,
//    and the file is never created — while plain torch::jit::load of the same kind of blob does create it;
//  - `recommend --model` scores a safetensors export with Tiltbench's own model code;
//  - an export that hits the file-size limit exits 1 with "cannot write", leaving no temporary file.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/serialization/import.h>
#include <torch/optim/adam.h>
#include <torch/serialize/output-archive.h>

#include <dirent.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/tensor_archive.h"
#include "export_fixture.h"
#include "store/run_store.h"
#include "torch/export/export.h"
#include "torch/model/sasrec.h"
#include "torch/model/sasrec_module.h"
#include "torch/train/run_evaluation.h"
#include "torch/train/sasrec_train_state.h"

using namespace tiltbench;
using namespace tiltbench::test;

namespace {

std::string readBlob(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_stmt* q = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        out.assign(static_cast<const char*>(sqlite3_column_blob(q, 0)),
                   static_cast<size_t>(sqlite3_column_bytes(q, 0)));
    else
        ADD_FAILURE() << "no row for " << sql << ": " << sqlite3_errmsg(db);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return out;
}

// Runs `sql` with `bytes` bound to its one parameter, through a second connection.
void writeBlob(const std::string& path, const std::string& sql, const std::string& bytes) {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* q = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_bind_blob(q, 1, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(q), SQLITE_DONE) << sqlite3_errmsg(db);
    EXPECT_EQ(sqlite3_changes(db), 1) << sql;
    sqlite3_finalize(q);
    sqlite3_close(db);
}

// The old format, written the way Tiltbench wrote it before: torch::serialize::OutputArchive.
std::string legacyModelBytes(const SasrecModel& model) {
    torch::serialize::OutputArchive archive;
    model.impl().module->save(archive);
    std::ostringstream os;
    archive.save_to(os);
    return os.str();
}

std::string legacyOptimizerBytes(torch::optim::Adam& optimizer) {
    torch::serialize::OutputArchive archive;
    optimizer.save(archive);
    std::ostringstream os;
    archive.save_to(os);
    return os.str();
}

std::vector<float> scoresOf(const SasrecModel& model, const std::vector<int32_t>& history) {
    SasrecScorer scorer(model);
    return scoresAfter(scorer, history);
}

void expectRefusal(const std::function<void()>& call, const std::string& where) {
    try {
        call();
        ADD_FAILURE() << "accepted a hostile blob in " << where;
    } catch (const Error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(where), std::string::npos) << message;
        EXPECT_NE(message.find("refused"), std::string::npos) << message;
    }
}

std::vector<std::string> filesIn(const std::string& dir) {
    std::vector<std::string> out;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (const dirent* e = ::readdir(d)) {
            const std::string name = e->d_name;
            if (name != "." && name != "..")
                out.push_back(name);
        }
        ::closedir(d);
    }
    return out;
}

struct Fixture {
    TempDir tmp;
    std::string path = tmp.file("ws.sqlite");
    std::unique_ptr<Workspace> ws = std::make_unique<Workspace>(path, OpenMode::CreateIfMissing);
    Fixture() { addRingDataset(*ws, "ring", false); }
    // A run cancelled during its second epoch: a checkpoint and a training state after epoch 1.
    int64_t cancelledRun(SasrecRunConfig c) {
        EXPECT_THROW(runSasrec(*ws, c,
                               [](const TrainProgress& p) {
                                   return !(p.epoch == 2 && p.stage == "training" && p.step == 1);
                               }),
                     Cancelled);
        return RunStore(*ws).runs().back().id;
    }
};

}  // namespace

TEST(ModelFiles, CheckpointsAndTrainStatesAreTensorArchives) {
    Fixture f;
    SasrecRunConfig c = tinySasrec("ring");
    c.epochs = 3;
    const int64_t run = f.cancelledRun(c);
    const std::string where = " WHERE run_id = " + std::to_string(run);
    const std::string checkpoint = readBlob(f.path, "SELECT blob FROM checkpoints" + where);
    const std::string model = readBlob(f.path, "SELECT model FROM run_train_states" + where);
    const std::string optimizer = readBlob(f.path, "SELECT optimizer FROM run_train_states" + where);
    for (const std::string* blob : {&checkpoint, &model, &optimizer}) {
        ASSERT_TRUE(looksLikeTensorArchive(*blob));
        EXPECT_FALSE(SasrecModel::isLegacyState(*blob));
    }
    const TensorArchive m = decodeTensorArchive(model, "model");
    ASSERT_NE(m.find("items.weight"), nullptr);
    EXPECT_EQ(m.find("items.weight")->shape, (std::vector<int64_t>{kExportItems + 1, c.dim}));
    EXPECT_NE(m.find("blocks.1.qkv.bias"), nullptr);
    const TensorArchive o = decodeTensorArchive(optimizer, "optimizer");
    const ArchiveTensor* step = o.find("items.weight/step");
    ASSERT_NE(step, nullptr);
    int64_t steps = 0;
    copyTensorData(*step, &steps);
    const auto loop = nlohmann::json::parse(readBlob(f.path, "SELECT state FROM run_train_states" + where));
    EXPECT_EQ(steps, loop.at("steps_done").get<int64_t>());  // Adam's step count: one per batch of epoch 1
    EXPECT_GT(steps, 0);
    EXPECT_NE(o.find("items.weight/exp_avg"), nullptr);
    EXPECT_NE(o.find("items.weight/exp_avg_sq"), nullptr);
    // A state of another shape is refused naming the tensor, and leaves the model as it was.
    SasrecConfig other;
    other.numItems = kExportItems;
    other.dim = c.dim * 2;
    other.blocks = c.blocks;
    other.heads = c.heads;
    other.maxLen = c.maxLen;
    SasrecModel wrong(other, "cpu");
    const std::string before = wrong.saveState();
    try {
        wrong.loadState(checkpoint, "run 9: checkpoints.blob");
        ADD_FAILURE() << "a checkpoint of another shape was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("run 9: checkpoints.blob"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("tensor '"), std::string::npos) << e.what();
    }
    EXPECT_EQ(wrong.saveState(), before);
}

TEST(ModelFiles, ALegacyCheckpointLoadsWithIdenticalScores) {
    Fixture f;
    const int64_t run = runSasrec(*f.ws, tinySasrec("ring")).runId;
    const SasrecModel original = loadSasrecCheckpoint(*f.ws, run, "cpu");
    const std::string legacy = legacyModelBytes(original);
    ASSERT_TRUE(SasrecModel::isLegacyState(legacy));
    writeBlob(f.path, "UPDATE checkpoints SET blob = ? WHERE run_id = " + std::to_string(run), legacy);
    const SasrecModel migrated = loadSasrecCheckpoint(*f.ws, run, "cpu");
    const InteractionLog log = f.ws->loadLog(f.ws->datasetByName("ring").id);
    for (int32_t u = 0; u < kExportUsers; u += 5) {
        const auto h = userHistory(log, u);
        EXPECT_EQ(scoresOf(migrated, h), scoresOf(original, h)) << "user " << u;
    }
    // And through the commands' paths: export and recommend --run read it too.
    const auto top = recommendForUser(*f.ws, run, "user3", 5);
    ASSERT_EQ(top.size(), 5u);
    ExportRequest r;
    r.runId = run;
    r.format = ExportFormat::Safetensors;
    r.outPath = f.tmp.file("legacy.safetensors");
    EXPECT_NO_THROW(exportRun(*f.ws, r));
}

TEST(ModelFiles, ALegacyTrainStateResumesExactly) {
    Fixture f;
    SasrecRunConfig c = tinySasrec("ring");
    c.epochs = 3;
    const SasrecRunResult whole = runSasrec(*f.ws, c);
    const int64_t run = f.cancelledRun(c);
    // Rewrite the saved state (model, Adam, best checkpoint) in the old format.
    const std::string where = " WHERE run_id = " + std::to_string(run);
    SasrecConfig mc;
    mc.numItems = kExportItems;
    mc.dim = c.dim;
    mc.blocks = c.blocks;
    mc.heads = c.heads;
    mc.maxLen = c.maxLen;
    mc.dropout = c.dropout;
    SasrecModel model(mc, "cpu");
    model.loadState(readBlob(f.path, "SELECT model FROM run_train_states" + where));
    torch::optim::Adam adam(model.impl().module->parameters(), torch::optim::AdamOptions(c.lr));
    loadOptimizer(adam, model, readBlob(f.path, "SELECT optimizer FROM run_train_states" + where), "test");
    SasrecModel best(mc, "cpu");
    best.loadState(readBlob(f.path, "SELECT blob FROM checkpoints" + where));
    writeBlob(f.path, "UPDATE run_train_states SET model = ?" + where, legacyModelBytes(model));
    writeBlob(f.path, "UPDATE run_train_states SET optimizer = ?" + where, legacyOptimizerBytes(adam));
    writeBlob(f.path, "UPDATE checkpoints SET blob = ?" + where, legacyModelBytes(best));

    const SasrecRunResult resumed = resumeSasrec(*f.ws, run);
    ASSERT_EQ(resumed.epochs.size(), whole.epochs.size());
    for (size_t e = 0; e < whole.epochs.size(); ++e)
        EXPECT_EQ(resumed.epochs[e].trainLoss, whole.epochs[e].trainLoss) << "epoch " << e + 1;
    EXPECT_EQ(resumed.test.values(), whole.test.values());
}

TEST(ModelFiles, HostileBlobsInAWorkspaceAreRefusedBeforeAnyCodeRuns) {
    if (torchPython().empty())
        GTEST_SKIP() << "no python3 that can `import torch` (Debian's python3-torch, installed by "
                        "packaging/install-deps.sh): the hostile blobs are built with it";
    Fixture f;
    const std::string control = f.tmp.file("control-marker"), marker = f.tmp.file("marker");
    const std::string controlBlob = f.tmp.file("control.bin"), blobPath = f.tmp.file("hostile.bin");
    ASSERT_EQ(runProcess({torchPython(), supportScript("hostile_models.py"), "blob", controlBlob, control})
                  .exitCode,
              0);
    ASSERT_EQ(
        runProcess({torchPython(), supportScript("hostile_models.py"), "blob", blobPath, marker}).exitCode,
        0);
    // The blob is hostile: the loader the workspaces used to go through runs its __setstate__.
    torch::jit::load(controlBlob);
    ASSERT_TRUE(pathExists(control)) << "the control blob did not run its code: the test would prove nothing";
    const std::string hostile = readFile(blobPath);

    SasrecRunConfig c = tinySasrec("ring");
    const int64_t done = runSasrec(*f.ws, c).runId;
    c.epochs = 3;
    const int64_t stopped = f.cancelledRun(c);
    const std::string doneWhere = " WHERE run_id = " + std::to_string(done);
    const std::string stoppedWhere = " WHERE run_id = " + std::to_string(stopped);

    writeBlob(f.path, "UPDATE checkpoints SET blob = ?" + doneWhere, hostile);
    const std::string table = fmt::format("run {}: checkpoints.blob", done);
    expectRefusal([&] { reevaluateRun(*f.ws, done); }, table);  // eval
    const std::string out = f.tmp.file("out.pt");
    ExportRequest r;
    r.runId = done;
    r.outPath = out;
    expectRefusal([&] { exportRun(*f.ws, r); }, table);                        // export
    expectRefusal([&] { recommendForUser(*f.ws, done, "user1", 5); }, table);  // recommend --run
    EXPECT_FALSE(pathExists(out));
    // The same through the CLI: exit 1 with the message.
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"eval", "-w", f.path, "--run", std::to_string(done)},
          std::vector<std::string>{"export", "-w", f.path, "--run", std::to_string(done), "-f", "safetensors",
                                   "-o", f.tmp.file("cli.safetensors")}}) {
        const ProcessResult p = runCli(args);
        EXPECT_EQ(p.exitCode, 1) << args[0] << ": " << p.err;
        EXPECT_NE(p.err.find(table + ": refused"), std::string::npos) << p.err;
    }
    EXPECT_FALSE(pathExists(f.tmp.file("cli.safetensors")));

    // --resume reads all three.
    const std::string model = readBlob(f.path, "SELECT model FROM run_train_states" + stoppedWhere);
    const std::string optimizer = readBlob(f.path, "SELECT optimizer FROM run_train_states" + stoppedWhere);
    writeBlob(f.path, "UPDATE run_train_states SET model = ?" + stoppedWhere, hostile);
    expectRefusal([&] { resumeSasrec(*f.ws, stopped); },
                  fmt::format("run {}: run_train_states.model", stopped));
    writeBlob(f.path, "UPDATE run_train_states SET model = ?" + stoppedWhere, model);
    writeBlob(f.path, "UPDATE run_train_states SET optimizer = ?" + stoppedWhere, hostile);
    expectRefusal([&] { resumeSasrec(*f.ws, stopped); },
                  fmt::format("run {}: run_train_states.optimizer", stopped));
    writeBlob(f.path, "UPDATE run_train_states SET optimizer = ?" + stoppedWhere, optimizer);
    writeBlob(f.path, "UPDATE checkpoints SET blob = ?" + stoppedWhere, hostile);
    expectRefusal([&] { resumeSasrec(*f.ws, stopped); }, fmt::format("run {}: checkpoints.blob", stopped));

    EXPECT_FALSE(pathExists(marker)) << "a hostile blob ran its code";
}

TEST(ModelFiles, RecommendScoresASafetensorsExportWithTiltbenchsOwnModel) {
    Fixture f;
    const int64_t run = runSasrec(*f.ws, tinySasrec("ring")).runId;
    ExportRequest r;
    r.runId = run;
    r.format = ExportFormat::Safetensors;
    r.outPath = f.tmp.file("model.safetensors");
    exportRun(*f.ws, r);
    std::vector<std::string> history;
    const auto expected = recommendForUser(*f.ws, run, "user4", 7, "cpu", &history);
    const auto got = recommendFromModelFile(r.outPath, history, 7);
    ASSERT_EQ(got.size(), expected.size());
    for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].item, expected[i].item) << "rank " << i + 1;
        EXPECT_FLOAT_EQ(static_cast<float>(got[i].score), static_cast<float>(expected[i].score));
        EXPECT_EQ(got[i].title, expected[i].title);
    }
    // The same through the CLI, and --trust-model only goes with --model.
    std::string joined;
    for (const auto& h : history)
        joined += (joined.empty() ? "" : ",") + h;
    const ProcessResult cli =
        runCli({"recommend", "--model", r.outPath, "--history", joined, "--k", "7", "--json"});
    ASSERT_EQ(cli.exitCode, 0) << cli.err;
    const auto json = nlohmann::json::parse(cli.out);
    ASSERT_EQ(json.at("items").size(), expected.size());
    EXPECT_EQ(json.at("items")[0].at("item"), expected[0].item);
    const ProcessResult misplaced =
        runCli({"recommend", "--trust-model", "-w", f.path, "--run", "1", "--user", "u"});
    EXPECT_EQ(misplaced.exitCode, 1);
    EXPECT_NE(misplaced.err.find("--trust-model goes with --model"), std::string::npos) << misplaced.err;
    // A config that does not match the weights is refused before a model is built.
    const std::string config = safetensorsConfigPath(r.outPath);
    std::string text = readFile(config);
    const std::string dim = "\"dim\": " + std::to_string(tinySasrec("ring").dim);
    ASSERT_NE(text.find(dim), std::string::npos);
    text.replace(text.find(dim), dim.size(), "\"dim\": 4096");
    writeFile(config, text);
    EXPECT_THROW(recommendFromModelFile(r.outPath, history, 7), Error);
}

// Section 7: the TorchScript export used to end in std::terminate (rc 134) when the disk filled up, because
// PyTorchStreamWriter's destructor threw, and left its temporary file. A file-size limit (RLIMIT_FSIZE,
// SIGXFSZ ignored) makes the write fail deterministically at a chosen size.
TEST(ModelFiles, ATorchScriptExportOntoAFullDiskIsACleanError) {
    Fixture f;
    SasrecRunConfig c = tinySasrec("ring");
    c.dim = 32;  // an export of ~70 KB: over the 48 KB limit below, while SQLite's 32 KB -shm fits
    c.blocks = 1;
    c.heads = 1;
    c.epochs = 1;
    const int64_t run = runSasrec(*f.ws, c).runId;
    f.ws.reset();
    const std::string dir = f.tmp.file("out");
    ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
    const ProcessResult p = runProcess(
        {"/bin/bash", "-c",
         "trap '' XFSZ; ulimit -f 48; exec \"$0\" export -w \"$1\" --run \"$2\" -f torchscript -o \"$3\"",
         cliPath(), f.path, std::to_string(run), dir + "/model.pt"});
    EXPECT_EQ(p.exitCode, 1) << p.err;  // was 134: std::terminate
    EXPECT_NE(p.err.find("cannot write '" + dir + "/model.pt': File too large"), std::string::npos) << p.err;
    EXPECT_TRUE(filesIn(dir).empty()) << "left " << filesIn(dir).front();
    // Without the limit the same export succeeds, so the limit is what failed it.
    const ProcessResult ok = runCli(
        {"export", "-w", f.path, "--run", std::to_string(run), "-f", "torchscript", "-o", dir + "/m.pt"});
    EXPECT_EQ(ok.exitCode, 0) << ok.err;
    struct stat st {};
    ASSERT_EQ(::stat((dir + "/m.pt").c_str(), &st), 0);
    EXPECT_GT(st.st_size, 48 * 1024);
}

// An HSTU run exports as SASRec does: its TorchScript file (its code checked against the HSTU exporter's) and
// its safetensors files give the run's own top-k for a user's history and timestamps, through the library
// and through `recommend --model … --times`; timestamps for a SASRec export are refused by name.
TEST(ModelFiles, AnHstuRunsExportsGiveItsTopKWithTheHistorysTimes) {
    Fixture f;
    SasrecRunConfig c = tinySasrec("ring");
    c.model = "hstu";
    const int64_t run = runSasrec(*f.ws, c).runId;
    std::vector<std::string> history;
    const auto expected = recommendForUser(*f.ws, run, "user4", 7, "cpu", &history);
    const InteractionLog log = f.ws->loadLog(f.ws->datasetByName("ring").id);
    const int32_t user = static_cast<int32_t>(std::find(log.userIds.begin(), log.userIds.end(), "user4") -
                                              log.userIds.begin());
    const std::vector<int64_t> times(log.ts.begin() + log.userOffsets[static_cast<size_t>(user)],
                                     log.ts.begin() + log.userOffsets[static_cast<size_t>(user) + 1]);
    ASSERT_EQ(times.size(), history.size());
    for (const auto& [format, name] : {std::pair{ExportFormat::TorchScript, "model.pt"},
                                       std::pair{ExportFormat::Safetensors, "model.safetensors"}}) {
        ExportRequest r;
        r.runId = run;
        r.format = format;
        r.outPath = f.tmp.file(name);
        EXPECT_EQ(exportRun(*f.ws, r).model, "hstu");
        const auto got = recommendFromModelFile(r.outPath, history, 7, false, times);
        ASSERT_EQ(got.size(), expected.size()) << name;
        for (size_t i = 0; i < got.size(); ++i) {
            EXPECT_EQ(got[i].item, expected[i].item) << name << ", rank " << i + 1;
            EXPECT_NEAR(got[i].score, expected[i].score, 1e-4) << name << ", rank " << i + 1;
        }
        std::string joinedHistory, joinedTimes;
        for (size_t i = 0; i < history.size(); ++i) {
            joinedHistory += (i ? "," : "") + history[i];
            joinedTimes += (i ? "," : "") + std::to_string(times[i]);
        }
        const ProcessResult cli = runCli({"recommend", "--model", r.outPath, "--history", joinedHistory,
                                          "--times", joinedTimes, "--k", "7", "--json"});
        ASSERT_EQ(cli.exitCode, 0) << cli.err;
        EXPECT_EQ(nlohmann::json::parse(cli.out).at("items")[0].at("item"), expected[0].item) << name;
        EXPECT_THROW(recommendFromModelFile(r.outPath, history, 7, false, {1, 2}), Error) << name;
    }
    const int64_t sasrecRun = runSasrec(*f.ws, tinySasrec("ring")).runId;
    for (const auto& [format, name] : {std::pair{ExportFormat::TorchScript, "sasrec.pt"},
                                       std::pair{ExportFormat::Safetensors, "sasrec.safetensors"}}) {
        ExportRequest r;
        r.runId = sasrecRun;
        r.format = format;
        r.outPath = f.tmp.file(name);
        exportRun(*f.ws, r);
        try {
            recommendFromModelFile(r.outPath, history, 7, false, times);
            ADD_FAILURE() << "expected an error";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("--times is read by HSTU exports"), std::string::npos)
                << e.what();
        }
    }
}

// HSTU's own hostile inputs: a TorchScript export whose relative-bias tables do not match its max_len and
// time buckets, a safetensors config that describes another architecture than its tensors, and a run whose
// record and config disagree on the backbone — each refused by name before a score is computed.
TEST(ModelFiles, HostileHstuFilesAndRunsAreRefusedNamingWhatIsWrong) {
    Fixture f;
    SasrecRunConfig c = tinySasrec("ring");
    c.model = "hstu";
    const int64_t run = runSasrec(*f.ws, c).runId;
    ExportRequest ts;
    ts.runId = run;
    ts.format = ExportFormat::TorchScript;
    ts.outPath = f.tmp.file("hstu.pt");
    exportRun(*f.ws, ts);
    ExportRequest st = ts;
    st.format = ExportFormat::Safetensors;
    st.outPath = f.tmp.file("hstu.safetensors");
    exportRun(*f.ws, st);
    const std::vector<std::string> history{"i1", "i2"};
    ASSERT_FALSE(recommendFromModelFile(ts.outPath, history, 3).empty());
    ASSERT_FALSE(recommendFromModelFile(st.outPath, history, 3).empty());
    const auto refusal = [&](const std::string& path) {
        try {
            recommendFromModelFile(path, history, 3);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };

    if (torchPython().empty())
        GTEST_SKIP() << "python3 with torch (Debian: python3-torch) is needed to graft crafted tensors";
    // TorchScript: the exporter's code records over tensors with re-shaped bias tables (a module saved again
    // re-prints its code, so the re-shaped module's data is grafted onto the export's own code records).
    const auto crafted = [&](const std::string& name, const std::function<void(torch::jit::Module&)>& edit) {
        torch::jit::Module m = torch::jit::load(ts.outPath);
        edit(m);
        const std::string resaved = f.tmp.file(name + "_resaved.pt"), out = f.tmp.file(name + ".pt");
        m.save(resaved);
        const auto graft = runProcess(
            {torchPython(), supportScript("hostile_models.py"), "graft", ts.outPath, resaved, out});
        EXPECT_EQ(graft.exitCode, 0) << graft.err;
        return out;
    };
    // The control: the export's own tensors grafted back still score (the graft itself is harmless).
    EXPECT_FALSE(recommendFromModelFile(crafted("control", [](torch::jit::Module&) {}), history, 3).empty());
    for (const auto& [name, rows] : {std::pair{"pos_bias", c.maxLen + 3}, std::pair{"time_bias", 64}}) {
        const std::string path =
            crafted(name, [&, n = std::string(name), r = int64_t{rows}](torch::jit::Module& m) {
                const at::Tensor old = m.attr(n).toTensor();
                m.register_parameter(n, torch::zeros({old.size(0), r}), false);
            });
        const std::string e = refusal(path);
        EXPECT_NE(e.find(std::string("'") + name + "'"), std::string::npos) << name << ": " << e;
    }
    const std::string e =
        refusal(crafted("buckets", [](torch::jit::Module& m) { m.setattr("time_buckets", int64_t{64}); }));
    EXPECT_NE(e.find("'time_buckets'"), std::string::npos) << e;

    // safetensors: a config that says 3 blocks (or SASRec) over HSTU's 2 blocks of tensors.
    const std::string configPath = f.tmp.file("hstu.config.json");
    const std::string configText = readFile(configPath);
    for (const auto& [key, value] : {std::pair<std::string, nlohmann::json>{"/architecture/blocks", 3},
                                     std::pair<std::string, nlohmann::json>{"/model_type", "sasrec"}}) {
        nlohmann::json cfg = nlohmann::json::parse(configText);
        const nlohmann::json::json_pointer at(key);
        ASSERT_TRUE(cfg.contains(at)) << key;
        cfg[at] = value;
        writeFile(configPath, cfg.dump());
        const std::string e = refusal(st.outPath);
        EXPECT_NE(e.find("tensor"), std::string::npos) << key << ": " << e;
    }
    writeFile(configPath, configText);

    // A run recorded as SASRec whose config describes HSTU: no checkpoint load, no export, no resume.
    f.ws.reset();
    execSql(f.path, "UPDATE runs SET model = 'sasrec' WHERE id = " + std::to_string(run));
    f.ws = std::make_unique<Workspace>(f.path, OpenMode::OpenExisting);
    EXPECT_THROW(
        {
            try {
                loadSasrecCheckpoint(*f.ws, run);
            } catch (const Error& e) {
                EXPECT_NE(
                    std::string(e.what()).find("is recorded as 'sasrec' but its config describes a 'hstu'"),
                    std::string::npos)
                    << e.what();
                throw;
            }
        },
        Error);
    ExportRequest again = ts;
    again.outPath = f.tmp.file("again.pt");
    EXPECT_THROW(exportRun(*f.ws, again), Error);
    EXPECT_FALSE(pathExists(again.outPath));
}
