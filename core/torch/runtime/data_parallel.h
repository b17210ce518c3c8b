#pragma once
// DataParallel: one rank's membership in a data-parallel training run, on PyTorch's own distributed engine
// (c10d): a TCPStore rendezvous at MASTER_ADDR:MASTER_PORT (rank 0 serves it) and a ProcessGroupGloo over
// it. The trainer uses it to start every rank from rank 0's parameters, to all-reduce gradients in buckets
// after each rank's backward pass over its share of a batch, and to share a few numbers per epoch (the loss,
// rank 0's decision to stop). Every failure of a peer (a killed rank, a timeout) surfaces as an Error that
// says which rank saw it and what to do. Internal to tiltbench_core_torch (its header names torch types).
// Without c10d's Gloo headers at build time (Debian: libgloo-dev), constructing one is an Error saying so.
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "train/distributed_env.h"

namespace tiltbench {

class DataParallel {
  public:
    // Joins the process group (waits up to the timeout for every rank). `device`: where the gradients live;
    // Gloo reduces CPU tensors, so gradients elsewhere are staged through CPU buffers.
    DataParallel(const DataParallelOptions& options, const torch::Device& device);
    ~DataParallel();
    DataParallel(const DataParallel&) = delete;
    DataParallel& operator=(const DataParallel&) = delete;

    int rank() const { return m_env.rank; }
    int size() const { return m_env.worldSize; }

    // Every rank's tensors become rank 0's (in place).
    void broadcastFromRankZero(const std::vector<torch::Tensor>& tensors, const char* what);
    // Sums every parameter's gradient over the ranks, in buckets of about kBucketBytes (in reverse
    // parameter order, as the backward pass produces them), each bucket one asynchronous c10d all-reduce;
    // waits for all. A parameter without a gradient on this rank takes part with zeros.
    void sumGradients(const std::vector<torch::Tensor>& parameters);
    // Element-wise sums of a few numbers over the ranks.
    std::vector<double> sum(const std::vector<double>& values, const char* what);
    // Throws an Error when some rank's `fingerprint` differs from this rank's (the ranks must train the same
    // run on the same data with the same settings).
    void requireSame(uint64_t fingerprint, const std::string& what);

    // What the error after a lost peer tells the user to do (default: a generic `--resume` hint).
    void setRecoveryHint(std::string hint) { m_hint = std::move(hint); }

    static constexpr int64_t kBucketBytes = 25 << 20;  // c10d DistributedDataParallel's default

  private:
    [[noreturn]] void fail(const std::exception& e, const char* during) const;
    DistributedEnv m_env;
    double m_timeoutSeconds;
    std::string m_hint =
        "rank 0 has recorded every finished epoch: continue the run with `tiltbench-cli train --resume RUN`";
    torch::Device m_device;
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Whether this build has c10d's Gloo process group (else DataParallel's constructor throws).
bool dataParallelAvailable();

}  // namespace tiltbench
