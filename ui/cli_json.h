#pragma once
// Running tiltbench-cli as a child process from a worker thread and reading its one JSON answer: what the
// pages that need LibTorch (SASRec top-10 lists, exports, previews) do, since the GUI process never loads it.
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <functional>

namespace tiltbench {

// Runs `cliPath arguments` to the end, forwarding the `{"event":"progress"}` lines of its stderr to
// `onProgress` and sending SIGINT when `cancelled()` turns true (then throws Cancelled). Returns the JSON
// object on stdout; throws Error with the CLI's own message (its JSON "error", else its last stderr line)
// when it fails.
QJsonObject runCliJson(const QString& cliPath, const QStringList& arguments,
                       const std::function<bool()>& cancelled,
                       const std::function<void(const QJsonObject&)>& onProgress = {});

}  // namespace tiltbench
