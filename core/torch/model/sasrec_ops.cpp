#include "torch/model/sasrec_ops.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
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

inline uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// Four dropout factors from one 64-bit hash: entry l is kept (factor keepScale, else 0) when bits
// 16l..16l+15, read as a 16-bit uniform, are ≥ threshold. Arithmetic, not a branch: a keep-or-drop branch is
// mispredicted about p of the time, which cost more than the rest of the mask.
inline void dropoutFactors(uint64_t h, uint32_t threshold, float keepScale, float* out) {
    for (int l = 0; l < 4; ++l)
        out[l] =
            keepScale * static_cast<float>(static_cast<uint32_t>((h >> (16 * l)) & 0xFFFFu) >= threshold);
}

uint64_t drawSeed() {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    return gen.get<at::CPUGeneratorImpl>()->random64();
}

// ---- causal softmax + dropout (causalAttentionProbs)

// The dropout factors of a row's first n entries (rows of T entries; words of four 16-bit uniforms, a row's
// words numbered from row · wordsPerRow): the same in the forward and the backward pass. 1 / (1 − p) for a
// kept entry, 0 for a dropped one; all 1 when threshold is 0 (no dropout).
struct RowMask {
    uint64_t seed;
    uint32_t threshold;  // an entry is kept when its 16-bit uniform is ≥ threshold
    float keepScale;
    int64_t wordsPerRow;

    void fill(int64_t row, int64_t n, float* keep) const {
        if (threshold == 0) {
            std::fill(keep, keep + n, 1.0f);
            return;
        }
        const uint64_t word0 = static_cast<uint64_t>(row) * static_cast<uint64_t>(wordsPerRow);
        for (int64_t j = 0; j < n; j += 4)  // keep holds T + 3 entries: the last word is written whole
            dropoutFactors(
                splitmix64(seed ^ ((word0 + static_cast<uint64_t>(j / 4)) * 0xD1B54A32D192ED03ull)),
                threshold, keepScale, keep + j);
    }
};

// Rows of T entries in parallel, each with its count of entries at or before the diagonal (row % T + 1).
template <typename F>
void forCausalRows(int64_t rows, int64_t t, F&& perRow) {
    at::parallel_for(0, rows, std::max<int64_t>(1, 32768 / std::max<int64_t>(1, t)),
                     [&](int64_t b, int64_t e) {
                         std::vector<float> keep(static_cast<size_t>(t + 3));
                         for (int64_t r = b; r < e; ++r)
                             perRow(r, r % t + 1, keep.data());
                     });
}

// out = probs · dropout factors in out's type, 0 above the diagonal.
template <typename Scalar>
void dropCausal(const float* probs, Scalar* out, int64_t rows, int64_t t, const RowMask& mask) {
    forCausalRows(rows, t, [&](int64_t r, int64_t n, float* keep) {
        const float* y = probs + r * t;
        Scalar* o = out + r * t;
        mask.fill(r, n, keep);
        for (int64_t j = 0; j < n; ++j)
            o[j] = static_cast<Scalar>(y[j] * keep[j]);
        std::fill(o + n, o + t, static_cast<Scalar>(0.0f));
    });
}

// d scores_j = scale · y_j · (g̃_j − Σ_k g̃_k y_k) with g̃ = g · dropout factor: dropout's backward, then
// softmax's, then the scale's, in one pass; 0 above the diagonal.
template <typename Scalar>
void causalBackward(const float* probs, const Scalar* grad, Scalar* out, int64_t rows, int64_t t, float scale,
                    const RowMask& mask) {
    forCausalRows(rows, t, [&](int64_t r, int64_t n, float* keep) {
        const float* y = probs + r * t;
        const Scalar* g = grad + r * t;
        Scalar* o = out + r * t;
        mask.fill(r, n, keep);
        float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};  // eight partial sums, so the loop vectorises
        int64_t j = 0;
        for (; j + 8 <= n; j += 8)
            for (int l = 0; l < 8; ++l) {
                keep[j + l] *= static_cast<float>(g[j + l]);
                part[l] += keep[j + l] * y[j + l];
            }
        for (; j < n; ++j) {
            keep[j] *= static_cast<float>(g[j]);
            part[0] += keep[j] * y[j];
        }
        const float dot =
            ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
        for (j = 0; j < n; ++j)
            o[j] = static_cast<Scalar>(scale * y[j] * (keep[j] - dot));
        std::fill(o + n, o + t, static_cast<Scalar>(0.0f));
    });
}

