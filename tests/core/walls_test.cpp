// The walls of docs/ARCHITECTURE.md, checked on the sources: only core/torch/ includes LibTorch (or anything
// in core/torch/), so the torch-free core, the UI and the GUI can never pick up a LibTorch dependency by
// accident.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// Lines of the C++ sources under `folder` (relative to the project) that include one of `forbidden`,
// skipping the sub-folder `except` (relative to the project; empty: none).
std::vector<std::string> offendingIncludes(const std::string& folder, const std::string& except,
                                           const std::regex& forbidden) {
    const fs::path root = TILTBENCH_SOURCE_DIR;
    std::vector<std::string> found;
    for (const auto& entry : fs::recursive_directory_iterator(root / folder)) {
        if (!entry.is_regular_file())
            continue;
        const fs::path p = entry.path();
        if (p.extension() != ".cpp" && p.extension() != ".h")
            continue;
        const std::string rel = fs::relative(p, root).string();
        if (!except.empty() && rel.rfind(except + "/", 0) == 0)
            continue;
        std::ifstream in(p);
        std::string line;
        for (int n = 1; std::getline(in, line); ++n) {
            if (std::regex_search(line, forbidden))
                found.push_back(rel + ":" + std::to_string(n) + ": " + line);
        }
    }
    return found;
}

std::string joined(const std::vector<std::string>& lines) {
    std::ostringstream out;
    for (const auto& l : lines)
        out << l << "\n";
    return out.str();
}

const std::regex kTorchInclude(R"(^\s*#\s*include\s*[<"](torch/|ATen/|c10/|caffe2/))");

}  // namespace

TEST(Walls, OnlyCoreTorchIncludesLibTorchOrTheTorchFolder) {
    ASSERT_TRUE(fs::is_directory(fs::path(TILTBENCH_SOURCE_DIR) / "core" / "torch"));
    EXPECT_EQ(joined(offendingIncludes("core", "core/torch", kTorchInclude)), "");
    EXPECT_EQ(joined(offendingIncludes("ui", "", kTorchInclude)), "");
    EXPECT_EQ(joined(offendingIncludes("app/gui", "", kTorchInclude)), "");
}

TEST(Walls, CoreIncludesNoQt) {
    const std::regex qt(R"(^\s*#\s*include\s*[<"](Q[A-Za-z]+|Qt[A-Za-z]*/))");
    EXPECT_EQ(joined(offendingIncludes("core", "", qt)), "");
}

// The engine link has one home: only ui/process/ starts child processes (EngineProcess), and the event keys
// are spelled only in core/engine/protocol.cpp — no other UI or CLI source writes or reads them by hand.
TEST(Walls, OnlyTheEngineProcessStartsChildrenAndOnlyTheProtocolSpellsEvents) {
    EXPECT_EQ(joined(offendingIncludes("ui", "ui/process", std::regex(R"(^\s*#\s*include\s*<QProcess>)"))),
              "");
    const std::regex eventKey(R"re("event"\s*[,:)])re");
    EXPECT_EQ(joined(offendingIncludes("ui", "", eventKey)), "");
    EXPECT_EQ(joined(offendingIncludes("app/cli", "", eventKey)), "");
}
