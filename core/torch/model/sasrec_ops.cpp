#include "torch/model/sasrec_ops.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cstdint>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace tiltbench {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The operand of a large product in the precision it runs in.
at::Tensor productOperand(const at::Tensor& x, bool bf16) {
    return bf16 ? x.to(at::kBFloat16) : x;
}

// A product of operands from productOperand, returned in float.
at::Tensor product(const at::Tensor& a, const at::Tensor& b) {
    at::Tensor c = at::mm(a, b);
    return c.scalar_type() == at::kFloat ? c : c.to(at::kFloat);
}

class FusedSoftmaxLoss : public torch::autograd::Function<FusedSoftmaxLoss> {
  public:
    static at::Tensor forward(AutogradContext* ctx, const at::Tensor& h, const at::Tensor& w,
                              const at::Tensor& targets, const at::Tensor& scale, bool bf16) {
        // Each operand is converted once; the backward pass reuses the converted copies.
        const at::Tensor hp = productOperand(h, bf16), wp = productOperand(w, bf16);
        at::Tensor p = product(hp, wp.t());  // logits [N, C]
        const at::Tensor t = targets.unsqueeze(1);
        const at::Tensor picked = p.gather(1, t).squeeze(1);
        const at::Tensor m = std::get<0>(p.max(1, true));
        p.sub_(m).exp_();
        const at::Tensor s = p.sum(1, true);
        p.div_(s);  // probabilities, in place
        const at::Tensor lse = m.squeeze(1) + s.log().squeeze(1);
        at::Tensor loss = ((lse - picked) * scale).sum();
        ctx->save_for_backward({hp, wp, p, targets, scale});
        ctx->saved_data["bf16"] = bf16;
        return loss;
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const at::Tensor &hp = saved[0], &wp = saved[1], &targets = saved[3], &scale = saved[4];
        at::Tensor g = saved[2];  // probabilities; this node runs backward once, so reuse the buffer
        const bool bf16 = ctx->saved_data["bf16"].toBool();
        // d/dlogits of scale_i · CE_i = scale_i · (softmax_i − onehot_i).
        g.scatter_add_(1, targets.unsqueeze(1), at::full({g.size(0), 1}, -1.0, g.options()));
        g.mul_((scale * grads[0]).unsqueeze(1));
        const at::Tensor gp = productOperand(g, bf16);  // [N, C]: converted once for both products
        at::Tensor gh = product(gp, wp);
        at::Tensor gw = product(gp.t(), hp);
        return {gh, gw, at::Tensor(), at::Tensor(), at::Tensor()};
    }
};

// Sets logits[i, k] = −∞ wherever candidate k is row i's own target (an "accidental hit"). Candidates may
// repeat (uniform and popularity draw with replacement). On the CPU a walk over each target's candidate
// columns (O(N + hits)); elsewhere an [N, K] comparison.
void maskAccidentalHits(at::Tensor& logits, const at::Tensor& targets, const at::Tensor& items,
                        int64_t numItems) {
    const float inf = std::numeric_limits<float>::infinity();
    if (!logits.device().is_cpu()) {
        logits.masked_fill_(targets.unsqueeze(1).eq(items.unsqueeze(0)), -inf);
        return;
    }
    const at::Tensor it = items.contiguous(), tg = targets.contiguous();
    const int64_t k = it.numel(), n = tg.numel();
    const int64_t* ip = it.data_ptr<int64_t>();
    const int64_t* tp = tg.data_ptr<int64_t>();
    std::vector<int64_t> head(static_cast<size_t>(numItems), -1), next(static_cast<size_t>(k), -1);
    for (int64_t j = k - 1; j >= 0; --j) {
        const int64_t item = ip[j];
        TORCH_CHECK(item >= 0 && item < numItems, "sampled softmax: candidate item out of range");
        next[static_cast<size_t>(j)] = head[static_cast<size_t>(item)];
        head[static_cast<size_t>(item)] = j;
    }
    float* lp = logits.data_ptr<float>();
    for (int64_t i = 0; i < n; ++i) {
        TORCH_CHECK(tp[i] >= 0 && tp[i] < numItems, "sampled softmax: target item out of range");
        for (int64_t j = head[static_cast<size_t>(tp[i])]; j >= 0; j = next[static_cast<size_t>(j)])
            lp[i * k + j] = -inf;
    }
}

