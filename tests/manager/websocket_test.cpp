// The dashboard's WebSocket codec against RFC 6455: the handshake's example key, masked client
// frames of every length encoding, fragments, control frames, and what must be refused.
#include <gtest/gtest.h>

#include "api/websocket.h"

namespace vessel::api {
namespace {

std::string client_frame(uint8_t first, const std::string& payload, const char mask[4] = "\x37\xfa\x21\x3d") {
  std::string f(1, static_cast<char>(first));
  const size_t n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xffff) {
    f.push_back(static_cast<char>(0x80 | 126));
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n));
  } else {
    f.push_back(static_cast<char>(0x80 | 127));
    for (int s = 56; s >= 0; s -= 8) f.push_back(static_cast<char>(static_cast<uint64_t>(n) >> s));
  }
  f.append(mask, 4);
  for (size_t i = 0; i < n; ++i) f.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
  return f;
}

TEST(WebSocket, AcceptKeyOfTheRfcExample) {
  EXPECT_EQ(websocket_accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocket, DecodesMaskedFramesOfEveryLengthEncodingByteByByte) {
  const std::string small = "Hello", mid(300, 'm'), big(70000, 'b');
  const std::string stream = client_frame(0x81, small) + client_frame(0x82, mid) + client_frame(0x82, big);
  WebSocketDecoder d;
  std::vector<WsFrame> frames;
  for (char c : stream) {  // arbitrary splits must not matter
    d.feed(&c, 1);
    while (auto f = d.next()) frames.push_back(*f);
  }
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].opcode, WsOpcode::Text);
  EXPECT_EQ(frames[0].payload, small);
  EXPECT_EQ(frames[1].payload, mid);
  EXPECT_EQ(frames[2].payload, big);
  EXPECT_TRUE(d.error().empty());
}

TEST(WebSocket, FragmentsAndControlFrames) {
  WebSocketDecoder d;
  const std::string s = client_frame(0x01, "Hel") + client_frame(0x89, "ping!") + client_frame(0x80, "lo") +
                        client_frame(0x88, "\x03\xe8");
  d.feed(s.data(), s.size());
  auto a = d.next(), ping = d.next(), b = d.next(), close = d.next();
  ASSERT_TRUE(a && ping && b && close);
  EXPECT_FALSE(a->fin);
  EXPECT_EQ(ping->opcode, WsOpcode::Ping);
  EXPECT_EQ(ping->payload, "ping!");
  EXPECT_EQ(b->opcode, WsOpcode::Continuation);
  EXPECT_TRUE(b->fin);
  EXPECT_EQ(a->payload + b->payload, "Hello");
  EXPECT_EQ(close->opcode, WsOpcode::Close);
}

TEST(WebSocket, RefusesUnmaskedReservedAndOversizedFrames) {
  {
    WebSocketDecoder d;
    const std::string unmasked = std::string("\x81\x02", 2) + "hi";
    d.feed(unmasked.data(), unmasked.size());
    EXPECT_FALSE(d.next());
    EXPECT_EQ(d.error(), "client frames must be masked");
  }
  {
    WebSocketDecoder d;
    const std::string reserved = client_frame(0xc1, "x");
    d.feed(reserved.data(), reserved.size());
    EXPECT_FALSE(d.next());
    EXPECT_EQ(d.error(), "reserved bits set");
  }
  {
    WebSocketDecoder d(1024);
    // A 64-bit length of 4096, over the decoder's 1024-byte limit.
    const std::string header = std::string("\x82\xff", 2) + std::string(6, '\0') + std::string("\x10\x00", 2) + "mask";
    d.feed(header.data(), header.size());
    EXPECT_FALSE(d.next());
    EXPECT_EQ(d.error(), "frame too large");
  }
}

TEST(WebSocket, ServerFramesAreUnmaskedWithTheShortestLength) {
  EXPECT_EQ(websocket_frame(WsOpcode::Binary, "ab"), std::string("\x82\x02" "ab", 4));
  const std::string mid = websocket_frame(WsOpcode::Binary, std::string(300, 'x'));
  EXPECT_EQ(mid.substr(0, 4), std::string("\x82\x7e\x01\x2c", 4));
  const std::string big = websocket_frame(WsOpcode::Binary, std::string(70000, 'x'));
  EXPECT_EQ(static_cast<uint8_t>(big[1]), 127);
  EXPECT_EQ(big.size(), 70000u + 10);
}

}  // namespace
}  // namespace vessel::api
