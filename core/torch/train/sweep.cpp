#include "torch/train/sweep.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "common/error.h"
#include "common/limits.h"
#include "model/sasrec_config.h"
#include "store/run_store.h"
#include "store/workspace.h"

namespace tiltbench {

std::vector<WeightScheme> SweepConfig::grid(const WeightScheme& base, const std::vector<double>& lambdas,
                                            const std::vector<WeightKind>& kinds,
                                            const std::vector<double>& linearEpsilons) {
    std::vector<WeightScheme> out;
    auto add = [&](WeightScheme s) {
        s.validate();
        const std::string key = s.toJson();
        if (std::none_of(out.begin(), out.end(), [&](const WeightScheme& o) { return o.toJson() == key; }))
            out.push_back(std::move(s));
    };
    for (const WeightKind kind : kinds) {
        WeightScheme s = base;
        s.kind = kind;
        if (kind == WeightKind::Linear && !linearEpsilons.empty()) {
            s.lambda = WeightScheme::kInfinity;
            for (const double epsilon : linearEpsilons) {
                s.epsilon = epsilon;
                add(s);
            }
            continue;
        }
        if (kind != WeightKind::Exp) {
            s.lambda = WeightScheme::kInfinity;
            add(s);
            continue;
        }
        if (lambdas.empty())
            throw Error("sweep: exp needs at least one lambda (--lambdas, e.g. inf,4,2,1,0.5,0.25)");
        for (const double lambda : lambdas) {
            s.lambda = lambda;
            add(s);
        }
    }
    if (out.empty())
        throw Error("sweep: no weighting to train (give --schemes, e.g. exp,linear)");
    return out;
}

std::pair<size_t, size_t> SweepConfig::shardRange(size_t total, int shardIndex, int shardCount) {
    if (shardCount < 1 || shardCount > limits::kMaxSweepShards || shardIndex < 0 || shardIndex >= shardCount)
        throw Error(fmt::format("sweep: --shard must be I/N with 1 <= I <= N <= {} (got {}/{})",
                                limits::kMaxSweepShards, shardIndex + 1, shardCount));
    const auto n = static_cast<size_t>(shardCount);
    const auto i = static_cast<size_t>(shardIndex);
    return {total * i / n, total * (i + 1) / n};
}

SasrecRunConfig SweepConfig::sftParentConfig(uint64_t seed) const {
    SasrecRunConfig c = sasrec;
    c.scheme = WeightScheme::uniform();
    c.initFrom = 0;
    c.rewardSource = "logged";  // uniform weights read no reward; logged, so any sweep can reuse the parent
    c.objective = "weighted";   // the parent is plain SFT, whatever the sweep post-trains with
    c.seed = seed;
    c.epochs = sftEpochs;
    c.lr = sftLr;
    c.patience = sftPatience;
    c.select = sftSelect;
    return c;
}

int64_t findFinishedSasrecRun(Workspace& ws, const SasrecRunConfig& config) {
    const DatasetInfo info = ws.datasetByName(config.dataset);
    // Settings that do not change the weights are taken from the wanted config before comparing.
    const auto normalised = [&](SasrecRunConfig c) {
        c.threads = config.threads;
        c.device = config.device;
        c.bootstrapResamples = config.bootstrapResamples;
        return c.toJson();
    };
    const std::string wanted = normalised(config);
    int64_t found = 0;
    for (const RunRecord& r : RunStore(ws).runs(info.id)) {
        if (!isSequentialModel(r.model) || r.status != "done")
            continue;
        try {
            if (normalised(SasrecRunConfig::fromJson(r.config)) == wanted)
                found = std::max(found, r.id);  // the newest of equals
        } catch (const Error&) {
            // a config that does not read is simply not a match
        }
    }
    return found;
}

namespace {
// A finished run's id, figures and wall time (SasrecRunResult or ClosedFormRunResult).
template <typename RunResult>
void takeFigures(SweepRun& run, RunResult&& r) {
    run.runId = r.runId;
    run.valid = std::move(r.valid);
    run.test = std::move(r.test);
    run.seconds = r.totalSeconds;
}
}  // namespace

SweepResult runSweep(Workspace& ws, const SweepConfig& config, const SweepCallbacks& callbacks) {
    const bool sasrec = isSequentialModel(config.model);
    // Everything that can be refused is refused before the first run, so a typo does not surface an hour in.
    for (const auto& s : config.schemes)
        s.validate();
    if (sasrec) {
        SasrecRunConfig check = config.sasrec;
        if (config.sftParents) {
            if (config.sasrec.initFrom > 0)
                throw Error("sweep: --init-from is either a run id or sft, not both");
            config.sftParentConfig(config.sasrec.seed).validate();
            check.initFrom = 1;  // stands for each seed's parent, found or trained below
        }
        check.validate();
        if (config.sasrec.online() && config.schemes.size() != 1)
            throw Error(
                fmt::format("sweep: --objective {} has no weighting (its loss reads the reward model, not a "
                            "scheme): give "
                            "one, e.g. --schemes uniform, for one run per seed",
                            config.sasrec.objective));
    } else {
        parsePolicyKind(config.model);
        config.closedForm.validate();
        if (config.sftParents || config.sasrec.initFrom > 0)
            throw Error("sweep: --init-from (post-training) needs -m sasrec");
    }
    ws.datasetByName(sasrec ? config.sasrec.dataset : config.closedForm.dataset);
    std::vector<uint64_t> seeds = config.seeds;
    if (seeds.empty())
        seeds.push_back(sasrec ? config.sasrec.seed : config.closedForm.seed);
    for (size_t i = 0; i < seeds.size(); ++i) {
        if (std::count(seeds.begin(), seeds.end(), seeds[i]) > 1)
            throw Error(fmt::format("sweep: seed {} is listed twice in --seeds", seeds[i]));
    }

    SweepResult result;
    result.sweepRuns = config.schemes.size() * seeds.size();
    const auto [first, last] =
        SweepConfig::shardRange(result.sweepRuns, config.shardIndex, config.shardCount);
    result.firstRun = first;
    result.planned = last - first;
    size_t index = 0;      // runs of this shard started so far
    size_t planIndex = 0;  // the next run's index in the whole sweep's plan
    for (const uint64_t seed : seeds) {
        // A seed none of whose runs is in this shard needs nothing, not even its parent.
        const size_t seedFirst = planIndex;
        planIndex += config.schemes.size();
        if (planIndex <= first || seedFirst >= last)
            continue;
        size_t k = seedFirst;
        int64_t parent = sasrec ? config.sasrec.initFrom : 0;
        if (sasrec && config.sftParents) {
            if (index > 0 && callbacks.keepGoing && !callbacks.keepGoing()) {
                result.stopped = true;
                break;
            }
            const SasrecRunConfig pc = config.sftParentConfig(seed);
            SweepParent p;
            p.seed = seed;
            p.runId = findFinishedSasrecRun(ws, pc);
            p.reused = p.runId > 0;
            if (callbacks.parentStarting)
                callbacks.parentStarting(seed, p.reused, p.runId);
            if (!p.reused) {
                try {
                    const SasrecRunResult r = runSasrec(ws, pc, callbacks.trainProgress);
                    p.runId = r.runId;
                    p.bestEpoch = r.bestEpoch;
                    p.seconds = r.totalSeconds;
                } catch (const Cancelled&) {
                    result.stopped = true;
                    result.cancelledCurrent = true;
                    break;
                }
            }
            parent = p.runId;
            result.parents.push_back(p);
        }
        bool cancelled = false;
        for (const WeightScheme& scheme : config.schemes) {
            if (k++ < first || k > last)
                continue;  // another shard's run
            if (index > 0 && callbacks.keepGoing && !callbacks.keepGoing()) {
                result.stopped = true;
                break;
            }
            if (callbacks.runStarting)
                callbacks.runStarting(index, result.planned, scheme);
            ++index;
            SweepRun run;
            run.scheme = scheme;
            run.seed = seed;
            run.parentRunId = parent;
            try {
                if (sasrec) {
                    SasrecRunConfig c = config.sasrec;
                    c.scheme = scheme;
                    c.seed = seed;
                    c.initFrom = parent;
                    SasrecRunResult r = runSasrec(ws, c, callbacks.trainProgress);
                    run.bestEpoch = r.bestEpoch;
                    double train = 0.0;
                    for (const auto& e : r.epochs)
                        train += e.trainSeconds;
                    run.meanEpochSeconds =
                        r.epochs.empty() ? 0.0 : train / static_cast<double>(r.epochs.size());
                    takeFigures(run, std::move(r));
                } else {
                    ClosedFormRunConfig c = config.closedForm;
                    c.model = parsePolicyKind(config.model);
                    c.scheme = scheme;
                    c.seed = seed;
                    run.meanEpochSeconds = std::numeric_limits<double>::quiet_NaN();
                    takeFigures(run, runClosedForm(ws, c, callbacks.progress));
                }
            } catch (const Cancelled&) {
                result.stopped = true;
                result.cancelledCurrent = true;
                cancelled = true;
                break;
            }
            if (callbacks.runDone)
                callbacks.runDone(run);
            result.runs.push_back(std::move(run));
        }
        if (result.stopped || cancelled)
            break;
    }
    return result;
}

}  // namespace tiltbench
