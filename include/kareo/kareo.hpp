/// @file
/// @brief Umbrella header: everything a user of the Tebra (Kareo) client library needs.
#pragma once

#include "kareo/cancellation.hpp"
#include "kareo/change_feed.hpp"
#include "kareo/check.hpp"
#include "kareo/client.hpp"
#include "kareo/clock.hpp"
#include "kareo/connection.hpp"
#include "kareo/credentials.hpp"
#include "kareo/datetime.hpp"
#include "kareo/errors.hpp"
#include "kareo/observability.hpp"
#include "kareo/operations.hpp"
#include "kareo/options.hpp"
#include "kareo/pacing.hpp"
#include "kareo/paging.hpp"
#include "kareo/policies.hpp"
#include "kareo/retry.hpp"
#include "kareo/types.hpp"
#include "kareo/version.hpp"
#include "kareo/wire.hpp"
#include "kareo/writes.hpp"
