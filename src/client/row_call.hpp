// Private to the client layer: a call whose rows are passed on as they are read (Exchange::row_sink), for the
// ranges' for_each_row() (reads.cpp); defined in client.cpp, where the Client's state is.
#pragma once

#include <functional>
#include <memory>

#include "kareo/client.hpp"
#include "kareo/wire.hpp"

namespace kareo::detail {

/// A call of list operation `Op` whose rows are passed to `sink` as they are read (Exchange::row_sink), each as
/// a std::shared_ptr to the row with the number of the attempt that read it (a resend by the retry layer passes
/// its rows again); rows the connection did not pass stay in the returned result.
struct RowCall {
  template <Operation Op>
  static typename wire::Traits<Op>::Result call(Client& client, typename wire::Traits<Op>::Payload request,
                                                const CallOptions& options,
                                                std::function<void(std::shared_ptr<void>, int attempt)> sink);
};

}  // namespace kareo::detail
