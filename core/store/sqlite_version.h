#pragma once
// The SQLite library's version as it runs ("3.40.1"), for the About box.
#include <string>

namespace tiltbench {

std::string sqliteLibraryVersion();

}  // namespace tiltbench