// The sampled softmax of sampledSoftmaxLoss as one autograd node, like FusedSoftmaxLoss: the candidates'
// logits in one [N, K] buffer, turned into unnormalised exponentials in place (their per-row sums kept, so
// no division pass), into the logit gradient in place in the backward pass; the two big products optionally
// in bfloat16. The target's own logit (one per row) stays a float dot product.
class FusedSampledSoftmaxLoss : public torch::autograd::Function<FusedSampledSoftmaxLoss> {
  public:
    static at::Tensor forward(AutogradContext* ctx, const at::Tensor& h, const at::Tensor& w,
                              const at::Tensor& targets, const at::Tensor& scale, const at::Tensor& items,
                              const at::Tensor& logQ, const at::Tensor& itemLogQ, bool bf16) {
        const at::Tensor wc = w.index_select(0, items), wt = w.index_select(0, targets);
        const at::Tensor hp = productOperand(h, bf16), wcp = productOperand(wc, bf16);
        at::Tensor p = at::mm(hp, wcp.t());  // [N, K]
        // The correction, and for bfloat16 the conversion back to float, in one pass.
        p = p.scalar_type() == at::kFloat ? p.sub_(logQ.unsqueeze(0)) : at::sub(p, logQ.unsqueeze(0));
        maskAccidentalHits(p, targets, items, w.size(0));
        const at::Tensor pos = (h * wt).sum(1) - itemLogQ.index_select(0, targets);  // [N]
        const at::Tensor m = at::maximum(std::get<0>(p.max(1)), pos);
        p.sub_(m.unsqueeze(1)).exp_();  // exp(s − m); hits are 0
        const at::Tensor ePos = (pos - m).exp_();
        const at::Tensor z = p.sum(1).add_(ePos);  // Σ exp(· − m) over the target and the candidates
        const at::Tensor lse = m + z.log();
        at::Tensor loss = ((lse - pos) * scale).sum();
        ctx->save_for_backward({h, hp, wcp, wt, p, z, ePos, targets, items, scale});
        ctx->saved_data["bf16"] = bf16;
        ctx->saved_data["rows"] = w.size(0);
        return loss;
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const at::Tensor &h = saved[0], &hp = saved[1], &wcp = saved[2], &wt = saved[3];
        at::Tensor g = saved[4];  // exponentials; this node runs backward once, so reuse the buffer
        const at::Tensor &z = saved[5], &ePos = saved[6], &targets = saved[7], &items = saved[8],
                         &scale = saved[9];
        const bool bf16 = ctx->saved_data["bf16"].toBool();
        const int64_t rows = ctx->saved_data["rows"].toInt();
        // d/ds of scale_i · CE_i: scale_i · softmax_i over the candidates, scale_i · (softmax_i − 1) at the
        // target.
        const at::Tensor coef = scale * grads[0];
        const at::Tensor gPos = coef * (ePos / z - 1.0);  // [N]
        at::Tensor gp = bf16 ? at::empty(g.sizes(), g.options().dtype(at::kBFloat16)) : g;
        at::mul_out(gp, g, (coef / z).unsqueeze(1));  // into the products' precision in the same pass
        at::Tensor gh = product(gp, wcp).add_(wt * gPos.unsqueeze(1));
        at::Tensor gw = at::zeros({rows, h.size(1)}, h.options());
        gw.index_add_(0, items, product(gp.t(), hp));
        gw.index_add_(0, targets, h * gPos.unsqueeze(1));
        return {gh, gw, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
    }
};

inline uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

uint64_t drawSeed() {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    return gen.get<at::CPUGeneratorImpl>()->random64();
}

}  // namespace

bool referenceKernels() {
    static const bool reference = [] {
        const char* v = std::getenv("TILTBENCH_SASREC_KERNELS");
        return v != nullptr && std::strcmp(v, "reference") == 0;
    }();
    return reference;
}

at::Tensor fusedSoftmaxLoss(const at::Tensor& h, const at::Tensor& w, const at::Tensor& targets,
                            const at::Tensor& scale, bool bf16) {
    if (referenceKernels()) {
        const auto logits =
            bf16 ? at::mm(h.to(at::kBFloat16), w.to(at::kBFloat16).t()).to(at::kFloat) : at::mm(h, w.t());
        const auto logp = at::log_softmax(logits, 1);
        return (logp.gather(1, targets.unsqueeze(1)).squeeze(1).neg() * scale).sum();
    }
    return FusedSoftmaxLoss::apply(h, w, targets, scale, bf16);
}

