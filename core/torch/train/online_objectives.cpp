#include "torch/train/online_objectives.h"

#include <ATen/ATen.h>
#include <torch/autograd.h>
#include <torch/utils.h>

#include <algorithm>
#include <cstring>

#include "common/error.h"

namespace tiltbench {

namespace {

// The log-probability of an excluded item: exp underflows to exactly 0, and differences of two such values
// are 0, so neither a KL term nor a gradient meets inf − inf.
constexpr double kExcludedLogit = -1e9;

// Training sequences in slices of this many rows, each padded to its own longest row (as the weighted loss).
constexpr size_t kRowsPerSlice = 32;

at::Tensor outputEmbeddings(Sasrec& module) {
    return module->itemEmbeddings().slice(0, 1, module->config().numItems + 1);
}

}  // namespace

at::Tensor maskedLogProbs(const at::Tensor& logits, const at::Tensor& excluded) {
    return at::log_softmax(logits.masked_fill(excluded, kExcludedLogit), 1);
}

at::Tensor dpoPairLoss(const at::Tensor& policyWinner, const at::Tensor& policyLoser,
                       const at::Tensor& referenceWinner, const at::Tensor& referenceLoser, double beta) {
    const at::Tensor margin = (policyWinner - referenceWinner) - (policyLoser - referenceLoser);
    return at::log_sigmoid(margin * beta).neg();
}

at::Tensor ppoClippedObjective(const at::Tensor& logpNew, const at::Tensor& logpOld,
                               const at::Tensor& advantage, double clip) {
    const at::Tensor ratio = (logpNew - logpOld).exp();
    return at::min(ratio * advantage, ratio.clamp(1.0 - clip, 1.0 + clip) * advantage);
}

at::Tensor exactKl(const at::Tensor& logp, const at::Tensor& referenceLogp) {
    return (logp.exp() * (logp - referenceLogp)).sum(1);
}

at::Tensor sampleItems(const at::Tensor& logp, int64_t count, bool replacement) {
    // A policy trained far from its reference can be so peaked that every item but one has probability 0 in
    // float: a floor far below any real probability keeps each allowed item drawable (multinomial without
    // replacement needs `count` of them), and the history stays at exactly 0.
    const at::Tensor lp = logp.detach();
    const at::Tensor p = at::where(lp > kExcludedLogit / 2, lp.exp().clamp_min(1e-30), at::zeros_like(lp));
    if (replacement)
        return at::multinomial(p, count, true);
    return at::multinomial(p, count, false);
}

OnlineContexts onlineContexts(const std::vector<const TrainSequence*>& rows,
                              const std::vector<int32_t>& trainingItems, int32_t numItems,
                              const torch::Device& device) {
    OnlineContexts c;
    const auto numRows = static_cast<int64_t>(rows.size());
    int64_t length = 0;
    for (const TrainSequence* s : rows)
        length = std::max<int64_t>(length, static_cast<int64_t>(s->items.size()) - 1);
    std::vector<int64_t> inputs(static_cast<size_t>(numRows * length), 0), lengths(rows.size(), 0), index;
    std::vector<uint8_t> excluded;
    std::vector<uint8_t> seen(static_cast<size_t>(numItems));
    const bool timed = !rows.empty() && std::all_of(rows.begin(), rows.end(),
                                                    [](const TrainSequence* s) { return !s->times.empty(); });
    std::vector<int64_t> times(timed ? inputs.size() : 0, 0);
    for (int64_t r = 0; r < numRows; ++r) {
        const TrainSequence& s = *rows[static_cast<size_t>(r)];
        const auto steps = static_cast<int64_t>(s.items.size()) - 1;
        lengths[static_cast<size_t>(r)] = std::max<int64_t>(steps, 0);
        std::fill(seen.begin(), seen.end(), uint8_t{0});
        int64_t seenCount = 0;
        auto mark = [&](size_t target) {
            const int32_t item = trainingItems.at(target);
            if (item < 0 || item >= numItems)
                throw Error("online objective: a training item lies outside the catalogue");
            if (!seen[static_cast<size_t>(item)]) {
                seen[static_cast<size_t>(item)] = 1;
                ++seenCount;
            }
        };
        for (size_t k = s.userBegin; k < s.begin; ++k)
            mark(k);
        for (int64_t t = 0; t < steps; ++t) {
            inputs[static_cast<size_t>(r * length + t)] = s.items[static_cast<size_t>(t)] + 1;
            if (timed)
                times[static_cast<size_t>(r * length + t)] = s.times[static_cast<size_t>(t)];
            mark(s.begin + static_cast<size_t>(t));
            if (numItems - seenCount < 2)
                continue;  // nothing to choose between
            index.push_back(r * length + t);
            c.users.push_back(s.user);
            excluded.insert(excluded.end(), seen.begin(), seen.end());
        }
    }
    const auto longOpts = at::TensorOptions().dtype(at::kLong);
    c.inputs = at::from_blob(inputs.data(), {numRows, length}, longOpts).to(device, false, true);
    c.lengths = at::from_blob(lengths.data(), {numRows}, longOpts).to(device, false, true);
    if (timed)
        c.times = at::from_blob(times.data(), {numRows, length}, longOpts).to(device, false, true);
    const auto n = static_cast<int64_t>(index.size());
    c.index = at::from_blob(index.data(), {n}, longOpts).to(device, false, true);
    c.excluded = at::from_blob(excluded.data(), {n, static_cast<int64_t>(numItems)}, at::kBool)
                     .to(device, false, true);
    return c;
}

OnlineObjective::OnlineObjective(const SasrecRunConfig& config, Sasrec& policy, Sasrec& reference,
                                 const RewardModel& reward, const std::vector<int32_t>& trainingItems,
                                 int32_t numItems, torch::Device device)
    : m_config(config),
      m_policy(policy),
      m_reference(reference),
      m_reward(reward),
      m_trainingItems(trainingItems),
      m_numItems(numItems),
      m_device(device) {}

at::Tensor OnlineObjective::logProbs(Sasrec& module, const OnlineContexts& c) {
    const at::Tensor h = module->hidden(c.inputs, c.lengths, c.times);
    const at::Tensor hv = h.reshape({-1, h.size(2)}).index_select(0, c.index);
    return maskedLogProbs(at::mm(hv, outputEmbeddings(module).t()), c.excluded);
}

at::Tensor OnlineObjective::rewards(const OnlineContexts& c, const at::Tensor& items) const {
    const at::Tensor cpu = items.to(at::kCPU).contiguous();
    const int64_t n = cpu.size(0), k = cpu.size(1);
    at::Tensor out = at::empty({n, k}, at::TensorOptions().dtype(at::kFloat));
    const int64_t* it = cpu.data_ptr<int64_t>();
    float* r = out.data_ptr<float>();
    for (int64_t i = 0; i < n; ++i) {
        for (int64_t j = 0; j < k; ++j)
            r[i * k + j] = static_cast<float>(
                m_reward.predict(c.users[static_cast<size_t>(i)], static_cast<int32_t>(it[i * k + j])));
    }
    return out.to(m_device);
}

double OnlineObjective::step(const std::vector<const TrainSequence*>& batch, torch::optim::Adam& optimizer) {
    std::vector<std::vector<const TrainSequence*>> slices;
    for (size_t r = 0; r < batch.size(); r += kRowsPerSlice)
        slices.emplace_back(
            batch.begin() + static_cast<std::ptrdiff_t>(r),
            batch.begin() + static_cast<std::ptrdiff_t>(std::min(batch.size(), r + kRowsPerSlice)));
    m_policy->eval();  // no dropout (see the header)
    m_reference->eval();
    return m_config.objective == "dpo" ? dpoStep(slices, optimizer) : ppoStep(slices, optimizer);
}

double OnlineObjective::dpoStep(const std::vector<std::vector<const TrainSequence*>>& slices,
                                torch::optim::Adam& optimizer) {
    std::vector<OnlineContexts> contexts;
    int64_t total = 0;
    for (const auto& rows : slices) {
        contexts.push_back(onlineContexts(rows, m_trainingItems, m_numItems, m_device));
        total += contexts.back().size();
    }
    if (total == 0)
        return 0.0;
    const int64_t pairs = m_config.dpoPairs;
    const double normaliser = static_cast<double>(total * pairs);
    optimizer.zero_grad();
    double lossValue = 0.0;
    for (const OnlineContexts& c : contexts) {
        if (c.size() == 0)
            continue;
        const at::Tensor logp = logProbs(m_policy, c);
        at::Tensor refLogp;
        {
            torch::NoGradGuard noGrad;
            refLogp = logProbs(m_reference, c);
        }
        std::vector<at::Tensor> draws;
        for (int64_t p = 0; p < pairs; ++p)
            draws.push_back(sampleItems(logp, 2, false));
        const at::Tensor items = at::cat(draws, 1);  // [N, 2 · pairs]: pair p in columns 2p, 2p + 1
        const at::Tensor r = rewards(c, items).view({c.size(), pairs, 2});
        const at::Tensor pol = logp.gather(1, items).view({c.size(), pairs, 2});
        const at::Tensor ref = refLogp.gather(1, items).view({c.size(), pairs, 2});
        const at::Tensor firstWins = r.select(2, 0) > r.select(2, 1);
        const at::Tensor decided = r.select(2, 0) != r.select(2, 1);
        auto pick = [&](const at::Tensor& t, bool winner) {
            const at::Tensor a = t.select(2, 0), b = t.select(2, 1);
            return winner ? at::where(firstWins, a, b) : at::where(firstWins, b, a);
        };
        const at::Tensor loss = dpoPairLoss(pick(pol, true), pick(pol, false), pick(ref, true),
                                            pick(ref, false), m_config.dpoBeta);
        const at::Tensor sliceLoss = (loss * decided.to(loss.scalar_type())).sum() / normaliser;
        sliceLoss.backward();
        lossValue += sliceLoss.item<double>();
    }
    optimizer.step();
    return lossValue;
}

double OnlineObjective::ppoStep(const std::vector<std::vector<const TrainSequence*>>& slices,
                                torch::optim::Adam& optimizer) {
    // What the sampling policy saw, per slice: its contexts, samples, their advantages and old
    // log-probabilities, and the reference's log-probabilities (fixed for the batch).
    struct Rollout {
        OnlineContexts contexts;
        at::Tensor items, advantage, oldLogp, refLogp;
    };
    std::vector<Rollout> rollouts;
    int64_t total = 0;
    const int64_t k = m_config.ppoSamples;
    {
        torch::NoGradGuard noGrad;
        for (const auto& rows : slices) {
            Rollout ro;
            ro.contexts = onlineContexts(rows, m_trainingItems, m_numItems, m_device);
            if (ro.contexts.size() == 0)
                continue;
            const at::Tensor logp = logProbs(m_policy, ro.contexts);
            ro.refLogp = logProbs(m_reference, ro.contexts);
            ro.items = sampleItems(logp, k, true);
            ro.oldLogp = logp.gather(1, ro.items);
            const at::Tensor r = rewards(ro.contexts, ro.items);
            ro.advantage = r - r.mean(1, true);
            total += ro.contexts.size();
            rollouts.push_back(std::move(ro));
        }
    }
    if (total == 0)
        return 0.0;
    const double n = static_cast<double>(total);
    double firstLoss = 0.0;
    for (int e = 0; e < m_config.ppoEpochs; ++e) {
        optimizer.zero_grad();
        double lossValue = 0.0;
        for (const Rollout& ro : rollouts) {
            const at::Tensor logp = logProbs(m_policy, ro.contexts);
            const at::Tensor objective =
                ppoClippedObjective(logp.gather(1, ro.items), ro.oldLogp, ro.advantage, m_config.ppoClip);
            const at::Tensor kl = exactKl(logp, ro.refLogp);
            const at::Tensor loss =
                objective.sum().neg() / (n * static_cast<double>(k)) + kl.sum() * (m_config.klBeta / n);
            loss.backward();
            lossValue += loss.item<double>();
        }
        optimizer.step();
        if (e == 0)
            firstLoss = lossValue;
    }
    return firstLoss;
}

}  // namespace tiltbench
