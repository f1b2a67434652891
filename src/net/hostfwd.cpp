#include "net/hostfwd.h"

#include <arpa/inet.h>

#include <charconv>

namespace vessel::net {
namespace {

// "[ADDR]:PORT" with ADDR optional (default_addr, network order); the port must be 1..65535.
bool parse_endpoint(const std::string& text, in_addr& addr, uint16_t& port, in_addr_t default_addr) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  const std::string host = text.substr(0, colon), p = text.substr(colon + 1);
  addr.s_addr = default_addr;
  if (!host.empty() && inet_pton(AF_INET, host.c_str(), &addr) != 1) return false;
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (ec != std::errc() || end != p.data() + p.size() || value == 0 || value > 65535) return false;
  port = static_cast<uint16_t>(value);
  return true;
}

}  // namespace

Result<HostForward> parse_hostfwd(const std::string& text) {
  const std::string usage = "hostfwd '" + text + "' is not tcp|udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT";
  HostForward f;
  std::string rest;
  if (text.rfind("tcp:", 0) == 0) {
    rest = text.substr(4);
  } else if (text.rfind("udp:", 0) == 0) {
    f.udp = true;
    rest = text.substr(4);
  } else if (!text.empty() && text[0] == ':') {
    rest = text.substr(1);  // QEMU: an empty protocol means tcp
  } else {
    return Error{usage};
  }
  const size_t dash = rest.find('-');
  if (dash == std::string::npos) return Error{usage};
  if (!parse_endpoint(rest.substr(0, dash), f.host_addr, f.host_port, htonl(INADDR_LOOPBACK)) ||
      !parse_endpoint(rest.substr(dash + 1), f.guest_addr, f.guest_port, INADDR_ANY))
    return Error{usage};
  return f;
}

}  // namespace vessel::net