at::Tensor sampledSoftmaxLoss(const at::Tensor& h, const at::Tensor& w, const at::Tensor& targets,
                              const at::Tensor& scale, const SampledCandidates& candidates, bool bf16) {
    if (referenceKernels())
        return sampledSoftmaxLossChain(h, w, targets, scale, candidates);
    return FusedSampledSoftmaxLoss::apply(h, w, targets, scale, candidates.items, candidates.logQ,
                                          candidates.itemLogQ, bf16);
}

at::Tensor sampledSoftmaxLossChain(const at::Tensor& h, const at::Tensor& w, const at::Tensor& targets,
                                   const at::Tensor& scale, const SampledCandidates& candidates) {
    const at::Tensor pos =
        (h * w.index_select(0, targets)).sum(1) - candidates.itemLogQ.index_select(0, targets);
    at::Tensor neg =
        at::mm(h, w.index_select(0, candidates.items).t()) - candidates.logQ.unsqueeze(0);  // [N, K]
    const at::Tensor hit = targets.unsqueeze(1).eq(candidates.items.unsqueeze(0));
    neg = neg.masked_fill(hit, -std::numeric_limits<float>::infinity());
    const at::Tensor ce = at::logsumexp(at::cat({pos.unsqueeze(1), neg}, 1), 1) - pos;
    return (ce * scale).sum();
}

at::Tensor bodyLinear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, bool bf16,
                      bool keepBf16) {
    if (!bf16)
        return at::linear(x, weight, bias);
    const at::Tensor xb = x.to(at::kBFloat16), wb = weight.to(at::kBFloat16);
    if (keepBf16)
        return at::linear(xb, wb, bias.to(at::kBFloat16));
    return at::linear(xb, wb).to(at::kFloat).add_(bias);
}

at::Tensor bodyMatmul(const at::Tensor& a, const at::Tensor& b, bool bf16) {
    if (!bf16)
        return at::matmul(a, b);
    return at::matmul(a.to(at::kBFloat16), b.to(at::kBFloat16)).to(at::kFloat);
}

at::Tensor fastDropout(const at::Tensor& x, double p, bool training) {
    if (!training || p <= 0.0)
        return x;
    if (!x.device().is_cpu() || x.scalar_type() != at::kFloat || referenceKernels())
        return at::dropout(x, p, true);
    // Keep an entry when its 16-bit uniform is ≥ threshold; four uniforms per
    // hash. The kept share is exactly 1 − threshold / 65536, and the scale its
    // inverse, so the expectation is unchanged.
    const auto threshold = static_cast<uint32_t>(p * 65536.0 + 0.5);
    const float keep = 1.0f - static_cast<float>(threshold) / 65536.0f;
    const float scale = keep > 0.0f ? 1.0f / keep : 0.0f;
    const uint64_t seed = drawSeed();
    at::Tensor mask = at::empty(x.sizes(), x.options().requires_grad(false));
    float* m = mask.data_ptr<float>();
    const int64_t n = mask.numel();
    const int64_t words = (n + 3) / 4;
    at::parallel_for(0, words, 4096, [&](int64_t begin, int64_t end) {
        for (int64_t k = begin; k < end; ++k) {
            uint64_t r = splitmix64(seed ^ (static_cast<uint64_t>(k) * 0xD1B54A32D192ED03ull));
            const int64_t base = 4 * k;
            const int64_t count = std::min<int64_t>(4, n - base);
            for (int64_t j = 0; j < count; ++j, r >>= 16)
                m[base + j] = (static_cast<uint32_t>(r & 0xFFFFu) >= threshold) ? scale : 0.0f;
        }
    });
    return x * mask;
}

int ownParallelLoopThreads() {
    std::mutex mutex;
    std::set<std::thread::id> ids;
    at::parallel_for(0, 1024, 1, [&](int64_t, int64_t) {
        std::lock_guard<std::mutex> lock(mutex);
        ids.insert(std::this_thread::get_id());
    });
    return static_cast<int>(ids.size());
}

bool cpuHasNativeBf16() {
#if defined(__x86_64__) || defined(__i386__)
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return false;
    const bool amxBf16 = (d >> 22) & 1u;
    const bool avx512bw = (b >> 30) & 1u;
    if (!__get_cpuid_count(7, 1, &a, &b, &c, &d))
        return amxBf16;
    const bool avx512Bf16 = (a >> 5) & 1u;
    return amxBf16 || (avx512Bf16 && avx512bw);
#else
    return false;
#endif
}

}  // namespace tiltbench
