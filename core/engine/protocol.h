#pragma once
// The engine protocol: how a front end (the GUI, a script) drives `tiltbench-cli` as a child process, and the
// one place both sides take it from. Torch-free and Qt-free.
//
//   request  a typed struct (engine/requests.h) that turns itself into the child's argument list
//   events   one JSON object per line on the stream chosen by --progress-jsonl (the GUI: stderr, beside the
//            human-readable log lines, which never start with '{'): run, progress, epoch,
//            waiting_for_workspace, finished. Each carries "event" and the protocol version "v".
//   reply    the one JSON object `--json` prints on stdout when the command ends: its result, or
//            {"error": "..."} when it failed (exit code 1; 130 = cancelled).
//
// An error is said twice on purpose, once per channel: the stream's `finished` event (status "failed",
// "error") for a reader that follows the stream, and the reply for one that only waits for the end.
// A reader takes lines of a newer protocol version than its own as unknown (parseLine), never guesses.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tiltbench::engine {

// Raised when an event's fields change meaning (not when one is added: readers ignore unknown keys).
inline constexpr int kProtocolVersion = 1;
// The exit code of a command that was cancelled (SIGINT, SIGTERM, SIGHUP, or its stream's reader went away).
inline constexpr int kExitCancelled = 130;

inline constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();  // written as null

// The run's id, as soon as the run exists.
struct RunEvent {
    int64_t runId = 0;
    bool resumed = false;
};

// Work going on. Stage progress (closed-form runs, export, eval): `done` of `total` `unit`s. SASRec training
// (epochs > 0): the epoch, step, running loss, speed and ETA.
struct ProgressEvent {
    std::string stage;  // "training", "validating", "testing", "loading ml", "ranking", …
    uint64_t done = 0;
    uint64_t total = 0;
    std::string unit;
    int epoch = 0;  // 1-based; 0 = not an epoch-based stage
    int epochs = 0;
    int64_t step = 0;
    int64_t stepsPerEpoch = 0;
    double loss = kUnknown;
    double examplesPerSecond = kUnknown;
    double etaSeconds = kUnknown;
    double elapsedSeconds = kUnknown;
};

// One finished SASRec epoch with its validation figures, sent before its records are written.
struct EpochEvent {
    int epoch = 0;
    double trainLoss = kUnknown;
    double validNdcg10 = kUnknown;
    double validHr10 = kUnknown;
    double trainSeconds = kUnknown;
    double seconds = kUnknown;
    // Post-training runs (issue 16): the proxy reward and true reward of the top-10 and the KL to the parent,
    // on validation. Absent (unknown) otherwise; a line without them still parses.
    double validProxyReward10 = kUnknown;
    double validKlRef = kUnknown;
    double validTrueReward10 = kUnknown;
};

// Another process holds the workspace's write lock. A command waiting to write says how long it has waited
// (`seconds`); a training run that goes on meanwhile says how many epochs' records wait in memory.
struct WaitingEvent {
    double seconds = kUnknown;
    int epoch = 0;
    int pendingEpochs = 0;
    double elapsedSeconds = kUnknown;
};

// The last event of a command: how it ended.
struct FinishedEvent {
    enum class Status { Done, Cancelled, Failed };
    FinishedEvent() = default;
    explicit FinishedEvent(Status s, int64_t run = 0) : status(s), runId(run) {}

    Status status = Status::Failed;
    int64_t runId = 0;              // 0 = no run (or not a training command)
    std::optional<int> epochsDone;  // SASRec: epochs recorded in the workspace (what a resume continues)
    double seconds = kUnknown;
    std::string error;               // Failed
    std::vector<std::string> files;  // export: the files written
    std::optional<int64_t> rows;     // export
    std::optional<int64_t> users;    // export
};

using Event = std::variant<RunEvent, ProgressEvent, EpochEvent, WaitingEvent, FinishedEvent>;

// "run", "progress", "epoch", "waiting_for_workspace", "finished".
const char* eventName(const Event& event);
const char* statusName(FinishedEvent::Status status);

// The event as one line of JSON (no newline). NaN and ±inf are written as null.
std::string toLine(const Event& event);

// One line of the stream. `event` is set for an event this version understands; `isEvent` also for a JSON
// object with an "event" key it does not (an unknown kind, or `version` newer than kProtocolVersion); neither
// for a log line. Lines without "v" are read as version 1. Missing or null numbers read as kUnknown / 0.
struct ParsedLine {
    bool isEvent = false;
    int version = 0;
    std::string kind;
    std::optional<Event> event;
};
ParsedLine parseLine(std::string_view line);

// The reply on stdout: `error` set when it is {"error": …}; `valid` false when it is not a JSON object.
struct Reply {
    bool valid = false;
    std::string error;
};
Reply parseReply(std::string_view text);

}  // namespace tiltbench::engine
