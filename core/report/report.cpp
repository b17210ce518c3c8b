#include "report/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <type_traits>

#include "common/error.h"
#include "engine/requests.h"
#include "eval/seeded_comparison.h"
#include "eval/split.h"
#include "report/run_groups.h"
#include "report/svg_plot.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "train/closed_form_run.h"
#include "train/final_metrics.h"
#include "train/sasrec_run_config.h"
#include "train/sweep_summary.h"
#include "weighting/lambda_grid.h"
#include "weighting/reward_level_table.h"
#include "weighting/target_view.h"
#include "weighting/weight_stats.h"

namespace tiltbench {

namespace {

using nlohmann::json;
using report::escapeHtml;
using Run = StoredRun;
using Config = RunGroup;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const char* const kExpColor = "#1f77b4";
const std::vector<std::string> kLineColors{"#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

// A field of a stored (untrusted) JSON object, or `fallback` when it is absent or of another type.
template <typename T>
T field(const json& j, const char* key, T fallback) {
    const auto it = j.find(key);
    if (it == j.end())
        return fallback;
    if constexpr (std::is_same_v<T, std::string>) {
        return it->is_string() ? it->template get<std::string>() : fallback;
    } else if constexpr (std::is_floating_point_v<T>) {
        return it->is_number() ? it->template get<T>() : fallback;
    } else {
        return it->is_number_integer() ? it->template get<T>() : fallback;
    }
}

std::string number(double v, int digits) {
    return std::isfinite(v) ? fmt::format("{:.{}f}", v, digits) : std::string("–");
}

std::string signedInterval(const SeededDifference& d, int digits) {
    if (!std::isfinite(d.diff))
        return "–";
    std::string s = fmt::format("{:+.{}f}", d.diff, digits);
    if (std::isfinite(d.lo) && std::isfinite(d.hi))
        s += fmt::format(" [{:+.{}f}, {:+.{}f}]", d.lo, digits, d.hi, digits);
    return s;
}

bool established(const SeededDifference& d) {
    return std::isfinite(d.lo) && std::isfinite(d.hi) && (d.lo > 0.0 || d.hi < 0.0) && d.seedsAgree();
}

std::string commandOf(const Run& r, const std::string& workspace) {
    engine::TrainRequest t;
    t.workspace = workspace;
    t.model = r.record.model;
    try {
        if (isSequentialModel(r.record.model)) {
            t.run = SasrecRunConfig::fromJson(r.record.config);
            t.seed = t.run.seed;
        } else {
            const ClosedFormRunConfig c = ClosedFormRunConfig::fromJson(r.record.config);
            static_cast<RunConfigBase&>(t.run) = c;
            t.params = c.params;
            t.seed = c.seed;
        }
    } catch (const Error& e) {
        return fmt::format("(the run's config does not read: {})", e.what());
    }
    std::string line = "tiltbench-cli";
    for (const std::string& a : t.arguments()) {
        const bool plain = !a.empty() && a.find_first_of(" \t\"'$\\;&|<>()*?`") == std::string::npos;
        std::string quoted;
        for (const char c : a)
            quoted +=
                c == '\'' ? std::string("'\\''") : std::string(1, c);  // ' closes, \' is a quote, ' reopens
        line += " " + (plain ? a : "'" + quoted + "'");
    }
    return line;
}

const char* kStyle = R"CSS(
body{font-family:"DejaVu Sans",Verdana,sans-serif;margin:24px auto;max-width:1120px;color:#222;line-height:1.4}
h1{font-size:24px;margin-bottom:4px}h2{font-size:19px;margin-top:32px;border-bottom:1px solid #ccc}
h3{font-size:16px;margin-top:22px}.muted{color:#666;fill:#666;font-size:13px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 7px}
th{background:#f2f2f2;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
.yes{color:#1a7f37;font-weight:bold}.no{color:#b42318;font-weight:bold}.ne{color:#8a6d00;font-weight:bold}
.plots{display:flex;flex-wrap:wrap;gap:12px}.plot{border:1px solid #ddd}
.ptitle{font-size:14px;font-weight:bold;fill:#222}.tick{font-size:11px;fill:#444}.axis{font-size:12px;fill:#222}
.label{font-size:11px;fill:#222}.frame{fill:none;stroke:#888}.grid{stroke:#eee}.zero{stroke:#444;stroke-width:1}
code,pre{font-family:"DejaVu Sans Mono",monospace;font-size:12px}pre{white-space:pre-wrap;background:#f7f7f7;padding:6px}
)CSS";

std::string verdictCell(const std::string& word, const std::string& why) {
    const char* cls = word == "reproduced" ? "yes" : word == "refuted" ? "no" : "ne";
    return fmt::format("<td><span class=\"{}\">{}</span> — {}</td>", cls, word, why);
}

}  // namespace

std::string buildReport(Workspace& ws, const ReportOptions& options) {
    if (options.resamples < 0 || options.resamples > 100000)
        throw Error(fmt::format("report: --bootstrap must be in 0..100000 (got {})", options.resamples));
    const DatasetInfo info = ws.datasetByName(options.dataset);
    const RunStore store(ws);
    BootstrapConfig bootstrap;
    bootstrap.resamples = options.resamples;
    bootstrap.seed = options.seed;

    const std::vector<Run> runs = loadFinishedRuns(ws, info.id);

    std::string html =
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Tiltbench report: " +
        escapeHtml(info.name) + "</title><style>" + kStyle + "</style></head><body>";
    html += fmt::format(
        "<h1>Tiltbench report: {}</h1><p class=\"muted\">{} interactions · {} users · {} items · "
        "rewards {}–{} (mean {:.3f}){}{}{}</p>",
        escapeHtml(info.name), info.rows, info.users, info.items, info.rewardMin, info.rewardMax,
        info.rewardMean, info.hasTruth ? " · simulated, true rewards known" : "",
        options.generatedAt.empty() ? "" : " · made " + escapeHtml(options.generatedAt),
        options.machine.empty() ? "" : " on " + escapeHtml(options.machine));
    html +=
        "<p>Every figure is on the <b>test</b> targets (full ranking, history masked); a configuration's "
        "value is "
        "its mean over seeds. Δ is the paired difference against the SFT baseline of the <b>same seed</b> — "
        "its "
        "uniform / λ = ∞ run, for post-training the λ = ∞ post-training run from the same parent — with a 95 "
        "% "
        "two-level bootstrap over seeds and users (core/eval/seeded_comparison.h). A difference counts only "
        "when "
        "its interval excludes 0 and every seed agrees in sign; otherwise it is <i>not established</i>.</p>";

    // Experiments in order of their first run; their configurations (run groups) in order too.
    const std::vector<RunGroup> allGroups = groupRuns(runs);
    std::vector<std::string> keys;
    std::map<std::string, std::vector<const Run*>> groups;
    for (const Run& r : runs) {
        if (!groups.count(r.experiment))
            keys.push_back(r.experiment);
        groups[r.experiment].push_back(&r);
    }
    int shown = 0;
    for (const std::string& key : keys) {
        const auto& group = groups[key];
        std::vector<Config> configs;
        for (const RunGroup& g : allGroups) {
            if (g.experiment == key)
                configs.push_back(g);
        }
        if (configs.size() < 2)
            continue;  // a single configuration is no experiment (e.g. the SFT parents)
        ++shown;
        const json& cfg = group.front()->config;
        const bool truth = group.front()->test.find("true_reward@10") != nullptr;
        const std::string rewardMetric = truth ? "true_reward@10" : "item_mean_reward@10";
        std::set<uint64_t> seeds;
        std::set<int64_t> parents;
        for (const Run* r : group) {
            seeds.insert(r->seed);
            if (r->parent > 0)
                parents.insert(r->parent);
        }
        html += fmt::format("<h2>Experiment {}: {} · {} configurations · {} seed(s) · runs {}–{}</h2>", shown,
                            escapeHtml(group.front()->record.model), configs.size(), seeds.size(),
                            group.front()->record.id, group.back()->record.id);
        // Protocol.
        std::string protocol =
            fmt::format("split {} ({}), high reward ≥ {}", field(cfg, "split", std::string("?")),
                        field(cfg, "split_hash", std::string("?")),
                        cfg.contains("high_threshold") && cfg["high_threshold"].is_number()
                            ? fmt::format("{:g}", cfg["high_threshold"].get<double>())
                            : fmt::format("{:g} (the top reward level)", info.rewardMax));
        if (isSequentialModel(group.front()->record.model)) {
            protocol += fmt::format(
                "; checkpoint and early stopping on validation {}; at most {} epochs, patience {}, lr {}, "
                "batch "
                "{}, dim {}, {} block(s), {} head(s), max length {}, dropout {}{}",
                field(cfg, "select", std::string("ndcg@10")), field(cfg, "epochs", 0),
                field(cfg, "patience", 0), field(cfg, "lr", 0.0), field(cfg, "batch_size", 0),
                field(cfg, "dim", 0), field(cfg, "blocks", 0), field(cfg, "heads", 0),
                field(cfg, "max_len", 0), field(cfg, "dropout", 0.0),
                parents.empty()
                    ? "; trained from scratch"
                    : fmt::format("; post-trained from SFT parent run(s) {}", fmt::join(parents, ", ")));
        }
        html += "<p><b>Protocol:</b> " + escapeHtml(protocol) +
                fmt::format(". Seeds: {}.</p>", fmt::join(seeds, ", "));

        // The summary table.
        std::vector<SeededRunFigures> figures;
        for (const Run* r : group)
            figures.push_back({r->record.id, r->seed, r->scheme, &r->test, r->method});
        const std::vector<std::string> metrics{"ndcg@10",     "ndcg_high@10",    rewardMetric, "arp@10",
                                               "coverage@10", "proxy_reward@10", "kl_ref"};
        SweepSummary summary;
        try {
            summary = summariseSweep(figures, metrics, bootstrap);
        } catch (const Error& e) {
            html += "<p class=\"no\">" + escapeHtml(e.what()) + "</p>";
            continue;
        }
        html += "<table><tr><th>configuration</th><th>seeds</th>";
        for (const auto& m : metrics)
            html += "<th>" + escapeHtml(m) + " (Δ vs SFT [95 %])</th>";
        html += "</tr>";
        for (const auto& row : summary.rows) {
            html += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td>",
                                escapeHtml(row.label.empty() ? configurationName(row.scheme) : row.label),
                                row.seeds.size());
            for (const auto& m : metrics) {
                const auto c = std::find_if(row.cells.begin(), row.cells.end(),
                                            [&](const SweepSummaryCell& x) { return x.metric == m; });
                if (c == row.cells.end()) {
                    html += "<td>–</td>";
                    continue;
                }
                const int digits = m.rfind("arp", 0) == 0 ? 1 : 4;
                std::string text = number(c->mean, digits);
                if (c->paired && !row.isBaseline) {
                    const bool yes = established(c->vsBaseline);
                    // Green where the change is for the better (up, or down for popularity bias), red
                    // otherwise.
                    const bool better = (c->vsBaseline.diff > 0) != (m.rfind("arp", 0) == 0);
                    text += fmt::format("<br><span class=\"{}\">{}</span>",
                                        !yes     ? "muted"
                                        : better ? "yes"
                                                 : "no",
                                        signedInterval(c->vsBaseline, digits));
                }
                html += "<td class=\"num\">" + text + "</td>";
            }
            html += "</tr>";
        }
        html += "</table>";
        if (std::any_of(group.begin(), group.end(), [](const Run* r) { return r->test.find("kl_ref"); }))
            html +=
                "<p class=\"muted\">proxy_reward@10: the reward model's mean estimate over the top-10 (runs "
                "with a learned reward; what DPO and PPO optimise). kl_ref: the mean exact KL of the policy "
                "to "
                "its SFT parent over the catalogue. A proxy that rises while the true or held-out reward "
                "does not is over-optimisation.</p>";

        // Plots: each metric against λ (exp), the other configurations as lines; Δ of ndcg_high@10.
        std::vector<const Config*> exps, others;
        for (const Config& c : configs)
            (c.scheme.kind == WeightKind::Exp && c.method.empty() ? exps : others).push_back(&c);
        std::sort(exps.begin(), exps.end(),
                  [](const Config* a, const Config* b) { return a->scheme.lambda > b->scheme.lambda; });
        const Config* sft = nullptr;
        for (const Config& c : configs) {
            if (isSftWeighting(c.scheme) && c.method.empty()) {
                sft = &c;
                break;
            }
        }
        html += "<div class=\"plots\">";
        for (const std::string& m :
             {std::string("ndcg_high@10"), std::string("ndcg@10"), rewardMetric, std::string("arp@10")}) {
            report::LambdaPlot plot;
            plot.title = m + " against λ (mean over seeds, 95 %)";
            plot.yLabel = m;
            report::PlotSeries s{"exp", kExpColor, {}};
            for (const Config* c : exps) {
                const SeededDifference mean = groupMean(*c, m, true, bootstrap);
                s.points.push_back({c->scheme.lambda, mean.diff, mean.lo, mean.hi});
            }
            if (!s.points.empty())
                plot.series.push_back(s);
            size_t colour = 0;
            for (const Config* c : others) {
                const double v = groupMeanValue(*c, m, true);
                if (std::isfinite(v))
                    plot.lines.push_back(
                        {configurationName(*c), kLineColors[colour++ % kLineColors.size()], v});
            }
            html += report::renderLambdaPlot(plot);
        }
        if (sft) {
            report::LambdaPlot delta;
            delta.title = "Δ ndcg_high@10 against SFT of the same seed";
            delta.yLabel = "Δ ndcg_high@10";
            delta.zeroLine = true;
            report::PlotSeries s{"exp", kExpColor, {}};
            for (const Config* c : exps) {
                if (c == sft)
                    continue;
                const SeededDifference d = compareGroups(*c, *sft, "ndcg_high@10", true, bootstrap, nullptr);
                s.points.push_back({c->scheme.lambda, d.diff, d.lo, d.hi});
            }
            if (!s.points.empty())
                delta.series.push_back(s);
            size_t colour = 0;
            for (const Config* c : others) {
                if (c == sft)
                    continue;
                const SeededDifference d = compareGroups(*c, *sft, "ndcg_high@10", true, bootstrap, nullptr);
                if (std::isfinite(d.diff))
                    delta.lines.push_back(
                        {configurationName(*c), kLineColors[colour++ % kLineColors.size()], d.diff});
            }
            html += report::renderLambdaPlot(delta);
        }
        {  // where the top-10 slots fall on the popularity long tail: SFT, the smallest λ and each other
           // weighting
            std::vector<const Config*> shown;
            if (sft)
                shown.push_back(sft);
            for (const Config* c : exps) {
                if (c != sft && c == exps.back())
                    shown.push_back(c);
            }
            for (const Config* c : others) {
                if (c != sft && shown.size() < 4)
                    shown.push_back(c);
            }
            std::vector<report::BarSeries> bars;
            const auto profileMean = [](const Config& c, bool training) {
                std::vector<double> sum;
                int n = 0;
                for (const auto& [seed, r] : c.bySeed) {
                    if (!r->profile)
                        continue;
                    const auto& groups = r->profile->profile.groups;
                    sum.resize(std::max(sum.size(), groups.size()), 0.0);
                    for (size_t g = 0; g < groups.size(); ++g)
                        sum[g] += training ? groups[g].trainingShare : groups[g].recommendedShare;
                    ++n;
                }
                for (double& v : sum)
                    v /= std::max(1, n);
                return sum;
            };
            if (!shown.empty()) {
                const auto training = profileMean(*shown.front(), true);
                if (!training.empty())
                    bars.push_back({"training interactions", "#9e9e9e", training});
            }
            size_t colour = 0;
            for (const Config* c : shown) {
                const auto values = profileMean(*c, false);
                if (!values.empty()) {
                    bars.push_back({configurationName(*c),
                                    c->scheme.kind == WeightKind::Exp && !isSftWeighting(c->scheme)
                                        ? std::string(kExpColor)
                                        : kLineColors[colour++ % kLineColors.size()],
                                    values});
                }
            }
            if (bars.size() > 1) {
                html += report::renderBarGroups("Top-10 slots by item popularity tenth (mean over seeds)",
                                                "item popularity tenth (1 = most logged)", "share", bars);
            } else {
                html +=
                    "<p class=\"muted\">No stored top-10 popularity profile: these runs were recorded before "
                    "profiles were stored with a run (train them again to see it).</p>";
            }
        }
        html += "</div>";

        // The claims.
        html += "<h3>The method's claims on this experiment</h3>";
        std::vector<const Config*> finite;
        for (const Config* c : exps) {
            if (!std::isinf(c->scheme.lambda))
                finite.push_back(c);
        }
        // λ chosen on validation (the mean over seeds of validation NDCG@10 on high-reward targets), never on
        // test; every verdict below is then read on test.
        const Config* chosen = nullptr;
        double best = -std::numeric_limits<double>::infinity();
        for (const Config* c : finite) {
            const double v = groupMeanValue(*c, "ndcg_high@10", false);
            if (std::isfinite(v) && v > best) {
                best = v;
                chosen = c;
            }
        }
        html += "<table><tr><th>claim</th><th>verdict (paired 95 % intervals)</th></tr>";
        const bool claimable = sft != nullptr && !finite.empty();
        if (!claimable) {
            html +=
                "<tr><td colspan=\"2\">No SFT baseline (uniform or λ = ∞) or no finite λ in this experiment: "
                "the claims need both.</td></tr>";
        }
        if (claimable) {  // inverted U on ndcg_high@10: the peak found on validation, the U judged on test
            const Config* peak = chosen;
            const Config* smallest = finite.back();
            std::string word = "not established", why;
            if (peak) {
                const auto up = compareGroups(*peak, *sft, "ndcg_high@10", true, bootstrap, nullptr);
                why = fmt::format("peak on validation at λ = {}; on test {} against ∞",
                                  formatLambda(peak->scheme.lambda), signedInterval(up, 4));
                if (established(up) && up.diff < 0) {
                    why += "; no λ of the grid reaches ∞";
                    word = "refuted";
                } else if (peak == smallest) {
                    why += "; it keeps rising to the smallest λ of the grid, so no U within it";
                    if (established(up))
                        word = "refuted";
                } else {
                    const auto down =
                        compareGroups(*peak, *smallest, "ndcg_high@10", true, bootstrap, nullptr);
                    why += fmt::format("; against the smallest λ = {}: {}",
                                       formatLambda(smallest->scheme.lambda), signedInterval(down, 4));
                    if (established(up) && established(down) && up.diff > 0 && down.diff > 0)
                        word = "reproduced";
                }
            }
            html += "<tr><td>an inverted U in λ on high-reward NDCG@10</td>" +
                    verdictCell(word, escapeHtml(why)) + "</tr>";
        }
        if (claimable && chosen) {  // exp ahead of SFT and of every other weighting on high-reward targets
            const auto vsSft = compareGroups(*chosen, *sft, "ndcg_high@10", true, bootstrap, nullptr);
            const std::string word =
                established(vsSft) ? (vsSft.diff > 0 ? "reproduced" : "refuted") : "not established";
            html += "<tr><td>exp (λ chosen on validation) ahead of SFT on high-reward targets</td>" +
                    verdictCell(word, escapeHtml(fmt::format("λ = {} chosen; test {}",
                                                             formatLambda(chosen->scheme.lambda),
                                                             signedInterval(vsSft, 4)))) +
                    "</tr>";
            for (const Config* other : others) {
                if (other == sft)
                    continue;
                int shared = 0;
                const auto d = compareGroups(*chosen, *other, "ndcg_high@10", true, bootstrap, &shared);
                const std::string w =
                    established(d) ? (d.diff > 0 ? "reproduced" : "refuted") : "not established";
                html += "<tr><td>exp (λ = " + formatLambda(chosen->scheme.lambda) + ") ahead of " +
                        escapeHtml(configurationName(*other)) + " on high-reward targets</td>" +
                        verdictCell(w, escapeHtml(fmt::format("{} over {} shared seed(s)",
                                                              signedInterval(d, 4), shared))) +
                        "</tr>";
            }
        }
        if (claimable) {  // reward of the recommendations rises as λ falls: overall, and no step back
            const auto d = compareGroups(*finite.back(), *sft, rewardMetric, true, bootstrap, nullptr);
            const Config* previous = sft;
            std::string path = number(groupMeanValue(*sft, rewardMetric, true), 3), fall;
            for (const Config* c : finite) {
                path += " → " + number(groupMeanValue(*c, rewardMetric, true), 3);
                const auto step = compareGroups(*c, *previous, rewardMetric, true, bootstrap, nullptr);
                if (fall.empty() && established(step) && step.diff < 0) {
                    fall = fmt::format("; it falls from λ = {} to λ = {}: {}",
                                       formatLambda(previous->scheme.lambda), formatLambda(c->scheme.lambda),
                                       signedInterval(step, 4));
                }
                previous = c;
            }
            const std::string word = !established(d) ? "not established"
                                     : d.diff < 0    ? "refuted"
                                     : fall.empty()  ? "reproduced"
                                                     : "not established";
            html += "<tr><td>" + escapeHtml(rewardMetric) + " of the recommendations rises as λ falls</td>" +
                    verdictCell(word, escapeHtml(fmt::format("{} (λ = ∞ → {}); smallest λ against ∞: {}{}",
                                                             path, formatLambda(finite.back()->scheme.lambda),
                                                             signedInterval(d, 4), fall))) +
                    "</tr>";
        }
        if (claimable) {  // popularity bias falls as λ falls
            const auto d = compareGroups(*finite.back(), *sft, "arp@10", true, bootstrap, nullptr);
            const std::string word =
                established(d) ? (d.diff < 0 ? "reproduced" : "refuted") : "not established";
            html += "<tr><td>popularity bias (ARP@10) falls as λ falls</td>" +
                    verdictCell(word, escapeHtml(fmt::format("smallest λ = {} against ∞: {}",
                                                             formatLambda(finite.back()->scheme.lambda),
                                                             signedInterval(d, 1)))) +
                    "</tr>";
        }
        html += "</table>";

        // Commands and machine.
        html +=
            "<details><summary>The command and machine of every run</summary><table><tr><th>run</th><th>seed"
            "</th><th>device</th><th>seconds</th><th>command</th></tr>";
        for (const Run* r : group) {
            const json timings = json::parse(r->record.timings, nullptr, false);
            const double seconds = timings.is_object() ? field(timings, "total_seconds", kNaN) : kNaN;
            html += fmt::format(
                "<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}{}</td><td "
                "class=\"num\">{}</td><td><code>{}</code></td></tr>",
                r->record.id, r->seed, escapeHtml(r->record.device),
                r->config.contains("torch_version")
                    ? escapeHtml(" · LibTorch " + field(r->config, "torch_version", std::string()))
                    : std::string(),
                number(seconds, 1), escapeHtml(commandOf(*r, "WORKSPACE")));
        }
        html += "</table></details>";
    }
    if (shown == 0) {
        html +=
            "<p class=\"ne\">No experiment yet: this dataset has no set of finished runs that differ only in "
            "their "
            "weighting (train a sweep, e.g. <code>tiltbench-cli sweep --init-from sft --seeds "
            "1,2,3</code>).</p>";
    }

    // ESS/N against λ on the training targets.
    try {
        const InteractionLog log = ws.loadLog(info.id);
        const Split split = Split::make(log);
        const RewardLevelTable table(viewOf(split.training(), split.numItems()));
        WeightScheme base = WeightScheme::exp(1.0);
        const auto curve = essCurve(table, base, lambda_grid::metricGrid());
        report::LambdaPlot ess;
        ess.title = "ESS/N of exp(r/λ) weights (leave-one-out training targets)";
        ess.yLabel = "ESS / N";
        report::PlotSeries s{"exp", kExpColor, {}};
        for (const auto& p : curve)
            s.points.push_back({p.lambda, p.essRatio, kNaN, kNaN});
        ess.series.push_back(s);
        html +=
            "<h2>Effective sample size</h2><div class=\"plots\">" + report::renderLambdaPlot(ess) + "</div>";
    } catch (const Error& e) {
        html += "<p class=\"no\">ESS/N: " + escapeHtml(e.what()) + "</p>";
    }
    html +=
        "<p class=\"muted\">Made by tiltbench-cli report. Runs that are not finished are left "
        "out.</p></body></html>";
    return html;
}

}  // namespace tiltbench
