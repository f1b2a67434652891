// The 9p server of --share as a guest drives it: any sequence of messages, after a Tversion
// and Tattach, against a scratch share holding a file, a directory and a symlink that points
// outside. Oracle besides the sanitizers: the file beside the share is never changed, and
// nothing appears beside it (no escape through `..`, symlinks, links or renames).
// Input: records of u8 kind; kind & 1: raw bytes (u16 length), else a well-sized message of
// u8 type and a u16-length body; each with a u16 reply capacity (x 16 bytes).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "devices/virtio/9p/p9_protocol.h"
#include "devices/virtio/9p/p9_server.h"
#include "fuzz/support/fuzz_input.h"
#include "fuzz/support/scratch_dir.h"

namespace vessel::fuzz {
namespace {

namespace fs = std::filesystem;
namespace p9 = devices::virtio::p9;

constexpr char kSentinel[] = "outside the share\n";

std::vector<uint8_t> message(uint8_t type, const std::vector<uint8_t>& body) {
  std::vector<uint8_t> m;
  p9::WireWriter w(m);
  w.begin(type, 1);
  w.bytes(body.data(), body.size());
  w.finish();
  return m;
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

}  // namespace
}  // namespace vessel::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vessel::fuzz;
  const fs::path base = fs::path(scratch_dir()) / "p9", share = base / "share", outside = base / "outside.txt";
  std::error_code ec;
  fs::remove_all(base, ec);
  fs::create_directories(share / "d");
  std::ofstream(share / "a") << "a file in the share\n";
  std::ofstream(outside) << kSentinel;
  fs::create_symlink("../outside.txt", share / "up", ec);
  fs::create_directory_symlink("..", share / "parent", ec);
  auto root = p9::ShareRoot::open(share.string());
  if (!root) abort();
  p9::Server server(std::move(root.value()), false);
  std::vector<uint8_t> reply;
  std::vector<uint8_t> body;
  {
    p9::WireWriter w(body);
    w.u32(65536);
    w.str("9P2000.L");
  }
  auto m = message(p9::kTversion, body);
  server.handle(m.data(), m.size(), 1 << 20, reply);
  body.clear();
  {
    p9::WireWriter w(body);
    w.u32(0);
    w.u32(p9::kNoFid);
    w.str("");
    w.str("");
    w.u32(0);
  }
  m = message(p9::kTattach, body);
  server.handle(m.data(), m.size(), 1 << 20, reply);

  FuzzInput in(data, size);
  for (int i = 0; i < 64 && !in.empty(); ++i) {
    const uint8_t kind = in.u8();
    const size_t cap = static_cast<size_t>(in.u16()) * 16;
    if (kind & 1) {
      m = in.bytes(in.u16());
    } else {
      const uint8_t type = in.u8();
      m = message(type, in.bytes(in.u16()));
    }
    server.handle(m.data(), m.size(), cap, reply);
    if (reply.size() > std::max<size_t>(cap, 11) && !reply.empty()) abort();  // larger than the guest's room
  }
  if (slurp(outside) != kSentinel) abort();
  for (const auto& e : fs::directory_iterator(base))
    if (e.path() != share && e.path() != outside) abort();  // something escaped the share
  return 0;
}
