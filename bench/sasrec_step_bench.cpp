// sasrec_step_bench: how close one SASRec training step comes to the machine's practical matrix-multiply
// limit (issue 4, speed section). Times SasrecModel::loss(batch, backward = true) + zeroGrad over many
// batches shaped like ML-100K's training sequences, counts the step's useful FLOPs analytically over the real
// (non-padding) positions only, and sets the achieved GFLOP/s against a large float32 at::matmul (default
// 2048 × 2048) timed in the same process with the same thread count.
//
// Useful FLOPs of one sequence with L real input positions (d = dim, C = catalogue size, b = blocks):
//   per block  linears  QKV 2·L·d·3d + out 2·L·d·d + FFN 2·(2·L·d·d) = 12·L·d²
//              attention QKᵀ and A·V over the causal triangle: 2 · (2·d · L(L+1)/2) = 2·d·L(L+1)
//   output     logits 2·L·d·C (tied embeddings, full catalogue)
//   forward    b·(12·L·d² + 2·d·L(L+1)) + 2·L·d·C; a training step = 3 × forward (backward = 2 × forward).
// Embedding lookups, LayerNorm, softmax, dropout, the loss and the optimizer step count as free; the
// optimizer step is not timed (SasrecModel has none; Adam over ~10⁵ parameters is negligible here).
//
// Batches: the sequences of --data (an ML-100K u.data, built as the trainer builds them: per user sorted by
// time with ties in file order, last two held out, newest max_len + 1 items, users with ≥ 2 items) or,
// without
// --data, seeded synthetic ones with about ML-100K's length distribution. Right-padded and length-bucketed
// like the trainer's batches (shuffle, sort each pool of 32 batches by length, cut); --no-bucket cuts
// shuffled users into batches instead. Plain main, no Google Benchmark: the figures are ratios of two
// timings.
#include <ATen/ATen.h>
#include <torch/csrc/autograd/profiler_legacy.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "torch/model/sasrec.h"
#include "torch/runtime/runtime.h"
#include "torch/runtime/tensor_cache.h"

using namespace tiltbench;

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    std::string data;
    int threads = 2;
    int steps = 48;
    int warmup = 8;
    int batchSize = 128;
    int dim = 50;
    int blocks = 2;
    int heads = 1;
    int maxLen = 200;
    int items = 1682;  // synthetic only; with --data the catalogue is the file's
    int users = 943;   // synthetic only
    double dropout = 0.2;
    int matmulN = 2048;
    int matmulReps = 10;
    uint64_t seed = 42;
    bool bucket = true;
    bool forward = true;    // also time the forward pass alone
    bool bf16 = false;      // the model's bf16 output products (train --precision bf16)
    bool bf16Body = false;  // the body's products in bf16 too (train --precision bf16-all)
    std::string profile;    // write a chrome trace of a few training steps here
};

[[noreturn]] void usage(int code) {
    std::fprintf(code ? stderr : stdout,
                 "usage: sasrec_step_bench [--data u.data] [--threads 2] [--steps 48] [--warmup 8]\n"
                 "       [--batch-size 128] [--dim 50] [--blocks 2] [--heads 1] [--max-len 200]\n"
                 "       [--items 1682] [--users 943] [--dropout 0.2] [--bf16] [--bf16-body] [--profile "
                 "trace.json] [--matmul-n 2048] [--matmul-reps 10]\n"
                 "       [--seed 42] [--no-bucket] [--no-forward]\n");
    std::exit(code);
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "sasrec_step_bench: %s needs a value\n", a.c_str());
                usage(1);
            }
            return argv[++i];
        };
        if (a == "--data")
            o.data = next();
        else if (a == "--threads")
            o.threads = std::stoi(next());
        else if (a == "--steps")
            o.steps = std::stoi(next());
        else if (a == "--warmup")
            o.warmup = std::stoi(next());
        else if (a == "--batch-size")
            o.batchSize = std::stoi(next());
        else if (a == "--dim")
            o.dim = std::stoi(next());
        else if (a == "--blocks")
            o.blocks = std::stoi(next());
        else if (a == "--heads")
            o.heads = std::stoi(next());
        else if (a == "--max-len")
            o.maxLen = std::stoi(next());
        else if (a == "--items")
            o.items = std::stoi(next());
        else if (a == "--users")
            o.users = std::stoi(next());
        else if (a == "--dropout")
            o.dropout = std::stod(next());
        else if (a == "--bf16")
            o.bf16 = true;
        else if (a == "--bf16-body")
            o.bf16Body = true;
        else if (a == "--profile")
            o.profile = next();
        else if (a == "--matmul-n")
            o.matmulN = std::stoi(next());
        else if (a == "--matmul-reps")
            o.matmulReps = std::stoi(next());
        else if (a == "--seed")
            o.seed = std::stoull(next());
        else if (a == "--no-bucket")
            o.bucket = false;
        else if (a == "--no-forward")
            o.forward = false;
        else if (a == "--help" || a == "-h")
            usage(0);
        else {
            std::fprintf(stderr, "sasrec_step_bench: unknown argument '%s'\n", a.c_str());
            usage(1);
        }
    }
    if (o.steps < 1 || o.batchSize < 1 || o.maxLen < 1 || o.matmulN < 1 || o.matmulReps < 1)
        usage(1);
    return o;
}

