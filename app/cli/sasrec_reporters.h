#pragma once
// How `train` and `sweep` report a SASRec run while it trains: SasrecProgress (the terminal's progress line)
// and SasrecStreamReporter (the --progress-jsonl events). Used by training_commands.cpp only.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <map>
#include <string>

#include "engine/protocol.h"
#include "progress_stream.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "terminal_progress.h"
#include "train/sasrec_run_config.h"

namespace tiltbench::cli {

// SASRec progress on the terminal: the running epoch on the self-overwriting line, and one line per finished
// epoch on stderr, so a log of a long run keeps its learning curve. `restart` before each run of a sweep.
class SasrecProgress {
  public:
    explicit SasrecProgress(TerminalProgress& terminal) : m_terminal(terminal), m_show(terminal.callback()) {}
    void restart() { m_t0 = std::chrono::steady_clock::now(); }
    std::function<bool(const TrainProgress&)> callback() {
        return [this](const TrainProgress& p) {
            if (p.stage == "epoch") {  // one line per finished epoch, after its validation
                m_terminal.finish();
                std::cerr << fmt::format(
                    "epoch {:>3}: train loss {:.4f}, valid NDCG@10 {}, {:.0f} examples/s, {:.1f} s elapsed\n",
                    p.epoch, p.loss,
                    std::isfinite(p.validNdcg10) ? fmt::format("{:.5f}", p.validNdcg10) : std::string("n/a"),
                    p.examplesPerSecond,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - m_t0).count());
                return m_show(Progress{fmt::format("epoch {}/{} done", p.epoch, p.epochs), 0, 0, ""});
            }
            const std::string stage =
                p.stage == "training"
                    ? fmt::format("epoch {}/{} step {}/{} loss {:.4f} {:.0f} ex/s ETA {:.0f} s", p.epoch,
                                  p.epochs, p.step, p.stepsPerEpoch, p.loss, p.examplesPerSecond,
                                  p.etaSeconds)
                    : fmt::format("epoch {}/{} {}", p.epoch, p.epochs, p.stage);
            if (p.stage == "waiting_for_workspace") {
                m_terminal.finish();
                std::cerr << fmt::format(
                    "epoch {:>3}: another process is writing to the workspace; the records of {} epoch(s) "
                    "wait in memory and training goes on\n",
                    p.epoch, p.pendingEpochs);
                return m_show(Progress{"waiting for the workspace", 0, 0, ""});
            }
            return m_show(Progress{stage, 0, 0, ""});
        };
    }

  private:
    TerminalProgress& m_terminal;
    ProgressCallback m_show;
    std::chrono::steady_clock::time_point m_t0 = std::chrono::steady_clock::now();
};

// Machine-readable SASRec progress (--progress-jsonl): the run id as soon as the run exists, throttled
// progress, and one event per finished epoch with its figures, sent when the trainer reports the epoch (stage
// "epoch"), before its records are written: while another program holds the workspace's write lock the
// records wait in memory and the learning curve still moves. The run id is read back from the workspace (the
// trainer creates the run row); `epochs_done` in the final event counts the epochs recorded there, the ones a
// resume can continue from.
class SasrecStreamReporter {
  public:
    SasrecStreamReporter(ProgressStream& stream, Workspace& ws, std::optional<int64_t> resume)
        : m_stream(stream), m_ws(ws), m_resume(resume), m_before(RunStore(ws).lastRunId()) {}

    bool enabled() const { return m_stream.enabled(); }
    int64_t runId() const { return m_runId; }

