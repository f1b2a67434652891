// virtio-blk request parsing (virtio 1.2 section 5.2.6): a header in the readable part,
// data, and a status byte as the last writable byte. Malformed requests are described,
// never trusted.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "devices/virtio/virtqueue.h"

namespace vessel::devices::virtio::block {

enum class RequestType : uint32_t { In = 0, Out = 1, Flush = 4, GetId = 8, Discard = 11, WriteZeroes = 13 };
enum Status : uint8_t { kOk = 0, kIoError = 1, kUnsupported = 2 };
constexpr uint64_t kSectorSize = 512;

struct Request {
  uint32_t type = 0;
  uint64_t sector = 0;
  uint64_t data_len = 0;  // bytes to read (In: writable bytes before the status; Out: readable bytes after the header)
  uint64_t status_addr = 0;  // guest address of the status byte
};

// The guest address of the status byte (the last device-writable byte), if the chain has one.
std::optional<uint64_t> status_byte(const Chain& chain);

// Splits a chain into a request. False (with `error`) if it has no header or no status byte.
bool parse_request(const Chain& chain, Request& req, std::string& error, const memory::GuestRam& ram);

struct DiscardSegment {
  uint64_t sector;
  uint32_t num_sectors;
  uint32_t flags;  // bit 0: unmap
};

}  // namespace vessel::devices::virtio::block
