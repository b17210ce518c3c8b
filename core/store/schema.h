#pragma once
// The workspace schema and its migrations. Version N of the schema is reached from N-1 by migration N; a
// fresh file runs them all. Every migration runs in one transaction together with the user_version bump.
#include <SQLiteCpp/Database.h>

namespace tiltbench::schema {

constexpr int kApplicationId = 0x54494C54;  // "TILT", stored in PRAGMA application_id
constexpr int kVersion = 5;
// Page size of a new workspace file (SQLite cannot change it later in WAL mode without a VACUUM).
constexpr int kPageSize = 65536;

// Brings an empty or older Tiltbench database up to kVersion.
void migrate(SQLite::Database& db, int fromVersion);

}  // namespace tiltbench::schema
