// End-to-end tests of tiltbench-cli: run the built executable as a child process, check exit codes, JSON
// output and that errors leave the workspace as it was.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "common/error.h"
#include "store/run_store.h"
#include "support/cli_json.h"
#include "support/test_support.h"

using nlohmann::json;
using tiltbench::test::parseJson;
using tiltbench::test::pathExists;
using tiltbench::test::TempDir;
using tiltbench::test::writeFile;

// A namespace of its own: the suite compiles in unity batches (tests/CMakeLists.txt).
namespace cli_test_file {

namespace {

constexpr auto cli = &tiltbench::test::runCli;

}  // namespace

TEST(Cli, VersionAndHelp) {
    auto r = cli({"--version"});
    EXPECT_EQ(r.exitCode, 0);
    EXPECT_NE(r.out.find('.'), std::string::npos);
    for (const char* sub : {"import", "generate", "datasets", "info"}) {
        auto h = cli({sub, "--help"});
        EXPECT_EQ(h.exitCode, 0) << sub;
        EXPECT_NE(h.out.find("--workspace"), std::string::npos) << sub;
        EXPECT_NE(h.out.find("--json"), std::string::npos) << sub;
    }
    EXPECT_NE(cli({}).exitCode, 0);  // a subcommand is required
}

TEST(Cli, MissingWorkspaceIsAnErrorAndNotCreated) {
    TempDir tmp;
    const auto ws = tmp.file("none.sqlite");
    auto r = cli({"datasets", "--workspace", ws});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("none.sqlite"), std::string::npos) << r.err;
    EXPECT_FALSE(pathExists(ws));
    auto j = cli({"info", "--workspace", ws, "--dataset", "x", "--json"});
    EXPECT_EQ(j.exitCode, 1);
    EXPECT_TRUE(json::parse(j.out).contains("error"));
}

TEST(Cli, ImportCsvThenListAndInfo) {
    TempDir tmp;
    const auto ws = tmp.file("ws.sqlite");
    const auto file = tmp.file("log.csv");
    writeFile(file, "user,item,rating,ts\nu1,a,5,100\nu1,b,3,200\nu2,a,4,150\nu2,c,1,160\nu3,a,2,10\n");
    auto imp =
        parseJson(cli({"import", "--workspace", ws, "--format", "csv", "--name", "tiny", "--json", file}));
    EXPECT_EQ(imp["rows"], 5);
    EXPECT_EQ(imp["users"], 3);
    EXPECT_EQ(imp["items"], 3);
    EXPECT_DOUBLE_EQ(imp["reward_max"].get<double>(), 5.0);

    auto list = parseJson(cli({"datasets", "--workspace", ws, "--json"}));
    ASSERT_EQ(list["datasets"].size(), 1u);
    EXPECT_EQ(list["datasets"][0]["name"], "tiny");

    auto info = parseJson(cli({"info", "--workspace", ws, "--dataset", "tiny", "--json"}));
    EXPECT_EQ(info["rows"], 5);
    ASSERT_EQ(info["reward_levels"].size(), 5u);
    EXPECT_EQ(info["reward_levels"][0]["reward"], 1.0);
    EXPECT_EQ(info["reward_levels"][0]["count"], 1);
    EXPECT_EQ(info["sequence_length"]["max"], 2);

    auto text = cli({"info", "--workspace", ws, "--dataset", "tiny"});
    EXPECT_EQ(text.exitCode, 0);
    EXPECT_NE(text.out.find("rows 5"), std::string::npos) << text.out;

    // The same name again is refused and changes nothing.
    auto again = cli({"import", "--workspace", ws, "--format", "csv", "--name", "tiny", file});
    EXPECT_EQ(again.exitCode, 1);
    EXPECT_NE(again.err.find("already has a dataset named 'tiny'"), std::string::npos) << again.err;
}

