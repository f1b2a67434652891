#include "devices/virtio/block/block_request.h"

#include <cstring>

namespace vessel::devices::virtio::block {

std::optional<uint64_t> status_byte(const Chain& chain) {
  if (chain.buffers.empty() || !chain.buffers.back().device_writable || chain.buffers.back().len == 0)
    return std::nullopt;
  const Buffer& last = chain.buffers.back();
  return last.addr + last.len - 1;
}

bool parse_request(const Chain& chain, Request& req, std::string& error, const memory::GuestRam& ram) {
  uint8_t header[16];
  ChainReader reader(ram, chain);
  if (reader.read(header, sizeof header) != sizeof header) {
    error = "request header shorter than 16 bytes";
    return false;
  }
  memcpy(&req.type, header, 4);
  memcpy(&req.sector, header + 8, 8);
  const auto status = status_byte(chain);
  if (!status) {
    error = "request has no status byte";
    return false;
  }
  req.status_addr = *status;
  if (static_cast<RequestType>(req.type) == RequestType::In || static_cast<RequestType>(req.type) == RequestType::GetId)
    req.data_len = chain.writable_bytes() - 1;
  else
    req.data_len = chain.readable_bytes() - sizeof header;
  return true;
}

}  // namespace vessel::devices::virtio::block
