// A file that changes while it is being imported (issue 7's bad-input table): truncated or appended to after
// the import has started. Either way the import stops with an error naming the file and saying it changed,
// and the workspace is left as it was — never a dataset made of half of one version and half of another.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/error.h"
#include "import_fixture.h"

using namespace tiltbench;

namespace {

class ChangingFile : public test::ImportFixture {
  protected:
    // ~6 MB: several 1 MiB read chunks, so the import reports progress before it has read everything.
    std::string bigCsv() {
        std::string text = "user,item,rating\n";
        for (int i = 0; i < 400000; ++i) {
            text += "u" + std::to_string(i % 5000) + ",i" + std::to_string((i * 7) % 3000) + "," +
                    std::to_string(1 + i % 5) + "\n";
        }
        return write("big.csv", text);
    }

    void expectChangedError(const std::function<void(const std::string&)>& change) {
        const std::string path = bigCsv();
        bool changed = false;
        try {
            run(request("moving", ImportFormat::Csv, {path}), [&](const Progress& p) {
                if (!changed && p.done > 0 && p.total > 0 && p.done < p.total) {
                    change(path);
                    changed = true;
                }
                return true;
            });
            ADD_FAILURE() << "imported a file that changed under it";
        } catch (const Cancelled&) {
            ADD_FAILURE() << "cancelled";
        } catch (const Error& e) {
            const std::string message = e.what();
            EXPECT_NE(message.find(path), std::string::npos) << message;
            EXPECT_NE(message.find("changed"), std::string::npos) << message;
        }
        EXPECT_TRUE(changed) << "no progress report came before the end of the file";
        expectWorkspaceEmpty();
    }
};

}  // namespace

TEST_F(ChangingFile, TruncatedWhileReadingIsAnErrorAndNothingIsStored) {
    expectChangedError([](const std::string& path) { std::filesystem::resize_file(path, 1000); });
}

TEST_F(ChangingFile, AppendedToWhileReadingIsAnErrorAndNothingIsStored) {
    expectChangedError([](const std::string& path) {
        std::ofstream out(path, std::ios::app);
        out << "late,row,5\n";
    });
}
