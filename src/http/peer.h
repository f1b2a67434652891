// Who is on the other end of an API connection, as the transport knows it: the Unix socket's
// peer credentials, or the subject of a client certificate the cluster CA signed.
#pragma once
#include <sys/types.h>

#include <string>

namespace vessel::http {

struct Peer {
  enum class Transport { Unix, Tcp, Tls } transport = Transport::Unix;
  // Unix: SO_PEERCRED (-1 when unknown, e.g. a socket inherited from systemd was not asked).
  long uid = -1, gid = -1, pid = -1;
  // TLS: the client certificate's subject: CN, OU (the role) and O (the project, may be empty).
  std::string name, role, project;
  std::string remote_address;  // TCP/TLS: "HOST:PORT" of the client
  std::string local_address;   // TCP/TLS: the address the client reached (without the port)
  // "uid 1000", "cert alice (admin)", "tcp 127.0.0.1:5555": for logs.
  std::string describe() const;
};

}  // namespace vessel::http
