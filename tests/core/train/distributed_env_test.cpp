// DistributedEnv: torchrun's variables read, and every bad one named.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "common/error.h"
#include "train/distributed_env.h"

namespace tiltbench {
namespace {

DistributedEnv read(const std::map<std::string, std::string>& vars) {
    return DistributedEnv::fromEnvironment([&](const char* name) -> const char* {
        const auto it = vars.find(name);
        return it == vars.end() ? nullptr : it->second.c_str();
    });
}

std::string errorOf(const std::map<std::string, std::string>& vars) {
    try {
        read(vars);
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

TEST(DistributedEnv, ReadsTorchrunsVariables) {
    EXPECT_FALSE(read({}).active());
    EXPECT_FALSE(read({{"WORLD_SIZE", "1"}, {"RANK", "0"}}).active());
    const DistributedEnv env = read({{"WORLD_SIZE", "4"},
                                     {"RANK", "3"},
                                     {"LOCAL_RANK", "1"},
                                     {"LOCAL_WORLD_SIZE", "2"},
                                     {"MASTER_ADDR", "node1"},
                                     {"MASTER_PORT", "29500"}});
    EXPECT_TRUE(env.active());
    EXPECT_FALSE(env.writes());
    EXPECT_EQ(env.rank, 3);
    EXPECT_EQ(env.worldSize, 4);
    EXPECT_EQ(env.localRank, 1);
    EXPECT_EQ(env.localWorldSize, 2);
    EXPECT_EQ(env.masterAddr, "node1");
    EXPECT_EQ(env.masterPort, 29500);
    // srun-style: LOCAL_RANK without LOCAL_WORLD_SIZE.
    EXPECT_EQ(read({{"WORLD_SIZE", "4"},
                    {"RANK", "0"},
                    {"LOCAL_RANK", "3"},
                    {"MASTER_ADDR", "a"},
                    {"MASTER_PORT", "1"}})
                  .localRank,
              3);
}

TEST(DistributedEnv, NamesTheVariableAtFault) {
    const std::map<std::string, std::string> ok{
        {"WORLD_SIZE", "2"}, {"RANK", "1"}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", "29500"}};
    auto with = [&](const std::string& k, const std::string& v) {
        auto m = ok;
        m[k] = v;
        return m;
    };
    auto without = [&](const std::string& k) {
        auto m = ok;
        m.erase(k);
        return m;
    };
    EXPECT_NE(errorOf(without("RANK")).find("WORLD_SIZE=2 but RANK is not set"), std::string::npos);
    EXPECT_NE(errorOf(without("MASTER_ADDR")).find("MASTER_ADDR is not set"), std::string::npos);
    EXPECT_NE(errorOf(with("RANK", "2")).find("RANK='2' is not a whole number in 0..1"), std::string::npos);
    EXPECT_NE(errorOf(with("RANK", "-1")).find("RANK='-1'"), std::string::npos);
    EXPECT_NE(errorOf(with("WORLD_SIZE", "two")).find("WORLD_SIZE='two'"), std::string::npos);
    EXPECT_NE(errorOf(with("WORLD_SIZE", "0")).find("WORLD_SIZE='0'"), std::string::npos);
    EXPECT_NE(
        errorOf(with("MASTER_PORT", "70000")).find("MASTER_PORT='70000' is not a whole number in 1..65535"),
        std::string::npos);
    EXPECT_NE(errorOf(with("MASTER_PORT", "29500x")).find("MASTER_PORT='29500x'"), std::string::npos);
    auto local = with("LOCAL_WORLD_SIZE", "2");
    local["LOCAL_RANK"] = "2";
    EXPECT_NE(errorOf(local).find("LOCAL_RANK='2' is not a whole number in 0..1"), std::string::npos);
    DataParallelOptions o;
    o.timeoutSeconds = 0.5;
    EXPECT_THROW(o.validate(), Error);
    o.timeoutSeconds = 30;
    EXPECT_NO_THROW(o.validate());
}

}  // namespace
}  // namespace tiltbench
