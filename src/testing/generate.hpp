// Fills a store with the deterministic synthetic data set.
#pragma once

#include <cstdint>

#include "kareo/testing/fake_server.hpp"
#include "store_impl.hpp"

namespace kareo::testing::detail {

/// Adds the generated records to `store` (its synth.today must be set). The caller holds no lock yet.
void generate(Store::Impl& store, std::uint64_t seed, const DataSizes& sizes);

}  // namespace kareo::testing::detail
