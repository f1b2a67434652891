// The REST API's routes: arbitrary HTTP requests (parsed by the daemon's own parser) turned
// into typed actions or API errors, with JSON bodies for every VM, container and image route.
// Only parsing runs: executing an action is the manager's business, not the network's.
// Input: the bytes of one connection.
#include <cstdint>

#include "api/actions.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vessel::api;
  using vessel::http::HttpRequest;
  using vessel::http::RequestParser;
  RequestParser parser;
  parser.feed(reinterpret_cast<const char*>(data), size);
  HttpRequest req;
  while (parser.next(req) == RequestParser::State::Complete) {
    auto parsed = parse_request(req);
    if (auto* error = std::get_if<ApiError>(&parsed)) (void)error->status;
    req = {};
  }
  return 0;
}
