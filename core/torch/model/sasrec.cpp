#include "torch/model/sasrec.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <torch/cuda.h>
#include <torch/utils.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <set>

#include "common/error.h"
#include "common/tensor_archive.h"
#include "torch/model/sasrec_module.h"
#include "torch/model/sasrec_ops.h"
#include "torch/model/torch_archive.h"

namespace tiltbench {

// ---- module
// ---------------------------------------------------------------------------------------------

SasrecBlockImpl::SasrecBlockImpl(int64_t dim, int64_t heads, double dropout, bool bf16Body)
    : m_dim(dim), m_heads(heads), m_dropout(dropout), m_bf16Body(bf16Body) {
    m_norm1 = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    m_norm2 = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    m_qkv = register_module("qkv", torch::nn::Linear(dim, 3 * dim));
    m_out = register_module("out", torch::nn::Linear(dim, dim));
    m_ff1 = register_module("ff1", torch::nn::Linear(dim, dim));
    m_ff2 = register_module("ff2", torch::nn::Linear(dim, dim));
}

at::Tensor SasrecBlockImpl::forward(const at::Tensor& x, const at::Tensor& causalMask) {
    const int64_t b = x.size(0), t = x.size(1), dh = m_dim / m_heads;
    const bool train = is_training();
    const double scale = 1.0 / std::sqrt(static_cast<double>(dh));
    at::Tensor ctx;  // [B, T, D], the attention's output
    if (train && m_bf16Body) {
        // q, k, v and the context stay in bfloat16 between products (each is rounded to it anyway as an
        // operand); the attention map is float from the scores to the dropout.
        const auto qkv = bodyLinear(m_norm1(x), m_qkv->weight, m_qkv->bias, true, true)
                             .view({b, t, 3, m_heads, dh})
                             .permute({2, 0, 3, 1, 4});  // [3, B, H, T, dh] bfloat16
        const at::Tensor q = qkv[0] * scale, k = qkv[1], v = qkv[2];
        auto att = at::matmul(q, k.transpose(-2, -1)).to(at::kFloat);
        att = fastDropout(at::softmax(att.add_(causalMask), -1), m_dropout, train);
        ctx = at::matmul(att.to(at::kBFloat16), v).transpose(1, 2).reshape({b, t, m_dim});
    } else {
        auto qkv =
            m_qkv(m_norm1(x)).view({b, t, 3, m_heads, dh}).permute({2, 0, 3, 1, 4});  // [3, B, H, T, dh]
        const at::Tensor q = qkv[0], k = qkv[1], v = qkv[2];
        auto att = at::matmul(q, k.transpose(-2, -1)).mul_(scale);
        att = at::softmax(att.add_(causalMask), -1);
        att = fastDropout(att, m_dropout, train);
        ctx = at::matmul(att, v).transpose(1, 2).reshape({b, t, m_dim});
    }
    const bool bf16 = train && m_bf16Body;
    const auto linear = [bf16](const torch::nn::Linear& l, const at::Tensor& in) {
        return bodyLinear(in, l->weight, l->bias, bf16);
    };
    auto y = x + fastDropout(linear(m_out, ctx), m_dropout, train);
    auto ff = linear(m_ff2, fastDropout(at::relu(linear(m_ff1, m_norm2(y))), m_dropout, train));
    return y + fastDropout(ff, m_dropout, train);
}

HstuBlockImpl::HstuBlockImpl(int64_t dim, int64_t heads, int64_t maxLen, double dropout, bool bf16Body)
    : m_dim(dim), m_heads(heads), m_maxLen(maxLen), m_dropout(dropout), m_bf16Body(bf16Body) {
    m_norm1 = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    m_uvqk = register_module("uvqk", torch::nn::Linear(dim, 4 * dim));
    m_normAttn = register_module("norm_attn", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    m_out = register_module("out", torch::nn::Linear(dim, dim));
    // The published initialisation of the relative bias: N(0, 0.02²).
    m_posBias = register_parameter("pos_bias", at::empty({maxLen}).normal_(0.0, 0.02));
    m_timeBias = register_parameter("time_bias", at::empty({kHstuTimeBuckets}).normal_(0.0, 0.02));
}

at::Tensor HstuBlockImpl::forward(const at::Tensor& x, const at::Tensor& causal, const at::Tensor& posBucket,
                                  const at::Tensor& timeBucket) {
    const int64_t b = x.size(0), t = x.size(1), dh = m_dim / m_heads;
    const bool train = is_training();
    const bool bf16 = train && m_bf16Body;
    const auto uvqk = at::silu(bodyLinear(m_norm1(x), m_uvqk->weight, m_uvqk->bias, bf16));  // [B, T, 4D]
    const auto parts = uvqk.split(m_dim, -1);
    const auto heads = [&](const at::Tensor& z) { return z.view({b, t, m_heads, dh}).transpose(1, 2); };
    const at::Tensor u = parts[0], v = heads(parts[1]), q = heads(parts[2]), k = heads(parts[3]);
    auto bias = m_posBias.index_select(0, posBucket.reshape({-1})).view({1, 1, t, t});
    if (timeBucket.defined())
        bias = bias + m_timeBias.index_select(0, timeBucket.reshape({-1})).view({b, 1, t, t});
    else
        bias = bias + m_timeBias[0];
    auto att = at::silu(bodyMatmul(q, k.transpose(-2, -1), bf16).add_(bias)).mul_(causal);
    att = fastDropout(att, m_dropout, train);
    const auto ctx = bodyMatmul(att, v, bf16).transpose(1, 2).reshape({b, t, m_dim});
    return x +
           bodyLinear(fastDropout(m_normAttn(ctx) * u, m_dropout, train), m_out->weight, m_out->bias, bf16);
}

at::Tensor hstuTimeBuckets(const at::Tensor& times) {
    const auto gap = (times.unsqueeze(2) - times.unsqueeze(1)).abs_().clamp_min_(1).to(at::kDouble);
    return gap.log_().div_(0.301).floor_().clamp_(0, kHstuTimeBuckets - 1).to(at::kLong);
}

SasrecImpl::SasrecImpl(const SasrecConfig& config) : m_config(config) {
    m_config.validate();
    const int64_t d = config.dim;
    m_items = register_module(
        "items", torch::nn::Embedding(torch::nn::EmbeddingOptions(config.numItems + 1, d).padding_idx(0)));
    m_positions = register_module("positions", torch::nn::Embedding(config.maxLen, d));
    m_blocks = register_module("blocks", torch::nn::ModuleList());
    for (int i = 0; i < config.blocks; ++i) {
        if (config.backbone == Backbone::Hstu)
            m_blocks->push_back(HstuBlock(d, config.heads, config.maxLen, config.dropout, config.bf16Body));
        else
            m_blocks->push_back(SasrecBlock(d, config.heads, config.dropout, config.bf16Body));
    }
    m_finalNorm = register_module("final_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})));

    // Embeddings at std 1/√d: the input is scaled by √d (unit-size entries), and
    // the tied output scores start at unit scale, so the initial softmax is near
    // uniform instead of saturated (nn::Embedding's default N(0, 1) would give
    // logits of size √d).
    torch::NoGradGuard noGrad;
    const double std = 1.0 / std::sqrt(static_cast<double>(d));
    m_items->weight.normal_(0.0, std);
    m_items->weight[0].zero_();
    m_positions->weight.normal_(0.0, std);
}

at::Tensor SasrecImpl::hidden(const at::Tensor& inputs, const at::Tensor& lengths, const at::Tensor& times) {
    const int64_t t = inputs.size(1);
    const bool train = is_training();
    auto x = m_items(inputs).mul_(std::sqrt(static_cast<double>(m_config.dim)));
    // Distance from the row's newest real step; padding steps (negative distance)
    // clamp to 0 and are unused.
    auto steps = at::arange(t, inputs.options());
    auto pos = (lengths.unsqueeze(1) - 1 - steps.unsqueeze(0)).clamp_(0, m_config.maxLen - 1);
    x = fastDropout(x + m_positions(pos), m_config.dropout, train);
    if (m_config.backbone == Backbone::Hstu) {
        // 1 / maxLen where key ≤ query, else 0; the query − key distance of every pair.
        const auto causal = at::full({t, t}, 1.0 / m_config.maxLen, x.options()).tril_();
        const auto posBucket = (steps.unsqueeze(1) - steps.unsqueeze(0)).clamp_(0, m_config.maxLen - 1);
        const at::Tensor timeBucket = times.defined() ? hstuTimeBuckets(times) : at::Tensor();
        for (const auto& block : *m_blocks)
            x = block->as<HstuBlock>()->forward(x, causal, posBucket, timeBucket);
        return m_finalNorm(x);
    }
    const auto mask =
        at::full({t, t}, -std::numeric_limits<float>::infinity(), x.options()).triu_(1);  // key > query
    for (const auto& block : *m_blocks)
        x = block->as<SasrecBlock>()->forward(x, mask);
    return m_finalNorm(x);
}

at::Tensor SasrecImpl::scores(const at::Tensor& h, int64_t itemBegin, int64_t itemEnd) {
    return at::linear(h, m_items->weight.slice(0, itemBegin + 1, itemEnd + 1));
}

at::Tensor weightedCrossEntropy(const at::Tensor& logits, const at::Tensor& targets,
                                const at::Tensor& weights, double normaliser) {
    const auto logp = at::log_softmax(logits, 1);
    const auto ce = logp.gather(1, targets.unsqueeze(1)).squeeze(1).neg();
    return (ce * weights).sum().div(normaliser);
}

at::Tensor batchLoss(Sasrec& module, const SequenceBatch& batch, const torch::Device& device,
                     const SampledCandidates* sampled) {
    const int64_t rows = batch.rows, len = batch.length;
    if (static_cast<int64_t>(batch.inputs.size()) != rows * len ||
        static_cast<int64_t>(batch.targets.size()) != rows * len ||
        static_cast<int64_t>(batch.weights.size()) != rows * len)
        throw Error(fmt::format("sasrec: batch arrays must hold rows × length = {} entries", rows * len));
    std::vector<int64_t> lengths(static_cast<size_t>(rows), 0);
    std::vector<int64_t> index, target;
    std::vector<float> weight;
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t s = 0; s < len; ++s) {
            const auto i = static_cast<size_t>(r * len + s);
            if (batch.inputs[i] != 0)
                lengths[static_cast<size_t>(r)] = s + 1;
            if (batch.targets[i] >= 0) {
                index.push_back(r * len + s);
                target.push_back(batch.targets[i]);
                weight.push_back(batch.weights[i]);
            }
        }
    }
    const auto longOpts = at::TensorOptions().dtype(at::kLong);
    if (index.empty())
        return at::zeros({}, at::TensorOptions().dtype(at::kFloat).device(device));
    const auto n = static_cast<int64_t>(index.size());
    // from_blob does not copy; clone so the tensors own their memory whatever the
    // device.
    auto inputs = at::from_blob(const_cast<int64_t*>(batch.inputs.data()), {rows, len}, longOpts)
                      .to(device, false, true);
    auto lens = at::from_blob(lengths.data(), {rows}, longOpts).to(device, false, true);
    auto idx = at::from_blob(index.data(), {n}, longOpts).to(device, false, true);
    auto tgt = at::from_blob(target.data(), {n}, longOpts).to(device, false, true);
    auto w = at::from_blob(weight.data(), {n}, at::TensorOptions().dtype(at::kFloat)).to(device, false, true);
    at::Tensor times;
    if (module->config().backbone == Backbone::Hstu && !batch.times.empty()) {
        if (static_cast<int64_t>(batch.times.size()) != rows * len)
            throw Error(fmt::format("sasrec: batch times must hold rows × length = {} entries", rows * len));
        times = at::from_blob(const_cast<int64_t*>(batch.times.data()), {rows, len}, longOpts)
                    .to(device, false, true);
    }

    const auto h = module->hidden(inputs, lens, times);
    // Only steps with a target reach the output projection: padding costs no
    // logits.
    const auto hv = h.reshape({rows * len, h.size(2)}).index_select(0, idx);
    const auto& items = module->itemEmbeddings();
    const auto out = items.slice(0, 1, module->config().numItems + 1);
    if (sampled)
        return sampledSoftmaxLoss(hv, out, tgt, w.div_(static_cast<double>(n)), *sampled,
                                  module->config().bf16);
    return fusedSoftmaxLoss(hv, out, tgt, w.div_(static_cast<double>(n)), module->config().bf16);
}

torch::Device resolveDevice(const std::string& name) {
    if (name.empty() || name == "auto")
        return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
    if (name == "cpu")
        return torch::Device(torch::kCPU);
    if (name.rfind("cuda", 0) == 0) {
        if (!torch::cuda::is_available())
            throw Error(
                fmt::format("device '{}': this LibTorch build sees no CUDA "
                            "device; use cpu or auto",
                            name));
        try {
            return torch::Device(name);
        } catch (const std::exception&) {
        }
    }
    throw Error(fmt::format("device '{}': expected auto, cpu, cuda or cuda:N", name));
}

// ---- SasrecModel
// ----------------------------------------------------------------------------------------

SasrecModel::SasrecModel(const SasrecConfig& config, const std::string& device) {
    config.validate();
    m_impl = std::make_unique<Impl>(config, resolveDevice(device));
}
SasrecModel::~SasrecModel() = default;
SasrecModel::SasrecModel(SasrecModel&&) noexcept = default;
SasrecModel& SasrecModel::operator=(SasrecModel&&) noexcept = default;

SasrecModel::Impl& SasrecModel::impl() const {
    return *m_impl;
}

const SasrecConfig& SasrecModel::config() const {
    return m_impl->config;
}

std::string SasrecModel::device() const {
    return m_impl->device.str();
}

int64_t SasrecModel::numParameters() const {
    int64_t n = 0;
    for (const auto& p : m_impl->module->parameters())
        n += p.numel();
    return n;
}

void SasrecModel::setTraining(bool training) {
    m_impl->module->train(training);
}

double SasrecModel::loss(const SequenceBatch& batch, bool backward) {
    if (!backward) {
        torch::NoGradGuard noGrad;
        return batchLoss(m_impl->module, batch, m_impl->device).item<double>();
    }
    auto l = batchLoss(m_impl->module, batch, m_impl->device);
    if (l.requires_grad())
        l.backward();
    return l.item<double>();
}

void SasrecModel::zeroGrad() {
    m_impl->module->zero_grad();
}

std::vector<float> SasrecModel::gradients() const {
    std::vector<float> out;
    for (const auto& p : m_impl->module->parameters()) {
        const auto g = p.grad().defined() ? p.grad().detach().to(at::kCPU, at::kFloat).contiguous()
                                          : at::zeros({p.numel()}, at::kFloat);
        const float* data = g.data_ptr<float>();
        out.insert(out.end(), data, data + g.numel());
    }
    return out;
}

void SasrecModel::score(const std::vector<UserContext>& users, int32_t itemBegin, int32_t itemEnd,
                        float* out) const {
    const auto width = static_cast<size_t>(itemEnd - itemBegin);
    std::fill(out, out + users.size() * width, 0.0f);
    std::vector<int64_t> rows, lengths;
    int64_t len = 0;
    for (size_t k = 0; k < users.size(); ++k) {
        const int64_t l = std::min<int64_t>(users[k].historyLength, m_impl->config.maxLen);
        if (l > 0) {
            rows.push_back(static_cast<int64_t>(k));
            lengths.push_back(l);
            len = std::max(len, l);
        }
    }
    if (rows.empty() || width == 0)
        return;
    const auto b = static_cast<int64_t>(rows.size());
    std::vector<int64_t> inputs(static_cast<size_t>(b * len), 0), last(static_cast<size_t>(b));
    // HSTU reads the histories' timestamps when every user has them; otherwise all gaps are unknown.
    const bool hstu = m_impl->config.backbone == Backbone::Hstu;
    const bool timed = hstu && std::all_of(rows.begin(), rows.end(), [&](int64_t k) {
                           return users[static_cast<size_t>(k)].times != nullptr;
                       });
    std::vector<int64_t> times(timed ? static_cast<size_t>(b * len) : 0, 0);
    for (int64_t r = 0; r < b; ++r) {
        const UserContext& u = users[static_cast<size_t>(rows[static_cast<size_t>(r)])];
        const int64_t l = lengths[static_cast<size_t>(r)];
        const int32_t* newest = u.history + (u.historyLength - l);
        for (int64_t s = 0; s < l; ++s)
            inputs[static_cast<size_t>(r * len + s)] = newest[s] + 1;
        if (timed)
            std::copy(u.times + (u.historyLength - l), u.times + u.historyLength,
                      times.begin() + static_cast<std::ptrdiff_t>(r * len));
        last[static_cast<size_t>(r)] = r * len + l - 1;
    }
    torch::NoGradGuard noGrad;
    auto& module = m_impl->module;
    std::vector<int64_t> parameters;
    for (const auto& p : module->parameters()) {
        parameters.push_back(static_cast<int64_t>(reinterpret_cast<intptr_t>(p.data_ptr())));
        parameters.push_back(p._version());
    }
    auto& cache = m_impl->stateCache;
    std::lock_guard<std::mutex> guard(cache.mutex);
    if (!cache.states.defined() || cache.inputs != inputs || cache.lengths != lengths ||
        cache.times != times || cache.parameters != parameters) {
        const bool wasTraining = module->is_training();
        module->eval();
        const auto longOpts = at::TensorOptions().dtype(at::kLong);
        const auto& dev = m_impl->device;
        auto in = at::from_blob(inputs.data(), {b, len}, longOpts).to(dev, false, true);
        auto lens = at::from_blob(lengths.data(), {b}, longOpts).to(dev, false, true);
        auto idx = at::from_blob(last.data(), {b}, longOpts).to(dev, false, true);
        const at::Tensor t =
            timed ? at::from_blob(times.data(), {b, len}, longOpts).to(dev, false, true) : at::Tensor();
        const auto h = module->hidden(in, lens, t);
        cache.states = h.reshape({b * len, h.size(2)}).index_select(0, idx);
        module->train(wasTraining);
        cache.inputs = std::move(inputs);
        cache.lengths = std::move(lengths);
        cache.times = std::move(times);
        cache.parameters = std::move(parameters);
    }
    // The item products read the tied embedding alone: no dropout, so the module's mode does not matter.
    const auto s = module->scores(cache.states, itemBegin, itemEnd).to(at::kCPU, at::kFloat).contiguous();
    const float* data = s.data_ptr<float>();
    for (int64_t r = 0; r < b; ++r)
        std::memcpy(out + static_cast<size_t>(rows[static_cast<size_t>(r)]) * width,
                    data + static_cast<size_t>(r) * width, width * sizeof(float));
}

namespace {

// The tensors a checkpoint holds: parameters, then buffers, under their module names.
std::vector<std::pair<std::string, at::Tensor>> stateTensors(Sasrec& module) {
    std::vector<std::pair<std::string, at::Tensor>> out;
    for (const auto& p : module->named_parameters(true))
        out.emplace_back(p.key(), p.value());
    for (const auto& b : module->named_buffers(true))
        out.emplace_back(b.key(), b.value());
    return out;
}

std::string shapeText(at::IntArrayRef shape) {
    std::string out = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        out += (i ? ", " : "") + std::to_string(shape[i]);
    return out + "]";
}

}  // namespace

bool SasrecModel::isLegacyState(const std::string& bytes) {
    return bytes.size() >= 4 && bytes.compare(0, 4, "PK\x03\x04", 4) == 0;
}

std::string SasrecModel::saveState() const {
    std::vector<NamedTensor> tensors;
    for (const auto& [name, t] : stateTensors(m_impl->module)) {
        const at::Tensor c = t.detach().to(at::kCPU, at::kFloat).contiguous();
        tensors.push_back(NamedTensor::f32(name, c.sizes().vec(), c.data_ptr<float>()));
    }
    return encodeTensorArchive(tensors, {{"format", "tiltbench-sasrec-state"}, {"format_version", "1"}});
}

void SasrecModel::loadState(const std::string& bytes, const std::string& what) {
    const SasrecConfig& c = m_impl->config;
    auto misfit = [&](const std::string& why) {
        return Error(
            fmt::format("{}: does not fit this model ({}, dim {}, blocks {}, heads {}, max length {}, {} "
                        "items): {}",
                        what, backboneName(c.backbone), c.dim, c.blocks, c.heads, c.maxLen, c.numItems, why));
    };
    const auto targets = stateTensors(m_impl->module);
    std::set<std::string> expected;
    for (const auto& t : targets)
        expected.insert(t.first);
    // Every value is read and checked into a CPU float tensor of its own first; the model's tensors change
    // only when all of them fit.
    std::vector<at::Tensor> values(targets.size());
    if (isLegacyState(bytes)) {
        std::map<std::string, at::Tensor> found;
        for (const auto& [name, value] : legacyAttributes(bytes, what)) {
            if (!value.isTensor())
                continue;
            if (!expected.count(name))
                throw misfit(fmt::format("it holds the tensor '{}', which this model does not have", name));
            found[name] = value.toTensor();
        }
        for (size_t k = 0; k < targets.size(); ++k) {
            const auto& [name, target] = targets[k];
            const auto it = found.find(name);
            if (it == found.end())
                throw misfit(fmt::format("tensor '{}' is missing", name));
            if (it->second.scalar_type() != at::kFloat)
                throw misfit(fmt::format("tensor '{}' is not float32", name));
            if (!it->second.sizes().equals(target.sizes()))
                throw misfit(fmt::format("tensor '{}' has shape {}, the model's is {}", name,
                                         shapeText(it->second.sizes()), shapeText(target.sizes())));
            values[k] = it->second;
        }
    } else {
        const TensorArchive archive = decodeTensorArchive(bytes, what);
        for (const auto& t : archive.tensors) {
            if (!expected.count(t.name))
                throw misfit(fmt::format("it holds the tensor '{}', which this model does not have", t.name));
        }
        for (size_t k = 0; k < targets.size(); ++k) {
            const auto& [name, target] = targets[k];
            const ArchiveTensor* t = archive.find(name);
            if (!t)
                throw misfit(fmt::format("tensor '{}' is missing", name));
            if (t->dtype != TensorDtype::F32)
                throw misfit(fmt::format("tensor '{}' is {}, not F32", name, dtypeName(t->dtype)));
            if (!at::IntArrayRef(t->shape).equals(target.sizes()))
                throw misfit(fmt::format("tensor '{}' has shape {}, the model's is {}", name,
                                         shapeText(t->shape), shapeText(target.sizes())));
            values[k] = at::empty(target.sizes(), at::TensorOptions().dtype(at::kFloat));
            copyTensorData(*t, values[k].data_ptr());
        }
    }
    torch::NoGradGuard noGrad;
    for (size_t k = 0; k < targets.size(); ++k) {
        at::Tensor target = targets[k].second;
        target.copy_(values[k]);
    }
}

void seedTorch(uint64_t seed) {
    at::manual_seed(seed);
}

// ---- scorer and plain-array loss
// -------------------------------------------------------------------------

struct SasrecScorer::Lock {
    std::mutex mutex;
};

SasrecScorer::SasrecScorer(const SasrecModel& model) : m_model(model), m_lock(std::make_unique<Lock>()) {}
SasrecScorer::~SasrecScorer() = default;

int32_t SasrecScorer::numItems() const {
    return m_model.config().numItems;
}

void SasrecScorer::score(const std::vector<UserContext>& users, int32_t itemBegin, int32_t itemEnd,
                         float* out) const {
    std::lock_guard<std::mutex> guard(m_lock->mutex);
    m_model.score(users, itemBegin, itemEnd, out);
}

double weightedCrossEntropy(const float* logits, int64_t rows, int64_t classes, const int64_t* targets,
                            const float* weights, double normaliser) {
    torch::NoGradGuard noGrad;
    const auto l = at::from_blob(const_cast<float*>(logits), {rows, classes}, at::kFloat);
    const auto t = at::from_blob(const_cast<int64_t*>(targets), {rows}, at::kLong);
    const auto w = at::from_blob(const_cast<float*>(weights), {rows}, at::kFloat);
    return weightedCrossEntropy(l, t, w, normaliser).item<double>();
}

}  // namespace tiltbench
