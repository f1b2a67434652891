// `vessel vm exec` and `vessel vm cp`: the guest agent routes (POST .../exec, GET and PUT
// .../files) from the command line. Files move in pieces of at most a request's size, so any
// size copies; a piece shorter than asked for is the end of the file.
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "http/http_client.h"
#include "http/http_message.h"
#include "commands.h"
#include "vm_command.h"

namespace vessel::cli {
namespace {

constexpr size_t kPiece = http::RequestParser::kMaxBodyBytes;

std::string percent_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : s) {
    if (isalnum(ch) || ch == '/' || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += hex[ch >> 4];
      out += hex[ch & 15];
    }
  }
  return out;
}

// NAME:PATH (a guest path is absolute) or nullopt for a local path.
std::optional<std::pair<std::string, std::string>> guest_side(const std::string& arg) {
  const size_t colon = arg.find(':');
  if (colon == std::string::npos || colon == 0 || arg.find('/') < colon) return std::nullopt;
  return std::pair{arg.substr(0, colon), arg.substr(colon + 1)};
}

// One raw request (file bytes both ways): its body, or nullopt once the error is printed.
std::optional<std::string> raw_call(const Common& c, const std::string& method, const std::string& path,
                                    const std::string& body = {}) {
  auto r = request(c, method, path, body);
  if (!r) return std::nullopt;
  return std::move(r->body);
}

bool write_all(int fd, const std::string& data) {
  for (size_t done = 0; done < data.size();) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Up to kPiece bytes from fd; empty at end of input; nullopt on error.
std::optional<std::string> read_piece(int fd) {
  std::string piece(kPiece, '\0');
  size_t have = 0;
  while (have < kPiece) {
    const ssize_t n = read(fd, piece.data() + have, kPiece - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    have += static_cast<size_t>(n);
  }
  piece.resize(have);
  return piece;
}

int copy_from_guest(const Common& c, const std::string& vm, const std::string& guest_path, const std::string& local) {
  const std::string base = "/v1/vms/" + vm + "/files?path=" + percent_encode(guest_path);
  int fd = -1;  // opened once the first piece has come, so a failed copy leaves no empty file
  int status = kExitOk;
  for (uint64_t offset = 0;;) {
    auto piece = raw_call(c, "GET", base + "&offset=" + std::to_string(offset) + "&length=" + std::to_string(kPiece));
    if (!piece) {
      status = kExitFailure;
      break;
    }
    if (fd < 0) {
      fd = local == "-" ? STDOUT_FILENO : open(local.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0) {
        fprintf(stderr, "%s: cannot write %s: %s\n", c.program, local.c_str(), strerror(errno));
        return kExitFailure;
      }
    }
    if (!write_all(fd, *piece)) {
      fprintf(stderr, "%s: cannot write %s: %s\n", c.program, local.c_str(), strerror(errno));
      status = kExitFailure;
      break;
    }
    offset += piece->size();
    if (piece->size() < kPiece) break;
  }
  if (fd >= 0 && fd != STDOUT_FILENO) close(fd);
  return status;
}

int copy_to_guest(const Common& c, const std::string& local, const std::string& vm, const std::string& guest_path) {
  int fd = STDIN_FILENO;
  if (local != "-") {
    fd = open(local.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      fprintf(stderr, "%s: cannot read %s: %s\n", c.program, local.c_str(), strerror(errno));
      return kExitFailure;
    }
  }
  const std::string base = "/v1/vms/" + vm + "/files?path=" + percent_encode(guest_path);
  int status = kExitOk;
  for (bool first = true;; first = false) {
    auto piece = read_piece(fd);
    if (!piece) {
      fprintf(stderr, "%s: cannot read %s: %s\n", c.program, local.c_str(), strerror(errno));
      status = kExitFailure;
      break;
    }
    // The first piece (even an empty one) creates or truncates the file; the rest append.
    if (piece->empty() && !first) break;
    if (!raw_call(c, "PUT", base + (first ? "" : "&append=true"), *piece)) {
      status = kExitFailure;
      break;
    }
    if (piece->size() < kPiece) break;
  }
  if (fd != STDIN_FILENO) close(fd);
  return status;
}

}  // namespace

int vm_exec(const Common& c, const std::string& name, const VmExecOptions& o) {
  json body{{"command", o.command}, {"timeout_seconds", o.timeout_seconds}};
  if (!o.env.empty()) body["env"] = o.env;
  if (o.stdin_input) {
    std::string input;
    for (;;) {
      auto piece = read_piece(STDIN_FILENO);
      if (!piece) {
        fprintf(stderr, "%s: cannot read stdin: %s\n", c.program, strerror(errno));
        return kExitFailure;
      }
      if (piece->empty()) break;
      input += *piece;
    }
    body["input"] = input;
  }
  auto r = call(c, "POST", "/v1/vms/" + name + "/exec", body);
  if (!r) return kExitFailure;
  if (c.json_output) {
    printf("%s\n", r->dump(2, ' ', false, json::error_handler_t::replace).c_str());
    return kExitOk;
  }
  fputs(r->value("stdout", "").c_str(), stdout);
  fputs(r->value("stderr", "").c_str(), stderr);
  if (r->value("truncated", false)) fprintf(stderr, "%s: the guest agent truncated the output\n", c.program);
  // As a shell reports it: the status, or 128 + the signal that ended the command.
  if (r->contains("signal")) return 128 + (*r)["signal"].get<int>();
  return r->value("exit_code", 1);
}

int vm_cp(const Common& c, const std::string& from, const std::string& to) {
  const auto src = guest_side(from), dst = guest_side(to);
  if (src.has_value() == dst.has_value()) {
    fprintf(stderr, "%s: cp copies between a local path and NAME:/GUEST/PATH (exactly one side in the guest)\n", c.program);
    return kExitUsage;
  }
  const auto& guest = src ? *src : *dst;
  if (guest.second.empty() || guest.second[0] != '/') {
    fprintf(stderr, "%s: the guest path must be absolute: '%s'\n", c.program, guest.second.c_str());
    return kExitUsage;
  }
  return src ? copy_from_guest(c, src->first, src->second, to) : copy_to_guest(c, from, dst->first, dst->second);
}

}  // namespace vessel::cli
