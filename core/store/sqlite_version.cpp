#include "store/sqlite_version.h"

#include <sqlite3.h>

namespace tiltbench {

std::string sqliteLibraryVersion() {
    return sqlite3_libversion();
}

}  // namespace tiltbench
