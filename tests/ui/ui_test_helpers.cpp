#include "ui_test_helpers.h"

#include <fstream>
#include <stdexcept>

#include "pages/data/dataset_load_worker.h"
#include "pages/data/generate_worker.h"
#include "pages/data/import_worker.h"
#include "store/workspace.h"

namespace tiltbench::test {

std::string writeRatingsCsv(const std::string& path, int rows, bool header) {
    std::ofstream f(path);
    if (!f) {
        throw std::runtime_error("cannot write " + path);
    }
    if (header) {
        f << "userId,movieId,rating,timestamp\n";
    }
    for (int i = 0; i < rows; ++i) {
        f << (i % 17) + 1 << ',' << (i * 7 % 31) + 100 << ',' << (i * 3 % 5) + 1 << ',' << 1600000000 + i * 60
          << '\n';
    }
    return path;
}

std::string writeBadRatingsCsv(const std::string& path, int rows, int badLine) {
    std::ofstream f(path);
    f << "userId,movieId,rating,timestamp\n";
    for (int i = 0; i < rows; ++i) {
        const int line = i + 2;
        f << (i % 17) + 1 << ',' << (i * 7 % 31) + 100 << ',';
        if (line == badLine) {
            f << "abc";
        } else {
            f << (i * 3 % 5) + 1;
        }
        f << ',' << 1600000000 + i * 60 << '\n';
    }
    return path;
}

SimulatorConfig smallSimulatorConfig(int64_t interactions) {
    SimulatorConfig c;
    c.users = 60;
    c.items = 120;
    c.interactions = interactions;
    c.seed = 7;
    return c;
}

std::vector<DatasetInfo> makeWorkspace(const std::string& path, const std::vector<std::string>& names,
                                       const SimulatorConfig& config) {
    Workspace ws(path, OpenMode::CreateIfMissing);
    std::vector<DatasetInfo> out;
    SimulatorConfig c = config;
    for (const std::string& name : names) {
        out.push_back(generateDataset(ws, name, c));
        ++c.seed;
    }
    return out;
}

WorkerRecorder::WorkerRecorder(Worker* worker) {
    connect(worker, &Worker::progress, this, [this](qint64, qint64, const QString& stage) {
        events << QStringLiteral("progress");
        stages << stage;
    });
    connect(worker, &Worker::failed, this, [this](const QString& message) {
        events << QStringLiteral("failed");
        failure = message;
    });
    connect(worker, &Worker::cancelled, this, [this] { events << QStringLiteral("cancelled"); });
    connect(worker, &Worker::done, this, [this] { events << QStringLiteral("done"); });
    if (auto* w = qobject_cast<ImportWorker*>(worker)) {
        connect(w, &ImportWorker::finished, this, [this](const ImportReport& r) {
            events << QStringLiteral("finished");
            importReport = r;
        });
    } else if (auto* w = qobject_cast<DatasetLoadWorker*>(worker)) {
        connect(w, &DatasetLoadWorker::finished, this, [this](const LoadedDataset& r) {
            events << QStringLiteral("finished");
            loaded = r;
        });
    } else if (auto* w = qobject_cast<GenerateWorker*>(worker)) {
        connect(w, &GenerateWorker::finished, this, [this](const DatasetInfo& r) {
            events << QStringLiteral("finished");
            generated = r;
        });
    }
}

}  // namespace tiltbench::test
