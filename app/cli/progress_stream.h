#pragma once
// ProgressStream: machine-readable progress for front ends that run the CLI as a child process (the GUI's
// Train page runs SASRec this way, so that the GUI process never loads LibTorch): the events of the engine
// protocol (engine/protocol.h), one JSON object per line, flushed at once. `--progress-jsonl TARGET` chooses
// where: stderr (beside the human-readable lines, which never start with '{'), stdout, fd:N, /dev/fd/N or
// /proc/self/fd/N (an inherited descriptor, written as it is) or a file path — checked by
// OutputGuard::checkProgressFile: a new file, a FIFO, or an earlier progress file, never the workspace, an
// input or a database. While a stream is open SIGPIPE is ignored: when the reader goes away (the GUI crashed
// or was killed), a write fails instead of killing the process mid-run, broken() turns true and the commands
// cancel their run cleanly — recorded as cancelled, resumable — rather than train on with nobody watching.
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

#include "common/output_guard.h"
#include "common/progress.h"
#include "engine/protocol.h"

namespace tiltbench::cli {

// The CLI's default answer to a workspace whose write lock another process holds: a line on stderr every
// few seconds ("waiting for the workspace …"); false (give up the wait) once Ctrl-C was pressed.
bool reportLockWait(double waitedSeconds);

class ProgressStream {
  public:
    // Empty target: disabled. Throws Error when `guard` refuses the target or it cannot be opened.
    ProgressStream(const std::string& target, const OutputGuard& guard);
    ~ProgressStream();
    ProgressStream(const ProgressStream&) = delete;
    ProgressStream& operator=(const ProgressStream&) = delete;

    bool enabled() const { return m_file != nullptr; }
    bool broken() const { return m_broken; }  // a write failed: nobody reads the stream any more
    void emit(const engine::Event& event);
    // A progress callback for a core job: forwards every report to `show` (the terminal's) and emits
    // "progress" events (stage, done, total, unit) at every change of stage, at the end of a stage and at
    // most every 100 ms otherwise; it asks the job to stop once the stream is broken. Valid while this stream
    // lives.
    ProgressCallback progressCallback(ProgressCallback show);
    // A workspace lock-wait callback (Workspace::setLockWaitCallback): emits a WaitingEvent with
    // the seconds waited and says so on stderr (reportLockWait); gives up the wait on
    // Ctrl-C or once the stream is broken. Valid while this stream lives.
    std::function<bool(double)> lockWaitCallback();

  private:
    std::FILE* m_file = nullptr;
    bool m_owned = false;
    bool m_broken = false;
    std::chrono::steady_clock::time_point m_lastEmit{};
    std::string m_lastStage;
};

}  // namespace tiltbench::cli
