#pragma once
// JSON text for everything the CLI prints with --json. Workspaces can come from anyone and older versions
// stored file bytes as they were, so a string read from one may not be UTF-8: nlohmann::json would throw
// (type_error 316) and the whole output would be lost. Such bytes are written as U+FFFD instead, so every
// --json output is valid JSON whatever the workspace holds.
#include <nlohmann/json.hpp>
#include <string>

namespace tiltbench {

inline std::string jsonText(const nlohmann::json& j, int indent = 2) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

// JSON text stored in a workspace, parsed for output: null when it does not parse (a damaged or crafted
// workspace), never nlohmann's "<discarded>" placeholder, which is not JSON.
inline nlohmann::json storedJson(const std::string& text) {
    nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
    return parsed.is_discarded() ? nlohmann::json(nullptr) : parsed;
}

}  // namespace tiltbench
