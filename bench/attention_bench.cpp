// The attention's probabilities in a SASRec training step, forward + backward, against the formulation they
// replaced, measured in the same run (issue 18, item 1's speed goal): causalAttentionProbs (one autograd
// node: ATen's softmax, then dropout, the type conversion and softmax's backward fused over the lower
// triangle) against "unfused" — scores to float, + causal mask, at::softmax, fastDropout (a float mask kept
// for backward), back to the scores' type — which is what SasrecBlock ran before. Shapes as in training at
// ML-1M size: B 128, H 1, T = 200 (a full batch) and 100; scores in float (--precision fp32/bf16) and
// bfloat16 (--precision bf16-all); dropout 0.2. Threads: TILTBENCH_THREADS (default 2, this VM's cores).
// Ratio = unfused / fused time.
//
//   build/dev/bench/attention_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <limits>

#include "torch/model/sasrec_ops.h"
#include "torch/runtime/tensor_cache.h"

namespace {

using tiltbench::causalAttentionProbs;
using tiltbench::fastDropout;

constexpr double kScale = 0.125, kDropout = 0.2;

at::Tensor unfused(const at::Tensor& scores) {
    const int64_t t = scores.size(-1);
    const auto causal = at::full({t, t}, -std::numeric_limits<float>::infinity()).triu_(1);
    auto att = scores.to(at::kFloat).mul(kScale);
    att = fastDropout(at::softmax(att.add_(causal), -1), kDropout, true);
    return att.to(scores.scalar_type());
}

template <bool Fused>
void attention(benchmark::State& state) {
    const char* threads = std::getenv("TILTBENCH_THREADS");
    at::set_num_threads(threads != nullptr ? std::atoi(threads) : 2);
    tiltbench::installTensorCache();  // the trainer's allocator: large buffers reused, not mapped afresh
    const int64_t t = state.range(0);
    const auto type = state.range(1) != 0 ? at::kBFloat16 : at::kFloat;
    at::manual_seed(1);
    const auto base = at::randn({128, 1, t, t}).mul_(3.0).to(type);
    const auto upstream = at::randn({128, 1, t, t}).to(type);
    for (auto _ : state) {
        auto scores = base.detach().requires_grad_(true);
        const auto out = Fused ? causalAttentionProbs(scores, kScale, kDropout) : unfused(scores);
        out.backward(upstream);
        benchmark::DoNotOptimize(scores.grad().data_ptr());
    }
    state.SetLabel(type == at::kBFloat16 ? "bf16" : "float");
}

BENCHMARK_TEMPLATE(attention, false)
    ->Name("unfused")
    ->ArgsProduct({{200, 100}, {0, 1}})
    ->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(attention, true)
    ->Name("fused")
    ->ArgsProduct({{200, 100}, {0, 1}})
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
