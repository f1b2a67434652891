#include "http/peer.h"

namespace vessel::http {

std::string Peer::describe() const {
  switch (transport) {
    case Transport::Unix: return uid >= 0 ? "uid " + std::to_string(uid) : "unix socket";
    case Transport::Tcp: return "tcp " + remote_address;
    case Transport::Tls: return "cert " + name + " (" + role + (project.empty() ? "" : ", project " + project) + ")";
  }
  return "?";
}

}  // namespace vessel::http