TEST(Cli, BadRowFailsWithLineAndLeavesWorkspaceUnchanged) {
    TempDir tmp;
    const auto ws = tmp.file("ws.sqlite");
    const auto good = tmp.file("good.csv"), bad = tmp.file("bad.csv");
    writeFile(good, "user,item,rating\nu1,a,5\nu2,b,3\n");
    writeFile(bad, "user,item,rating\nu1,a,5\nu2,b,oops\nu3,c,4\n");
    ASSERT_EQ(cli({"import", "-w", ws, "-f", "csv", "-n", "good", good}).exitCode, 0);
    auto r = cli({"import", "-w", ws, "-f", "csv", "-n", "bad", bad});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("bad.csv"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("line 3"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("reward"), std::string::npos) << r.err;
    auto list = parseJson(cli({"datasets", "-w", ws, "--json"}));
    ASSERT_EQ(list["datasets"].size(), 1u);
    EXPECT_EQ(list["datasets"][0]["name"], "good");

    // --on-error skip imports the rest and counts what it skipped.
    auto skip =
        parseJson(cli({"import", "-w", ws, "-f", "csv", "-n", "bad", "--on-error", "skip", "--json", bad}));
    EXPECT_EQ(skip["rows"], 2);
    EXPECT_EQ(skip["rows_skipped"], 1);
}

TEST(Cli, UnknownFormatListsTheValidOnes) {
    TempDir tmp;
    const auto file = tmp.file("x.csv");
    writeFile(file, "1,2,3\n");
    auto r = cli({"import", "-w", tmp.file("ws.sqlite"), "-f", "parquet", "-n", "x", file});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("movielens-100k"), std::string::npos) << r.err;
}

TEST(Cli, GenerateIsSeededAndDescribed) {
    TempDir tmp;
    const auto ws = tmp.file("ws.sqlite");
    auto a = parseJson(cli({"generate", "-w", ws, "-n", "a", "--users", "50", "--items", "80",
                            "--interactions", "2000", "--seed", "7", "--json"}));
    EXPECT_EQ(a["rows"], 2000);
    EXPECT_EQ(a["users"], 50);
    EXPECT_EQ(a["has_ground_truth"], true);
    auto info = parseJson(cli({"info", "-w", ws, "-d", "a", "--json"}));
    EXPECT_GE(info["reward_min"].get<double>(), 1.0);
    EXPECT_LE(info["reward_max"].get<double>(), 5.0);
    auto bad = cli({"generate", "-w", ws, "-n", "b", "--users", "0"});
    EXPECT_EQ(bad.exitCode, 1);
    EXPECT_NE(bad.err.find("users"), std::string::npos) << bad.err;
}

TEST(Cli, TrainRecordsARunWithMetricsAndIntervals) {
    TempDir tmp;
    const auto ws = tmp.file("ws.sqlite");
    ASSERT_EQ(
        cli({"generate", "-w", ws, "-n", "sim", "--users", "60", "--items", "50", "--interactions", "1500"})
            .exitCode,
        0);
    auto r = parseJson(cli(
        {"train", "-w", ws, "-d", "sim", "-m", "markov", "--lambda", "0.5", "--bootstrap", "50", "--json"}));
    EXPECT_EQ(r["run_id"], 1);
    for (const char* split : {"valid", "test"}) {
        for (const char* m :
             {"ndcg@10", "hr@10", "ndcg_high@10", "arp@10", "coverage@10", "true_reward@10"}) {
            EXPECT_TRUE(r["metrics"][split].contains(m)) << split << " " << m;
        }
        const double v = r["metrics"][split]["ndcg@10"];
        const auto ci = r["intervals"][split]["ndcg@10"];
        EXPECT_LE(ci[0].get<double>(), v);
        EXPECT_GE(ci[1].get<double>(), v);
    }
    EXPECT_EQ(r["weighting"]["scheme"], "exp");

    // λ = inf is accepted and equals uniform weights: the same metrics as --scheme uniform.
    auto inf =
        parseJson(cli({"train", "-w", ws, "-d", "sim", "-m", "popularity", "--lambda", "inf", "--json"}));
    auto uni =
        parseJson(cli({"train", "-w", ws, "-d", "sim", "-m", "popularity", "--scheme", "uniform", "--json"}));
    EXPECT_EQ(inf["metrics"]["test"], uni["metrics"]["test"]);

    auto runs = parseJson(cli({"runs", "-w", ws, "--json"}));
    ASSERT_EQ(runs["runs"].size(), 3u);
    EXPECT_EQ(runs["runs"][0]["status"], "done");
    EXPECT_EQ(runs["runs"][0]["model"], "markov");
    EXPECT_DOUBLE_EQ(runs["runs"][0]["metrics"]["test"]["ndcg@10"].get<double>(),
                     r["metrics"]["test"]["ndcg@10"].get<double>());
    EXPECT_EQ(cli({"runs", "-w", ws}).exitCode, 0);

    auto bad = cli({"train", "-w", ws, "-d", "sim", "-m", "markov", "--lambda", "-1"});
    EXPECT_EQ(bad.exitCode, 1);
    EXPECT_NE(bad.err.find("lambda"), std::string::npos) << bad.err;
    EXPECT_EQ(parseJson(cli({"runs", "-w", ws, "--json"}))["runs"].size(), 3u);  // nothing recorded
    // An impossible architecture (64 dims over 3 heads) is refused before a run is recorded.
    EXPECT_EQ(cli({"train", "-w", ws, "-d", "sim", "-m", "sasrec", "--heads", "3"}).exitCode, 1);
    EXPECT_EQ(parseJson(cli({"runs", "-w", ws, "--json"}))["runs"].size(), 3u);
}

