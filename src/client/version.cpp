#include "kareo/version.hpp"

namespace kareo {

const char* version() noexcept { return KAREO_VERSION_STRING; }

}  // namespace kareo
