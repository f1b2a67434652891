// The migration stream (docs/design.md, "Live migration"): a header (magic, version), then
// records. Each record is a type tag, a length, the payload and an XXH3-64 checksum of all
// three, so corruption is caught at the record it hits, before anything of it is applied.
// Both directions use the same framing: the destination answers READY or REFUSE after the
// configuration, ACK or REFUSE after the final state, and the source ends with GO.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "migration/channel.h"

namespace vessel::migration {

constexpr uint32_t kStreamVersion = 1;
constexpr uint64_t kMaxRecordBytes = 64ull << 20;  // a page batch is at most about 1 MiB

constexpr uint32_t record_tag(const char (&s)[5]) {
  return uint32_t(uint8_t(s[0])) | uint32_t(uint8_t(s[1])) << 8 | uint32_t(uint8_t(s[2])) << 16 |
         uint32_t(uint8_t(s[3])) << 24;
}

enum class RecordType : uint32_t {
  Config = record_tag("CONF"),  // source: the VM configuration (JSON, as in snapshots)
  Disks = record_tag("DRVS"),   // source, before CONF: the drives it copies (JSON; --migrate-disks)
  Blocks = record_tag("DBLK"),  // source: a batch of disk blocks (block_codec.h)
  Pages = record_tag("PAGE"),   // source: a batch of guest pages (page_codec.h)
  Round = record_tag("ROND"),   // source: end of a pre-copy round (u32 round, u64 pages)
  State = record_tag("STAT"),   // source: CPU and device state, a snapshot container without memory
  Extra = record_tag("XTRA"),   // source: what a snapshot does not hold (JSON: console history, paused)
  End = record_tag("END "),     // source: nothing follows but GO
  Ready = record_tag("RDY "),   // destination: the configuration is accepted and built
  Ack = record_tag("ACK "),     // destination: everything is loaded; it runs once told GO
  Refuse = record_tag("NAK "),  // destination: refused (payload: the reason, text)
  Go = record_tag("GO  "),      // source: it has stopped for good; the destination resumes
};
std::string record_name(uint32_t type);

struct Record {
  uint32_t type = 0;
  std::vector<uint8_t> payload;
  std::string text() const { return std::string(payload.begin(), payload.end()); }
};

// The header each side sends first.
Result<bool> send_header(Channel& ch);
Result<bool> receive_header(Channel& ch, int timeout_ms = 0);

Result<bool> send_record(Channel& ch, RecordType type, const std::vector<std::pair<const void*, size_t>>& pieces);
Result<bool> send_record(Channel& ch, RecordType type, const std::string& text = {});
// The next record, checked (length bound, checksum); timeout 0 = the channel's.
Result<Record> receive_record(Channel& ch, int timeout_ms = 0);

}  // namespace vessel::migration