TEST(Cli, WeightsReportsEssAndLevels) {
    TempDir tmp;
    const auto ws = tmp.file("ws.sqlite");
    ASSERT_EQ(
        cli({"generate", "-w", ws, "-n", "sim", "--users", "60", "--items", "50", "--interactions", "1500"})
            .exitCode,
        0);
    auto uni = parseJson(cli({"weights", "-w", ws, "-d", "sim", "--lambda", "inf", "--json"}));
    EXPECT_DOUBLE_EQ(uni["ess_ratio"].get<double>(), 1.0);
    auto tilt = parseJson(cli({"weights", "-w", ws, "-d", "sim", "--lambda", "0.2", "--json"}));
    EXPECT_LT(tilt["ess_ratio"].get<double>(), 1.0);
    double mass = 0.0;
    for (const auto& l : tilt["levels"])
        mass += l["mass"].get<double>();
    EXPECT_NEAR(mass, 1.0, 1e-9);
    EXPECT_GT(tilt["top_level_mass"].get<double>(), uni["top_level_mass"].get<double>());
    EXPECT_EQ(cli({"weights", "-w", ws, "-d", "sim", "--lambda", "0"}).exitCode, 1);
}

TEST(Cli, EvalReproducesAClosedFormRun) {
    TempDir tmp;
    const auto ws = tmp.file("ws.sqlite");
    ASSERT_EQ(
        cli({"generate", "-w", ws, "-n", "sim", "--users", "60", "--items", "50", "--interactions", "1500"})
            .exitCode,
        0);
    auto trained = parseJson(cli(
        {"train", "-w", ws, "-d", "sim", "-m", "markov", "--lambda", "0.5", "--bootstrap", "50", "--json"}));
    auto again = parseJson(cli({"eval", "-w", ws, "--run", "1", "--json"}));
    EXPECT_EQ(again["run_id"], 1);
    EXPECT_EQ(again["model"], "markov");
    EXPECT_EQ(again["weighting"], trained["weighting"]);
    EXPECT_DOUBLE_EQ(again["metrics"]["test"]["ndcg@10"].get<double>(),
                     trained["metrics"]["test"]["ndcg@10"].get<double>());
    EXPECT_EQ(again["metrics"], trained["metrics"]);
    EXPECT_EQ(again["intervals"], trained["intervals"]);
    auto text = cli({"eval", "-w", ws, "--run", "1"});
    EXPECT_EQ(text.exitCode, 0) << text.err;
    EXPECT_NE(text.out.find("ndcg@10"), std::string::npos) << text.out;
    // Evaluating changes nothing: still one run.
    EXPECT_EQ(parseJson(cli({"runs", "-w", ws, "--json"}))["runs"].size(), 1u);

    auto missing = cli({"eval", "-w", ws, "--run", "9"});
    EXPECT_EQ(missing.exitCode, 1);
    EXPECT_NE(missing.err.find("no run 9"), std::string::npos) << missing.err;
}

