// gSOAP contexts wired to memory instead of a socket, so the benchmarks measure serialization and parsing
// without the network: requests go to a counting sink, responses come from a byte buffer.
#pragma once

#include <cstddef>
#include <string>

struct soap;

namespace kareo_bench {

/// Where a context's I/O goes while it is attached (see attach_memory_io).
struct MemoryIo {
  std::size_t bytes_sent = 0;          ///< Bytes the context wrote (HTTP headers and envelope).
  const std::string* input = nullptr;  ///< What the context reads; rewound by rewind().
  std::size_t read_pos = 0;            ///< Position in *input.
  /// Starts reading `*input` from its beginning again.
  void rewind() { read_pos = 0; }
};

/// Makes `ctx` send into `io` (counting bytes, keeping none) and receive from `io.input`; connecting succeeds
/// without a socket. `io` must outlive the attachment.
void attach_memory_io(struct soap* ctx, MemoryIo& io);

}  // namespace kareo_bench
