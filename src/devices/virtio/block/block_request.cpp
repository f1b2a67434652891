#include "devices/virtio/block/block_request.h"

#include <cstring>

namespace vessel::devices::virtio::block {

bool parse_request(const Chain& chain, Request& req, std::string& error, const memory::GuestRam& ram) {
  uint8_t header[16];
  ChainReader reader(ram, chain);
  if (reader.read(header, sizeof header) != sizeof header) {
    error = "request header shorter than 16 bytes";
    return false;
  }
  memcpy(&req.type, header, 4);
  memcpy(&req.sector, header + 8, 8);
  // The status byte is the last byte of the last writable buffer.
  const Buffer* last = nullptr;
  for (const Buffer& b : chain.buffers)
    if (b.device_writable && b.len > 0) last = &b;
  if (!last || chain.buffers.back().len == 0 || !chain.buffers.back().device_writable) {
    error = "request has no status byte";
    return false;
  }
  req.status_addr = last->addr + last->len - 1;
  if (static_cast<RequestType>(req.type) == RequestType::In || static_cast<RequestType>(req.type) == RequestType::GetId)
    req.data_len = chain.writable_bytes() - 1;
  else
    req.data_len = chain.readable_bytes() - sizeof header;
  return true;
}

}  // namespace vessel::devices::virtio::block
