// Inputs that are not plain files (issue 13, section 6): gzip and Zstandard files, standard input and FIFOs
// are read once, in a single pass, and give the same dataset as the plain file; other compressed formats are
// refused at once; messages name the user's file, never the temporary copy; nothing is left behind.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>

#if __has_include(<zstd.h>)
#include <zstd.h>
#define TILTBENCH_TEST_ZSTD 1
#endif

#include "common/error.h"
#include "import_fixture.h"
#include "io/input_spool.h"

namespace tiltbench::test {
namespace {

// gzip with zlib's deflate (a second implementation: the reader uses inflate).
std::string gzipped(const std::string& text) {
    z_stream z{};
    EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::string out(deflateBound(&z, text.size()) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(text.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

std::string ratings(int rows) {
    std::string s = "user,item,rating,timestamp\n";
    for (int r = 0; r < rows; ++r) {
        s += std::to_string(r % 37) + "," + std::to_string((r * 7) % 101) + "," + std::to_string(1 + r % 5) +
             "," + std::to_string(1000 + r) + "\n";
    }
    return s;
}

class InputSpoolImport : public ImportFixture {
  protected:
    std::vector<std::pair<std::string, std::string>> pairsOf(const std::string& name, const std::string& path,
                                                             ImportFormat format = ImportFormat::Csv) {
        return pairs(log(run(request(name, format, {path}))));
    }

    // Only the workspace's own files: no temporary copy left in its folder.
    void expectOnlyWorkspaceFiles() {
        for (const auto& e : std::filesystem::directory_iterator(m_tmp.path())) {
            const std::string name = e.path().filename().string();
            EXPECT_EQ(name.find(".tiltbench-spool"), std::string::npos) << name;
        }
    }
};

TEST_F(InputSpoolImport, GzipFileGivesTheSameDatasetAsThePlainFile) {
    const std::string text = ratings(5000);
    const auto plain = write("r.csv", text);
    const auto gz = write("r.csv.gz", gzipped(text));
    const auto expected = pairsOf("plain", plain);
    const auto report = run(request("gz", ImportFormat::Auto, {gz}));
    EXPECT_EQ(pairs(log(report)), expected);
    EXPECT_EQ(report.dataset.rows, 5000);
    // The recorded source names the user's file, not the temporary copy.
    EXPECT_NE(report.dataset.source.find("r.csv.gz"), std::string::npos) << report.dataset.source;
    EXPECT_EQ(report.dataset.source.find("/proc/self/fd"), std::string::npos) << report.dataset.source;
    expectOnlyWorkspaceFiles();
}

TEST_F(InputSpoolImport, ConcatenatedGzipMembersAreAllRead) {
    const std::string text = ratings(300);
    const size_t half = text.find('\n', text.size() / 2) + 1;
    const auto gz = write("two.csv.gz", gzipped(text.substr(0, half)) + gzipped(text.substr(half)));
    EXPECT_EQ(pairsOf("two", gz), pairsOf("plain", write("r.csv", text)));
}

TEST_F(InputSpoolImport, TruncatedOrCorruptGzipIsAnErrorNamingTheFile) {
    const std::string packed = gzipped(ratings(2000));
    const auto truncated = write("cut.csv.gz", packed.substr(0, packed.size() / 2));
    try {
        run(request("cut", ImportFormat::Csv, {truncated}));
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("'" + truncated + "' ends in the middle of its gzip data"),
                  std::string::npos)
            << e.what();
    }
    std::string corrupt = packed;
    for (size_t i = 20; i < 60; ++i)
        corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5A);
    const auto bad = write("bad.csv.gz", corrupt);
    try {
        run(request("bad", ImportFormat::Csv, {bad}));
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find("/proc/self/fd"), std::string::npos) << e.what();
    }
    expectWorkspaceEmpty();
    expectOnlyWorkspaceFiles();
}

TEST_F(InputSpoolImport, BadRowsInACompressedFileNameTheUsersFileAndLine) {
    const auto gz = write("rows.csv.gz", gzipped("user,item,rating\n1,10,4\n2,20,oops\n"));
    try {
        run(request("rows", ImportFormat::Csv, {gz}));
        FAIL() << "expected ImportError";
    } catch (const ImportError& e) {
        ASSERT_EQ(e.problems().size(), 1u);
        EXPECT_EQ(e.problems()[0].file, gz);
        EXPECT_NE(e.problems()[0].message.find(gz + ", line 3"), std::string::npos)
            << e.problems()[0].message;
        EXPECT_EQ(std::string(e.what()).find("/proc/self/fd"), std::string::npos) << e.what();
    }
    expectWorkspaceEmpty();
}

TEST_F(InputSpoolImport, FormatDetectionSeesTheNameWithoutTheCompressionEnding) {
    // u.data is detected as MovieLens 100K by its name and tab-separated layout.
    const auto gz = write("u.data.gz", gzipped("1\t10\t4\t881250949\n2\t20\t3\t881250950\n"));
    const auto report = run(request("ml", ImportFormat::Auto, {gz}));
    EXPECT_EQ(report.format, ImportFormat::MovieLens100k);
}

TEST_F(InputSpoolImport, OtherCompressionFormatsAreRefusedAtOnceWithAHint) {
    const std::pair<const char*, std::string> cases[] = {
        {"bzip2", std::string("BZh91AY&SY") + std::string(40, '\x01')},
        {"xz", std::string("\xFD"
                           "7zXZ\0",
                           6) +
                   std::string(40, '\x01')},
    };
    for (const auto& [kind, bytes] : cases) {
        const auto path = write(std::string("r.") + kind, bytes);
        try {
            run(request(kind, ImportFormat::Csv, {path}));
            FAIL() << "expected an error for " << kind;
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(std::string(kind) + "-compressed"), std::string::npos)
                << e.what();
            EXPECT_NE(std::string(e.what()).find("decompress it first"), std::string::npos) << e.what();
        }
    }
    expectWorkspaceEmpty();
}

#ifdef TILTBENCH_TEST_ZSTD
TEST_F(InputSpoolImport, ZstandardFileGivesTheSameDatasetAsThePlainFile) {
    const std::string text = ratings(4000);
    std::string packed(ZSTD_compressBound(text.size()), '\0');
    const size_t n = ZSTD_compress(packed.data(), packed.size(), text.data(), text.size(), 3);
    ASSERT_FALSE(ZSTD_isError(n));
    packed.resize(n);
    const auto zst = write("r.csv.zst", packed);
    EXPECT_EQ(pairsOf("zst", zst), pairsOf("plain", write("r.csv", text)));
    const auto cut = write("cut.csv.zst", packed.substr(0, packed.size() - 7));
    EXPECT_THROW(run(request("cut", ImportFormat::Csv, {cut})), Error);
    expectOnlyWorkspaceFiles();
}
#endif

TEST(InputSpool, DecompressionStopsAtTheSizeLimit) {
    TempDir tmp;
    const std::string big(3 << 20, 'x');
    writeFile(tmp.file("big.gz"), gzipped(big));
    InputSpool spool(tmp.path(), uint64_t(1) << 20);
    try {
        spool.prepare(tmp.file("big.gz"), "ratings file");
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("larger than"), std::string::npos) << e.what();
    }
    // A plain regular file is used where it is.
    writeFile(tmp.file("plain.csv"), "1,2,3\n");
    EXPECT_EQ(spool.prepare(tmp.file("plain.csv"), "ratings file"), tmp.file("plain.csv"));
}