// Both backbones: HSTU's re-evaluation reads the logged timestamps as its training did.
TEST(Cli, EvalReproducesASasrecRunFromItsCheckpoint) {
    TempDir tmp;
    const auto ws = tmp.file("ws.sqlite");
    ASSERT_EQ(
        cli({"generate", "-w", ws, "-n", "sim", "--users", "30", "--items", "25", "--interactions", "450"})
            .exitCode,
        0);
    for (const std::string model : {"sasrec", "hstu"}) {
        auto trained = parseJson(
            cli({"train", "-w",           ws,   "-d",          "sim", "-m",       model, "--lambda",
                 "1",     "--dim",        "16", "--blocks",    "1",   "--epochs", "2",   "--max-len",
                 "20",    "--batch-size", "8",  "--bootstrap", "20",  "--device", "cpu", "--threads",
                 "1",     "--json"}));
        EXPECT_EQ(trained["model"], model);
        const int64_t id = trained["run_id"];
        auto again = parseJson(cli({"eval", "-w", ws, "--run", std::to_string(id), "--json"}));
        EXPECT_EQ(again["model"], model);
        EXPECT_EQ(again["checkpoint_epoch"], trained["best_epoch"]);
        for (const char* split : {"valid", "test"}) {
            for (const auto& [name, value] : trained["metrics"][split].items()) {
                ASSERT_TRUE(again["metrics"][split].contains(name)) << split << " " << name;
                EXPECT_NEAR(again["metrics"][split][name].get<double>(), value.get<double>(), 1e-9)
                    << split << " " << name;
            }
        }
        EXPECT_EQ(again["intervals"]["test"].size(), trained["intervals"]["test"].size());
    }
}

TEST(Cli, SweepTrainsEveryWeightingAndRecordsEachRun) {
    TempDir tmp;
    const auto ws = tmp.file("ws.sqlite");
    ASSERT_EQ(
        cli({"generate", "-w", ws, "-n", "sim", "--users", "60", "--items", "50", "--interactions", "1500"})
            .exitCode,
        0);
    auto sweep = parseJson(cli({"sweep", "-w", ws, "-d", "sim", "-m", "popularity", "--lambdas", "inf,1,0.5",
                                "--schemes", "exp,linear", "--bootstrap", "0", "--json"}));
    ASSERT_EQ(sweep["runs"].size(), 4u);  // linear takes no lambda: once
    EXPECT_EQ(sweep["stopped"], false);
    EXPECT_EQ(sweep["runs"][0]["lambda"], "inf");
    EXPECT_EQ(sweep["runs"][2]["lambda"], "0.5");
    EXPECT_EQ(sweep["runs"][3]["scheme"], "linear");
    EXPECT_TRUE(sweep["runs"][3]["lambda"].is_null());
    for (const auto& r : sweep["runs"]) {
        for (const char* m :
             {"ndcg@10", "ndcg_high@10", "item_mean_reward@10", "true_reward@10", "arp@10", "coverage@10"})
            EXPECT_TRUE(r["metrics"]["test"].contains(m)) << m;
    }
    // Each sweep run is an ordinary recorded run: the same figures as `train` at that weighting.
    auto single = parseJson(cli({"train", "-w", ws, "-d", "sim", "-m", "popularity", "--lambda", "0.5",
                                 "--bootstrap", "0", "--json"}));
    EXPECT_EQ(single["metrics"]["test"], sweep["runs"][2]["metrics"]["test"]);
    auto runs = parseJson(cli({"runs", "-w", ws, "--json"}));
    ASSERT_EQ(runs["runs"].size(), 5u);
    for (const auto& r : runs["runs"])
        EXPECT_EQ(r["status"], "done");

    auto text =
        cli({"sweep", "-w", ws, "-d", "sim", "-m", "markov", "--lambdas", "2,0.25", "--bootstrap", "0"});
    EXPECT_EQ(text.exitCode, 0) << text.err;
    for (const char* column : {"lambda", "ndcg_high@10", "item_mean_rwd@10", "true_reward@10", "arp@10"})
        EXPECT_NE(text.out.find(column), std::string::npos) << column << "\n" << text.out;
    EXPECT_NE(text.out.find("0.25"), std::string::npos) << text.out;

    // A bad lambda anywhere in the grid is refused before anything is trained.
    auto bad = cli({"sweep", "-w", ws, "-d", "sim", "-m", "popularity", "--lambdas", "1,-2"});
    EXPECT_EQ(bad.exitCode, 1);
    EXPECT_NE(bad.err.find("lambda"), std::string::npos) << bad.err;
    EXPECT_EQ(parseJson(cli({"runs", "-w", ws, "--json"}))["runs"].size(), 7u);

    // sweep takes the same training options as train.
    auto help = cli({"sweep", "--help"});
    for (const char* option : {"--epochs", "--dim", "--device", "--markov-smoothing", "--normalization"})
        EXPECT_NE(help.out.find(option), std::string::npos) << option;
}

