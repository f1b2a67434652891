#include "devices/virtio/block/block_device.h"

#include <cstring>
#include <vector>

#include "common/log.h"
#include "devices/virtio/block/block_request.h"
#include "devices/virtio/queue_drain.h"

namespace vessel::devices::virtio {
namespace {

using namespace block;

constexpr uint64_t kFeatureSegMax = 1ull << 2, kFeatureRo = 1ull << 5, kFeatureBlkSize = 1ull << 6,
                   kFeatureFlush = 1ull << 9, kFeatureDiscard = 1ull << 13, kFeatureWriteZeroes = 1ull << 14;
constexpr uint32_t kSegMax = 126;
constexpr uint32_t kMaxDiscardSectors = 1u << 22;  // 2 GiB per discard/write-zeroes segment
constexpr size_t kMaxTransfer = 64ull << 20;       // per request: bounds host memory a guest can make us use

#pragma pack(push, 1)
struct BlockConfig {
  uint64_t capacity;
  uint32_t size_max, seg_max;
  uint16_t cylinders;
  uint8_t heads, sectors;
  uint32_t blk_size;
  uint8_t physical_block_exp, alignment_offset;
  uint16_t min_io_size;
  uint32_t opt_io_size;
  uint8_t writeback, unused0;
  uint16_t num_queues;
  uint32_t max_discard_sectors, max_discard_seg, discard_sector_alignment;
  uint32_t max_write_zeroes_sectors, max_write_zeroes_seg;
  uint8_t write_zeroes_may_unmap, unused1[3];
};
#pragma pack(pop)
static_assert(sizeof(BlockConfig) == 60);

uint8_t to_status(storage::IoStatus s) { return s.ok() ? kOk : kIoError; }

}  // namespace

BlockDevice::BlockDevice(std::unique_ptr<storage::DiskImage> image, bool read_only, std::string serial)
    : image_(std::move(image)),
      configured_read_only_(read_only),
      read_only_(read_only || image_->read_only()),
      serial_(std::move(serial)) {}

uint64_t BlockDevice::device_features() const {
  uint64_t f = kFeatureSegMax | kFeatureBlkSize | kFeatureFlush;
  if (read_only_) f |= kFeatureRo;
  else f |= kFeatureDiscard | kFeatureWriteZeroes;
  return f;
}

void BlockDevice::read_config(uint64_t offset, uint8_t* data, unsigned len) {
  BlockConfig c{};
  c.capacity = image_->size() / kSectorSize;
  c.seg_max = kSegMax;
  c.blk_size = 512;
  c.num_queues = 1;
  c.max_discard_sectors = c.max_write_zeroes_sectors = kMaxDiscardSectors;
  c.max_discard_seg = c.max_write_zeroes_seg = 1;
  c.discard_sector_alignment = 1;
  c.write_zeroes_may_unmap = 1;
  config_window(&c, sizeof c, offset, data, len);
}

uint8_t BlockDevice::execute(const Chain& chain, uint64_t& written) {
  const memory::GuestRam& ram = *state_.ram;
  Request req;
  std::string error;
  if (!parse_request(chain, req, error, ram)) {
    ++counters.guest_errors;
    LOG_WARN("virtio-blk: %s", error.c_str());
    return kIoError;
  }
  const uint64_t disk_size = image_->size();
  auto in_range = [&](uint64_t sector, uint64_t bytes) {
    return sector <= disk_size / kSectorSize && bytes <= disk_size - sector * kSectorSize;
  };
  ChainReader reader(ram, chain);
  uint8_t header[16];
  reader.read(header, sizeof header);
  switch (static_cast<RequestType>(req.type)) {
    case RequestType::In: {
      if (req.data_len % kSectorSize || req.data_len > kMaxTransfer || !in_range(req.sector, req.data_len)) {
        ++counters.guest_errors;
        return kIoError;
      }
      std::vector<uint8_t> buf(req.data_len);
      const auto s = image_->read(req.sector * kSectorSize, buf.data(), buf.size());
      if (!s.ok()) return to_status(s);
      ChainWriter out(ram, chain);
      written = out.write(buf.data(), buf.size());
      counters.bytes_read += written;
      ++counters.reads;
      return kOk;
    }
    case RequestType::Out: {
      if (read_only_) return kIoError;
      if (req.data_len % kSectorSize || req.data_len > kMaxTransfer || !in_range(req.sector, req.data_len)) {
        ++counters.guest_errors;
        return kIoError;
      }
      std::vector<uint8_t> buf(req.data_len);
      reader.read(buf.data(), buf.size());
      counters.bytes_written += buf.size();
      ++counters.writes;
      const uint8_t status = to_status(image_->write(req.sector * kSectorSize, buf.data(), buf.size()));
      mark_written(req.sector * kSectorSize, buf.size());  // even a failed write may have changed some
      return status;
    }
    case RequestType::Flush: return to_status(image_->flush());
    case RequestType::GetId: {
      char id[20] = {};
      memcpy(id, serial_.data(), std::min(serial_.size(), sizeof id));
      ChainWriter out(ram, chain);
      written = out.write(id, std::min<uint64_t>(sizeof id, req.data_len));
      return kOk;
    }
    case RequestType::Discard:
    case RequestType::WriteZeroes: {
      if (read_only_) return kIoError;
      const bool zeroes = static_cast<RequestType>(req.type) == RequestType::WriteZeroes;
      if (req.data_len == 0 || req.data_len % sizeof(DiscardSegment)) {
        ++counters.guest_errors;
        return kIoError;
      }
      for (uint64_t i = 0; i < req.data_len / sizeof(DiscardSegment); ++i) {
        DiscardSegment seg;
        reader.read(&seg, sizeof seg);
        const uint64_t bytes = uint64_t{seg.num_sectors} * kSectorSize;
        if (seg.num_sectors > kMaxDiscardSectors || !in_range(seg.sector, bytes) || (seg.flags & ~1u) ||
            (!zeroes && (seg.flags & 1))) {
          ++counters.guest_errors;
          return zeroes ? kIoError : kUnsupported;
        }
        const auto s = zeroes ? image_->write_zeroes(seg.sector * kSectorSize, bytes, seg.flags & 1)
                              : image_->discard(seg.sector * kSectorSize, bytes);
        mark_written(seg.sector * kSectorSize, bytes);
        if (!s.ok()) return to_status(s);
      }
      return kOk;
    }
  }
  return kUnsupported;
}

storage::DirtyBlocks& BlockDevice::start_tracking() {
  if (!dirty_) dirty_ = std::make_unique<storage::DirtyBlocks>(image_->size());
  dirty_->clear();
  tracking_.store(true, std::memory_order_release);
  return *dirty_;
}

bool BlockDevice::process_queue(unsigned q) {
  std::string error;
  const memory::GuestRam& ram = *state_.ram;
  const bool ok = drain_queue((*state_.queues)[q], ram, *state_.interrupt, counters, error,
                              [&](const Chain& chain) -> std::optional<uint32_t> {
                                // Over the rate limit: leave the chain, the limiter's timer runs us again.
                                const uint64_t total = chain.readable_bytes() + chain.writable_bytes();
                                if (!limiter_.admit(total > 17 ? total - 17 : 0)) return std::nullopt;
                                uint64_t written = 0;
                                const uint8_t status = execute(chain, written);
                                // The status byte, if the chain has one, is always written last.
                                if (const auto at = status_byte(chain)) {
                                  *ram.at(*at) = status;
                                  ram.mark_dirty(*at);
                                  ++written;
                                }
                                return static_cast<uint32_t>(written);
                              });
  if (!ok) LOG_WARN("virtio-blk: %s", error.c_str());
  return ok;
}

}  // namespace vessel::devices::virtio
