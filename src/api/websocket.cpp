#include "api/websocket.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "http/socket_io.h"

namespace vessel::api {

std::string websocket_accept(const std::string& client_key) {
  const std::string text = client_key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  unsigned char out[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(out, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<char*>(out), static_cast<size_t>(n));
}

std::string websocket_frame(WsOpcode opcode, const std::string& payload) {
  std::string f;
  f.push_back(static_cast<char>(0x80 | static_cast<uint8_t>(opcode)));
  const uint64_t n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<char>(n));
  } else if (n <= 0xffff) {
    f.push_back(126);
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n));
  } else {
    f.push_back(127);
    for (int shift = 56; shift >= 0; shift -= 8) f.push_back(static_cast<char>(n >> shift));
  }
  return f + payload;
}

std::optional<WsFrame> WebSocketDecoder::next() {
  if (!error_.empty() || buf_.size() < 2) return std::nullopt;
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(buf_[i]); };
  WsFrame frame;
  frame.fin = byte(0) & 0x80;
  if (byte(0) & 0x70) {
    error_ = "reserved bits set";
    return std::nullopt;
  }
  frame.opcode = static_cast<WsOpcode>(byte(0) & 0x0f);
  if (!(byte(1) & 0x80)) {
    error_ = "client frames must be masked";
    return std::nullopt;
  }
  uint64_t length = byte(1) & 0x7f;
  size_t at = 2;
  if (length == 126 || length == 127) {
    const size_t bytes = length == 126 ? 2 : 8;
    if (buf_.size() < at + bytes) return std::nullopt;
    length = 0;
    for (size_t i = 0; i < bytes; ++i) length = (length << 8) | byte(at + i);
    at += bytes;
  }
  if (length > max_payload_) {
    error_ = "frame too large";
    return std::nullopt;
  }
  if (buf_.size() < at + 4 + length) return std::nullopt;
  const size_t mask = at;
  at += 4;
  frame.payload = buf_.substr(at, length);
  for (size_t i = 0; i < frame.payload.size(); ++i) frame.payload[i] = static_cast<char>(frame.payload[i] ^ buf_[mask + i % 4]);
  buf_.erase(0, at + length);
  return frame;
}

void bridge_websocket(int client, int stream, std::string pending) {
  WebSocketDecoder decoder;
  decoder.feed(pending.data(), pending.size());
  char buf[16384];
  for (;;) {
    while (auto frame = decoder.next()) {
      switch (frame->opcode) {
        case WsOpcode::Text:
        case WsOpcode::Binary:
        case WsOpcode::Continuation:
          if (!http::send_all(stream, frame->payload)) return;
          break;
        case WsOpcode::Ping:
          if (!http::send_all(client, websocket_frame(WsOpcode::Pong, frame->payload))) return;
          break;
        case WsOpcode::Close:
          (void)http::send_all(client, websocket_frame(WsOpcode::Close, frame->payload.substr(0, 2)));
          return;
        default: break;  // pongs, and opcodes RFC 6455 reserves
      }
    }
    if (!decoder.error().empty()) {
      (void)http::send_all(client, websocket_frame(WsOpcode::Close, std::string("\x03\xea", 2)));  // 1002 protocol error
      return;
    }
    pollfd fds[2] = {{client, POLLIN, 0}, {stream, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[0].revents) {
      const ssize_t n = recv(client, buf, sizeof buf, 0);
      if (n <= 0) return;
      decoder.feed(buf, static_cast<size_t>(n));
    }
    if (fds[1].revents) {
      const ssize_t n = recv(stream, buf, sizeof buf, 0);
      if (n <= 0) {
        (void)http::send_all(client, websocket_frame(WsOpcode::Close, std::string("\x03\xe8", 2)));  // 1000 normal
        return;
      }
      if (!http::send_all(client, websocket_frame(WsOpcode::Binary, std::string(buf, static_cast<size_t>(n))))) return;
    }
  }
}

}  // namespace vessel::api
