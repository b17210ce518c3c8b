#pragma once
// Private to core (.cpp files only): the hand-written pieces of the SASRec
// training step that matter most for its speed on a CPU.
//
// - fusedSoftmaxLoss: the output layer and the weighted cross-entropy as one
//   autograd node. Autograd's chain (matmul → log_softmax → gather → mul → sum)
//   keeps the logits and the log-probabilities, builds a one-hot scatter in the
//   backward pass and walks the [N × C] matrix about ten times; this node keeps
//   one [N × C] buffer, turns it into probabilities in place in the forward pass
//   and into the logit gradient in place in the backward pass. Optionally its
//   two big matrix products run in bfloat16 (accumulating in float), which
//   CPUs with AVX-512 BF16 do about twice as fast; the softmax stays in float.
// - sampledSoftmaxLoss: the same for the sampled output layer (--loss sampled),
//   whose autograd chain cost more than the full softmax's node at K ≈ C.
// - dropout: on a CPU, at::dropout draws every mask element from a serial
//   Mersenne Twister; this draws them from a counter-based hash (SplitMix64)
//   seeded by one number from torch's CPU generator, in parallel, so it is
//   several times cheaper and still reproducible for a seed and independent of
//   the thread count. On other devices it is at::dropout.
#include <ATen/core/Tensor.h>

namespace tiltbench {

// Σ_i scale_i · CE(h_i · Wᵀ, target_i), with CE = −log softmax. h: [N, D]
// float, W: [C, D] float (the output embeddings), targets: [N] int64 in
// 0..C−1, scale: [N] float (weight / normaliser). Returns a 0-dim tensor;
// gradients flow to h and W.
at::Tensor fusedSoftmaxLoss(const at::Tensor& h, const at::Tensor& w, const at::Tensor& targets,
                            const at::Tensor& scale, bool bf16);

// The output layer's loss over a set of candidates instead of the catalogue: sampled softmax with the logQ
// correction (Bengio & Senécal 2008; Yi et al. 2019). Every logit s = h·w_j is lowered by log q_j, the log
// probability that item j is a candidate; row i's softmax runs over its target and the candidates, with the
// candidates equal to its target removed ("accidental hits"):
//   CE_i = −(s_it − log q_t) + log( e^{s_it − log q_t} + Σ_{k: c_k ≠ t_i} e^{s_{i c_k} − log q_{c_k}} ).
// With every item a candidate once and q uniform this is the full softmax exactly (test SasrecOps.*).
struct SampledCandidates {
    at::Tensor items;     // [K] int64, 0-based, shared by every row of the batch
    at::Tensor logQ;      // [K] float: log q of each candidate
    at::Tensor itemLogQ;  // [C] float: log q of every item (the targets' correction)
};

// Σ_i scale_i · CE_i as above. h: [N, D], w: [C, D], targets: [N] int64, scale: [N]. Returns a 0-dim tensor;
// gradients flow to h and w (to w only through the rows of targets and candidates). One autograd node like
// fusedSoftmaxLoss (one [N × K] buffer, reused for the gradient), its two big products [N × D]·[D × K] and
// the two of the backward pass in bfloat16 when bf16 is set (the output layer's precision, as for the full
// softmax); the target's own logit and the softmax stay float. TILTBENCH_SASREC_KERNELS=reference runs
// autograd's chain (gather, mm, masked_fill, cat, logsumexp) in float instead.
at::Tensor sampledSoftmaxLoss(const at::Tensor& h, const at::Tensor& w, const at::Tensor& targets,
                              const at::Tensor& scale, const SampledCandidates& candidates,
                              bool bf16 = false);
// The same loss as autograd's chain of ATen operations in float (what sampledSoftmaxLoss ran before it was
// fused; its reference formulation, and bench/output_layer_bench's baseline).
at::Tensor sampledSoftmaxLossChain(const at::Tensor& h, const at::Tensor& w, const at::Tensor& targets,
                                   const at::Tensor& scale, const SampledCandidates& candidates);

// The body's matrix products during training, optionally in bfloat16 (SasrecConfig::bf16Body): the operands
// are converted, the product accumulates in float inside the kernel and comes back as float, and autograd's
// backward products run in bfloat16 too. Everything between the products (layer norms, softmax, residuals,
// dropout) stays float. With bf16 false these are at::linear and at::matmul. x [..., in] · weightᵀ [out, in]
// + bias [out]: with bf16, the bias is added in float to a float result, or, with keepBf16, in bfloat16 to a
// bfloat16 result (for a result that only feeds further products).
at::Tensor bodyLinear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, bool bf16,
                      bool keepBf16 = false);
// a [..., n, k] · b [..., k, m].
at::Tensor bodyMatmul(const at::Tensor& a, const at::Tensor& b, bool bf16);

// Inverted dropout (kept entries scaled by 1 / (1 − p)); identity when
// !training or p = 0.
at::Tensor fastDropout(const at::Tensor& x, double p, bool training);

// TILTBENCH_SASREC_KERNELS=reference in the environment switches both back to
// the plain LibTorch formulation (autograd chain, at::dropout): the baseline
// that bench/sasrec_speed.sh measures in the same run.
bool referenceKernels();

// How many threads a loop of this library's own at::parallel_for (fastDropout's) runs on:
// at::get_num_threads() when the library was compiled with OpenMP as LibTorch's parallel backend needs
// (core/CMakeLists.txt), 1 when not. For the test that guards the build.
int ownParallelLoopThreads();

// Whether this CPU runs bfloat16 matrix products natively (AVX-512 BF16 or AMX).
bool cpuHasNativeBf16();

}  // namespace tiltbench
