// Port forwards written as QEMU does: `tcp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT`.
#pragma once
#include <netinet/in.h>

#include <cstdint>
#include <string>

#include "common/result.h"

namespace vessel::net {

struct HostForward {
  bool udp = false;
  in_addr host_addr{};   // 127.0.0.1 when omitted: unlike QEMU (0.0.0.0), never exposed by default
  uint16_t host_port = 0;
  in_addr guest_addr{};  // 0.0.0.0 when omitted: the address DHCP hands out
  uint16_t guest_port = 0;
};

Result<HostForward> parse_hostfwd(const std::string& text);

}  // namespace vessel::net
