// The incoming side of a live migration, from the bytes on the connection: the stream header,
// record framing (length bound, checksum), the configuration, page batches decoded into guest
// RAM, the CPU and device state (a snapshot container, loaded into a board as a restore does)
// and the extras, in the order src/vmm/migration_target.cpp takes them; disk block records
// (DBLK, --migrate-disks) are decoded against two 1 MiB drives.
// Input: u8 corruption flag (then u32 position, u8 xor), then records: u8 type (index into
// kRecordTypes, or 0xff then any u32), u32 length, payload. They are framed with the real
// sender (send_header, send_record) on a socket pair, so the checksums are right.
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include <nlohmann/json.hpp>

#include "fuzz/support/board_restore.h"
#include "fuzz/support/fuzz_input.h"
#include "migration/block_codec.h"
#include "migration/channel.h"
#include "migration/page_codec.h"
#include "migration/stream.h"
#include "snapshot/state_stream.h"
#include "vmm/vm_config_json.h"

namespace vessel::fuzz {
namespace {

using migration::RecordType;
constexpr RecordType kRecordTypes[] = {RecordType::Config, RecordType::Pages, RecordType::Round, RecordType::State,
                                       RecordType::Extra,  RecordType::End,   RecordType::Go,
                                       RecordType::Blocks};  // appended: earlier indices keep their meaning

// Everything written to one end of a fresh socket pair, read back from the other.
std::vector<uint8_t> drain(int fd) {
  std::vector<uint8_t> out;
  uint8_t chunk[65536];
  for (ssize_t n; (n = recv(fd, chunk, sizeof chunk, MSG_DONTWAIT)) > 0;) out.insert(out.end(), chunk, chunk + n);
  return out;
}

bool socket_pair(int fds[2]) {
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return false;
  const int big = 4 << 20;
  setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
  setsockopt(fds[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  return true;
}

// The destination's side, as migration_target.cpp runs it (without building a VM).
void receive(migration::Channel& ch) {
  if (!migration::receive_header(ch)) return;
  auto conf = migration::receive_record(ch);
  if (!conf || conf->type != static_cast<uint32_t>(RecordType::Config)) return;
  const std::string text = conf->text();
  const auto j = text.find('\0') == std::string::npos ? nlohmann::json::parse(text, nullptr, false) : nlohmann::json();
  (void)vmm::config_from_json(j);
  auto board = make_restore_board();
  memory::GuestRam& ram = board->as.ram();
  migration::PageDecoder pages(ram.host(), ram.size() / migration::kPageBytes);
  std::vector<uint8_t> state;
  std::optional<migration::Record> extra;
  for (;;) {
    auto rec = migration::receive_record(ch);
    if (!rec) return;
    const auto type = static_cast<RecordType>(rec->type);
    if (type == RecordType::Pages) {
      if (!pages.apply(rec->payload.data(), rec->payload.size())) return;
    } else if (type == RecordType::Blocks) {
      if (!migration::decode_blocks(rec->payload.data(), rec->payload.size(), {1 << 20, 1 << 20})) return;
    } else if (type == RecordType::State) {
      state = std::move(rec->payload);
    } else if (type == RecordType::Extra) {
      extra = std::move(rec.value());
    } else if (type == RecordType::End) {
      break;
    } else if (type != RecordType::Round) {
      return;
    }
  }
  if (state.empty() || !extra) return;
  auto sections = snapshot::SnapshotFile::parse(state.data(), state.size(), "in the migration stream");
  if (!sections) return;
  std::string error;
  if (!restore_board(*board, *sections.value(), error)) return;
  snapshot::StateReader in(extra->payload.data(), extra->payload.size(), "migration extras");
  (void)in.boolean();
  (void)in.string(1 << 24);
  (void)in.finish();
}

}  // namespace
}  // namespace vessel::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vessel;
  using namespace vessel::fuzz;
  FuzzInput in(data, size);
  const bool corrupt = in.u8() & 1;
  const uint32_t position = corrupt ? in.u32() : 0;
  const uint8_t flip = corrupt ? in.u8() : 0;
  int framing[2], wire[2];
  if (!socket_pair(framing) || !socket_pair(wire)) abort();
  std::vector<uint8_t> stream;
  {
    migration::Channel source(framing[0]);  // closes framing[0]
    if (!migration::send_header(source)) abort();
    while (!in.empty()) {
      const uint8_t index = in.u8();
      const uint32_t type = index == 0xff ? in.u32() : static_cast<uint32_t>(kRecordTypes[index % std::size(kRecordTypes)]);
      const auto payload = in.bytes(in.u32());
      if (!migration::send_record(source, static_cast<RecordType>(type), {{payload.data(), payload.size()}})) abort();
      const auto sent = drain(framing[1]);
      stream.insert(stream.end(), sent.begin(), sent.end());
    }
    const auto sent = drain(framing[1]);
    stream.insert(stream.end(), sent.begin(), sent.end());
  }
  close(framing[1]);
  if (corrupt && !stream.empty()) stream[position % stream.size()] ^= flip;
  if (write(wire[0], stream.data(), stream.size()) != static_cast<ssize_t>(stream.size())) abort();
  close(wire[0]);
  migration::Channel destination(wire[1]);
  destination.set_timeout_ms(1000);
  receive(destination);
  return 0;
}
