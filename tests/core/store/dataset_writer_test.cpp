// DatasetWriter's two ways into the workspace (store/dataset_writer.cpp): rows held in memory and written by
// commit(), or — past the direct-row limit — streamed to a staging file and copied in by commit(). Both, and
// an import that switches from one to the other midway, must store exactly the same dataset and leave no
// staging file behind.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "core/io/import_fixture.h"

namespace tiltbench::test {
namespace {

class DatasetWriterPaths : public ImportFixture {
  protected:
    void TearDown() override { ::unsetenv("TILTBENCH_IMPORT_DIRECT_ROWS"); }

    // Imports `path` as `name` with TILTBENCH_IMPORT_DIRECT_ROWS = `directRows` ("" = unset: the default).
    InteractionLog importWith(const std::string& name, const std::string& path,
                              const std::string& directRows) {
        if (directRows.empty())
            ::unsetenv("TILTBENCH_IMPORT_DIRECT_ROWS");
        else
            ::setenv("TILTBENCH_IMPORT_DIRECT_ROWS", directRows.c_str(), 1);
        const auto report = run(request(name, ImportFormat::Csv, {path}));
        EXPECT_EQ(report.dataset.rows, kRows) << name;
        for (const auto& entry : std::filesystem::directory_iterator(m_tmp.path())) {
            EXPECT_EQ(entry.path().filename().string().rfind("workspace.sqlite.import-", 0),
                      std::string::npos)
                << name << ": " << entry.path();
        }
        return log(report);
    }

    static constexpr int kRows = 180000;  // a bit more than two of the writer's batches of 87,360 rows
};

TEST_F(DatasetWriterPaths, MemoryStagingFileAndASwitchMidwayStoreTheSameDataset) {
    std::ostringstream csv;
    csv << "user,item,rating,timestamp\n";
    for (int i = 0; i < kRows; ++i)
        csv << "u" << (i * 7919) % 20011 << ",i" << (i * 13) % 9001 << "," << 1 + i % 5 << "," << 1000000 + i
            << "\n";
    const std::string path = write("log.csv", csv.str());

    const InteractionLog direct = importWith("direct", path, "");
    const InteractionLog staged = importWith("staged", path, "0");
    const InteractionLog switched = importWith("switched", path, "100000");  // one batch held, then staging
    EXPECT_EQ(direct.numUsers(), 20011);
    for (const InteractionLog* other : {&staged, &switched}) {
        SCOPED_TRACE(other->name);
        EXPECT_EQ(other->userIds, direct.userIds);
        EXPECT_EQ(other->itemIds, direct.itemIds);
        EXPECT_EQ(other->user, direct.user);
        EXPECT_EQ(other->item, direct.item);
        EXPECT_EQ(other->reward, direct.reward);
        EXPECT_EQ(other->ts, direct.ts);
    }
}

}  // namespace
}  // namespace tiltbench::test
