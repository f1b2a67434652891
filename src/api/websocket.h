// RFC 6455 WebSocket, the server side of what the dashboard needs: the handshake's accept key,
// frames from the browser (masked, fragmented, with control frames) and frames to it, and a
// bridge that turns a WebSocket connection into a plain byte stream for the console relays.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace vessel::api {

enum class WsOpcode : uint8_t { Continuation = 0, Text = 1, Binary = 2, Close = 8, Ping = 9, Pong = 10 };

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key.
std::string websocket_accept(const std::string& client_key);

// One unmasked, unfragmented frame from the server.
std::string websocket_frame(WsOpcode opcode, const std::string& payload);

struct WsFrame {
  WsOpcode opcode = WsOpcode::Binary;
  bool fin = true;
  std::string payload;
};

// Incremental parser of client frames. A client frame must be masked (RFC 6455 5.1); frames
// larger than max_payload are refused.
class WebSocketDecoder {
 public:
  explicit WebSocketDecoder(size_t max_payload = 1 << 20) : max_payload_(max_payload) {}
  void feed(const char* data, size_t size) { buf_.append(data, size); }
  // The next complete frame, nullopt when more bytes are needed; error() once the stream is bad.
  std::optional<WsFrame> next();
  const std::string& error() const { return error_; }

 private:
  std::string buf_;
  size_t max_payload_;
  std::string error_;
};

// Relays between a WebSocket client (after the 101) and `stream`, the client's end of a byte
// stream: binary and text frames from the client are written to it, what it yields goes to the
// client in binary frames; pings are answered. Returns when either side closes.
void bridge_websocket(int client, int stream, std::string pending);

}  // namespace vessel::api
