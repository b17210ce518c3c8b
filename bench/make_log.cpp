// make_log: writes a synthetic interaction log for the import benchmarks, in the MovieLens u.data layout
// (user<TAB>item<TAB>rating<TAB>timestamp, no header). Realistic enough to exercise what an import really
// does: user ids drawn uniformly from 1..U, item ids Zipf-distributed over 1..I (a long tail, so the id maps
// see a few hot keys and many cold ones), integer ratings 1–5 with MovieLens-like frequencies, timestamps
// that increase by a few seconds per row from a 1997 epoch. Deterministic: the same --seed gives the same
// bytes on every platform (Tiltbench's own xoshiro256** generator, core/common/random.h, and own sampling, no
// <random> distributions, whose output is implementation-defined).
//
//   make_log --rows 20000000 --out build/bench-data/log-20M.tsv      (≈ 0.5 GB, a few seconds)
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/random.h"

namespace {

struct Options {
    int64_t rows = 20'000'000;
    int64_t users = 200'000;
    int64_t items = 50'000;
    double zipf = 1.0;
    uint64_t seed = 42;
    int64_t startTime = 874'724'710;  // first ML-100K timestamp (1997-09-20)
    std::string out = "-";
};

using tiltbench::Rng;  // core/common/random.h: xoshiro256** seeded through splitmix64

[[noreturn]] void usage(const char* argv0, const char* error) {
    if (error)
        std::fprintf(stderr, "make_log: %s\n", error);
    std::fprintf(stderr,
                 "usage: %s [--rows N] [--users U] [--items I] [--zipf S] [--seed K] [--start-time T] "
                 "[--out FILE|-]\n"
                 "Writes N tab-separated rows 'user item rating timestamp' (no header).\n"
                 "Defaults: --rows 20000000 --users 200000 --items 50000 --zipf 1.0 --seed 42 "
                 "--start-time 874724710 --out - (stdout)\n",
                 argv0);
    std::exit(error ? 2 : 0);
}

int64_t parseInt(const char* argv0, const char* flag, const char* text) {
    int64_t v = 0;
    const char* end = text + std::strlen(text);
    auto [p, ec] = std::from_chars(text, end, v);
    if (ec != std::errc() || p != end) {
        std::string msg = std::string(flag) + ": expected an integer, got '" + text + "'";
        usage(argv0, msg.c_str());
    }
    return v;
}

Options parseArgs(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "-h" || a == "--help")
            usage(argv[0], nullptr);
        if (i + 1 >= argc) {
            std::string msg = "missing value after " + a;
            usage(argv[0], msg.c_str());
        }
        const char* v = argv[++i];
        if (a == "--rows") {
            o.rows = parseInt(argv[0], "--rows", v);
        } else if (a == "--users") {
            o.users = parseInt(argv[0], "--users", v);
        } else if (a == "--items") {
            o.items = parseInt(argv[0], "--items", v);
        } else if (a == "--seed") {
            o.seed = static_cast<uint64_t>(parseInt(argv[0], "--seed", v));
        } else if (a == "--start-time") {
            o.startTime = parseInt(argv[0], "--start-time", v);
        } else if (a == "--zipf") {
            o.zipf = std::atof(v);
        } else if (a == "--out") {
            o.out = v;
        } else {
            std::string msg = "unknown option " + a;
            usage(argv[0], msg.c_str());
        }
    }
    if (o.rows < 1 || o.users < 1 || o.items < 1)
        usage(argv[0], "--rows, --users and --items must be at least 1");
    if (!(o.zipf >= 0.0 && o.zipf < 10.0))
        usage(argv[0], "--zipf must be in [0, 10)");
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parseArgs(argc, argv);

    // Item popularity: P(rank k) ∝ 1 / k^s. Ranks are shuffled onto ids so that id order says nothing about
    // popularity (as in real logs).
    std::vector<double> cdf(static_cast<size_t>(o.items));
    double acc = 0.0;
    for (int64_t k = 0; k < o.items; ++k) {
        acc += 1.0 / std::pow(static_cast<double>(k + 1), o.zipf);
        cdf[static_cast<size_t>(k)] = acc;
    }
    for (auto& c : cdf)
        c /= acc;
    cdf.back() = 1.0;

    Rng rng(o.seed);
    std::vector<int64_t> itemOfRank(static_cast<size_t>(o.items));
    for (int64_t k = 0; k < o.items; ++k)
        itemOfRank[static_cast<size_t>(k)] = k + 1;
    for (int64_t k = o.items - 1; k > 0; --k)  // Fisher–Yates
        std::swap(itemOfRank[static_cast<size_t>(k)],
                  itemOfRank[static_cast<size_t>(rng.below64(static_cast<uint64_t>(k + 1)))]);

    // Rating frequencies of ML-100K: 1: 6.1%, 2: 11.4%, 3: 27.1%, 4: 34.2%, 5: 21.2% (per mille, sums to
    // 1000).
    const int ratingCdf[5] = {61, 175, 446, 788, 1000};

    FILE* f = o.out == "-" ? stdout : std::fopen(o.out.c_str(), "wb");
    if (!f) {
        std::fprintf(stderr, "make_log: cannot write '%s': %s\n", o.out.c_str(), std::strerror(errno));
        return 1;
    }
    std::vector<char> buf(size_t(1) << 22);
    size_t used = 0;
    auto flush = [&] {
        if (used && std::fwrite(buf.data(), 1, used, f) != used) {
            std::fprintf(stderr, "make_log: writing '%s' failed: %s\n", o.out.c_str(), std::strerror(errno));
            std::exit(1);
        }
        used = 0;
    };
    auto putInt = [&](int64_t v, char after) {
        auto [p, ec] = std::to_chars(buf.data() + used, buf.data() + buf.size(), v);
        (void)ec;  // room for a whole row is guaranteed below
        *p++ = after;
        used = static_cast<size_t>(p - buf.data());
    };

    int64_t ts = o.startTime;
    for (int64_t r = 0; r < o.rows; ++r) {
        if (buf.size() - used < 96)
            flush();
        const int64_t user = 1 + static_cast<int64_t>(rng.below64(static_cast<uint64_t>(o.users)));
        const auto rank =
            static_cast<size_t>(std::upper_bound(cdf.begin(), cdf.end(), rng.uniform()) - cdf.begin());
        const int64_t item = itemOfRank[std::min(rank, cdf.size() - 1)];
        const int draw = static_cast<int>(rng.below64(1000));
        int rating = 1;
        while (draw >= ratingCdf[rating - 1])
            ++rating;
        ts += static_cast<int64_t>(rng.below64(4));  // 0–3 s apart: non-decreasing, with ties
        putInt(user, '\t');
        putInt(item, '\t');
        putInt(rating, '\t');
        putInt(ts, '\n');
    }
    flush();
    if (f != stdout ? std::fclose(f) != 0 : std::fflush(f) != 0) {
        std::fprintf(stderr, "make_log: closing '%s' failed: %s\n", o.out.c_str(), std::strerror(errno));
        return 1;
    }
    return 0;
}
