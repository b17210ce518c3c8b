#include "engine/requests.h"

#include <algorithm>
#include <cmath>
#include <variant>

namespace tiltbench::engine {

namespace {
std::string number(double v) {
    return formatLambda(v);  // shortest round-trip decimal; "inf" for +∞
}

void addEvents(Arguments& a) {
    a.insert(a.end(), {"--json", "--progress-jsonl", kEventStream});
}

// Every weighting option, so the child never falls back on a default of its own.
void addWeighting(Arguments& a, const WeightScheme& s, bool withKind) {
    if (withKind)
        a.insert(a.end(), {"--scheme", formatWeightKind(s.kind), "--lambda", number(s.lambda)});
    a.insert(a.end(),
             {"--normalization", formatWeightNormalization(s.normalization), "--clip",
              std::isfinite(s.clip) ? number(s.clip) : std::string("none"), "--epsilon", number(s.epsilon)});
    if (s.threshold)
        a.insert(a.end(), {"--threshold", number(*s.threshold)});
}

void addTraining(Arguments& a, const TrainRequest& r) {
    const SasrecRunConfig& c = r.run;
    a.insert(a.end(),
             {"--dataset", c.dataset, "--model", r.model, "--split", SplitConfig::kindToString(c.split.kind),
              "--bootstrap", std::to_string(c.bootstrapResamples), "--seed",
              std::to_string(r.seed.value_or(r.defaultSeed())), "--threads", std::to_string(c.threads)});
    std::string ks;
    for (const int k : c.ks)
        ks += (ks.empty() ? "" : ",") + std::to_string(k);
    a.insert(a.end(), {"--k", ks});
    if (c.highThreshold)
        a.insert(a.end(), {"--high-threshold", number(*c.highThreshold)});
    if (r.isSasrec()) {
        for (const SasrecSetting& s : sasrecSettings()) {
            const std::string value = sasrecSettingText(s, c);
            if (std::holds_alternative<bool SasrecRunConfig::*>(s.field)) {
                if (value == "true")
                    a.emplace_back(s.option);  // a flag
            } else {
                a.insert(a.end(), {s.option, value});
            }
        }
    } else {
        a.insert(a.end(), {"--markov-smoothing", number(r.params.markovSmoothing), "--itemmean-prior",
                           number(r.params.itemMeanPrior)});
    }
}
}  // namespace

Arguments TrainRequest::arguments() const {
    Arguments a{"train", "--workspace", workspace};
    if (resumeRunId) {
        a.insert(a.end(), {"--resume", std::to_string(*resumeRunId)});
    } else {
        addTraining(a, *this);
        addWeighting(a, run.scheme, true);
    }
    addEvents(a);
    return a;
}

ClosedFormRunConfig TrainRequest::closedFormConfig() const {
    ClosedFormRunConfig c;
    static_cast<RunConfigBase&>(c) = run;
    c.model = parsePolicyKind(model);
    c.params = params;
    c.seed = seed.value_or(defaultSeed());
    return c;
}

uint64_t TrainRequest::defaultSeed() const {
    return isSasrec() ? SasrecRunConfig().seed : ClosedFormRunConfig().seed;
}

Arguments SweepRequest::arguments() const {
    Arguments a{"sweep", "--workspace", train.workspace};
    addTraining(a, train);
    addWeighting(a, train.run.scheme, false);
    std::string grid;
    for (const double lambda : lambdas)
        grid += (grid.empty() ? "" : ",") + number(lambda);
    std::string kinds;
    for (const auto& s : schemes)
        kinds += (kinds.empty() ? "" : ",") + s;
    a.insert(a.end(), {"--lambdas", grid, "--schemes", kinds});
    if (!linearEpsilons.empty()) {
        std::string list;
        for (const double e : linearEpsilons)
            list += (list.empty() ? "" : ",") + number(e);
        a.insert(a.end(), {"--linear-epsilons", list});
    }
    if (!seeds.empty()) {
        std::string list;
        for (const uint64_t s : seeds)
            list += (list.empty() ? "" : ",") + std::to_string(s);
        a.insert(a.end(), {"--seeds", list});
    }
    if (sftParents) {
        const auto initFrom = std::find(a.begin(), a.end(), "--init-from");
        if (initFrom != a.end() && initFrom + 1 != a.end())
            *(initFrom + 1) = "sft";
        else
            a.insert(a.end(), {"--init-from", "sft"});
        a.insert(a.end(), {"--sft-epochs", std::to_string(sftEpochs), "--sft-lr", number(sftLr),
                           "--sft-patience", std::to_string(sftPatience), "--sft-select", sftSelect});
    }
    a.emplace_back("--json");  // a sweep reports no events
    return a;
}

Arguments EvalRequest::arguments() const {
    Arguments a{"eval", "--workspace", workspace, "--run", std::to_string(runId)};
    if (topCounts)
        a.emplace_back("--top-counts");
    if (!device.empty())
        a.insert(a.end(), {"--device", device});
    a.emplace_back("--json");
    return a;
}

Arguments ExportRequest::arguments() const {
    Arguments a{"export", "--workspace", workspace, "--run", std::to_string(runId), "--format",
                format,   "--out",       outPath,   "--k",   std::to_string(k)};
    addEvents(a);
    return a;
}

Arguments RecommendRequest::arguments() const {
    return {"recommend", "--workspace", workspace, "--run",           std::to_string(runId),
            "--user",    user,          "--k",     std::to_string(k), "--json"};
}

Arguments RuntimeRequest::arguments() const {
    return {"runtime", "--json"};
}

}  // namespace tiltbench::engine
