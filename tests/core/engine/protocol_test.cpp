// The engine protocol (core/engine/protocol.h): every event survives its own serializer and parser, unknown
// and newer lines are told apart from log lines, and a crafted line never becomes a huge count.
#include "engine/protocol.h"

#include <gtest/gtest.h>

#include <cmath>
#include <variant>

namespace tiltbench::engine {
namespace {

template <typename T>
T roundTrip(const T& event) {
    const std::string line = toLine(event);
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
    const ParsedLine parsed = parseLine(line);
    EXPECT_TRUE(parsed.isEvent) << line;
    EXPECT_EQ(parsed.version, kProtocolVersion) << line;
    EXPECT_EQ(parsed.kind, eventName(event));
    EXPECT_TRUE(parsed.event.has_value()) << line;
    EXPECT_TRUE(parsed.event && std::holds_alternative<T>(*parsed.event)) << line;
    return parsed.event && std::holds_alternative<T>(*parsed.event) ? std::get<T>(*parsed.event) : T{};
}

TEST(EngineProtocol, RunEventRoundTrips) {
    const RunEvent back = roundTrip(RunEvent{42, true});
    EXPECT_EQ(back.runId, 42);
    EXPECT_TRUE(back.resumed);
}

TEST(EngineProtocol, StageProgressRoundTrips) {
    ProgressEvent p;
    p.stage = "ranking";
    p.done = 7;
    p.total = 900;
    p.unit = "users";
    const ProgressEvent back = roundTrip(p);
    EXPECT_EQ(back.stage, "ranking");
    EXPECT_EQ(back.done, 7u);
    EXPECT_EQ(back.total, 900u);
    EXPECT_EQ(back.unit, "users");
    EXPECT_EQ(back.epochs, 0);
}

TEST(EngineProtocol, TrainingProgressRoundTripsWithUnknownsAsNull) {
    ProgressEvent p;
    p.stage = "training";
    p.epoch = 3;
    p.epochs = 30;
    p.step = 40;
    p.stepsPerEpoch = 80;
    p.loss = 6.5;
    p.examplesPerSecond = 1234.5;
    p.etaSeconds = std::nan("");  // not known yet
    p.elapsedSeconds = 3.25;
    const std::string line = toLine(p);
    EXPECT_NE(line.find("\"eta_seconds\":null"), std::string::npos) << line;
    const ProgressEvent back = roundTrip(p);
    EXPECT_EQ(back.epoch, 3);
    EXPECT_EQ(back.epochs, 30);
    EXPECT_EQ(back.step, 40);
    EXPECT_EQ(back.stepsPerEpoch, 80);
    EXPECT_DOUBLE_EQ(back.loss, 6.5);
    EXPECT_DOUBLE_EQ(back.examplesPerSecond, 1234.5);
    EXPECT_TRUE(std::isnan(back.etaSeconds));
    EXPECT_DOUBLE_EQ(back.elapsedSeconds, 3.25);
}

TEST(EngineProtocol, EpochRoundTrips) {
    const EpochEvent back = roundTrip(EpochEvent{4, 5.0, 0.125, 0.25, 1.5, 2.0});
    EXPECT_EQ(back.epoch, 4);
    EXPECT_DOUBLE_EQ(back.trainLoss, 5.0);
    EXPECT_DOUBLE_EQ(back.validNdcg10, 0.125);
    EXPECT_DOUBLE_EQ(back.validHr10, 0.25);
    EXPECT_DOUBLE_EQ(back.trainSeconds, 1.5);
    EXPECT_DOUBLE_EQ(back.seconds, 2.0);
    EXPECT_TRUE(std::isnan(roundTrip(EpochEvent{1, std::nan("")}).trainLoss));
    EXPECT_TRUE(std::isnan(back.validKlRef));  // not measured: absent from the line, unknown when read
    const EpochEvent post = roundTrip(EpochEvent{2, 0.6, 0.1, 0.2, 1.0, 1.5, 4.25, 0.125, 3.5});
    EXPECT_DOUBLE_EQ(post.validProxyReward10, 4.25);
    EXPECT_DOUBLE_EQ(post.validKlRef, 0.125);
    EXPECT_DOUBLE_EQ(post.validTrueReward10, 3.5);
}

TEST(EngineProtocol, BothKindsOfWaitingRoundTrip) {
    WaitingEvent command;
    command.seconds = 6.2;
    const WaitingEvent c = roundTrip(command);
    EXPECT_DOUBLE_EQ(c.seconds, 6.2);
    EXPECT_EQ(c.pendingEpochs, 0);
    WaitingEvent training;
    training.epoch = 2;
    training.pendingEpochs = 3;
    training.elapsedSeconds = 4.0;
    const WaitingEvent t = roundTrip(training);
    EXPECT_TRUE(std::isnan(t.seconds));
    EXPECT_EQ(t.epoch, 2);
    EXPECT_EQ(t.pendingEpochs, 3);
    EXPECT_DOUBLE_EQ(t.elapsedSeconds, 4.0);
}

TEST(EngineProtocol, FinishedRoundTripsForEveryStatus) {
    for (const auto status :
         {FinishedEvent::Status::Done, FinishedEvent::Status::Cancelled, FinishedEvent::Status::Failed}) {
        FinishedEvent f(status, 9);
        f.epochsDone = 2;
        f.seconds = 12.5;
        f.error = status == FinishedEvent::Status::Failed ? "sasrec: dim must be > 0" : "";
        const FinishedEvent back = roundTrip(f);
        EXPECT_EQ(back.status, status);
        EXPECT_EQ(back.runId, 9);
        EXPECT_EQ(back.epochsDone, 2);
        EXPECT_DOUBLE_EQ(back.seconds, 12.5);
        EXPECT_EQ(back.error, f.error);
    }
    FinishedEvent exported(FinishedEvent::Status::Done);
    exported.files = {"/tmp/a.safetensors", "/tmp/a.json"};
    exported.rows = 943;
    exported.users = 943;
    const FinishedEvent back = roundTrip(exported);
    EXPECT_EQ(back.files, exported.files);
    EXPECT_EQ(back.rows, 943);
    EXPECT_EQ(back.users, 943);
    EXPECT_EQ(back.runId, 0);
    EXPECT_FALSE(back.epochsDone.has_value());
}

TEST(EngineProtocol, LogLinesUnknownKindsAndNewerVersionsAreToldApart) {
    EXPECT_FALSE(parseLine("epoch   1: train loss 5.0252, 40038 examples/s").isEvent);
    EXPECT_FALSE(parseLine("{not json").isEvent);
    EXPECT_FALSE(parseLine(R"({"no_event":1})").isEvent);
    EXPECT_FALSE(parseLine("").isEvent);

    const ParsedLine unknown = parseLine(R"({"event":"telemetry","v":1})");
    EXPECT_TRUE(unknown.isEvent);
    EXPECT_EQ(unknown.kind, "telemetry");
    EXPECT_FALSE(unknown.event.has_value());

    const ParsedLine newer = parseLine(R"({"event":"run","run_id":3,"v":2})");
    EXPECT_TRUE(newer.isEvent);
    EXPECT_EQ(newer.version, 2);
    EXPECT_FALSE(newer.event.has_value());  // a newer protocol is never guessed at

    const ParsedLine old = parseLine(R"({"event":"run","run_id":3})");  // no "v": version 1
    ASSERT_TRUE(old.event.has_value());
    EXPECT_EQ(std::get<RunEvent>(*old.event).runId, 3);

    EXPECT_FALSE(parseLine(R"({"event":"finished","status":"exploded"})").event.has_value());
}

TEST(EngineProtocol, CraftedNumbersNeverBecomeHugeCounts) {
    const ParsedLine p = parseLine(
        R"({"event":"progress","stage":"x","done":-5,"total":1e300,"epoch":1e12,"epochs":"many","step":-1})");
    ASSERT_TRUE(p.event.has_value());
    const auto& e = std::get<ProgressEvent>(*p.event);
    EXPECT_EQ(e.done, 0u);
    EXPECT_EQ(e.total, 0u);
    EXPECT_EQ(e.epoch, 0);
    EXPECT_EQ(e.epochs, 0);
    EXPECT_EQ(e.step, 0);
}

TEST(EngineProtocol, InvalidUtf8InAnErrorStaysValidJson) {
    FinishedEvent f(FinishedEvent::Status::Failed);
    f.error = "dataset '\xff\xfe' is missing";
    const ParsedLine p = parseLine(toLine(f));
    ASSERT_TRUE(p.event.has_value());
    EXPECT_NE(std::get<FinishedEvent>(*p.event).error.find("is missing"), std::string::npos);
}

TEST(EngineProtocol, TheReplySaysWhetherTheCommandFailed) {
    EXPECT_FALSE(parseReply("").valid);
    EXPECT_FALSE(parseReply("[1,2]").valid);
    const Reply ok = parseReply(R"({"run_id":3,"metrics":{}})");
    EXPECT_TRUE(ok.valid);
    EXPECT_TRUE(ok.error.empty());
    const Reply failed = parseReply(R"({"error":"dataset 'x' not found"})");
    EXPECT_TRUE(failed.valid);
    EXPECT_EQ(failed.error, "dataset 'x' not found");
}

}  // namespace
}  // namespace tiltbench::engine
