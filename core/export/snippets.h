#pragma once
// The exact lines that load an exported file elsewhere — in Python and in C++, with no Tiltbench code — as
// the Export page shows them and `tiltbench-cli export` prints them. Torch-free, so the GUI can build them.
#include <string>
#include <vector>

namespace tiltbench {

struct LoadSnippets {
    std::string python;
    std::string cpp;
};

// `format`: "torchscript" | "safetensors" | "topk-csv" (anything else: Error). `path`: the exported file;
// `configPath`: safetensors only, the config JSON written beside it. `exampleHistory`: external item ids
// (oldest first) to show in the call; a placeholder history when empty. `numericIds`: whether the model's
// external item ids are integers (TorchScript's forward takes them as a tensor; otherwise `recommend`
// with strings is the way in).
LoadSnippets loadSnippets(const std::string& format, const std::string& path,
                          const std::string& configPath = {},
                          const std::vector<std::string>& exampleHistory = {}, bool numericIds = true,
                          int k = 10);

// `text` as a Python string literal (double quotes, escapes), and as a C++ one.
std::string pythonString(const std::string& text);
std::string cppString(const std::string& text);

}  // namespace tiltbench
