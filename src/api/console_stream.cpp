#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "api/responses.h"
#include "api/websocket.h"

namespace vessel::api {

http::HandlerResult console_stream(bool upgrade, const std::string& websocket_key,
                             std::function<void(int client, std::string rest)> relay) {
  http::HandlerResult r;
  r.response.streaming = true;
  if (!websocket_key.empty()) {
    r.response.status = 101;
    r.response.extra_headers["Upgrade"] = "websocket";
    r.response.extra_headers["Sec-WebSocket-Accept"] = websocket_accept(websocket_key);
    // The relay speaks bytes: a socket pair and a bridge thread turn frames into bytes.
    r.stream = [relay = std::move(relay)](int client, std::string rest) {
      if (client < 0) return relay(-1, {});
      int pair[2];
      if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) return relay(-1, {});
      std::thread bytes([&] {
        relay(pair[1], {});
        shutdown(pair[1], SHUT_RDWR);
      });
      bridge_websocket(client, pair[0], std::move(rest));
      shutdown(pair[0], SHUT_RDWR);
      bytes.join();
      close(pair[0]);
      close(pair[1]);
    };
    return r;
  }
  if (upgrade) {
    r.response.status = 101;
    r.response.extra_headers["Upgrade"] = "vessel-console";
  } else {
    r.response.status = 200;
    r.response.content_type = "application/octet-stream";
  }
  r.stream = std::move(relay);
  return r;
}

}  // namespace vessel::api
