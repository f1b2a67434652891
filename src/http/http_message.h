// HTTP/1.1 messages as the API uses them: a request line, headers, and a body whose length
// is given by Content-Length (chunked request bodies are refused with 411/400).
#pragma once
#include <cstddef>
#include <map>
#include <optional>
#include <utility>
#include <string>

#include "http/peer.h"

namespace vessel::http {

struct HttpRequest {
  std::string method, target, path, query, version;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  Peer peer;  // who sent it (the connection's transport and credentials)
  std::string header(const std::string& lower_name) const;
  bool keep_alive() const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::map<std::string, std::string> extra_headers;
  // Streamed: no Content-Length; the body is written by HandlerResult::stream until it
  // returns, then the connection closes (or, with status 101, the connection is upgraded).
  bool streaming = false;
};

const char* reason_phrase(int status);
std::string serialize(const HttpResponse& r, bool keep_alive);

// Incremental request parser: feed bytes, then take complete requests.
class RequestParser {
 public:
  static constexpr size_t kMaxHeaderBytes = 64 * 1024;
  static constexpr size_t kMaxBodyBytes = 4 * 1024 * 1024;

  enum class State { NeedMore, Complete, Bad };
  void feed(const char* data, size_t len) { buf_.append(data, len); }
  // Parses the next request out of the buffered bytes. On Bad, error_status/error_message
  // say why (the connection is then closed after answering).
  State next(HttpRequest& out);
  int error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }
  // True once the head of a request with "Expect: 100-continue" is buffered but not its body
  // (curl sends that for bodies over 1 KiB and waits a second for the interim answer).
  bool wants_continue() const;
  // Bytes received after the last complete request (for a connection taken over by an upgrade).
  std::string take_rest() { return std::exchange(buf_, {}); }

 private:
  State fail(int status, std::string message);
  std::string buf_;
  int error_status_ = 400;
  std::string error_message_;
};

}  // namespace vessel::http
