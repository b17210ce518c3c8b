#pragma once
// The JSON a successful `tiltbench-cli … --json` printed: fails the test (and still parses) when the command
// did not exit 0.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace tiltbench::test {

inline nlohmann::json parseJson(const ProcessResult& r) {
    EXPECT_EQ(r.exitCode, 0) << r.err;
    return nlohmann::json::parse(r.out);
}

}  // namespace tiltbench::test
