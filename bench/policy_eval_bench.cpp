// policy_eval_bench: the tilted Markov policy's closed-form fit plus a full evaluation (validation and test,
// full-catalog ranking, history masked, every metric) on MovieLens 100K — the goal is ≤ 100 ms. Baselines in
// the same run: the tilted popularity policy (the cheapest model) through the same evaluation, and the Markov
// fit + evaluation on one thread. Needs ../shared/data/ml-100k (or $TILTBENCH_SHARED_DATA); exits with a
// clear message when it is absent.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "eval/evaluator.h"
#include "eval/split.h"
#include "io/import.h"
#include "model/closed_form_policy.h"
#include "store/workspace.h"
#include "weighting/target_view.h"

using namespace tiltbench;

namespace {

struct Fixture {
    InteractionLog log;
    std::unique_ptr<Split> split;
};

Fixture& fixture() {
    static Fixture f = [] {
        const char* env = std::getenv("TILTBENCH_SHARED_DATA");
        const std::string dir = std::string(env ? env : TILTBENCH_SHARED_DATA_DEFAULT) + "/ml-100k";
        if (!std::filesystem::exists(dir + "/u.data")) {
            std::fprintf(stderr, "policy_eval_bench: %s/u.data not found (set TILTBENCH_SHARED_DATA)\n",
                         dir.c_str());
            std::exit(2);
        }
        const auto path = std::filesystem::temp_directory_path() / "tiltbench-policy-bench.sqlite";
        std::filesystem::remove(path);
        Fixture out;
        {
            Workspace ws(path.string(), OpenMode::CreateIfMissing);
            ImportRequest req;
            req.name = "ml-100k";
            req.format = ImportFormat::MovieLens100k;
            req.files = {dir + "/u.data"};
            const auto report = importDataset(ws, req);
            out.log = ws.loadLog(report.dataset.id);
        }
        std::filesystem::remove(path);
        out.split = std::make_unique<Split>(Split::make(out.log));
        return out;
    }();
    return f;
}

void fitAndEvaluate(benchmark::State& state, PolicyKind kind, int threads, int resamples) {
    Fixture& f = fixture();
    const WeightScheme scheme = WeightScheme::exp(0.5);
    EvalConfig ec;
    ec.threads = threads;
    ec.bootstrap.resamples = resamples;
    for (auto _ : state) {
        const PolicyData data =
            PolicyData::build(viewOf(f.split->training(), f.split->numItems()), kind == PolicyKind::Markov);
        const auto scorer = fitClosedFormPolicy(kind, data, scheme);
        const Evaluator evaluator(f.log, *f.split, ec);
        auto valid = evaluator.evaluate(*scorer, EvalSet::Validation);
        auto test = evaluator.evaluate(*scorer, EvalSet::Test);
        benchmark::DoNotOptimize(valid.metrics.data());
        benchmark::DoNotOptimize(test.metrics.data());
    }
}

// Refit only (the λ Explorer's per-λ step): PolicyData is built once per dataset.
void refitAndEvaluate(benchmark::State& state) {
    Fixture& f = fixture();
    const PolicyData data = PolicyData::build(viewOf(f.split->training(), f.split->numItems()), true);
    EvalConfig ec;
    ec.bootstrap.resamples = 0;
    const Evaluator evaluator(f.log, *f.split, ec);
    for (auto _ : state) {
        const auto scorer = fitClosedFormPolicy(PolicyKind::Markov, data, WeightScheme::exp(0.5));
        auto valid = evaluator.evaluate(*scorer, EvalSet::Validation);
        benchmark::DoNotOptimize(valid.metrics.data());
    }
}

}  // namespace

BENCHMARK_CAPTURE(fitAndEvaluate, markov_all_threads_bootstrap1000, PolicyKind::Markov, 0, 1000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(fitAndEvaluate, markov_all_threads_no_bootstrap, PolicyKind::Markov, 0, 0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(fitAndEvaluate, markov_one_thread_no_bootstrap, PolicyKind::Markov, 1, 0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(fitAndEvaluate, popularity_all_threads_no_bootstrap, PolicyKind::Popularity, 0, 0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(refitAndEvaluate)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

BENCHMARK_MAIN();
