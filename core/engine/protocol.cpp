#include "engine/protocol.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <type_traits>
#include <utility>

namespace tiltbench::engine {

namespace {
using json = nlohmann::json;

json number(double v) {
    return std::isfinite(v) ? json(v) : json();
}

double numberOf(const json& o, const char* key) {
    const auto it = o.find(key);
    return it != o.end() && it->is_number() ? it->get<double>() : kUnknown;
}

// A count: a non-negative finite number, else 0 (a crafted or foreign line never becomes a huge value).
template <typename Int>
Int countOf(const json& o, const char* key) {
    const double v = numberOf(o, key);
    if (!(v >= 0.0) || v > static_cast<double>(std::numeric_limits<Int>::max()))
        return 0;
    return static_cast<Int>(v);
}

std::string textOf(const json& o, const char* key) {
    const auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json toJson(const RunEvent& e) {
    return {{"run_id", e.runId}, {"resumed", e.resumed}};
}

json toJson(const ProgressEvent& e) {
    json j = {{"stage", e.stage}};
    if (e.epochs > 0) {
        j["epoch"] = e.epoch;
        j["epochs"] = e.epochs;
        j["step"] = e.step;
        j["steps_per_epoch"] = e.stepsPerEpoch;
        j["loss"] = number(e.loss);
        j["examples_per_second"] = number(e.examplesPerSecond);
        j["eta_seconds"] = number(e.etaSeconds);
        j["elapsed_seconds"] = number(e.elapsedSeconds);
    } else {
        j["done"] = e.done;
        j["total"] = e.total;
        j["unit"] = e.unit;
    }
    return j;
}

json toJson(const EpochEvent& e) {
    json j = {{"epoch", e.epoch},
              {"train_loss", number(e.trainLoss)},
              {"valid_ndcg@10", number(e.validNdcg10)},
              {"valid_hr@10", number(e.validHr10)},
              {"train_seconds", number(e.trainSeconds)},
              {"seconds", number(e.seconds)}};
    // Only where measured, so the lines of weighted runs read as before.
    for (const auto& [key, v] :
         {std::pair<const char*, double>{"valid_proxy_reward@10", e.validProxyReward10},
          {"valid_kl_ref", e.validKlRef},
          {"valid_true_reward@10", e.validTrueReward10}}) {
        if (std::isfinite(v))
            j[key] = v;
    }
    return j;
}

json toJson(const WaitingEvent& e) {
    json j = json::object();
    if (std::isfinite(e.seconds))
        j["seconds"] = e.seconds;
    if (e.epoch > 0) {
        j["epoch"] = e.epoch;
        j["pending_epochs"] = e.pendingEpochs;
        j["elapsed_seconds"] = number(e.elapsedSeconds);
    }
    return j;
}

json toJson(const FinishedEvent& e) {
    json j = {{"status", statusName(e.status)}};
    if (e.runId > 0)
        j["run_id"] = e.runId;
    if (e.epochsDone)
        j["epochs_done"] = *e.epochsDone;
    if (std::isfinite(e.seconds))
        j["seconds"] = e.seconds;
    if (!e.error.empty())
        j["error"] = e.error;
    if (!e.files.empty())
        j["files"] = e.files;
    if (e.rows)
        j["rows"] = *e.rows;
    if (e.users)
        j["users"] = *e.users;
    return j;
}

std::optional<Event> fromJson(const std::string& kind, const json& o) {
    if (kind == "run")
        return RunEvent{countOf<int64_t>(o, "run_id"), o.value("resumed", false)};
    if (kind == "progress") {
        ProgressEvent p;
        p.stage = textOf(o, "stage");
        p.done = countOf<uint64_t>(o, "done");
        p.total = countOf<uint64_t>(o, "total");
        p.unit = textOf(o, "unit");
        p.epoch = countOf<int>(o, "epoch");
        p.epochs = countOf<int>(o, "epochs");
        p.step = countOf<int64_t>(o, "step");
        p.stepsPerEpoch = countOf<int64_t>(o, "steps_per_epoch");
        p.loss = numberOf(o, "loss");
        p.examplesPerSecond = numberOf(o, "examples_per_second");
        p.etaSeconds = numberOf(o, "eta_seconds");
        p.elapsedSeconds = numberOf(o, "elapsed_seconds");
        return p;
    }
    if (kind == "epoch") {
        return EpochEvent{countOf<int>(o, "epoch"),
                          numberOf(o, "train_loss"),
                          numberOf(o, "valid_ndcg@10"),
                          numberOf(o, "valid_hr@10"),
                          numberOf(o, "train_seconds"),
                          numberOf(o, "seconds"),
                          numberOf(o, "valid_proxy_reward@10"),
                          numberOf(o, "valid_kl_ref"),
                          numberOf(o, "valid_true_reward@10")};
    }
    if (kind == "waiting_for_workspace") {
        return WaitingEvent{numberOf(o, "seconds"), countOf<int>(o, "epoch"),
                            countOf<int>(o, "pending_epochs"), numberOf(o, "elapsed_seconds")};
    }
    if (kind == "finished") {
        FinishedEvent f;  // failed unless it says otherwise
        const std::string status = textOf(o, "status");
        if (status == "done")
            f.status = FinishedEvent::Status::Done;
        else if (status == "cancelled")
            f.status = FinishedEvent::Status::Cancelled;
        else if (status == "failed")
            f.status = FinishedEvent::Status::Failed;
        else
            return std::nullopt;
        f.runId = countOf<int64_t>(o, "run_id");
        if (o.contains("epochs_done"))
            f.epochsDone = countOf<int>(o, "epochs_done");
        f.seconds = numberOf(o, "seconds");
        f.error = textOf(o, "error");
        if (const auto it = o.find("files"); it != o.end() && it->is_array()) {
            for (const auto& file : *it) {
                if (file.is_string())
                    f.files.push_back(file.get<std::string>());
            }
        }
        if (o.contains("rows"))
            f.rows = countOf<int64_t>(o, "rows");
        if (o.contains("users"))
            f.users = countOf<int64_t>(o, "users");
        return f;
    }
    return std::nullopt;
}
}  // namespace

const char* statusName(FinishedEvent::Status status) {
    switch (status) {
        case FinishedEvent::Status::Done:
            return "done";
        case FinishedEvent::Status::Cancelled:
            return "cancelled";
        case FinishedEvent::Status::Failed:
            break;
    }
    return "failed";
}

const char* eventName(const Event& event) {
    return std::visit(
        [](const auto& e) -> const char* {
            using T = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<T, RunEvent>)
                return "run";
            else if constexpr (std::is_same_v<T, ProgressEvent>)
                return "progress";
            else if constexpr (std::is_same_v<T, EpochEvent>)
                return "epoch";
            else if constexpr (std::is_same_v<T, WaitingEvent>)
                return "waiting_for_workspace";
            else
                return "finished";
        },
        event);
}

std::string toLine(const Event& event) {
    json j = std::visit([](const auto& e) { return toJson(e); }, event);
    j["event"] = eventName(event);
    j["v"] = kProtocolVersion;
    // Text from a workspace may hold invalid UTF-8: replaced, so the line stays valid JSON.
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

ParsedLine parseLine(std::string_view line) {
    ParsedLine out;
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
        line.remove_prefix(1);
    if (line.empty() || line.front() != '{')
        return out;
    const json o = json::parse(line, nullptr, false);
    if (!o.is_object())
        return out;
    const auto kind = o.find("event");
    if (kind == o.end() || !kind->is_string())
        return out;
    out.isEvent = true;
    out.kind = kind->get<std::string>();
    const auto version = o.find("v");
    out.version = version != o.end() && version->is_number_integer() ? version->get<int>() : 1;
    if (version != o.end() && !version->is_number_integer())
        out.version = -1;  // not a version this reader knows
    if (out.version < 1 || out.version > kProtocolVersion)
        return out;
    out.event = fromJson(out.kind, o);
    return out;
}

Reply parseReply(std::string_view text) {
    Reply r;
    const json o = json::parse(text, nullptr, false);
    if (!o.is_object())
        return r;
    r.valid = true;
    r.error = textOf(o, "error");
    return r;
}

}  // namespace tiltbench::engine
