#include "devices/virtio/net/offload.h"

namespace vessel::devices::virtio::net_offload {
namespace {

constexpr size_t kEthHeader = 14;

uint32_t sum16(const uint8_t* p, size_t len, uint32_t sum) {
  for (; len >= 2; p += 2, len -= 2) sum += uint32_t{p[0]} << 8 | p[1];
  if (len) sum += uint32_t{p[0]} << 8;
  return sum;
}

// The folded complement; 0 becomes 0xffff, which also means "no checksum" for UDP.
uint16_t fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  const uint16_t c = static_cast<uint16_t>(~sum & 0xffff);
  return c ? c : 0xffff;
}

void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

// One large TCPv4 segment: make its IPv4 length and checksum right and compute the TCP
// checksum from scratch (for GSO the guest seeds it without the length).
bool finish_tcpv4(uint8_t* f, size_t len) {
  if (len < kEthHeader + 20 || f[12] != 0x08 || f[13] != 0x00) return false;
  uint8_t* ip = f + kEthHeader;
  const size_t ip_len = len - kEthHeader, ihl = size_t{ip[0] & 0xfu} * 4;
  if ((ip[0] >> 4) != 4 || ihl < 20 || ip_len > 0xffff || ip[9] != 6 || ip_len < ihl + 20) return false;
  put16(ip + 2, static_cast<uint16_t>(ip_len));
  put16(ip + 10, 0);
  uint32_t ip_sum = sum16(ip, ihl, 0);
  while (ip_sum >> 16) ip_sum = (ip_sum & 0xffff) + (ip_sum >> 16);
  put16(ip + 10, static_cast<uint16_t>(~ip_sum));
  uint8_t* tcp = ip + ihl;
  const size_t tcp_len = ip_len - ihl;
  put16(tcp + 16, 0);
  uint32_t sum = sum16(ip + 12, 8, 0) + 6 + static_cast<uint32_t>(tcp_len);  // pseudo-header
  put16(tcp + 16, fold(sum16(tcp, tcp_len, sum)));
  return true;
}

}  // namespace

bool finish_tx(uint8_t* frame, size_t len, uint8_t flags, uint8_t gso_type, uint16_t csum_start,
               uint16_t csum_offset) {
  if (gso_type == kGsoTcpV4) return finish_tcpv4(frame, len);
  if (gso_type != kGsoNone) return false;  // not offered
  if (!(flags & kFlagNeedsCsum)) return true;
  // The guest seeded the field with the pseudo-header sum; add everything from csum_start.
  if (size_t{csum_start} + csum_offset + 2 > len) return false;
  uint8_t* field = frame + csum_start + csum_offset;
  const uint16_t folded = fold(sum16(frame + csum_start, len - csum_start, 0));
  put16(field, folded);
  return true;
}

}  // namespace vessel::devices::virtio::net_offload
