// End-to-end tests of tiltbench-cli: run the built executable as a child process, check exit codes, JSON
// output and that errors leave the workspace as it was.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_support.h"

using nlohmann::json;
using tiltbench::test::cliPath;
using tiltbench::test::pathExists;
using tiltbench::test::runProcess;
using tiltbench::test::TempDir;
using tiltbench::test::writeFile;

namespace {

tiltbench::test::ProcessResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), cliPath());
    return runProcess(args);
}

json parseJson(const tiltbench::test::ProcessResult& r) {
    EXPECT_EQ(r.exitCode, 0) << r.err;
    return json::parse(r.out);
}

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