TEST(Cli, RuntimeReportsTorchAndDevices) {
    auto j = parseJson(cli({"runtime", "--json"}));
    EXPECT_FALSE(j["torch_version"].get<std::string>().empty());
    EXPECT_EQ(j["devices"][0], "cpu");
    EXPECT_EQ(j["cuda_available"].get<bool>(), j["cuda_devices"].get<int>() > 0);
    EXPECT_GE(j["hardware_threads"].get<int>(), 1);
    auto text = cli({"runtime"});
    EXPECT_EQ(text.exitCode, 0);
    EXPECT_NE(text.out.find("LibTorch"), std::string::npos) << text.out;
}

TEST(Cli, TrainProgressJsonlStreamsTheRunItsEpochsAndTheEnd) {
    TempDir tmp;
    const auto ws = tmp.file("ws.sqlite");
    ASSERT_EQ(
        cli({"generate", "-w", ws, "-n", "sim", "--users", "30", "--items", "25", "--interactions", "450"})
            .exitCode,
        0);
    const auto stream = tmp.file("progress.jsonl");
    auto r = cli({"train",
                  "-w",
                  ws,
                  "-d",
                  "sim",
                  "-m",
                  "sasrec",
                  "--dim",
                  "8",
                  "--blocks",
                  "1",
                  "--max-len",
                  "20",
                  "--batch-size",
                  "8",
                  "--epochs",
                  "2",
                  "--patience",
                  "0",
                  "--bootstrap",
                  "20",
                  "--threads",
                  "1",
                  "--device",
                  "cpu",
                  "--json",
                  "--progress-jsonl",
                  stream});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto result = json::parse(r.out);
    std::vector<json> events;
    std::istringstream lines(tiltbench::test::readFile(stream));
    for (std::string line; std::getline(lines, line);)
        events.push_back(json::parse(line));
    ASSERT_GE(events.size(), 5u);
    // The run id first, then progress; the epochs in order; the outcome last.
    EXPECT_EQ(events.front()["event"], "run");
    EXPECT_EQ(events.front()["run_id"], result["run_id"]);
    EXPECT_EQ(events[1]["event"], "progress");
    EXPECT_EQ(events[1]["stage"], "training");
    EXPECT_EQ(events[1]["epochs"], 2);
    EXPECT_GT(events[1]["steps_per_epoch"].get<int>(), 0);
    std::vector<int> epochs;
    for (const auto& e : events) {
        if (e["event"] == "epoch") {
            epochs.push_back(e["epoch"]);
            EXPECT_TRUE(e["train_loss"].is_number());
            EXPECT_TRUE(e["valid_ndcg@10"].is_number());
            EXPECT_TRUE(e["seconds"].is_number());
        }
    }
    EXPECT_EQ(epochs, (std::vector<int>{1, 2}));
    EXPECT_DOUBLE_EQ(result["epochs"][1]["train_loss"].get<double>(), [&] {
        for (const auto& e : events)
            if (e["event"] == "epoch" && e["epoch"] == 2)
                return e["train_loss"].get<double>();
        return -1.0;
    }());
    EXPECT_EQ(events.back()["event"], "finished");
    EXPECT_EQ(events.back()["status"], "done");
    EXPECT_EQ(events.back()["epochs_done"], 2);

    // Without the option nothing machine-readable goes to stderr.
    auto plain = cli({"train", "-w", ws, "-d", "sim", "-m", "popularity", "--bootstrap", "0"});
    ASSERT_EQ(plain.exitCode, 0) << plain.err;
    EXPECT_EQ(plain.err.find("{\"event\""), std::string::npos);
    auto closed = cli({"train", "-w", ws, "-d", "sim", "-m", "markov", "--bootstrap", "0", "--json",
                       "--progress-jsonl", "stderr"});
    ASSERT_EQ(closed.exitCode, 0) << closed.err;
    EXPECT_NE(closed.err.find("\"event\":\"finished\""), std::string::npos) << closed.err;
    auto bad =
        cli({"train", "-w", ws, "-d", "sim", "-m", "markov", "--progress-jsonl", tmp.file("no/such/dir")});
    EXPECT_EQ(bad.exitCode, 1);
    EXPECT_NE(bad.err.find("--progress-jsonl"), std::string::npos) << bad.err;
}

