#include "torch/train/negative_sampler.h"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace tiltbench {

NegativeSampler::NegativeSampler(const std::string& kind, int64_t negatives,
                                 const std::vector<int32_t>& targetItems, int32_t numItems,
                                 c10::Device device)
    : m_kind(kind), m_negatives(negatives), m_numItems(numItems), m_device(device) {
    if (kind != "uniform" && kind != "popularity" && kind != "in-batch")
        throw Error(
            fmt::format("sasrec: --negatives must be uniform, popularity or in-batch (got '{}')", kind));
    if (numItems < 1)
        throw Error("sasrec: sampled softmax needs at least one item");
    if (negatives < 1)
        throw Error(fmt::format("sasrec: --num-negatives must be >= 1 (got {})", negatives));
    std::vector<double> counts(static_cast<size_t>(numItems), 0.0);
    for (const int32_t i : targetItems) {
        if (i < 0 || i >= numItems)
            throw Error(fmt::format("sasrec: training target item {} outside 0..{}", i, numItems - 1));
        counts[static_cast<size_t>(i)] += 1.0;
    }
    const auto total = static_cast<double>(targetItems.size());
    std::vector<float> prob(counts.size()), logQ(counts.size());
    for (size_t j = 0; j < counts.size(); ++j) {
        if (kind == "uniform") {
            prob[j] = 1.0f / static_cast<float>(numItems);
            logQ[j] = static_cast<float>(-std::log(static_cast<double>(numItems)));
        } else {
            prob[j] = total > 0 ? static_cast<float>(counts[j] / total) : 0.0f;
            // Never −∞: an item that is no training target is never a target nor drawn, but stays finite.
            logQ[j] = static_cast<float>(std::log(std::max(counts[j], 0.5) / std::max(total, 1.0)));
        }
    }
    const auto f = at::TensorOptions().dtype(at::kFloat);
    m_probCpu = at::from_blob(prob.data(), {numItems}, f).clone();
    m_logQCpu = at::from_blob(logQ.data(), {numItems}, f).clone();
    m_itemLogQ = m_logQCpu.to(m_device);
}

SampledCandidates NegativeSampler::draw(const std::vector<int64_t>& batchTargets) const {
    at::Tensor items;
    if (m_kind == "in-batch") {
        std::vector<int64_t> distinct;
        distinct.reserve(batchTargets.size());
        for (const int64_t t : batchTargets)
            if (t >= 0)
                distinct.push_back(t);
        std::sort(distinct.begin(), distinct.end());
        distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
        const auto d = static_cast<int64_t>(distinct.size());
        items = at::from_blob(distinct.data(), {d}, at::TensorOptions().dtype(at::kLong)).clone();
        if (d > m_negatives)  // keep K of them, uniformly without replacement (the generator's stream)
            items = items.index_select(
                0, at::randperm(d, at::TensorOptions().dtype(at::kLong)).narrow(0, 0, m_negatives));
    } else if (m_kind == "uniform") {
        items = at::randint(0, m_numItems, {m_negatives}, at::TensorOptions().dtype(at::kLong));
    } else {
        items = at::multinomial(m_probCpu, m_negatives, /*replacement=*/true);
    }
    SampledCandidates c;
    c.logQ = m_logQCpu.index_select(0, items).to(m_device);
    c.items = items.to(m_device);
    c.itemLogQ = m_itemLogQ;
    return c;
}

}  // namespace tiltbench
