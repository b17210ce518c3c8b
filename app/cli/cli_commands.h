#pragma once
// The CLI's subcommands: their options (CLI11) and how each prints its result, as text or one JSON object.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "data/simulator.h"
#include "io/import.h"

namespace tiltbench::cli {

class Commands {
  public:
    void registerAll(CLI::App& app);
    // Runs the chosen subcommand; returns the process exit code (0 ok, 1 error, 130 cancelled).
    int run();

  private:
    int runImport();
    int runGenerate();
    int runDatasets();
    int runInfo();

    std::function<int()> m_selected;
    std::string m_workspace;
    bool m_json = false;
    // import
    ImportRequest m_import;
    std::string m_format = "auto";
    std::string m_onError = "fail";
    std::string m_delimiter;
    bool m_header = false, m_noHeader = false;
    // generate
    std::string m_name;
    SimulatorConfig m_sim;
    // info
    std::string m_dataset;
};

}  // namespace tiltbench::cli
