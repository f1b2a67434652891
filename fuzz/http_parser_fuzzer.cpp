// The API's HTTP/1.1 request parser on arbitrary bytes arriving in arbitrary pieces, as a
// client on the daemon's socket can send them; every complete request is also serialized
// back as a response would be.
// Input: u8 piece size (0 = all at once), then the bytes of the connection.
#include <cstdint>

#include "http/http_message.h"
#include "fuzz/support/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vessel;
  fuzz::FuzzInput in(data, size);
  const size_t piece = in.u8();
  const auto bytes = in.rest();
  http::RequestParser parser;
  size_t fed = 0;
  for (;;) {
    const size_t n = piece ? std::min(piece, bytes.size() - fed) : bytes.size() - fed;
    parser.feed(reinterpret_cast<const char*>(bytes.data()) + fed, n);
    fed += n;
    http::HttpRequest req;
    http::RequestParser::State state;
    while ((state = parser.next(req)) == http::RequestParser::State::Complete) {
      (void)req.keep_alive();
      http::HttpResponse response;
      response.body = req.body;
      (void)http::serialize(response, req.keep_alive());
      req = {};
    }
    (void)parser.wants_continue();
    if (state == http::RequestParser::State::Bad || fed == bytes.size()) break;
  }
  return 0;
}