TEST(Cli, EvalTopCountsCountEveryTestList) {
    TempDir tmp;
    const auto ws = tmp.file("ws.sqlite");
    ASSERT_EQ(
        cli({"generate", "-w", ws, "-n", "sim", "--users", "40", "--items", "30", "--interactions", "600"})
            .exitCode,
        0);
    auto trained =
        parseJson(cli({"train", "-w", ws, "-d", "sim", "-m", "markov", "--bootstrap", "0", "--json"}));
    auto j = parseJson(cli({"eval", "-w", ws, "--run", std::to_string(trained["run_id"].get<int64_t>()),
                            "--json", "--top-counts"}));
    const auto& counts = j["top_counts"];
    EXPECT_EQ(counts["split"], "test");
    EXPECT_EQ(counts["k"], 10);
    EXPECT_EQ(counts["num_items"], 30);
    ASSERT_EQ(counts["items"].size(), counts["counts"].size());
    int64_t total = 0;
    for (const auto& c : counts["counts"])
        total += c.get<int64_t>();
    // At most 10 items per test user's list (fewer where the history leaves fewer candidates).
    EXPECT_LE(total, counts["users"].get<int64_t>() * 10);
    EXPECT_GT(total, 0);
    EXPECT_FALSE(parseJson(cli({"eval", "-w", ws, "--run", "1", "--json"})).contains("top_counts"));
}

TEST(Cli, ExportTorchScriptThenRecommendFromTheFileAsFromTheRun) {
    TempDir tmp;
    const auto ws = tmp.file("ws.sqlite");
    ASSERT_EQ(
        cli({"generate", "-w", ws, "-n", "sim", "--users", "30", "--items", "25", "--interactions", "450"})
            .exitCode,
        0);
    auto trained =
        parseJson(cli({"train", "-w",       ws,    "-d",        "sim", "-m",        "sasrec", "--dim",
                       "8",     "--blocks", "1",   "--epochs",  "1",   "--max-len", "6",      "--bootstrap",
                       "0",     "--device", "cpu", "--threads", "1",   "--json"}));
    const std::string id = std::to_string(trained["run_id"].get<int64_t>());
    const auto model = tmp.file("model.pt");
    auto exported = parseJson(
        cli({"export", "-w", ws, "--run", id, "--format", "torchscript", "--out", model, "--json"}));
    EXPECT_EQ(exported["format"], "torchscript");
    EXPECT_EQ(exported["files"], json::array({model}));
    ASSERT_TRUE(pathExists(model));

    // The same user: from the run (whole logged history) and from the file given that history.
    std::string user, history;
    {
        tiltbench::Workspace w(ws);
        const auto log = w.loadLog(w.datasetByName("sim").id);
        user = log.userIds[3];
        for (int64_t r = log.userOffsets[3]; r < log.userOffsets[4]; ++r)
            history += (history.empty() ? "" : ",") + log.itemIds[static_cast<size_t>(log.item[r])];
    }
    auto fromRun = parseJson(cli({"recommend", "-w", ws, "--run", id, "--user", user, "--k", "5", "--json"}));
    auto fromFile =
        parseJson(cli({"recommend", "--model", model, "--history", history, "--k", "5", "--json"}));
    EXPECT_EQ(fromRun["user"], user);
    ASSERT_EQ(fromRun["items"].size(), 5u);
    ASSERT_EQ(fromFile["items"].size(), 5u);
    for (size_t r = 0; r < 5; ++r) {
        EXPECT_EQ(fromFile["items"][r]["rank"], r + 1);
        EXPECT_EQ(fromFile["items"][r]["item"], fromRun["items"][r]["item"]) << "rank " << r + 1;
        EXPECT_EQ(fromFile["items"][r]["title"], fromRun["items"][r]["title"]);
        EXPECT_NEAR(fromFile["items"][r]["score"].get<double>(), fromRun["items"][r]["score"].get<double>(),
                    1e-4);
    }
    auto text = cli({"recommend", "--model", model, "--history", history, "--k", "3"});
    EXPECT_EQ(text.exitCode, 0) << text.err;
    EXPECT_NE(text.out.find(fromRun["items"][0]["item"].get<std::string>()), std::string::npos) << text.out;

    auto unknown = cli({"recommend", "--model", model, "--history", "no-such-item", "--k", "3"});
    EXPECT_EQ(unknown.exitCode, 1);
    EXPECT_NE(unknown.err.find("unknown item id 'no-such-item'"), std::string::npos) << unknown.err;
    auto both = cli({"recommend", "--model", model, "-w", ws, "--run", id, "--user", user});
    EXPECT_EQ(both.exitCode, 1);
}

