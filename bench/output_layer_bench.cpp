// The output layer's loss in a SASRec training step, forward + backward, measured in the same run (issue 18,
// item 1's speed goal): the sampled softmax as one autograd node (sampledSoftmaxLoss, products in bfloat16 or
// float) against the chain of ATen operations it replaced (sampledSoftmaxLossChain: gather, mm, masked_fill,
// cat, logsumexp, all float), and the full softmax's fused node over the whole catalogue for scale. Shapes as
// in training at ML-1M size: N = 16,384 positions with a target, d = 64, 3,706 items; K = 1,024 in-batch
// candidates (the default cap) or 3,706 (every item: what an uncapped in-batch set approaches there).
// Threads: TILTBENCH_THREADS (default 2, this VM's cores).
//
//   build/dev/bench/output_layer_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>

#include "torch/model/sasrec_ops.h"
#include "torch/runtime/tensor_cache.h"

namespace {

using tiltbench::SampledCandidates;

constexpr int64_t kRows = 6400, kDim = 64, kItems = 3706;

struct Setup {
    at::Tensor h, w, targets, scale;
    SampledCandidates candidates;
};

Setup setup(int64_t k) {
    const char* threads = std::getenv("TILTBENCH_THREADS");
    at::set_num_threads(threads != nullptr ? std::atoi(threads) : 2);
    tiltbench::installTensorCache();  // the trainer's allocator: large buffers reused, not mapped afresh
    at::manual_seed(1);
    Setup s;
    s.h = at::randn({kRows, kDim});
    s.w = at::randn({kItems, kDim}).mul_(0.3);
    s.targets = at::randint(0, kItems, {kRows}, at::kLong);
    s.scale = at::full({kRows}, 1.0 / static_cast<double>(kRows));
    s.candidates.items = at::randperm(kItems, at::kLong).narrow(0, 0, k).contiguous();
    s.candidates.itemLogQ = at::rand({kItems}).add_(0.01).div_(kItems).log_();
    s.candidates.logQ = s.candidates.itemLogQ.index_select(0, s.candidates.items);
    return s;
}

// arg 0: K (0 = the full softmax over every item); arg 1: products in bfloat16; the template: fused or chain.
template <bool Fused>
void outputLayer(benchmark::State& state) {
    const int64_t k = state.range(0);
    const bool bf16 = state.range(1) != 0;
    const Setup s = setup(k > 0 ? k : 1);
    for (auto _ : state) {
        auto h = s.h.detach().requires_grad_(true), w = s.w.detach().requires_grad_(true);
        at::Tensor loss;
        if (k == 0)
            loss = tiltbench::fusedSoftmaxLoss(h, w, s.targets, s.scale, bf16);
        else if (Fused)
            loss = tiltbench::sampledSoftmaxLoss(h, w, s.targets, s.scale, s.candidates, bf16);
        else
            loss = tiltbench::sampledSoftmaxLossChain(h, w, s.targets, s.scale, s.candidates);
        loss.backward();
        benchmark::DoNotOptimize(w.grad().data_ptr());
    }
    state.SetLabel(k == 0 ? (bf16 ? "full softmax, bf16" : "full softmax, float")
                          : (Fused ? (bf16 ? "fused, bf16" : "fused, float") : "chain, float"));
}

BENCHMARK_TEMPLATE(outputLayer, false)
    ->Name("sampled_chain")
    ->ArgsProduct({{1024, kItems}, {0}})
    ->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(outputLayer, true)
    ->Name("sampled_fused")
    ->ArgsProduct({{1024, kItems}, {0, 1}})
    ->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(outputLayer, true)
    ->Name("full_softmax")
    ->ArgsProduct({{0}, {0, 1}})
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
