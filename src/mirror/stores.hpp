// The built-in stores of the mirror (open_mirror_store() chooses by URL).
#pragma once

#include <memory>
#include <string>

#include "kareo/mirror.hpp"

namespace kareo::mirror {

/// The SQLite database file `path` (created, readable by its owner only, when absent).
std::shared_ptr<MirrorStore> open_sqlite_store(const std::string& path);
/// The PostgreSQL database of the libpq connection URI `uri`.
std::shared_ptr<MirrorStore> open_postgres_store(const std::string& uri);

}  // namespace kareo::mirror