TEST(Cli, ExportTopkCsvReportsProgressAndRefusesBadRequests) {
    TempDir tmp;
    const auto ws = tmp.file("ws.sqlite");
    // About 15 interactions per user in a catalogue of 80: every user has at least 5 unseen items.
    ASSERT_EQ(
        cli({"generate", "-w", ws, "-n", "sim", "--users", "40", "--items", "80", "--interactions", "600"})
            .exitCode,
        0);
    auto trained =
        parseJson(cli({"train", "-w", ws, "-d", "sim", "-m", "markov", "--bootstrap", "0", "--json"}));
    const std::string id = std::to_string(trained["run_id"].get<int64_t>());
    const auto csv = tmp.file("top.csv"), events = tmp.file("events.jsonl");
    auto exported = parseJson(cli({"export", "-w", ws, "--run", id, "--format", "topk-csv", "--out", csv,
                                   "--k", "5", "--json", "--progress-jsonl", events}));
    EXPECT_EQ(exported["users"], 40);
    EXPECT_EQ(exported["rows"], exported["users"].get<int64_t>() * 5);
    std::istringstream lines(tiltbench::test::readFile(events));
    std::string line, last;
    int progress = 0;
    while (std::getline(lines, line)) {
        progress += json::parse(line)["event"] == "progress";
        last = line;
    }
    EXPECT_GT(progress, 0);
    const json finished = json::parse(last);
    EXPECT_EQ(finished["event"], "finished");
    EXPECT_EQ(finished["status"], "done");
    EXPECT_EQ(finished["files"], json::array({csv}));

    auto text =
        cli({"export", "-w", ws, "--run", id, "--format", "safetensors", "--out", tmp.file("m.safetensors")});
    EXPECT_EQ(text.exitCode, 0) << text.err;
    EXPECT_NE(text.out.find(tmp.file("m.config.json")), std::string::npos) << text.out;

    auto badFormat = cli({"export", "-w", ws, "--run", id, "--format", "onnx", "--out", tmp.file("x")});
    EXPECT_EQ(badFormat.exitCode, 1);
    EXPECT_NE(badFormat.err.find("torchscript, safetensors, topk-csv"), std::string::npos) << badFormat.err;
    auto wrongModel =
        cli({"export", "-w", ws, "--run", id, "--format", "torchscript", "--out", tmp.file("x.pt")});
    EXPECT_EQ(wrongModel.exitCode, 1);
    EXPECT_NE(wrongModel.err.find("safetensors, topk-csv"), std::string::npos) << wrongModel.err;
    const auto unwritable = tmp.file("missing/top.csv");
    auto badPath =
        cli({"export", "-w", ws, "--run", id, "--format", "topk-csv", "--out", unwritable, "--json"});
    EXPECT_EQ(badPath.exitCode, 1);
    EXPECT_NE(badPath.err.find(unwritable), std::string::npos) << badPath.err;
    EXPECT_TRUE(json::parse(badPath.out).contains("error"));
    EXPECT_FALSE(pathExists(tmp.file("x")));
    EXPECT_FALSE(pathExists(tmp.file("x.pt")));
}

}  // namespace cli_test_file
