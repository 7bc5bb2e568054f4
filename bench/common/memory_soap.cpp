#include "memory_soap.hpp"

#include <algorithm>
#include <cstring>

#include <stdsoap2.h>

namespace kareo_bench {
namespace {

MemoryIo& io_of(struct soap* ctx) { return *static_cast<MemoryIo*>(ctx->user); }

int connect_nowhere(struct soap*, const char*, const char*, int) { return SOAP_OK; }

int count_send(struct soap* ctx, const char*, std::size_t n) {
  io_of(ctx).bytes_sent += n;
  return SOAP_OK;
}

std::size_t read_buffer(struct soap* ctx, char* buf, std::size_t len) {
  MemoryIo& io = io_of(ctx);
  if (!io.input || io.read_pos >= io.input->size()) return 0;
  const std::size_t n = std::min(len, io.input->size() - io.read_pos);
  std::memcpy(buf, io.input->data() + io.read_pos, n);
  io.read_pos += n;
  return n;
}

}  // namespace

void attach_memory_io(struct soap* ctx, MemoryIo& io) {
  ctx->user = &io;
  ctx->fconnect = connect_nowhere;
  ctx->fsend = count_send;
  ctx->frecv = read_buffer;
}

}  // namespace kareo_bench
