// `tiltbench-cli report` (core/report/report.h): one self-contained HTML file for a dataset's runs — the
// experiment's table and plots, its differences against the SFT baseline of the same seed equal to the
// sweep's own summary, the method's claims, nothing fetched; it never writes over the workspace, and bad
// requests are errors. The browser rendering is tests/ui/report_browser_test.cpp.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "support/cli_json.h"
#include "support/test_support.h"

namespace tiltbench {
namespace {

using test::runCli;
using test::TempDir;

std::string readText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(Report, AnExperimentOverSeedsBecomesOneSelfContainedPage) {
    TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    ASSERT_EQ(runCli({"generate", "-w", ws, "-n", "sim", "--users", "80", "--items", "60", "--interactions",
                      "1600", "--seed", "4"})
                  .exitCode,
              0);
    // No run yet: the report says so.
    const std::string empty = dir.file("empty.html");
    ASSERT_EQ(runCli({"report", "-w", ws, "-d", "sim", "-o", empty}).exitCode, 0);
    EXPECT_NE(readText(empty).find("No experiment yet"), std::string::npos);

    const auto swept = runCli({"sweep", "-w", ws, "-d", "sim", "-m", "markov", "--seeds", "1,2", "--lambdas",
                               "inf,1,0.25", "--schemes", "exp,linear", "--bootstrap", "200", "--json"});
    ASSERT_EQ(swept.exitCode, 0) << swept.err;
    const nlohmann::json sweep = test::parseJson(swept);
    const std::string out = dir.file("report.html");
    const auto made =
        runCli({"report", "-w", ws, "-d", "sim", "-o", out, "--bootstrap", "200", "--seed", "1"});
    ASSERT_EQ(made.exitCode, 0) << made.err;
    const std::string html = readText(out);
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(html.find("Experiment 1: markov · 4 configurations · 2 seed(s)"), std::string::npos);
    for (const char* part : {"ndcg_high@10 against λ", "Δ ndcg_high@10 against SFT of the same seed",
                             "ESS/N of exp(r/λ) weights", "an inverted U in λ", "ahead of linear ε = 0.01",
                             "true_reward@10 of the recommendations rises", "popularity bias (ARP@10) falls",
                             "tiltbench-cli train --workspace WORKSPACE"}) {
        EXPECT_NE(html.find(part), std::string::npos) << part;
    }
    const std::regex svg("<svg ");
    EXPECT_GE(std::distance(std::sregex_iterator(html.begin(), html.end(), svg), std::sregex_iterator()), 6);
    // Self-contained: no script, no fetched resource (the only URL is SVG's namespace name).
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("src="), std::string::npos);
    EXPECT_EQ(html.find("<link"), std::string::npos);
    const std::regex url("https?://[^\"]*");
    for (auto it = std::sregex_iterator(html.begin(), html.end(), url); it != std::sregex_iterator(); ++it)
        EXPECT_EQ(it->str(), "http://www.w3.org/2000/svg");
    // The report's difference for exp λ = 0.25 is the sweep's own (same per-user values, same bootstrap).
    double diff = 0.0;
    for (const auto& row : sweep.at("summary").at("rows")) {
        if (row.at("lambda").is_string() && row.at("lambda") == "0.25")
            diff = row.at("metrics").at("ndcg@10").at("diff").get<double>();
    }
    EXPECT_NE(html.find(fmt::format("{:+.4f}", diff)), std::string::npos) << diff;

    // Never over the workspace; an unknown dataset is an error naming it.
    const std::string before = readText(ws);
    const auto refused = runCli({"report", "-w", ws, "-d", "sim", "-o", ws});
    EXPECT_EQ(refused.exitCode, 1);
    EXPECT_NE(refused.err.find("workspace"), std::string::npos) << refused.err;
    EXPECT_EQ(readText(ws), before);
    const auto unknown = runCli({"report", "-w", ws, "-d", "nope", "-o", dir.file("x.html")});
    EXPECT_EQ(unknown.exitCode, 1);
    EXPECT_NE(unknown.err.find("nope"), std::string::npos) << unknown.err;

    // The stored top-10 profile (split "profile") is never listed among a run's figures.
    const nlohmann::json listed = test::parseJson(runCli({"runs", "-w", ws, "--json"}));
    for (const auto& r : listed.at("runs")) {
        EXPECT_FALSE(r.at("metrics").at("valid").contains("top10_share_g01")) << r.dump();
        EXPECT_FALSE(r.at("metrics").at("valid").contains("k")) << r.dump();
    }
}

// A crafted run config (a field of the wrong type, deep nesting) leaves that run out of the report, never the
// whole report; a dataset name with a quote is quoted safely in the copyable commands.
TEST(Report, CraftedConfigsAndQuotesInNamesAreHarmless) {
    TempDir dir;
    const std::string ws = dir.file("w.sqlite");
    ASSERT_EQ(runCli({"generate", "-w", ws, "-n", "it's", "--users", "60", "--items", "50", "--interactions",
                      "1200", "--seed", "2"})
                  .exitCode,
              0);
    ASSERT_EQ(runCli({"sweep", "-w", ws, "-d", "it's", "-m", "popularity", "--lambdas", "inf,1,0.5",
                      "--bootstrap", "0"})
                  .exitCode,
              0);
    const auto crafted =
        test::runProcess({test::kSqlite3Shell, ws,
                          "UPDATE runs SET config = json_set(config, '$.seed', '1') WHERE id = 2; "
                          "UPDATE runs SET config = '{\"a\":' || printf('%.*c', 5000, '[') || '1' || "
                          "printf('%.*c', 5000, ']') "
                          "|| '}' WHERE id = 3;"});
    ASSERT_EQ(crafted.exitCode, 0) << crafted.err;
    const std::string out = dir.file("r.html");
    const auto made = runCli({"report", "-w", ws, "-d", "it's", "-o", out, "--bootstrap", "50"});
    ASSERT_EQ(made.exitCode, 0) << made.err;
    const std::string html = readText(out);
    // Runs 2 and 3 are left out: run 1 (λ = ∞) stands alone, no experiment.
    EXPECT_NE(html.find("No experiment yet"), std::string::npos);

    ASSERT_EQ(
        runCli({"sweep", "-w", ws, "-d", "it's", "-m", "markov", "--lambdas", "inf,1", "--bootstrap", "0"})
            .exitCode,
        0);
    ASSERT_EQ(runCli({"report", "-w", ws, "-d", "it's", "-o", out, "--bootstrap", "50"}).exitCode, 0);
    // Shell-quoted as 'it'\''s', then HTML-escaped.
    EXPECT_NE(readText(out).find("--dataset &#39;it&#39;\\&#39;&#39;s&#39;"), std::string::npos);
}

}  // namespace
}  // namespace tiltbench