    void onProgress(const TrainProgress& p) {
        if (!enabled())
            return;
        const auto now = Clock::now();
        if (p.stage == "waiting_for_workspace") {  // the epochs' records wait in memory; training goes on
            engine::WaitingEvent waiting;
            waiting.epoch = p.epoch;
            waiting.pendingEpochs = p.pendingEpochs;
            waiting.elapsedSeconds = secondsSince(m_t0);
            m_stream.emit(waiting);
            return;
        }
        if (p.stage == "epoch") {
            announceRun();
            m_stream.emit(engine::EpochEvent{p.epoch, p.loss, p.validNdcg10, p.validHr10, p.trainSeconds,
                                             p.epochSeconds, p.validProxyReward10, p.validKlRef,
                                             p.validTrueReward10});
            return;
        }
        const bool changed = p.stage != m_stage || p.epoch != m_epoch;
        if (changed)
            announceRun();
        const bool endOfPass = p.stage == "training" && p.step == p.stepsPerEpoch;
        if (changed || endOfPass || now - m_lastEmit >= std::chrono::milliseconds(100)) {
            m_lastEmit = now;
            engine::ProgressEvent event;
            event.stage = p.stage;
            event.epoch = p.epoch;
            event.epochs = p.epochs;
            event.step = p.step;
            event.stepsPerEpoch = p.stepsPerEpoch;
            event.loss = p.loss;
            event.examplesPerSecond = p.examplesPerSecond;
            event.etaSeconds = p.etaSeconds;
            event.elapsedSeconds = secondsSince(m_t0);
            m_stream.emit(event);
        }
        m_stage = p.stage;
        m_epoch = p.epoch;
    }

    // After the trainer returned or threw: the epochs it finished since the last report, and the outcome.
    void finish(engine::FinishedEvent::Status status, const std::string& error = {}) {
        if (!enabled())
            return;
        int recorded = 0;
        try {
            announceRun();
            recorded = recordedEpochs();
        } catch (const std::exception&) {
            // The workspace may be what failed; the outcome below is still worth reporting.
        }
        engine::FinishedEvent finished;
        finished.status = status;
        finished.runId = m_runId;
        finished.epochsDone = recorded;
        finished.seconds = secondsSince(m_t0);
        finished.error = error;
        m_stream.emit(finished);
    }

  private:
    using Clock = std::chrono::steady_clock;
    static double secondsSince(Clock::time_point t) {
        return std::chrono::duration<double>(Clock::now() - t).count();
    }

    void announceRun() {
        if (m_runId > 0)
            return;
        if (m_resume) {
            m_runId = *m_resume;
        } else if (auto id = RunStore(m_ws).newestRunOfWriter(::getpid(), writerHostId(), m_before)) {
            m_runId = *id;
        } else {
            return;
        }
        m_stream.emit(engine::RunEvent{m_runId, m_resume.has_value()});
        if (m_resume)
            replayRecordedEpochs();
    }

    // A resumed run's earlier epochs, from the workspace, before the trainer reports the new ones: a reader's
    // learning curve then covers the whole run.
    void replayRecordedEpochs() {
        std::map<int, std::map<std::string, double>> epochs;
        for (const auto& m : RunStore(m_ws).metrics(m_runId)) {
            if (m.epoch >= 1)
                epochs[m.epoch][m.split + "/" + m.name] = m.value;
        }
        const auto value = [](const std::map<std::string, double>& values, const char* key) {
            const auto it = values.find(key);
            return it == values.end() ? engine::kUnknown : it->second;
        };
        for (const auto& [epoch, values] : epochs) {
            // An epoch's rows are one transaction; its training time is always among them.
            if (!values.count("train/seconds"))
                break;
            m_stream.emit(engine::EpochEvent{epoch, value(values, "train/loss"),
                                             value(values, "valid/ndcg@10"), value(values, "valid/hr@10"),
                                             value(values, "train/seconds"), value(values, "train/seconds")});
        }
    }

    // Epochs whose records are in the workspace (an epoch's rows are one transaction, and its training time
    // is always among them), counted from 1 without a gap: what `--resume` continues from.
    int recordedEpochs() {
        if (m_runId <= 0)
            return 0;
        std::set<int> epochs;
        for (const auto& m : RunStore(m_ws).metrics(m_runId)) {
            if (m.split == "train" && m.name == "seconds")
                epochs.insert(m.epoch);
        }
        int n = 0;
        while (epochs.count(n + 1))
            ++n;
        return n;
    }

    ProgressStream& m_stream;
    Workspace& m_ws;
    std::optional<int64_t> m_resume;
    int64_t m_before;
    int64_t m_runId = 0;
    std::string m_stage;
    int m_epoch = -1;
    Clock::time_point m_t0 = Clock::now();
    Clock::time_point m_lastEmit{};
};

}  // namespace tiltbench::cli