// Training sequences (0-based items, oldest first), as the trainer builds them from a leave-one-out split.
std::vector<std::vector<int32_t>> readSequences(const std::string& path, int maxLen, int32_t& numItems) {
    std::ifstream in(path);
    if (!in) {
        std::fprintf(stderr, "sasrec_step_bench: cannot open %s\n", path.c_str());
        std::exit(2);
    }
    struct Row {
        int64_t ts;
        int32_t item;
    };
    std::map<int64_t, int32_t> itemIds;
    std::map<int64_t, std::vector<Row>> byUser;
    std::vector<int64_t> userOrder;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ss(line);
        int64_t u, i, r, ts;
        if (!(ss >> u >> i >> r >> ts))
            continue;
        auto it = itemIds.find(i);
        if (it == itemIds.end())
            it = itemIds.emplace(i, static_cast<int32_t>(itemIds.size())).first;
        auto& rows = byUser[u];
        if (rows.empty())
            userOrder.push_back(u);
        rows.push_back({ts, it->second});
    }
    numItems = static_cast<int32_t>(itemIds.size());
    std::vector<std::vector<int32_t>> out;
    for (int64_t u : userOrder) {
        auto& rows = byUser[u];
        std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.ts < b.ts; });
        const size_t n = rows.size() >= 3 ? rows.size() - 2 : rows.size();
        const size_t begin = n > static_cast<size_t>(maxLen) + 1 ? n - static_cast<size_t>(maxLen) - 1 : 0;
        if (n - begin < 2)
            continue;
        std::vector<int32_t> s;
        for (size_t k = begin; k < n; ++k)
            s.push_back(rows[k].item);
        out.push_back(std::move(s));
    }
    return out;
}

// About ML-100K: every user has ≥ 20 ratings (≥ 18 training items), mean ~106, long tail; lengths are
// 18 + Exp(mean 85), clipped to max_len + 1, which gives ~88 input positions a user as ML-100K does.
std::vector<std::vector<int32_t>> syntheticSequences(const Options& o, std::mt19937_64& rng) {
    std::exponential_distribution<double> extra(1.0 / 85.0);
    std::uniform_int_distribution<int32_t> item(0, o.items - 1);
    std::vector<std::vector<int32_t>> out(static_cast<size_t>(o.users));
    for (auto& s : out) {
        const auto n = std::min<int64_t>(o.maxLen + 1, 18 + static_cast<int64_t>(extra(rng)));
        s.resize(static_cast<size_t>(n));
        for (auto& v : s)
            v = item(rng);
    }
    return out;
}

std::vector<std::vector<size_t>> makeBatches(const std::vector<std::vector<int32_t>>& seqs, int batchSize,
                                             bool bucket, std::mt19937_64& rng) {
    std::vector<size_t> order(seqs.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::shuffle(order.begin(), order.end(), rng);
    const size_t b = static_cast<size_t>(batchSize), pool = bucket ? b * 32 : b;
    std::vector<std::vector<size_t>> batches;
    for (size_t p = 0; p < order.size(); p += pool) {
        const auto first = order.begin() + static_cast<std::ptrdiff_t>(p);
        const auto last = order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), p + pool));
        if (bucket)
            std::stable_sort(first, last,
                             [&](size_t x, size_t y) { return seqs[x].size() > seqs[y].size(); });
        for (auto it = first; it < last;) {
            const auto n = static_cast<std::ptrdiff_t>(std::min<size_t>(b, static_cast<size_t>(last - it)));
            batches.emplace_back(it, it + n);
            it += n;
        }
    }
    std::shuffle(batches.begin(), batches.end(), rng);
    return batches;
}

