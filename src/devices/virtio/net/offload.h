// Checksum and TCP segmentation offload for frames the guest sends (virtio 1.2 section 5.1.6.2):
// the guest leaves the transport checksum to us and may hand over one large TCPv4 segment.
// Only offered to back ends that take large frames (slirp does; a plain TAP does not).
#pragma once
#include <cstddef>
#include <cstdint>

namespace vessel::devices::virtio::net_offload {

constexpr uint8_t kFlagNeedsCsum = 1, kFlagDataValid = 2;
constexpr uint8_t kGsoNone = 0, kGsoTcpV4 = 1;

// Completes what the header asks of `frame` in place. False if the header does not fit the
// frame (the guest lied); the frame must then be dropped.
bool finish_tx(uint8_t* frame, size_t len, uint8_t flags, uint8_t gso_type, uint16_t csum_start,
               uint16_t csum_offset);

}  // namespace vessel::devices::virtio::net_offload
