#pragma once
// Progress on a terminal for the CLI's long commands: one self-overwriting line on stderr, at most ~10
// updates a second, and Ctrl-C turned into a clean cancel (the job rolls back or records its run as
// cancelled) instead of killing the process mid-write. SIGTERM and SIGHUP (a service manager stopping the
// job, the terminal closing) cancel the same way, at once; the command then exits 130 like for Ctrl-C.
#include <chrono>

#include "common/progress.h"

namespace tiltbench::cli {

class TerminalProgress {
  public:
    // `cancelAfter` Ctrl-Cs cancel the job (a sweep takes the first as "stop after this run").
    explicit TerminalProgress(int cancelAfter = 1);
    ~TerminalProgress();
    TerminalProgress(const TerminalProgress&) = delete;
    TerminalProgress& operator=(const TerminalProgress&) = delete;

    static int interrupts();   // Ctrl-C presses since this display started (a SIGTERM/SIGHUP counts many)
    static bool terminated();  // a SIGTERM or SIGHUP arrived since this display started
    ProgressCallback callback();
    void finish();  // clears the progress line

  private:
    bool m_tty;
    int m_cancelAfter;
    bool m_shown = false;
    std::chrono::steady_clock::time_point m_last{};
};

}  // namespace tiltbench::cli
