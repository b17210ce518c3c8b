#include "torch/train/sweep.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "common/error.h"

namespace tiltbench {

std::vector<WeightScheme> SweepConfig::grid(const WeightScheme& base, const std::vector<double>& lambdas,
                                            const std::vector<WeightKind>& kinds) {
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

SweepResult runSweep(Workspace& ws, const SweepConfig& config, const SweepCallbacks& callbacks) {
    const bool sasrec = config.model == "sasrec";
    // Everything that can be refused is refused before the first run, so a typo does not surface an hour in.
    for (const auto& s : config.schemes)
        s.validate();
    if (sasrec) {
        config.sasrec.validate();
    } else {
        parsePolicyKind(config.model);
        config.closedForm.validate();
    }
    ws.datasetByName(sasrec ? config.sasrec.dataset : config.closedForm.dataset);

    SweepResult result;
    result.planned = config.schemes.size();
    for (size_t i = 0; i < config.schemes.size(); ++i) {
        if (i > 0 && callbacks.keepGoing && !callbacks.keepGoing()) {
            result.stopped = true;
            break;
        }
        const WeightScheme& scheme = config.schemes[i];
        if (callbacks.runStarting)
            callbacks.runStarting(i, config.schemes.size(), scheme);
        SweepRun run;
        run.scheme = scheme;
        try {
            if (sasrec) {
                SasrecRunConfig c = config.sasrec;
                c.scheme = scheme;
                SasrecRunResult r = runSasrec(ws, c, callbacks.trainProgress);
                run.runId = r.runId;
                run.valid = std::move(r.valid);
                run.test = std::move(r.test);
                run.bestEpoch = r.bestEpoch;
                double train = 0.0;
                for (const auto& e : r.epochs)
                    train += e.trainSeconds;
                run.meanEpochSeconds = r.epochs.empty() ? 0.0 : train / static_cast<double>(r.epochs.size());
                run.seconds = r.totalSeconds;
            } else {
                ClosedFormRunConfig c = config.closedForm;
                c.model = parsePolicyKind(config.model);
                c.scheme = scheme;
                ClosedFormRunResult r = runClosedForm(ws, c, callbacks.progress);
                run.runId = r.runId;
                run.valid = std::move(r.valid);
                run.test = std::move(r.test);
                run.meanEpochSeconds = std::numeric_limits<double>::quiet_NaN();
                run.seconds = r.totalSeconds;
            }
        } catch (const Cancelled&) {
            result.stopped = true;
            result.cancelledCurrent = true;
            break;
        }
        if (callbacks.runDone)
            callbacks.runDone(run);
        result.runs.push_back(std::move(run));
    }
    return result;
}

}  // namespace tiltbench
