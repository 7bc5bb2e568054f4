/// @file
/// @brief The library's version.
#pragma once

namespace kareo {

/// The version of this library, e.g. "0.1.0"; sent to Tebra as the RequestHeader's ClientVersion.
const char* version() noexcept;

}  // namespace kareo