// A FIFO is opened once and read once (it used to be opened twice, and the second open waited forever). Run
// through the CLI in a child so that a regression fails the test after a timeout instead of hanging it.
int waitWithTimeout(pid_t pid, int seconds) {
    for (int i = 0; i < seconds * 20; ++i) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return -1;
}

pid_t startCli(const std::vector<std::string>& args, const std::string& stdinFile) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (!stdinFile.empty()) {
            const int fd = ::open(stdinFile.c_str(), O_RDONLY);
            ::dup2(fd, 0);
        }
        const int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, 1);
        ::dup2(null, 2);
        std::vector<char*> argv;
        const std::string cli = cliPath();
        argv.push_back(const_cast<char*>(cli.c_str()));
        for (const auto& a : args)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(cli.c_str(), argv.data());
        ::_exit(127);
    }
    return pid;
}

TEST(InputSpoolCli, AFifoAndStandardInputImportInOnePass) {
    TempDir tmp;
    const std::string text = ratings(2000);
    const std::string fifo = tmp.file("ratings.fifo");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const std::string ws = tmp.file("w.sqlite");
    const pid_t pid = startCli({"import", "-w", ws, "-n", "fromfifo", "-f", "csv", fifo}, "");
    ASSERT_GT(pid, 0);
    std::thread writer([&] {
        const int fd = ::open(fifo.c_str(), O_WRONLY);
        if (fd >= 0) {
            const std::string packed = gzipped(text);  // compressed data through a pipe, too
            EXPECT_EQ(::write(fd, packed.data(), packed.size()), static_cast<ssize_t>(packed.size()));
            ::close(fd);
        }
    });
    const int rc = waitWithTimeout(pid, 60);
    if (rc == -1) {
        // Unblock the writer if the child never opened the FIFO.
        const int fd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
        writer.join();
        if (fd >= 0)
            ::close(fd);
        FAIL() << "the import of a FIFO did not finish within 60 s";
    }
    writer.join();
    EXPECT_EQ(rc, 0);

    writeFile(tmp.file("plain.csv"), text);
    const pid_t pid2 =
        startCli({"import", "-w", ws, "-n", "fromstdin", "-f", "csv", "-"}, tmp.file("plain.csv"));
    EXPECT_EQ(waitWithTimeout(pid2, 60), 0);

    Workspace w(ws);
    const auto a = w.loadLog(w.datasetByName("fromfifo").id);
    const auto b = w.loadLog(w.datasetByName("fromstdin").id);
    EXPECT_EQ(a.size(), 2000u);
    EXPECT_EQ(a.user, b.user);
    EXPECT_EQ(a.item, b.item);
    EXPECT_EQ(a.reward, b.reward);
    EXPECT_NE(w.datasetByName("fromstdin").source.find("<stdin>"), std::string::npos)
        << w.datasetByName("fromstdin").source;
}

}  // namespace
}  // namespace tiltbench::test
