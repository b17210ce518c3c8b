#include "terminal_progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <string>

namespace tiltbench::cli {
namespace {

std::atomic<int> g_interrupts{0};
std::atomic<int> g_terminations{0};

// A terminating signal counts as enough interrupts to cancel at once, whatever `cancelAfter` is.
constexpr int kTerminate = 1 << 20;

extern "C" void onSignal(int signal) {
    if (signal == SIGINT) {
        g_interrupts.fetch_add(1);
    } else {
        g_terminations.fetch_add(1);
        g_interrupts.fetch_add(kTerminate);
    }
}

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

}  // namespace

TerminalProgress::TerminalProgress(int cancelAfter)
    : m_tty(::isatty(STDERR_FILENO) != 0), m_cancelAfter(cancelAfter) {
    g_interrupts = 0;
    g_terminations = 0;
    for (const int signal : kSignals)
        std::signal(signal, onSignal);
}

TerminalProgress::~TerminalProgress() {
    for (const int signal : kSignals)
        std::signal(signal, SIG_DFL);
    finish();
}

int TerminalProgress::interrupts() {
    return g_interrupts.load();
}

bool TerminalProgress::terminated() {
    return g_terminations.load() > 0;
}

ProgressCallback TerminalProgress::callback() {
    return [this](const Progress& p) {
        if (g_interrupts >= m_cancelAfter)
            return false;
        if (!m_tty)
            return true;
        const auto now = std::chrono::steady_clock::now();
        if (now - m_last < std::chrono::milliseconds(100))
            return true;
        m_last = now;
        std::string line = p.stage;
        if (p.total > 0) {
            line += fmt::format(" {:5.1f}%", 100.0 * p.fraction());
        } else if (p.done > 0) {
            line += fmt::format(" {} {}", p.done, p.unit);
        }
        std::cerr << "\r\033[K" << line << std::flush;
        m_shown = true;
        return true;
    };
}

void TerminalProgress::finish() {
    if (m_shown)
        std::cerr << "\r\033[K" << std::flush;
    m_shown = false;
}

}  // namespace tiltbench::cli