at::Tensor causalMaskOf(int64_t t, const at::TensorOptions& options) {
    return at::full({t, t}, -std::numeric_limits<float>::infinity(), options.dtype(at::kFloat)).triu_(1);
}

// The softmax itself is ATen's (vectorised exp); the node saves its float probabilities (no mask: the
// backward pass regenerates it) and replaces the dropout, the conversions and softmax's backward with one
// pass each way.
class CausalAttentionProbs : public torch::autograd::Function<CausalAttentionProbs> {
  public:
    static at::Tensor forward(AutogradContext* ctx, const at::Tensor& scores, double scale, double p) {
        const int64_t t = scores.size(-1), rows = scores.numel() / std::max<int64_t>(1, t);
        // causal + scale · scores in one pass (float, whatever the scores' type), then the softmax.
        const at::Tensor probs =
            at::softmax(at::add(causalMaskOf(t, scores.options()), scores.to(at::kFloat), scale), -1)
                .contiguous();
        RowMask mask{0, 0, 1.0f, (t + 3) / 4};
        if (p > 0.0) {
            mask.threshold = static_cast<uint32_t>(p * 65536.0 + 0.5);
            const float keep = 1.0f - static_cast<float>(mask.threshold) / 65536.0f;
            mask.keepScale = keep > 0.0f ? 1.0f / keep : 0.0f;
            mask.seed = drawSeed();
        }
        at::Tensor out = at::empty(probs.sizes(), scores.options());
        if (out.scalar_type() == at::kBFloat16)
            dropCausal(probs.data_ptr<float>(), out.data_ptr<at::BFloat16>(), rows, t, mask);
        else
            dropCausal(probs.data_ptr<float>(), out.data_ptr<float>(), rows, t, mask);
        ctx->save_for_backward({probs});
        ctx->saved_data["scale"] = scale;
        ctx->saved_data["seed"] = static_cast<int64_t>(mask.seed);
        ctx->saved_data["threshold"] = static_cast<int64_t>(mask.threshold);
        ctx->saved_data["keepScale"] = static_cast<double>(mask.keepScale);
        return out;
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const at::Tensor probs = ctx->get_saved_variables()[0];
        const at::Tensor g = grads[0].contiguous();
        const int64_t t = probs.size(-1), rows = probs.numel() / std::max<int64_t>(1, t);
        const RowMask mask{static_cast<uint64_t>(ctx->saved_data["seed"].toInt()),
                           static_cast<uint32_t>(ctx->saved_data["threshold"].toInt()),
                           static_cast<float>(ctx->saved_data["keepScale"].toDouble()), (t + 3) / 4};
        const auto scale = static_cast<float>(ctx->saved_data["scale"].toDouble());
        at::Tensor gs = at::empty(probs.sizes(), g.options());
        if (g.scalar_type() == at::kBFloat16)
            causalBackward(probs.data_ptr<float>(), g.data_ptr<at::BFloat16>(), gs.data_ptr<at::BFloat16>(),
                           rows, t, scale, mask);
        else
            causalBackward(probs.data_ptr<float>(), g.to(at::kFloat).data_ptr<float>(), gs.data_ptr<float>(),
                           rows, t, scale, mask);
        return {gs, at::Tensor(), at::Tensor()};
    }
};

}  // namespace

at::Tensor causalAttentionProbs(const at::Tensor& scores, double scale, double p) {
    const auto type = scores.scalar_type();
    if (!scores.device().is_cpu() || (type != at::kFloat && type != at::kBFloat16) || referenceKernels()) {
        const auto probs = at::softmax(
            at::add(causalMaskOf(scores.size(-1), scores.options()), scores.to(at::kFloat), scale), -1);
        return (p > 0.0 ? at::dropout(probs, p, true) : probs).to(type);
    }
    return CausalAttentionProbs::apply(scores, scale, p);
}

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
            if (base + 4 <= n) {
                dropoutFactors(r, threshold, scale, m + base);
            } else {  // the last, partial word
                float last[4];
                dropoutFactors(r, threshold, scale, last);
                std::copy(last, last + (n - base), m + base);
            }
        }
    });
    return x * mask;
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
