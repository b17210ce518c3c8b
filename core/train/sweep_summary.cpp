#include "train/sweep_summary.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "common/error.h"

namespace tiltbench {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

bool isSftWeighting(const WeightScheme& s) {
    return s.kind == WeightKind::Uniform || (s.kind == WeightKind::Exp && std::isinf(s.lambda));
}

SweepSummary summariseSweep(const std::vector<SeededRunFigures>& runs,
                            const std::vector<std::string>& metrics, const BootstrapConfig& bootstrap) {
    SweepSummary out;
    std::map<uint64_t, const SeededRunFigures*> baselineOf;  // seed → its baseline run (the first)
    for (const auto& r : runs) {
        if (!r.figures)
            throw Error("sweep summary: a run without figures");
        if (isSftWeighting(r.scheme) && r.label.empty() && !baselineOf.count(r.seed))
            baselineOf[r.seed] = &r;
    }
    out.hasBaseline = !baselineOf.empty();
    std::vector<std::string> keys;
    std::vector<std::vector<const SeededRunFigures*>> groups;
    for (const auto& r : runs) {
        const std::string key = r.scheme.toJson() + "\n" + r.label;
        size_t g = 0;
        while (g < keys.size() && keys[g] != key)
            ++g;
        if (g == keys.size()) {
            keys.push_back(key);
            groups.emplace_back();
        }
        // One run per seed: a repeated seed (a sweep run again) keeps its first run, as run groups do.
        if (std::none_of(groups[g].begin(), groups[g].end(),
                         [&](const SeededRunFigures* o) { return o->seed == r.seed; }))
            groups[g].push_back(&r);
    }
    for (const auto& group : groups) {
        SweepSummaryRow row;
        row.scheme = group.front()->scheme;
        row.label = group.front()->label;
        row.isBaseline = isSftWeighting(row.scheme) && row.label.empty();
        for (const auto* r : group) {
            row.seeds.push_back(r->seed);
            row.runIds.push_back(r->runId);
        }
        for (const std::string& name : metrics) {
            SweepSummaryCell cell;
            cell.metric = name;
            double sum = 0.0;
            int n = 0;
            bool present = false;
            for (const auto* r : group) {
                const MetricValue* m = r->figures->find(name);
                present = present || m != nullptr;
                if (m && std::isfinite(m->value)) {
                    sum += m->value;
                    ++n;
                }
            }
            if (!present)
                continue;
            cell.mean = n ? sum / n : kNaN;
            std::vector<SeedPairSeries> pairs;
            for (const auto* r : group) {
                const auto it = baselineOf.find(r->seed);
                if (it == baselineOf.end())
                    continue;
                const EvalResult& a = *r->figures;
                const EvalResult& b = *it->second->figures;
                const auto* va = a.perUser(name);
                const auto* vb = b.perUser(name);
                if (!va || !vb)
                    continue;
                if (a.users != b.users || a.protocol.splitHash != b.protocol.splitHash) {
                    throw Error("sweep summary: run " + std::to_string(r->runId) + " and its baseline run " +
                                std::to_string(it->second->runId) +
                                " were evaluated on different users or splits; they cannot be paired");
                }
                pairs.push_back({a.users, *va, *vb});
            }
            if (!pairs.empty()) {
                cell.paired = true;
                cell.vsBaseline = compareAcrossSeeds(pairs, bootstrap);
            }
            row.cells.push_back(std::move(cell));
        }
        out.rows.push_back(std::move(row));
    }
    return out;
}

}  // namespace tiltbench
