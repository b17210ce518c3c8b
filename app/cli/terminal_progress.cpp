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

extern "C" void onSigint(int) {
    g_interrupts.fetch_add(1);
}

}  // namespace

TerminalProgress::TerminalProgress(int cancelAfter)
    : m_tty(::isatty(STDERR_FILENO) != 0), m_cancelAfter(cancelAfter) {
    g_interrupts = 0;
    std::signal(SIGINT, onSigint);
}

TerminalProgress::~TerminalProgress() {
    std::signal(SIGINT, SIG_DFL);
    finish();
}

int TerminalProgress::interrupts() {
    return g_interrupts.load();
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
