// A minimal 9P2000.L client for the server's unit tests: builds a T-message, runs it through
// Server::handle and splits the reply into its type and a reader over its body.
#pragma once
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "devices/virtio/9p/p9_protocol.h"
#include "devices/virtio/9p/p9_server.h"

namespace vessel::test {

namespace p9 = devices::virtio::p9;

class P9Client {
 public:
  explicit P9Client(p9::Server& server) : server_(server) {}

  struct Reply {
    uint8_t type = 0;
    uint32_t error = 0;  // the errno of an Rlerror, else 0
    std::vector<uint8_t> bytes;
    p9::WireReader body() const { return p9::WireReader(bytes.data() + 7, bytes.size() - 7); }
  };

  // Sends a message of `type` whose body `fill` writes; `reply_cap` is the guest's room.
  Reply call(uint8_t type, const std::function<void(p9::WireWriter&)>& fill, size_t reply_cap = 1 << 20) {
    std::vector<uint8_t> msg;
    p9::WireWriter w(msg);
    w.begin(type, tag_++);
    fill(w);
    w.finish();
    return raw(msg, reply_cap);
  }
  Reply raw(const std::vector<uint8_t>& msg, size_t reply_cap = 1 << 20) {
    Reply r;
    EXPECT_TRUE(server_.handle(msg.data(), msg.size(), reply_cap, r.bytes));
    EXPECT_GE(r.bytes.size(), 7u);
    if (r.bytes.size() < 7) return r;
    r.type = r.bytes[4];
    EXPECT_EQ(r.bytes[0] | r.bytes[1] << 8 | r.bytes[2] << 16 | r.bytes[3] << 24, static_cast<int>(r.bytes.size()));
    if (r.type == p9::kRlerror) r.error = r.body().u32();
    return r;
  }

  // The usual session start: Tversion and Tattach of fid 0.
  void start(uint32_t msize = 65536) {
    Reply v = call(p9::kTversion, [&](p9::WireWriter& w) {
      w.u32(msize);
      w.str("9P2000.L");
    });
    ASSERT_EQ(v.type, p9::kTversion + 1);
    Reply a = call(p9::kTattach, [](p9::WireWriter& w) {
      w.u32(0);
      w.u32(p9::kNoFid);
      w.str("root");
      w.str("");
      w.u32(0);
    });
    ASSERT_EQ(a.error, 0u);
  }
  Reply walk(uint32_t fid, uint32_t newfid, const std::vector<std::string>& names) {
    return call(p9::kTwalk, [&](p9::WireWriter& w) {
      w.u32(fid);
      w.u32(newfid);
      w.u16(static_cast<uint16_t>(names.size()));
      for (const auto& n : names) w.str(n);
    });
  }
  Reply lopen(uint32_t fid, uint32_t flags) {
    return call(p9::kTlopen, [&](p9::WireWriter& w) {
      w.u32(fid);
      w.u32(flags);
    });
  }
  Reply lcreate(uint32_t fid, const std::string& name, uint32_t flags, uint32_t mode) {
    return call(p9::kTlcreate, [&](p9::WireWriter& w) {
      w.u32(fid);
      w.str(name);
      w.u32(flags);
      w.u32(mode);
      w.u32(0);
    });
  }
  Reply write(uint32_t fid, uint64_t offset, const std::string& data) {
    return call(p9::kTwrite, [&](p9::WireWriter& w) {
      w.u32(fid);
      w.u64(offset);
      w.u32(static_cast<uint32_t>(data.size()));
      w.bytes(data.data(), data.size());
    });
  }
  // Reads up to `count` bytes; the data, or the errno as "E<n>".
  std::string read(uint32_t fid, uint64_t offset, uint32_t count, size_t reply_cap = 1 << 20) {
    Reply r = call(
        p9::kTread,
        [&](p9::WireWriter& w) {
          w.u32(fid);
          w.u64(offset);
          w.u32(count);
        },
        reply_cap);
    if (r.error) return error_text(r.error);
    p9::WireReader b = r.body();
    const uint32_t n = b.u32();
    const uint8_t* d = b.bytes(n);
    return d ? std::string(reinterpret_cast<const char*>(d), n) : "short";
  }
  // Appended, not operator+: GCC 12 warns wrongly (-Wrestrict) on "literal" + string.
  static std::string error_text(uint32_t error) {
    std::string e = "E";
    return e.append(std::to_string(error));
  }
  Reply clunk(uint32_t fid) {
    return call(p9::kTclunk, [&](p9::WireWriter& w) { w.u32(fid); });
  }
  // Rgetattr's qid path and mode, or the errno.
  Reply getattr(uint32_t fid) {
    return call(p9::kTgetattr, [&](p9::WireWriter& w) {
      w.u32(fid);
      w.u64(p9::kGetattrBasic);
    });
  }

 private:
  p9::Server& server_;
  uint16_t tag_ = 1;
};

}  // namespace vessel::test
