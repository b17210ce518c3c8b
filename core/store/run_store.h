#pragma once
// RunStore: the record of training runs in a workspace — config, status, timings, per-epoch and final metrics
// with their 95 % intervals, and per-user metric values (so two runs on the same split can be compared
// pairwise later). Each run records the pid and machine of the process writing it, so a run whose process
// died shows as `interrupted`. Every multi-row write is one transaction; a NaN or infinite metric is refused
// at write time so that no NaN ever reaches the workspace.
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/workspace.h"

namespace tiltbench {

struct RunRecord {
    int64_t id = 0;
    int64_t datasetId = 0;
    std::string model;
    std::string config = "{}";  // JSON
    std::string status;         // running | done | failed | cancelled | interrupted
    std::string device;
    std::string createdAt, startedAt, finishedAt;
    std::string error;
    std::string timings = "{}";  // JSON
    int64_t writerPid = 0;       // the process that created the run; 0 = unknown (written before schema 3)
    std::string writerHost;      // its machine, as writerHostId() puts it
};

struct MetricRow {
    int epoch = -1;     // -1 = final
    std::string split;  // "valid" | "test"
    std::string name;   // "ndcg@10", …
    double value = 0.0;
    double lo = 0.0, hi = 0.0;  // 95 % interval; NaN = none (stored as NULL, never as NaN)
};

struct PerUserMetric {
    std::string split;
    std::string name;
    std::vector<int32_t> users;
    std::vector<double> values;
};

struct CheckpointRow {
    int epoch = 0;
    std::string createdAt;
    std::string blob;  // untrusted bytes: whoever loads them checks them
};

// A finished run with everything it stored, as `merge` (train/run_merge.h) carries it from one workspace to
// another. No train state: only finished runs are carried.
struct CarriedRun {
    RunRecord record;
    std::vector<MetricRow> metrics;
    std::vector<PerUserMetric> perUser;
    std::vector<CheckpointRow> checkpoints;
};

// This machine's identity for telling whether a run's writer still lives: "hostname/boot-id". The boot id
// changes at every boot, so a pid recorded before a reboot is never mistaken for a process of this boot.
std::string writerHostId();

class RunStore {
  public:
    explicit RunStore(Workspace& ws) : m_ws(ws) {}

    int64_t createRun(int64_t datasetId, const std::string& model, const std::string& configJson,
                      const std::string& device);
    void finishRun(int64_t runId, const std::string& status, const std::string& error = {},
                   const std::string& timingsJson = "{}");
    // How a run that stopped on exception `stop` ended: `cancelled` for Cancelled, `failed` with its message
    // otherwise. Never throws (the caller rethrows `stop`, the error that matters); nothing for runId 0, a
    // run not recorded yet.
    void recordStop(int64_t runId, const std::exception_ptr& stop) noexcept;
    // Marks a stopped run as running again, written by this process (`--resume`): clears its end time and
    // error. Throws Error if absent.
    void resumeRun(int64_t runId);
    // Writes metric rows (and optional per-user values) in one transaction; throws Error naming the metric if
    // a value (or a per-user value) is not finite, or an interval bound is infinite, and writes nothing then.
    void addMetrics(int64_t runId, const std::vector<MetricRow>& rows,
                    const std::vector<PerUserMetric>& perUser = {});

    // A `running` run whose writer process no longer exists on this machine (it was killed, or crashed) is
    // reported as `interrupted` — never as running forever. The stored status is left as it is: readers do
    // not write, and a run written on another machine cannot be judged from here (it stays `running`).
    std::vector<RunRecord> runs(std::optional<int64_t> datasetId = std::nullopt) const;
    RunRecord run(int64_t runId) const;  // throws Error if absent
    std::vector<MetricRow> metrics(int64_t runId) const;
    std::vector<PerUserMetric> perUserMetrics(int64_t runId) const;

    // A model's fitted parameters as one blob (the checkpoints table, epoch 0), for models whose whole state
    // is their fit: a reward model (core/reward/reward_model.h). Replaces an earlier one of the run.
    void saveModelBlob(int64_t runId, const std::string& bytes);
    // What saveModelBlob stored; empty when the run stored none. The bytes are untrusted: the reader checks
    // them.
    std::string modelBlob(int64_t runId) const;

    // Every checkpoint row of a run (epoch order).
    std::vector<CheckpointRow> checkpointRows(int64_t runId) const;
    // Adds finished runs to dataset `datasetId` in one transaction: `next(ids)`, given the new ids of the
    // runs added so far, returns the next run to add (its record's id and dataset are ignored, its writer is
    // left unknown) or nothing when done. Metrics are checked as addMetrics checks them. Anything `next`
    // throws rolls everything back. `commit` false: a dry run — all is written and checked, then rolled back.
    // Returns the new ids in order.
    std::vector<int64_t> addFinishedRuns(
        int64_t datasetId, const std::function<std::optional<CarriedRun>(const std::vector<int64_t>&)>& next,
        bool commit = true);

    // The largest run id of the workspace; 0 when it has no run.
    int64_t lastRunId() const;
    // The newest run with an id above `afterId` created (or resumed) by process `pid` on machine `host`
    // (writerHostId()): how a front end that only sees a training process from outside — or the process
    // itself, from inside a progress callback — learns the id of the run it is writing. Empty when none.
    std::optional<int64_t> newestRunOfWriter(int64_t pid, const std::string& host, int64_t afterId = 0) const;
    // The external user ids of a dataset by dense index (what run_user_metrics' user arrays index), for
    // exports that should name users as the source data did.
    std::vector<std::string> userExternalIds(int64_t datasetId) const;

  private:
    Workspace& m_ws;
};

}  // namespace tiltbench
