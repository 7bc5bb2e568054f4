/// @file
/// @brief Umbrella header: everything a user of the Tebra (Kareo) client library needs.
#pragma once

#include "kareo/connection.hpp"
#include "kareo/errors.hpp"
#include "kareo/operations.hpp"
#include "kareo/version.hpp"
