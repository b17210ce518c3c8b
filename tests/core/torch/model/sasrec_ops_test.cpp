// The hand-written SASRec kernels against independent references: the fused
// output layer + weighted cross-entropy against autograd's plain chain
// (matmul → log_softmax → gather), value and both gradients; the fast dropout's
// mask values, kept share, reproducibility and independence of the thread
// count; the body's products in bfloat16 (--precision bf16-all) against the float body.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <cmath>

#include "torch/model/sasrec_module.h"
#include "torch/model/sasrec_ops.h"

using namespace tiltbench;

// A namespace of its own: the suite compiles in unity batches (tests/CMakeLists.txt).
namespace sasrec_ops_test_file {

namespace {

struct LossCase {
    at::Tensor h, w, targets, scale;
};

LossCase randomCase(int64_t n, int64_t d, int64_t c) {
    at::manual_seed(7);
    LossCase k;
    k.h = at::randn({n, d}).mul_(0.7);
    k.w = at::randn({c, d}).mul_(0.5);
    k.targets = at::randint(0, c, {n}, at::kLong);
    k.scale = at::rand({n}).add_(0.1).div_(static_cast<double>(n));
    return k;
}

double maxRelDiff(const at::Tensor& a, const at::Tensor& b) {
    return (a - b).abs().max().item<double>() / std::max(1e-12, b.abs().max().item<double>());
}

}  // namespace

TEST(SasrecOps, FusedLossAndGradientsMatchAutogradChain) {
    const LossCase k = randomCase(37, 12, 53);
    auto h1 = k.h.clone().requires_grad_(true), w1 = k.w.clone().requires_grad_(true);
    auto h2 = k.h.clone().requires_grad_(true), w2 = k.w.clone().requires_grad_(true);

    const auto fused = fusedSoftmaxLoss(h1, w1, k.targets, k.scale, false);
    const auto logp = at::log_softmax(at::mm(h2, w2.t()), 1);
    const auto reference = (logp.gather(1, k.targets.unsqueeze(1)).squeeze(1).neg() * k.scale).sum();
    EXPECT_NEAR(fused.item<double>(), reference.item<double>(), 1e-5 * std::abs(reference.item<double>()));

    // A non-unit upstream gradient must scale both gradients.
    (fused * 3.0).backward();
    (reference * 3.0).backward();
    EXPECT_LT(maxRelDiff(h1.grad(), h2.grad()), 1e-5);
    EXPECT_LT(maxRelDiff(w1.grad(), w2.grad()), 1e-5);
}

TEST(SasrecOps, FusedLossIsStableForLargeLogits) {
    LossCase k = randomCase(8, 4, 20);
    k.h.mul_(200.0);  // logits in the hundreds: a naive exp would overflow
    const auto fused = fusedSoftmaxLoss(k.h, k.w, k.targets, k.scale, false);
    const auto logp = at::log_softmax(at::mm(k.h.to(at::kDouble), k.w.to(at::kDouble).t()), 1);
    const auto reference =
        (logp.gather(1, k.targets.unsqueeze(1)).squeeze(1).neg() * k.scale.to(at::kDouble)).sum();
    ASSERT_TRUE(std::isfinite(fused.item<double>()));
    EXPECT_NEAR(fused.item<double>(), reference.item<double>(), 1e-4 * std::abs(reference.item<double>()));
}

TEST(SasrecOps, Bfloat16LossStaysCloseToFloat) {
    const LossCase k = randomCase(64, 32, 200);
    auto h1 = k.h.clone().requires_grad_(true), w1 = k.w.clone().requires_grad_(true);
    auto h2 = k.h.clone().requires_grad_(true), w2 = k.w.clone().requires_grad_(true);
    const auto f32 = fusedSoftmaxLoss(h1, w1, k.targets, k.scale, false);
    const auto b16 = fusedSoftmaxLoss(h2, w2, k.targets, k.scale, true);
    // bfloat16 keeps 8 significant bits: logits of size ~3 are off by ~0.01.
    EXPECT_NEAR(b16.item<double>(), f32.item<double>(), 0.02 * std::abs(f32.item<double>()));
    f32.backward();
    b16.backward();
    EXPECT_LT(maxRelDiff(h2.grad(), h1.grad()), 0.05);
    EXPECT_LT(maxRelDiff(w2.grad(), w1.grad()), 0.05);
}

TEST(SasrecOps, DropoutKeepsTheRightShareAndScale) {
    at::manual_seed(3);
    const auto x = at::ones({1000, 101});  // odd size: the last hash word is partial
    const double p = 0.2;
    const auto y = fastDropout(x, p, true);
    const double scale = 1.0 / (1.0 - std::round(p * 65536.0) / 65536.0);
    const auto kept = y.ne(0.0);
    // Every entry is 0 or exactly the inverse keep rate.
    EXPECT_TRUE(at::logical_or(y.eq(0.0), (y - scale).abs().lt(1e-6)).all().item<bool>());
    const double share = kept.to(at::kDouble).mean().item<double>();
    const double sd = std::sqrt(p * (1 - p) / static_cast<double>(x.numel()));
    EXPECT_NEAR(share, 1.0 - p, 5.0 * sd);
    // Unbiased: the mean stays 1.
    EXPECT_NEAR(y.to(at::kDouble).mean().item<double>(), 1.0, 5.0 * sd * scale);
    // Off in evaluation or at p = 0: the same tensor.
    EXPECT_TRUE(fastDropout(x, p, false).is_same(x));
    EXPECT_TRUE(fastDropout(x, 0.0, true).is_same(x));
}

TEST(SasrecOps, DropoutIsReproducibleAndIndependentOfThreads) {
    const auto x = at::arange(1, 50001, at::kFloat).reshape({500, 100});
    const int threads = at::get_num_threads();
    at::set_num_threads(1);
    at::manual_seed(11);
    const auto a = fastDropout(x, 0.3, true);
    const auto b = fastDropout(x, 0.3, true);  // the generator moved on: another mask
    at::set_num_threads(std::max(2, threads));
    at::manual_seed(11);
    const auto c = fastDropout(x, 0.3, true);
    at::set_num_threads(threads);
    EXPECT_TRUE(at::equal(a, c));
    EXPECT_FALSE(at::equal(a, b));
}

// ATen's at::parallel_for runs serially in a TU compiled without OpenMP (its backend is a pragma): the build
// must compile core's loops with it, or fastDropout runs on one core of two.
TEST(SasrecOps, OwnParallelLoopsUseEveryThread) {
    const int before = at::get_num_threads();
    at::set_num_threads(2);
    EXPECT_EQ(ownParallelLoopThreads(), 2);
    at::set_num_threads(before);
}

TEST(SasrecOps, DropoutGradientIsTheMask) {
    at::manual_seed(5);
    auto x = at::randn({64, 33}).requires_grad_(true);
    const auto y = fastDropout(x, 0.5, true);
    y.sum().backward();
    // d(sum y)/dx = mask = y / x where x ≠ 0.
    EXPECT_TRUE(at::allclose(x.grad(), (y / x).detach(), 1e-5, 1e-6));
}

// --precision bf16-all: the body's products in bfloat16. Against the float computation of the same weights:
// close in value and gradient (bfloat16 keeps 8 significant bits), not identical (so the bfloat16 path did
// run), and without those products at all (bf16 false, or evaluation mode) exactly the float result.
TEST(SasrecOps, BodyProductsInBfloat16StayCloseToFloat) {
    at::manual_seed(13);
    const auto x = at::randn({3, 7, 16}), w = at::randn({24, 16}).mul_(0.3), b = at::randn({24});
    EXPECT_TRUE(at::equal(bodyLinear(x, w, b, false), at::linear(x, w, b)));
    const auto lin = bodyLinear(x, w, b, true);
    EXPECT_EQ(lin.scalar_type(), at::kFloat);
    EXPECT_LT(maxRelDiff(lin, at::linear(x, w, b)), 0.02);
    EXPECT_FALSE(at::equal(lin, at::linear(x, w, b)));
    EXPECT_EQ(bodyLinear(x, w, b, true, true).scalar_type(), at::kBFloat16);
    const auto a = at::randn({2, 3, 5, 4}), c = at::randn({2, 3, 4, 6});
    EXPECT_TRUE(at::equal(bodyMatmul(a, c, false), at::matmul(a, c)));
    EXPECT_LT(maxRelDiff(bodyMatmul(a, c, true), at::matmul(a, c)), 0.02);
}

TEST(SasrecOps, ABodyInBfloat16TrainsCloseToFloatAndEvaluatesExactlyAsFloat) {
    for (const Backbone backbone : {Backbone::Sasrec, Backbone::Hstu}) {
        SCOPED_TRACE(backbone == Backbone::Hstu ? "hstu" : "sasrec");
        SasrecConfig c;
        c.backbone = backbone;
        c.numItems = 30;
        c.dim = 16;
        c.heads = 2;
        c.blocks = 2;
        c.maxLen = 12;
        c.dropout = 0.0;  // training mode without randomness: the two modules see the same computation
        at::manual_seed(17);
        Sasrec f32(c);
        SasrecConfig cb = c;
        cb.bf16Body = true;
        Sasrec b16(cb);
        {
            at::NoGradGuard noGrad;
            const auto from = f32->named_parameters();
            for (auto& p : b16->named_parameters())
                p.value().copy_(from[p.key()]);
        }
        const auto inputs = at::randint(1, c.numItems + 1, {5, 12}, at::kLong);
        const auto lengths = at::tensor({12, 9, 5, 1, 12}, at::kLong);
        const auto times = at::arange(0, 60, at::kLong).mul_(977).reshape({5, 12});
        const auto probe = at::randn({5, 12, 16});

        f32->train();
        b16->train();
        const auto h32 = f32->hidden(inputs, lengths, times), h16 = b16->hidden(inputs, lengths, times);
        EXPECT_LT(maxRelDiff(h16, h32), 0.03);
        EXPECT_FALSE(at::equal(h16, h32));  // the bfloat16 products ran
        (h32 * probe).sum().backward();
        (h16 * probe).sum().backward();
        const auto g32 = f32->named_parameters();
        for (const auto& p : b16->named_parameters()) {
            SCOPED_TRACE(p.key());
            ASSERT_TRUE(p.value().grad().defined());
            EXPECT_LT(maxRelDiff(p.value().grad(), g32[p.key()].grad()), 0.05);
        }

        f32->eval();
        b16->eval();
        at::NoGradGuard noGrad;
        EXPECT_TRUE(at::equal(b16->hidden(inputs, lengths, times), f32->hidden(inputs, lengths, times)));
    }
}

}  // namespace sasrec_ops_test_file