SequenceBatch makeBatch(const std::vector<std::vector<int32_t>>& seqs, const std::vector<size_t>& rows) {
    SequenceBatch batch;
    batch.rows = static_cast<int64_t>(rows.size());
    for (size_t r : rows)
        batch.length = std::max<int64_t>(batch.length, static_cast<int64_t>(seqs[r].size()) - 1);
    const auto cells = static_cast<size_t>(batch.rows * batch.length);
    batch.inputs.assign(cells, 0);
    batch.targets.assign(cells, -1);
    batch.weights.assign(cells, 0.0f);
    for (size_t k = 0; k < rows.size(); ++k) {
        const auto& s = seqs[rows[k]];
        const size_t base = k * static_cast<size_t>(batch.length);
        for (size_t t = 0; t + 1 < s.size(); ++t) {
            batch.inputs[base + t] = s[t] + 1;
            batch.targets[base + t] = s[t + 1];
            batch.weights[base + t] = 1.0f;
        }
    }
    return batch;
}

struct BatchCost {
    double forwardFlops = 0;
    int64_t realPositions = 0;
    int64_t cells = 0;
};

BatchCost cost(const SequenceBatch& b, const Options& o, int32_t numItems) {
    BatchCost c;
    const double d = o.dim, C = numItems;
    c.cells = b.rows * b.length;
    for (int64_t r = 0; r < b.rows; ++r) {
        double L = 0;
        for (int64_t t = 0; t < b.length; ++t)
            L += b.targets[static_cast<size_t>(r * b.length + t)] >= 0 ? 1 : 0;
        c.realPositions += static_cast<int64_t>(L);
        c.forwardFlops += o.blocks * (12.0 * L * d * d + 2.0 * d * L * (L + 1.0)) + 2.0 * L * d * C;
    }
    return c;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Median GFLOP/s of an n × n float32 matmul over `reps` repetitions (after one warm-up).
double matmulGflops(int n, int reps, double& medianSeconds, at::ScalarType type = at::kFloat) {
    const auto a = at::randn({n, n}).to(type), b = at::randn({n, n}).to(type);
    auto c = at::matmul(a, b);  // warm-up: thread pool, pages
    std::vector<double> secs;
    for (int i = 0; i < reps; ++i) {
        const auto t0 = Clock::now();
        at::matmul_out(c, a, b);
        secs.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    }
    medianSeconds = median(secs);
    return 2.0 * n * static_cast<double>(n) * n / medianSeconds / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parse(argc, argv);
    const int threads = setThreads(o.threads);
    std::mt19937_64 rng(o.seed);
    int32_t numItems = o.items;
    const auto seqs = o.data.empty() ? syntheticSequences(o, rng) : readSequences(o.data, o.maxLen, numItems);
    int64_t positions = 0;
    for (const auto& s : seqs)
        positions += static_cast<int64_t>(s.size()) - 1;

    const RuntimeInfo info = runtimeInfo();
    std::printf("sasrec_step_bench  torch %s  threads %d (hardware %d)\n", info.torchVersion.c_str(), threads,
                info.hardwareThreads);
    std::printf("data: %s  users %zu  items %d  training_positions %lld\n",
                o.data.empty() ? "synthetic (ML-100K-like lengths)" : o.data.c_str(), seqs.size(), numItems,
                static_cast<long long>(positions));
    std::printf("model: dim %d  blocks %d  heads %d  max_len %d  dropout %.2f  batch %d  %s batches\n", o.dim,
                o.blocks, o.heads, o.maxLen, o.dropout, o.batchSize,
                o.bucket ? "length-bucketed" : "unsorted");

    seedTorch(o.seed);
    SasrecConfig mc;
    mc.numItems = numItems;
    mc.dim = o.dim;
    mc.blocks = o.blocks;
    mc.heads = o.heads;
    mc.maxLen = o.maxLen;
    mc.dropout = o.dropout;
    mc.bf16 = o.bf16;
    mc.bf16Body = o.bf16Body;
    SasrecModel model(mc, "cpu");
    model.setTraining(true);

    // The batch stream: whole shuffled epochs, as many as the steps need.
    std::vector<SequenceBatch> stream;
    const size_t wanted = static_cast<size_t>(o.warmup + o.steps);
    while (stream.size() < wanted) {
        for (const auto& rows : makeBatches(seqs, o.batchSize, o.bucket, rng)) {
            if (stream.size() == wanted)
                break;
            stream.push_back(makeBatch(seqs, rows));
        }
    }

    auto timeSteps = [&](bool backward, double& flopsOut, BatchCost& totals) {
        for (int s = 0; s < o.warmup; ++s) {
            model.loss(stream[static_cast<size_t>(s)], backward);
            model.zeroGrad();
        }
        double seconds = 0.0;
        for (int s = 0; s < o.steps; ++s) {
            const auto& b = stream[static_cast<size_t>(o.warmup + s)];
            const auto t0 = Clock::now();
            model.loss(b, backward);
            model.zeroGrad();
            seconds += std::chrono::duration<double>(Clock::now() - t0).count();
            const BatchCost c = cost(b, o, numItems);
            totals.forwardFlops += c.forwardFlops;
            totals.realPositions += c.realPositions;
            totals.cells += c.cells;
        }
        flopsOut = totals.forwardFlops * (backward ? 3.0 : 1.0);
        return seconds;
    };

    double trainFlops = 0.0;
    BatchCost trainTotals;
    const double trainSeconds = timeSteps(true, trainFlops, trainTotals);
    const double trainGflops = trainFlops / trainSeconds / 1e9;

    double fwdFlops = 0.0, fwdSeconds = 0.0;
    BatchCost fwdTotals;
    if (o.forward)
        fwdSeconds = timeSteps(false, fwdFlops, fwdTotals);

    if (!o.profile.empty()) {
        // Autograd's legacy profiler: every ATen op of a few training steps, as a chrome trace (see
        // bench/profile_ops.py for a table of self times).
        torch::autograd::profiler::RecordProfile guard(o.profile);
        for (int s = 0; s < o.steps; ++s) {
            model.loss(stream[static_cast<size_t>(o.warmup + s)], true);
            model.zeroGrad();
        }
    }

    double mmSeconds = 0.0;
    const double mmGflops = matmulGflops(o.matmulN, o.matmulReps, mmSeconds);
    double bfSeconds = 0.0;
    const double bfGflops = matmulGflops(o.matmulN, o.matmulReps, bfSeconds, at::kBFloat16);

    const double padShare =
        1.0 - static_cast<double>(trainTotals.realPositions) / static_cast<double>(trainTotals.cells);
    std::printf("\nsteps %d (after %d warm-up)  real positions/step %.0f  padding share %.3f\n", o.steps,
                o.warmup, static_cast<double>(trainTotals.realPositions) / o.steps, padShare);
    std::printf(
        "training step (loss + backward + zeroGrad): %.2f ms/step  %.0f positions/s  %.3f GFLOP/step  "
        "-> %.2f GFLOP/s\n",
        1e3 * trainSeconds / o.steps, static_cast<double>(trainTotals.realPositions) / trainSeconds,
        trainFlops / o.steps / 1e9, trainGflops);
    if (o.forward)
        std::printf(
            "forward only (no grad):                      %.2f ms/step  %.3f GFLOP/step  -> %.2f GFLOP/s\n",
            1e3 * fwdSeconds / o.steps, fwdFlops / o.steps / 1e9, fwdFlops / fwdSeconds / 1e9);
    std::printf("at::matmul %d x %d float32: %.2f ms/call  -> %.2f GFLOP/s (median of %d)\n", o.matmulN,
                o.matmulN, 1e3 * mmSeconds, mmGflops, o.matmulReps);
    std::printf("at::matmul %d x %d bfloat16: %.2f ms/call  -> %.2f GFLOP/s (median of %d)\n", o.matmulN,
                o.matmulN, 1e3 * bfSeconds, bfGflops, o.matmulReps);
    std::printf(
        "training step / float32 matmul: %.3f (%.1f %% of the practical limit)  output products in %s, "
        "body's "
        "in %s\n",
        trainGflops / mmGflops, 100.0 * trainGflops / mmGflops, o.bf16 ? "bfloat16" : "float32",
        o.bf16Body ? "bfloat16" : "float32");
    const TensorCacheStats cache = tensorCacheStats();
    std::printf("tensor cache: %s  hits %lld  misses %lld  peak in use %.0f MB  cap %.0f MB\n",
                cache.installed ? "installed" : "not installed", static_cast<long long>(cache.hits),
                static_cast<long long>(cache.misses), cache.peakInUseBytes / 1048576.0,
                cache.capBytes / 1048576.0);
    std::printf(
        "an epoch of %lld positions at this rate: %.2f s (training pass, no optimizer step)\n",
        static_cast<long long>(positions),
        trainSeconds / static_cast<double>(trainTotals.realPositions) * static_cast<double>(positions));
    return 0;
}
