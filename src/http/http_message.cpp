#include "http/http_message.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace vessel::http {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

bool is_token(const std::string& s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!(std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos))
      return false;
  return true;
}

}  // namespace

std::string HttpRequest::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string{} : it->second;
}

bool HttpRequest::keep_alive() const {
  const std::string c = lower(header("connection"));
  if (version == "HTTP/1.0") return c.find("keep-alive") != std::string::npos;
  return c.find("close") == std::string::npos;
}

const char* reason_phrase(int status) {
  switch (status) {
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

std::string serialize(const HttpResponse& r, bool keep_alive) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + reason_phrase(r.status) + "\r\n";
  if (r.streaming) {
    if (r.status != 101) out += "Content-Type: " + r.content_type + "\r\n";
    for (const auto& [k, v] : r.extra_headers) out += k + ": " + v + "\r\n";
    out += r.status == 101 ? "Connection: Upgrade\r\n\r\n" : "Connection: close\r\n\r\n";
    return out;
  }
  if (r.status != 204) {
    out += "Content-Type: " + r.content_type + "\r\n";
    out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  }
  for (const auto& [k, v] : r.extra_headers) out += k + ": " + v + "\r\n";
  out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  out += "\r\n";
  if (r.status != 204) out += r.body;
  return out;
}

bool RequestParser::wants_continue() const {
  const size_t end = buf_.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  return lower(buf_.substr(0, end)).find("\r\nexpect: 100-continue") != std::string::npos;
}

RequestParser::State RequestParser::fail(int status, std::string message) {
  error_status_ = status;
  error_message_ = std::move(message);
  return State::Bad;
}

RequestParser::State RequestParser::next(HttpRequest& out) {
  // Tolerate empty lines between requests (RFC 9112 2.2).
  while (buf_.size() >= 2 && buf_[0] == '\r' && buf_[1] == '\n') buf_.erase(0, 2);
  const size_t end = buf_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (buf_.size() > kMaxHeaderBytes) return fail(431, "request header too large");
    return State::NeedMore;
  }
  if (end > kMaxHeaderBytes) return fail(431, "request header too large");
  HttpRequest req;
  size_t line_end = buf_.find("\r\n");
  const std::string request_line = buf_.substr(0, line_end);
  {
    const size_t s1 = request_line.find(' ');
    const size_t s2 = s1 == std::string::npos ? s1 : request_line.find(' ', s1 + 1);
    if (s2 == std::string::npos || request_line.find(' ', s2 + 1) != std::string::npos)
      return fail(400, "malformed request line");
    req.method = request_line.substr(0, s1);
    req.target = request_line.substr(s1 + 1, s2 - s1 - 1);
    req.version = request_line.substr(s2 + 1);
  }
  if (!is_token(req.method)) return fail(400, "malformed method");
  if (req.version != "HTTP/1.1" && req.version != "HTTP/1.0") return fail(505, "only HTTP/1.0 and HTTP/1.1");
  // Absolute-form targets (http://host/path) are accepted; only the path matters on a socket.
  std::string target = req.target;
  if (target.rfind("http://", 0) == 0) {
    const size_t slash = target.find('/', 7);
    target = slash == std::string::npos ? "/" : target.substr(slash);
  }
  if (target.empty() || target[0] != '/') return fail(400, "malformed request target");
  const size_t q = target.find('?');
  req.path = target.substr(0, q);
  if (q != std::string::npos) req.query = target.substr(q + 1);

  size_t pos = line_end + 2;
  while (pos < end) {
    const size_t eol = buf_.find("\r\n", pos);
    const std::string line = buf_.substr(pos, eol - pos);
    pos = eol + 2;
    const size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) return fail(400, "malformed header line");
    const std::string name = line.substr(0, colon);
    if (!is_token(name)) return fail(400, "malformed header name");
    const std::string key = lower(name);
    const std::string value = trim(line.substr(colon + 1));
    if (req.headers.count(key)) {
      if (key == "content-length" || key == "host") return fail(400, "duplicate " + key + " header");
      req.headers[key] += ", " + value;
    } else {
      req.headers[key] = value;
    }
  }
  if (!req.header("transfer-encoding").empty()) return fail(411, "chunked request bodies are not supported; send Content-Length");
  size_t length = 0;
  if (auto cl = req.header("content-length"); !cl.empty()) {
    auto [ptr, ec] = std::from_chars(cl.data(), cl.data() + cl.size(), length);
    if (ec != std::errc() || ptr != cl.data() + cl.size()) return fail(400, "malformed Content-Length");
    if (length > kMaxBodyBytes) return fail(413, "request body too large");
  }
  if (buf_.size() < end + 4 + length) return State::NeedMore;
  req.body = buf_.substr(end + 4, length);
  buf_.erase(0, end + 4 + length);
  out = std::move(req);
  return State::Complete;
}

}  // namespace vessel::http
