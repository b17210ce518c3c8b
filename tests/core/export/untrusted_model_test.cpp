// Untrusted model files (issue 7): `tiltbench-cli recommend --model FILE` loads whatever it is given. A file
// that is not TorchScript, a TorchScript module that is not a Tiltbench export, and a look-alike whose
// `recommend` returns something else all fail with a tiltbench::Error naming the file — never a crash or a
// foreign exception.
#include <gtest/gtest.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/serialization/export.h>

#include <fstream>
#include <string>

#include "common/error.h"
#include "export/export.h"
#include "support/test_support.h"

using namespace tiltbench;

namespace {

void expectCleanError(const std::string& path, const std::string& fragment) {
    try {
        recommendFromTorchScript(path, {"1", "2"}, 5);
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
    expectCleanError(path, "not one exported by Tiltbench");
}

TEST(UntrustedModel, ALookAlikeWhoseRecommendReturnsSomethingElseIsRefused) {
    test::TempDir tmp;
    const std::string number = tmp.file("number.pt");
    saveModule("def recommend(self, history: List[str], k: int) -> int:\n    return 7\n", number, true);
    expectCleanError(number, "not a usable Tiltbench export");
    const std::string uneven = tmp.file("uneven.pt");
    saveModule(
        "def recommend(self, history: List[str], k: int) -> Tuple[List[str], List[float]]:\n"
        "    return ['1', '2'], [0.5]\n",
        uneven, true);
    expectCleanError(uneven, "not a usable Tiltbench export");
    const std::string types = tmp.file("types.pt");
    saveModule(
        "def recommend(self, history: List[str], k: int) -> Tuple[List[int], List[float]]:\n"
        "    return [1, 2], [0.5, 0.25]\n",
        types, true);
    expectCleanError(types, "not a usable Tiltbench export");
}
