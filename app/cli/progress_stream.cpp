#include "progress_stream.h"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <utility>

#include "common/error.h"
#include "terminal_progress.h"

namespace tiltbench::cli {

ProgressStream::ProgressStream(const std::string& target, const OutputGuard& guard) {
    if (target.empty())
        return;
    if (target == "stderr") {
        m_file = stderr;
    } else if (target == "stdout") {
        m_file = stdout;
    } else if (target.rfind("fd:", 0) == 0 || inheritedDescriptor(target) >= 0) {
        // An inherited descriptor is written as it is (never reopened, which would truncate its file).
        const int fd = inheritedDescriptor(target);
        if (fd >= 0)
            guard.checkProgressFile(target, "--progress-jsonl");
        errno = EBADF;
        m_file = fd >= 0 ? ::fdopen(fd, "w") : nullptr;
        m_owned = m_file != nullptr;
    } else {
        // Never the workspace, an input or a database; an existing file only when it is empty or an
        // earlier progress file (output_guard.h).
        guard.checkProgressFile(target, "--progress-jsonl");
        m_file = std::fopen(target.c_str(), "w");
        m_owned = m_file != nullptr;
    }
    if (!m_file) {
        throw Error(
            fmt::format("--progress-jsonl: cannot write to '{}' ({}); expected stderr, stdout, fd:N "
                        "or a file path",
                        target, std::strerror(errno)));
    }
    std::signal(SIGPIPE, SIG_IGN);
}

ProgressStream::~ProgressStream() {
    if (m_owned)
        std::fclose(m_file);
}

void ProgressStream::emit(const engine::Event& event) {
    if (!m_file)
        return;
    const std::string line = engine::toLine(event) + "\n";
    if (std::fwrite(line.data(), 1, line.size(), m_file) != line.size() || std::fflush(m_file) != 0)
        m_broken = true;
}

bool reportLockWait(double waitedSeconds) {
    std::fprintf(stderr,
                 "tiltbench-cli: waiting for the workspace: another process is writing to it (%.0f s so far; "
                 "Ctrl-C cancels)\n",
                 waitedSeconds);
    return TerminalProgress::interrupts() == 0;
}

std::function<bool(double)> ProgressStream::lockWaitCallback() {
    return [this](double waitedSeconds) {
        engine::WaitingEvent waiting;
        waiting.seconds = waitedSeconds;
        emit(waiting);
        return reportLockWait(waitedSeconds) && !m_broken;
    };
}

ProgressCallback ProgressStream::progressCallback(ProgressCallback show) {
    return [this, show = std::move(show)](const Progress& p) {
        const auto now = std::chrono::steady_clock::now();
        if (enabled() && (p.stage != m_lastStage || p.done == p.total ||
                          now - m_lastEmit >= std::chrono::milliseconds(100))) {
            m_lastEmit = now;
            m_lastStage = p.stage;
            engine::ProgressEvent event;
            event.stage = p.stage;
            event.done = p.done;
            event.total = p.total;
            event.unit = p.unit;
            emit(event);
        }
        return (!show || show(p)) && !m_broken;
    };
}

}  // namespace tiltbench::cli
