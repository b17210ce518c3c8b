#include "torch/runtime/data_parallel.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>

#include "common/error.h"

#ifdef TILTBENCH_HAVE_C10D_GLOO
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

namespace tiltbench {

#ifdef TILTBENCH_HAVE_C10D_GLOO

struct DataParallel::Impl {
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

bool dataParallelAvailable() {
    return true;
}

DataParallel::DataParallel(const DataParallelOptions& options, const torch::Device& device)
    : m_env(options.env),
      m_timeoutSeconds(options.timeoutSeconds),
      m_device(device),
      m_impl(std::make_unique<Impl>()) {
    options.validate();
    const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(1000.0 * m_timeoutSeconds));
    // Under torchrun the launcher's agent already serves a TCPStore at MASTER_ADDR:MASTER_PORT and says so;
    // every rank is then its client, under the restart attempt's prefix (as torch.distributed's env://
    // rendezvous does). Otherwise rank 0 serves it.
    const char* agentStore = std::getenv("TORCHELASTIC_USE_AGENT_STORE");
    const bool useAgentStore = agentStore && std::string(agentStore) == "True";
    try {
        c10d::TCPStoreOptions so;
        so.port = static_cast<uint16_t>(m_env.masterPort);
        so.isServer = m_env.rank == 0 && !useAgentStore;
        so.numWorkers = m_env.worldSize;
        so.waitWorkers = true;  // the server waits until every rank has connected
        so.timeout = timeout;
        c10::intrusive_ptr<c10d::Store> tcp = c10::make_intrusive<c10d::TCPStore>(m_env.masterAddr, so);
        if (useAgentStore) {
            const char* attempt = std::getenv("TORCHELASTIC_RESTART_COUNT");
            tcp = c10::make_intrusive<c10d::PrefixStore>(
                std::string("/worker/attempt_") + (attempt && *attempt ? attempt : "0"), tcp);
        }
        m_impl->store = tcp;
    } catch (const std::exception& e) {
        throw Error(fmt::format(
            "data-parallel training, rank {} of {}: the rendezvous at {}:{} failed ({}): {}", m_env.rank,
            m_env.worldSize, m_env.masterAddr, m_env.masterPort,
            useAgentStore     ? "the launcher's agent serves it: is it still running?"
            : m_env.rank == 0 ? "rank 0 serves it: is the port free?"
                              : "is rank 0 running, and are MASTER_ADDR and MASTER_PORT its address?",
            e.what()));
    }
    try {
        auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
        const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
        opts->devices.push_back(ifname && *ifname ? c10d::ProcessGroupGloo::createDeviceForInterface(ifname)
                                                  : c10d::ProcessGroupGloo::createDefaultDevice());
        m_impl->group =
            c10::make_intrusive<c10d::ProcessGroupGloo>(m_impl->store, m_env.rank, m_env.worldSize, opts);
    } catch (const std::exception& e) {
        fail(e, "joining the process group");
    }
}

DataParallel::~DataParallel() = default;

void DataParallel::fail(const std::exception& e, const char* during) const {
    throw Error(fmt::format(
        "data-parallel training, rank {} of {}: {} failed: {}. Another rank has stopped (killed, out of "
        "memory, or an error: see its output) or did not answer within --dist-timeout {:g} s; {}",
        m_env.rank, m_env.worldSize, during, e.what(), m_timeoutSeconds, m_hint));
}

void DataParallel::broadcastFromRankZero(const std::vector<torch::Tensor>& tensors, const char* what) {
    try {
        // Once, before the first step, one tensor at a time, through a CPU copy: Gloo writes the received
        // bytes behind LibTorch's back, and copying them in with copy_ also bumps the parameter's version
        // counter (which SasrecModel::score's cache of user states reads).
        for (const auto& t : tensors) {
            std::vector<at::Tensor> one{t.detach().to(torch::kCPU, /*non_blocking=*/false, /*copy=*/true)};
            m_impl->group->broadcast(one)->wait();
            torch::NoGradGuard noGrad;
            t.copy_(one[0]);
        }
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        fail(e, what);
    }
}

void DataParallel::sumGradients(const std::vector<torch::Tensor>& parameters) {
    torch::NoGradGuard noGrad;
    try {
        // Buckets in reverse parameter order; each one all-reduced asynchronously while the next is packed.
        struct Bucket {
            std::vector<at::Tensor> grads;  // CPU: the gradients themselves (reduced in place)
            at::Tensor staged;              // elsewhere: one flat CPU copy
            c10::intrusive_ptr<c10d::Work> work;
        };
        std::vector<Bucket> buckets(1);
        int64_t bytes = 0;
        for (auto it = parameters.rbegin(); it != parameters.rend(); ++it) {
            torch::Tensor p = *it;
            if (!p.grad().defined())
                p.mutable_grad() = torch::zeros_like(p);
            const int64_t b = p.grad().numel() * static_cast<int64_t>(p.grad().element_size());
            if (bytes > 0 && bytes + b > kBucketBytes) {
                buckets.emplace_back();
                bytes = 0;
            }
            buckets.back().grads.push_back(p.grad());
            bytes += b;
        }
        for (Bucket& bucket : buckets) {
            if (bucket.grads.empty())
                continue;
            if (bucket.grads.front().is_cpu()) {
                bucket.work = m_impl->group->allreduce_coalesced(bucket.grads);
            } else {
                std::vector<at::Tensor> flat;
                for (const auto& g : bucket.grads)
                    flat.push_back(g.reshape({-1}));
                std::vector<at::Tensor> staged{torch::cat(flat).to(torch::kCPU)};
                bucket.staged = staged[0];
                bucket.work = m_impl->group->allreduce(staged);
            }
        }
        for (Bucket& bucket : buckets) {
            if (!bucket.work)
                continue;
            bucket.work->wait();
            if (bucket.staged.defined()) {
                const at::Tensor back = bucket.staged.to(bucket.grads.front().device());
                int64_t at = 0;
                for (auto& g : bucket.grads) {
                    g.copy_(back.narrow(0, at, g.numel()).view_as(g));
                    at += g.numel();
                }
            }
        }
    } catch (const std::exception& e) {
        fail(e, "the gradient all-reduce");
    }
}

std::vector<double> DataParallel::sum(const std::vector<double>& values, const char* what) {
    try {
        std::vector<at::Tensor> t{
            torch::tensor(std::vector<double>(values), torch::TensorOptions().dtype(torch::kFloat64))};
        m_impl->group->allreduce(t)->wait();
        const double* d = t[0].data_ptr<double>();
        return std::vector<double>(d, d + values.size());
    } catch (const std::exception& e) {
        fail(e, what);
    }
}

void DataParallel::requireSame(uint64_t fingerprint, const std::string& what) {
    std::vector<int64_t> lohi{static_cast<int64_t>(fingerprint >> 32),
                              static_cast<int64_t>(fingerprint & 0xffffffffu)};
    at::Tensor lo, hi;
    try {
        for (auto op : {c10d::ReduceOp::MIN, c10d::ReduceOp::MAX}) {
            std::vector<at::Tensor> t{torch::tensor(lohi, torch::TensorOptions().dtype(torch::kInt64))};
            c10d::AllreduceOptions ao;
            ao.reduceOp = op;
            m_impl->group->allreduce(t, ao)->wait();
            (op == c10d::ReduceOp::MIN ? lo : hi) = t[0];
        }
    } catch (const std::exception& e) {
        fail(e, "comparing the ranks' settings");
    }
    if (!torch::equal(lo, hi))
        throw Error(
            fmt::format("data-parallel training, rank {} of {}: the ranks disagree on {}: every rank must be "
                        "started with "
                        "the same command, workspace contents and tiltbench-cli",
                        m_env.rank, m_env.worldSize, what));
}

#else  // no c10d Gloo headers at build time

struct DataParallel::Impl {};

bool dataParallelAvailable() {
    return false;
}

DataParallel::DataParallel(const DataParallelOptions& options, const torch::Device& device)
    : m_env(options.env), m_timeoutSeconds(options.timeoutSeconds), m_device(device) {
    throw Error(
        "data-parallel training: this tiltbench-cli was built without c10d's Gloo process group (its headers "
        "come from libgloo-dev: run packaging/install-deps.sh and rebuild)");
}
DataParallel::~DataParallel() = default;
void DataParallel::fail(const std::exception& e, const char*) const {
    throw Error(e.what());
}
void DataParallel::broadcastFromRankZero(const std::vector<torch::Tensor>&, const char*) {}
void DataParallel::sumGradients(const std::vector<torch::Tensor>&) {}
std::vector<double> DataParallel::sum(const std::vector<double>& values, const char*) {
    return values;
}
void DataParallel::requireSame(uint64_t, const std::string&) {}

#endif

}  // namespace tiltbench
