// SQLite as a Swift module. Debian package: libsqlite3-dev.
#pragma once
#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro that casts -1 to a function pointer, which Swift cannot import.
static inline sqlite3_destructor_type csqlite_transient(void) {
  return SQLITE_TRANSIENT;
}

/// Calls `sqlite3_db_config` for an option that takes an int and an int pointer, such as
/// SQLITE_DBCONFIG_DQS_DML; Swift cannot call the variadic C function itself.
static inline int csqlite_db_config_flag(sqlite3 *db, int option, int value) {
  return sqlite3_db_config(db, option, value, (int *)0);
}
