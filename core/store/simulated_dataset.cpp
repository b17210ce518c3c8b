#include "store/simulated_dataset.h"

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "data/simulator.h"
#include "store/dataset_writer.h"

namespace tiltbench {

namespace {

// Hands the simulator's users, items and rows to a DatasetWriter, checking that its dense ids are the ground
// truth's indices.
class WriterSink : public SimulationSink {
  public:
    explicit WriterSink(DatasetWriter& writer) : m_writer(writer) {}
    void addUser(const std::string& externalId) override {
        if (m_writer.userIndex(externalId) != m_users++)
            throw Error("simulator: the dataset writer did not hand out dense user ids in order");
    }
    void addItem(const std::string& externalId, const std::string& title) override {
        const int32_t item = m_writer.itemIndex(externalId);
        if (item != m_items++)
            throw Error("simulator: the dataset writer did not hand out dense item ids in order");
        m_writer.setItemTitle(item, title);
    }
    void addInteraction(int32_t user, int32_t item, double reward, int64_t ts) override {
        m_writer.add(user, item, reward, ts);
    }

  private:
    DatasetWriter& m_writer;
    int32_t m_users = 0;
    int32_t m_items = 0;
};

}  // namespace

DatasetInfo generateDataset(Workspace& ws, const std::string& name, const SimulatorConfig& config,
                            const ProgressCallback& progress) {
    config.validate();
    const GroundTruth truth = GroundTruth::sample(config);
    const std::string configJson = config.toJson();
    nlohmann::ordered_json source;
    source["generator"] = kSimulatorTruthKind;
    source["config"] = nlohmann::ordered_json::parse(configJson);
    auto writer = ws.createDataset(NewDatasetSpec{name, "simulator", source.dump()});
    writer->setHasTime(true);
    writer->setMeta(configJson);
    WriterSink sink(*writer);
    simulate(config, truth, sink, progress);
    writer->setGroundTruth(truth.toRecord());
    return writer->commit(progress);
}

}  // namespace tiltbench
