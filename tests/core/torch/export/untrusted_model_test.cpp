// Untrusted model files (issues 7 and 13): `tiltbench-cli recommend --model FILE` is given any file. A file
// that is not TorchScript, a TorchScript module that is not a Tiltbench export, and a look-alike whose
// `recommend` returns something else all fail with a tiltbench::Error naming the file — never a crash or a
// foreign exception. A TorchScript file is code: unless its code records are exactly what Tiltbench's
// exporter writes, it is refused before torch::jit::load sees it, so hostile modules built in Python at test
// time (writing a file, reading one, looping, allocating a terabyte) never run — while --trust-model
// (trustModel) does run them, which shows the modules are what they claim.
#include <gtest/gtest.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/serialization/export.h>

#include <chrono>
#include <fstream>
#include <string>

#include "common/error.h"
#include "export_fixture.h"
#include "support/test_support.h"
#include "torch/export/export.h"

using namespace tiltbench;

namespace {

void expectCleanError(const std::string& path, const std::string& fragment, bool trust = false) {
    try {
        recommendFromTorchScript(path, {"1", "2"}, 5, trust);
        ADD_FAILURE() << path << " was accepted";
    } catch (const Error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(path), std::string::npos) << message;
        EXPECT_NE(message.find(fragment), std::string::npos) << message;
    }
}

void saveModule(const std::string& source, const std::string& path, bool withItemMap) {
    torch::jit::Module m("Foreign");
    if (withItemMap) {
        c10::List<std::string> ids({"1", "2", "3"});
        m.register_attribute("item_ids", c10::ListType::ofStrings(), ids);
        m.register_attribute("item_titles", c10::ListType::ofStrings(), ids);
    }
    m.define(source);
    m.save(path);
}

}  // namespace

TEST(UntrustedModel, BytesThatAreNotTorchScriptAreRefused) {
    test::TempDir tmp;
    const std::string text = tmp.file("notes.pt");
    test::writeFile(text, "this is not a model\n");
    expectCleanError(text, "cannot load");
    const std::string zip = tmp.file("archive.pt");
    test::writeFile(zip, std::string("PK\x05\x06", 4) + std::string(18, '\0'));  // an empty zip archive
    expectCleanError(zip, "cannot load");
    expectCleanError(tmp.file("absent.pt"), "cannot load");
}

TEST(UntrustedModel, AForeignTorchScriptModuleIsNotATiltbenchExport) {
    test::TempDir tmp;
    const std::string path = tmp.file("foreign.pt");
    saveModule("def forward(self, x: Tensor) -> Tensor:\n    return x * 2\n", path, false);
    expectCleanError(path, "is refused: it holds the record 'code/");
    expectCleanError(path, "--trust-model");
    expectCleanError(path, "not one exported by Tiltbench", true);
}

TEST(UntrustedModel, ALookAlikeWhoseRecommendReturnsSomethingElseIsRefused) {
    test::TempDir tmp;
    const std::string number = tmp.file("number.pt");
    saveModule("def recommend(self, history: List[str], k: int) -> int:\n    return 7\n", number, true);
    expectCleanError(number, "is refused");
    expectCleanError(number, "not a usable Tiltbench export", true);
    const std::string uneven = tmp.file("uneven.pt");
    saveModule(
        "def recommend(self, history: List[str], k: int) -> Tuple[List[str], List[float]]:\n"
        "    return ['1', '2'], [0.5]\n",
        uneven, true);
    expectCleanError(uneven, "is refused");
    expectCleanError(uneven, "not a usable Tiltbench export", true);
    const std::string types = tmp.file("types.pt");
    saveModule(
        "def recommend(self, history: List[str], k: int) -> Tuple[List[int], List[float]]:\n"
        "    return [1, 2], [0.5, 0.25]\n",
        types, true);
    expectCleanError(types, "is refused");
    expectCleanError(types, "not a usable Tiltbench export", true);
}

TEST(UntrustedModel, HostileModulesAreRefusedBeforeAnyOfTheirCodeRuns) {
    if (test::torchPython().empty())
        GTEST_SKIP() << "no python3 that can `import torch` (Debian's python3-torch, installed by "
                        "packaging/install-deps.sh): the hostile modules are built with it";
    test::TempDir tmp;
    // The write target exists (think ~/.bashrc): it must not change. The read target holds a secret.
    const std::string victim = tmp.file("bashrc"), secret = tmp.file("secret");
    test::writeFile(victim, "original content\n");
    test::writeFile(secret, "the secret\n");
    const auto built = test::runProcess({test::torchPython(), test::supportScript("hostile_models.py"),
                                         "modules", tmp.path(), victim, secret});
    ASSERT_EQ(built.exitCode, 0) << built.err;
    for (const char* name : {"write.pt", "read.pt", "loop.pt", "alloc.pt"}) {
        const std::string path = tmp.file(name);
        const auto t0 = std::chrono::steady_clock::now();
        try {
            recommendFromModelFile(path, {"1"}, 3);
            ADD_FAILURE() << name << " was accepted";
        } catch (const Error& e) {
            const std::string message = e.what();
            EXPECT_NE(message.find(path), std::string::npos) << message;
            EXPECT_NE(message.find("is refused: it holds the record 'code/__torch__.py'"), std::string::npos)
                << message;
            EXPECT_NE(message.find("--trust-model"), std::string::npos) << message;
            EXPECT_EQ(message.find("the secret"), std::string::npos) << message;
        }
        EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0) << name;
        EXPECT_EQ(test::readFile(victim), "original content\n") << name;
    }
    // The control: trusted, the first module does overwrite the file.
    recommendFromModelFile(tmp.file("write.pt"), {"1"}, 3, true);
    EXPECT_NE(test::readFile(victim), "original content\n");
}

// A zip bomb: the zip reader would allocate what a compressed record claims before inflating it. The
// central directory is read first and the claim refused.
TEST(UntrustedModel, AZipBombIsRefusedBeforeItIsInflated) {
    if (test::torchPython().empty())
        GTEST_SKIP()
            << "no python3 that can `import torch` (Debian's python3-torch): the file is built with it";
    test::TempDir tmp;
    const std::string path = tmp.file("bomb.pt");
    const auto built =
        test::runProcess({test::torchPython(), test::supportScript("hostile_models.py"), "bomb", path});
    ASSERT_EQ(built.exitCode, 0) << built.err;
    expectCleanError(path, "compressed record 'archive/data.pkl' claims 83886080 bytes");
}
