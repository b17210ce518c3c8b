#include "report/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "common/error.h"
#include "engine/requests.h"
#include "eval/seeded_comparison.h"
#include "eval/split.h"
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
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const char* const kExpColor = "#1f77b4";
const std::vector<std::string> kLineColors{"#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

struct Run {
    RunRecord record;
    json config;
    WeightScheme scheme;
    uint64_t seed = 0;
    int64_t parent = 0;
    std::string key;  // the experiment: every setting but weighting, seed, parent and machine details
    EvalResult test, valid;
    std::optional<StoredProfile> profile;
};

bool isAggregate(const std::string& name) {
    return name.rfind("coverage", 0) == 0 || name.rfind("gini", 0) == 0 || name.rfind("entropy", 0) == 0;
}

EvalResult storedResult(const std::vector<MetricRow>& rows, const std::vector<PerUserMetric>& perUser,
                        const std::string& split, uint64_t splitHash) {
    EvalResult r;
    r.protocol.targets = split;
    r.protocol.splitHash = splitHash;
    for (const MetricRow& row : rows) {
        if (row.epoch != -1 || row.split != split)
            continue;
        MetricValue m;
        m.name = row.name;
        m.value = row.value;
        m.lo = row.lo;
        m.hi = row.hi;
        m.aggregate = isAggregate(row.name) ? Aggregate::Coverage : Aggregate::None;
        r.metrics.push_back(m);
    }
    // Each metric is stored over the users it is defined for (the *_high ones over users with a high-reward
    // target); here every metric is laid over the union of users, NaN where a user has no value.
    std::set<int32_t> all;
    for (const PerUserMetric& m : perUser) {
        if (m.split == split && m.values.size() == m.users.size())
            all.insert(m.users.begin(), m.users.end());
    }
    r.users.assign(all.begin(), all.end());
    for (const PerUserMetric& m : perUser) {
        if (m.split != split || m.values.size() != m.users.size())
            continue;
        std::vector<double> values(r.users.size(), kNaN);
        for (size_t i = 0; i < m.users.size(); ++i) {
            const auto at = std::lower_bound(r.users.begin(), r.users.end(), m.users[i]);
            values[static_cast<size_t>(at - r.users.begin())] = m.values[i];
        }
        r.perUserNames.push_back(m.name);
        r.perUserValues.push_back(std::move(values));
    }
    return r;
}

uint64_t parseHash(const json& config) {
    const auto it = config.find("split_hash");
    if (it == config.end() || !it->is_string())
        return 0;
    try {
        return std::stoull(it->get<std::string>(), nullptr, 16);
    } catch (const std::exception&) {
        return 0;
    }
}

std::string configurationName(const WeightScheme& s) {
    if (s.kind == WeightKind::Exp)
        return std::isinf(s.lambda) ? "exp λ = ∞ (SFT)" : fmt::format("exp λ = {}", formatLambda(s.lambda));
    if (s.kind == WeightKind::Linear)
        return fmt::format("linear ε = {}", formatLambda(s.epsilon));
    if (s.kind == WeightKind::Uniform)
        return "uniform (SFT)";
    return s.describe();
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

// One configuration's runs, by seed.
struct Config {
    WeightScheme scheme;
    std::map<uint64_t, const Run*> bySeed;
};

// The paired comparison of two configurations over the seeds they share (a − b), on `metric` of `set`.
SeededDifference pairConfigs(const Config& a, const Config& b, const std::string& metric, bool test,
                             const BootstrapConfig& bootstrap, int* sharedSeeds) {
    std::vector<SeedPairSeries> pairs;
    for (const auto& [seed, ra] : a.bySeed) {
        const auto it = b.bySeed.find(seed);
        if (it == b.bySeed.end())
            continue;
        const EvalResult& ea = test ? ra->test : ra->valid;
        const EvalResult& eb = test ? it->second->test : it->second->valid;
        const auto* va = ea.perUser(metric);
        const auto* vb = eb.perUser(metric);
        if (!va || !vb || ea.users != eb.users)
            continue;
        pairs.push_back({ea.users, *va, *vb});
    }
    if (sharedSeeds)
        *sharedSeeds = static_cast<int>(pairs.size());
    SeededDifference none;
    none.diff = none.lo = none.hi = none.config = none.baseline = kNaN;
    if (pairs.empty())
        return none;
    // Seeds must share their user lists; a mismatch (another split) is reported as no comparison.
    for (const auto& p : pairs) {
        if (p.users != pairs.front().users)
            return none;
    }
    return compareAcrossSeeds(pairs, bootstrap);
}

// The mean over seeds of one configuration's metric with its two-level interval (a difference against 0).
SeededDifference meanOf(const Config& c, const std::string& metric, const BootstrapConfig& bootstrap) {
    std::vector<SeedPairSeries> series;
    for (const auto& [seed, r] : c.bySeed) {
        const auto* v = r->test.perUser(metric);
        if (!v)
            continue;
        std::vector<double> zero(v->size(), 0.0);
        series.push_back({r->test.users, *v, zero});
    }
    SeededDifference none;
    none.diff = none.lo = none.hi = kNaN;
    if (series.empty())
        return none;
    for (const auto& s : series) {
        if (s.users != series.front().users)
            return none;
    }
    return compareAcrossSeeds(series, bootstrap);
}

double meanValue(const Config& c, const std::string& metric, bool test) {
    double sum = 0.0;
    int n = 0;
    for (const auto& [seed, r] : c.bySeed) {
        const double v = (test ? r->test : r->valid).value(metric);
        if (std::isfinite(v)) {
            sum += v;
            ++n;
        }
    }
    return n ? sum / n : kNaN;
}

std::string commandOf(const Run& r, const std::string& workspace) {
    engine::TrainRequest t;
    t.workspace = workspace;
    t.model = r.record.model;
    try {
        if (r.record.model == "sasrec") {
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
        line += " " + (plain ? a : "'" + a + "'");
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

    std::vector<Run> runs;
    for (const RunRecord& rec : store.runs(info.id)) {
        if (rec.status != "done")
            continue;
        Run r;
        r.record = rec;
        r.config = json::parse(rec.config, nullptr, false);
        if (!r.config.is_object())
            continue;
        try {
            r.scheme = WeightScheme::fromJson(r.config.value("weighting", json::object()).dump());
        } catch (const Error&) {
            continue;
        }
        r.seed = r.config.value("seed", uint64_t{0});
        r.parent = r.config.contains("init_from") && r.config["init_from"].is_number_integer()
                       ? r.config["init_from"].get<int64_t>()
                       : 0;
        json key = r.config;
        for (const char* k :
             {"weighting", "seed", "init_from", "threads", "threads_requested", "device", "device_requested",
              "bootstrap_resamples", "torch_version", "tiltbench_version", "precision_requested"})
            key.erase(k);
        key["model"] = rec.model;
        key["post_trained"] = r.parent > 0;
        r.key = key.dump();
        const uint64_t hash = parseHash(r.config);
        const auto rows = store.metrics(rec.id);
        const auto perUser = store.perUserMetrics(rec.id);
        r.test = storedResult(rows, perUser, "test", hash);
        r.valid = storedResult(rows, perUser, "valid", hash);
        r.profile = storedPopularityProfile(rows);
        runs.push_back(std::move(r));
    }

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

    // Experiments in order of their first run.
    std::vector<std::string> keys;
    std::map<std::string, std::vector<const Run*>> groups;
    for (const Run& r : runs) {
        if (!groups.count(r.key))
            keys.push_back(r.key);
        groups[r.key].push_back(&r);
    }
    int shown = 0;
    for (const std::string& key : keys) {
        const auto& group = groups[key];
        std::vector<Config> configs;
        for (const Run* r : group) {
            const std::string sk = r->scheme.toJson();
            auto it = std::find_if(configs.begin(), configs.end(),
                                   [&](const Config& c) { return c.scheme.toJson() == sk; });
            if (it == configs.end()) {
                configs.push_back({r->scheme, {}});
                it = configs.end() - 1;
            }
            it->bySeed.emplace(r->seed, r);  // a repeated seed keeps its first run
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
        std::string protocol = fmt::format("split {} ({}), high reward ≥ {}", cfg.value("split", "?"),
                                           cfg.value("split_hash", "?"),
                                           cfg.contains("high_threshold") && cfg["high_threshold"].is_number()
                                               ? fmt::format("{:g}", cfg["high_threshold"].get<double>())
                                               : fmt::format("{:g} (the top reward level)", info.rewardMax));
        if (group.front()->record.model == "sasrec") {
            protocol += fmt::format(
                "; checkpoint and early stopping on validation {}; at most {} epochs, patience {}, lr {}, "
                "batch "
                "{}, dim {}, {} block(s), {} head(s), max length {}, dropout {}{}",
                cfg.value("select", std::string("ndcg@10")), cfg.value("epochs", 0), cfg.value("patience", 0),
                cfg.value("lr", 0.0), cfg.value("batch_size", 0), cfg.value("dim", 0), cfg.value("blocks", 0),
                cfg.value("heads", 0), cfg.value("max_len", 0), cfg.value("dropout", 0.0),
                parents.empty()
                    ? "; trained from scratch"
                    : fmt::format("; post-trained from SFT parent run(s) {}", fmt::join(parents, ", ")));
        }
        html += "<p><b>Protocol:</b> " + escapeHtml(protocol) +
                fmt::format(". Seeds: {}.</p>", fmt::join(seeds, ", "));

        // The summary table.
        std::vector<SeededRunFigures> figures;
        for (const Run* r : group)
            figures.push_back({r->record.id, r->seed, r->scheme, &r->test});
        const std::vector<std::string> metrics{"ndcg@10", "ndcg_high@10", rewardMetric, "arp@10",
                                               "coverage@10"};
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
                                escapeHtml(configurationName(row.scheme)), row.seeds.size());
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
                    text += fmt::format("<br><span class=\"{}\">{}</span>",
                                        !yes                     ? "muted"
                                        : c->vsBaseline.diff > 0 ? "yes"
                                                                 : "no",
                                        signedInterval(c->vsBaseline, digits));
                }
                html += "<td class=\"num\">" + text + "</td>";
            }
            html += "</tr>";
        }
        html += "</table>";

        // Plots: each metric against λ (exp), the other configurations as lines; Δ of ndcg_high@10.
        std::vector<const Config*> exps, others;
        for (const Config& c : configs)
            (c.scheme.kind == WeightKind::Exp ? exps : others).push_back(&c);
        std::sort(exps.begin(), exps.end(),
                  [](const Config* a, const Config* b) { return a->scheme.lambda > b->scheme.lambda; });
        const Config* sft = nullptr;
        for (const Config& c : configs) {
            if (isSftWeighting(c.scheme)) {
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
                const SeededDifference mean = meanOf(*c, m, bootstrap);
                s.points.push_back({c->scheme.lambda, mean.diff, mean.lo, mean.hi});
            }
            if (!s.points.empty())
                plot.series.push_back(s);
            size_t colour = 0;
            for (const Config* c : others) {
                const double v = meanValue(*c, m, true);
                if (std::isfinite(v))
                    plot.lines.push_back(
                        {configurationName(c->scheme), kLineColors[colour++ % kLineColors.size()], v});
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
                const SeededDifference d = pairConfigs(*c, *sft, "ndcg_high@10", true, bootstrap, nullptr);
                s.points.push_back({c->scheme.lambda, d.diff, d.lo, d.hi});
            }
            if (!s.points.empty())
                delta.series.push_back(s);
            size_t colour = 0;
            for (const Config* c : others) {
                if (c == sft)
                    continue;
                const SeededDifference d = pairConfigs(*c, *sft, "ndcg_high@10", true, bootstrap, nullptr);
                if (std::isfinite(d.diff))
                    delta.lines.push_back(
                        {configurationName(c->scheme), kLineColors[colour++ % kLineColors.size()], d.diff});
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
                    bars.push_back({configurationName(c->scheme),
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
        // λ chosen on validation (the checkpoint metric's validation mean), never on test.
        const Config* chosen = nullptr;
        double best = -std::numeric_limits<double>::infinity();
        for (const Config* c : finite) {
            const double v = meanValue(*c, "ndcg_high@10", false);
            if (std::isfinite(v) && v > best) {
                best = v;
                chosen = c;
            }
        }
        html += "<table><tr><th>claim</th><th>verdict (paired 95 % intervals)</th></tr>";
        if (!sft || finite.empty()) {
            html +=
                "<tr><td colspan=\"2\">No SFT baseline (uniform or λ = ∞) or no finite λ in this experiment: "
                "the "
                "claims need both.</td></tr></table>";
            continue;
        }
        {  // inverted U on ndcg_high@10
            const Config* peak = nullptr;
            double top = -std::numeric_limits<double>::infinity();
            for (const Config* c : finite) {
                const double v = meanValue(*c, "ndcg_high@10", true);
                if (std::isfinite(v) && v > top) {
                    top = v;
                    peak = c;
                }
            }
            const Config* smallest = finite.back();
            std::string word = "not established", why;
            if (peak) {
                const auto up = pairConfigs(*peak, *sft, "ndcg_high@10", true, bootstrap, nullptr);
                why = fmt::format("peak at λ = {}: {} against ∞", formatLambda(peak->scheme.lambda),
                                  signedInterval(up, 4));
                if (established(up) && up.diff < 0) {
                    why += "; no λ of the grid reaches ∞";
                    word = "refuted";
                } else if (peak == smallest) {
                    why += "; it keeps rising to the smallest λ of the grid, so no U within it";
                    if (established(up))
                        word = "refuted";
                } else {
                    const auto down = pairConfigs(*peak, *smallest, "ndcg_high@10", true, bootstrap, nullptr);
                    why += fmt::format("; against the smallest λ = {}: {}",
                                       formatLambda(smallest->scheme.lambda), signedInterval(down, 4));
                    if (established(up) && established(down) && up.diff > 0 && down.diff > 0)
                        word = "reproduced";
                }
            }
            html += "<tr><td>an inverted U in λ on high-reward NDCG@10</td>" +
                    verdictCell(word, escapeHtml(why)) + "</tr>";
        }
        if (chosen) {  // exp ahead of SFT and of every other weighting on high-reward targets
            const auto vsSft = pairConfigs(*chosen, *sft, "ndcg_high@10", true, bootstrap, nullptr);
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
                const auto d = pairConfigs(*chosen, *other, "ndcg_high@10", true, bootstrap, &shared);
                const std::string w =
                    established(d) ? (d.diff > 0 ? "reproduced" : "refuted") : "not established";
                html += "<tr><td>exp (λ = " + formatLambda(chosen->scheme.lambda) + ") ahead of " +
                        escapeHtml(configurationName(other->scheme)) + " on high-reward targets</td>" +
                        verdictCell(w, escapeHtml(fmt::format("{} over {} shared seed(s)",
                                                              signedInterval(d, 4), shared))) +
                        "</tr>";
            }
        }
        {  // reward of the recommendations rises as λ falls
            const auto d = pairConfigs(*finite.back(), *sft, rewardMetric, true, bootstrap, nullptr);
            bool monotone = true;
            double previous = meanValue(*sft, rewardMetric, true);
            std::string path = number(previous, 3);
            for (const Config* c : finite) {
                const double v = meanValue(*c, rewardMetric, true);
                monotone = monotone && v >= previous;
                previous = v;
                path += " → " + number(v, 3);
            }
            const std::string word = established(d) && d.diff > 0 ? "reproduced"
                                     : established(d)             ? "refuted"
                                                                  : "not established";
            html += "<tr><td>" + escapeHtml(rewardMetric) + " of the recommendations rises as λ falls</td>" +
                    verdictCell(word, escapeHtml(fmt::format("{} (λ = ∞ → {}); smallest λ against ∞: {}{}",
                                                             path, formatLambda(finite.back()->scheme.lambda),
                                                             signedInterval(d, 4),
                                                             monotone ? "" : "; not monotone"))) +
                    "</tr>";
        }
        {  // popularity bias falls as λ falls
            const auto d = pairConfigs(*finite.back(), *sft, "arp@10", true, bootstrap, nullptr);
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
            const double seconds = timings.is_object() ? timings.value("total_seconds", kNaN) : kNaN;
            html += fmt::format(
                "<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}{}</td><td "
                "class=\"num\">{}</td><td><code>{}</code></td></tr>",
                r->record.id, r->seed, escapeHtml(r->record.device),
                r->config.contains("torch_version")
                    ? escapeHtml(" · LibTorch " + r->config.value("torch_version", std::string()))
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
        ess.title = "ESS/N of exp(r/λ) weights on the training targets";
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
