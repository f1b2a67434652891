// Seeds of the targets that read host files and streams: disk images (written by Vessel's own
// qcow2 writer), kernels, snapshots and migration streams (saved from a fresh board).
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "fuzz/seeds/seeds.h"
#include "fuzz/support/board_restore.h"
#include "fuzz/support/fuzz_input.h"
#include "fuzz/support/scratch_dir.h"
#include "fuzz/support/section_list.h"
#include "migration/page_codec.h"
#include "migration/stream.h"
#include "snapshot/hart_state.h"
#include "snapshot/memory_image.h"
#include "snapshot/state_stream.h"
#include "storage/open_disk.h"
#include "storage/qcow2_create.h"
#include "vmm/vm_config_json.h"

namespace vessel::fuzz::seeds {
namespace {

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// A qcow2 image written by Vessel (create, then a few guest writes through the DiskImage).
std::vector<uint8_t> qcow2_image(uint32_t version, uint32_t cluster, const std::string& backing, uint64_t size,
                                 bool with_data) {
  const std::string path = scratch_dir() + "/seed.qcow2";
  storage::qcow2::CreateOptions o;
  o.size = size;
  o.cluster_size = cluster;
  o.version = version;
  if (version == 2) o.refcount_bits = 16;
  o.backing_file = backing;
  unlink(path.c_str());
  if (!storage::qcow2::create_image(path, o)) abort();
  if (with_data) {
    auto disk = storage::open_disk(path, storage::DiskFormat::Qcow2, false);
    if (disk) {
      std::vector<uint8_t> data(1024, 0x42);
      (void)disk.value()->write(0, data.data(), data.size());
      (void)disk.value()->write(size / 2, data.data(), 512);
      (void)disk.value()->flush();
    }
  }
  return read_file(path);
}

std::vector<uint8_t> images(const std::vector<uint8_t>& top, const std::vector<uint8_t>& mid,
                            const std::vector<uint8_t>& base, const std::vector<uint8_t>& ops) {
  FuzzInputWriter w;
  for (const auto* f : {&top, &mid, &base}) w.u16(static_cast<uint16_t>(f->size())).bytes(*f);
  return w.bytes(ops).data();
}

std::vector<uint8_t> disk_ops() {
  FuzzInputWriter w;
  w.u8(0).u64(0).u16(4096);        // read
  w.u8(1).u64(512).u16(2048);      // write
  w.u8(3).u64(8192).u16(4096);     // write zeroes
  w.u8(2).u64(16384).u16(8192);    // discard
  w.u8(4).u64(0).u16(0);           // flush
  w.u8(0).u64(0).u16(8192);
  return w.data();
}

std::vector<std::pair<uint32_t, std::vector<uint8_t>>> board_sections() {
  auto board = make_restore_board();
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> s;
  using snapshot::make_tag;
  nlohmann::json conf = vmm::config_to_json(vmm::VmConfig{});
  const std::string text = conf.dump();
  s.push_back({make_tag("CONF"), std::vector<uint8_t>(text.begin(), text.end())});
  snapshot::StateWriter time;
  time.u64(123456);
  s.push_back({make_tag("TIME"), time.take()});
  for (auto& h : board->harts) {
    snapshot::StateWriter w;
    snapshot::save_hart(*h, w);
    s.push_back({make_tag("HART"), w.take()});
  }
  snapshot::StateWriter plic, uart, rtc;
  board->plic->save_state(plic);
  board->uart->save_state(uart);
  board->rtc->save_state(rtc);
  s.push_back({make_tag("PLIC"), plic.take()});
  s.push_back({make_tag("UART"), uart.take()});
  s.push_back({make_tag("RTC "), rtc.take()});
  for (size_t i = 0; i < board->virtio.size(); ++i) {
    snapshot::StateWriter w;
    w.u32(static_cast<uint32_t>(i));
    board->virtio[i]->save_state(w);
    s.push_back({make_tag("VIRT"), w.take()});
  }
  memory::GuestRam& ram = board->as.ram();
  memcpy(ram.host() + 0x1000, "vessel", 6);
  snapshot::MemoryImageStats stats;
  s.push_back({make_tag("MEM "), snapshot::encode_memory(ram.host(), ram.size(), 1, 0, stats)});
  return s;
}

std::vector<uint8_t> elf_kernel() {
  // ELF64 little-endian RISC-V executable, one PT_LOAD of 8 bytes at DRAM + 2 MiB.
  std::vector<uint8_t> f(0x78 + 8, 0);
  auto put = [&](size_t at, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) f[at + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
  memcpy(f.data(), ident, sizeof ident);
  put(16, 2, 2);            // ET_EXEC
  put(18, 243, 2);          // EM_RISCV
  put(20, 1, 4);            // version
  put(24, 0x80200000, 8);   // entry
  put(32, 64, 8);           // phoff
  put(52, 64, 2);           // ehsize
  put(54, 56, 2);           // phentsize
  put(56, 1, 2);            // phnum
  put(58, 64, 2);           // shentsize
  put(64, 1, 4);            // PT_LOAD
  put(68, 5, 4);            // R X
  put(72, 0x78, 8);         // offset
  put(80, 0x80200000, 8);   // vaddr
  put(88, 0x80200000, 8);   // paddr
  put(96, 8, 8);            // filesz
  put(104, 16, 8);          // memsz
  put(112, 4096, 8);        // align
  put(0x78, 0x0000006f'00000013ull, 8);  // nop; j .
  return f;
}

std::vector<uint8_t> linux_image() {
  // The RISC-V Linux Image header (Documentation/arch/riscv/boot-image-header.rst).
  std::vector<uint8_t> f(64 + 16, 0);
  auto put = [&](size_t at, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) f[at + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  put(0, 0x0000006f, 4);          // code0: j .
  put(8, 0x200000, 8);            // text_offset
  put(16, 0x10000, 8);            // image_size
  put(24, 0, 8);                  // flags
  put(32, 2, 4);                  // version 0.2
  memcpy(f.data() + 48, "RISCV\0\0\0", 8);
  memcpy(f.data() + 56, "RSC\x05", 4);
  return f;
}

}  // namespace

std::vector<Seed> qcow2_seeds() {
  const std::vector<uint8_t> raw_base(8 * 1024, 0x11);
    return {
      {"qcow2-v3", images(qcow2_image(3, 4096, "", 64 * 1024, true), {}, {}, disk_ops())},
      {"qcow2-v2-512", images(qcow2_image(2, 512, "", 1 << 20, true), {}, {}, disk_ops())},
      {"qcow2-on-raw", images(qcow2_image(3, 512, "base", 8 * 1024, true), {}, raw_base, disk_ops())},
      {"qcow2-on-qcow2-on-raw", images(qcow2_image(3, 512, "mid", 8 * 1024, true),
                                       qcow2_image(3, 512, "base", 8 * 1024, true), raw_base, disk_ops())},
      {"raw", images(raw_base, {}, {}, disk_ops())},
  };
}

std::vector<Seed> kernel_loader_seeds() {
  std::vector<Seed> out;
  for (uint8_t which = 0; which < 4; ++which) {
    for (const auto& [name, file] : {std::pair{"elf", elf_kernel()}, std::pair{"image", linux_image()}}) {
      std::vector<uint8_t> bytes{which};
      bytes.insert(bytes.end(), file.begin(), file.end());
      out.push_back({std::string(name) + "-" + std::to_string(which), bytes});
    }
  }
  return out;
}

std::vector<Seed> snapshot_seeds() {
  FuzzInputWriter w;
  w.u8(0);
  write_sections(w, board_sections());
  FuzzInputWriter corrupt;
  corrupt.u8(1).u32(9).u8(1);
  write_sections(corrupt, board_sections());
  return {{"board", w.data()}, {"bad-version", corrupt.data()}};
}

std::vector<Seed> migration_seeds() {
  using migration::RecordType;
  auto record = [](FuzzInputWriter& w, uint8_t index, const std::vector<uint8_t>& payload) {
    w.u8(index).u32(static_cast<uint32_t>(payload.size())).bytes(payload);
  };
  // Indices into kRecordTypes of migration_stream_fuzzer.cpp.
  enum : uint8_t { kConfig, kPages, kRound, kState, kExtra, kEnd };
  const auto sections = board_sections();
  std::vector<snapshot::SectionView> views;
  for (const auto& [tag, bytes] : sections)
    if (tag != snapshot::make_tag("MEM ") && tag != snapshot::make_tag("CONF")) views.push_back({tag, bytes.data(), bytes.size()});
  const std::vector<uint8_t> state = snapshot::encode_snapshot_image(views);
  const std::string conf = vmm::config_to_json(vmm::VmConfig{}).dump();

  std::vector<uint8_t> memory(8 * migration::kPageBytes, 0);
  memcpy(memory.data() + migration::kPageBytes, "page one", 8);
  const uint64_t pages[] = {0, 1, 2, 5};
  std::vector<Seed> out;
  for (bool compress : {false, true}) {
    migration::PageEncoder encoder(compress);
    migration::PageBatch batch;
    encoder.encode(memory.data(), pages, 4, nullptr, batch);
    snapshot::StateWriter extra;
    extra.boolean(false);
    extra.string("console history\n");
    FuzzInputWriter w;
    w.u8(0);
    record(w, kConfig, std::vector<uint8_t>(conf.begin(), conf.end()));
    record(w, kPages, batch.payload);
    snapshot::StateWriter round;
    round.u32(1);
    round.u64(4);
    record(w, kRound, round.take());
    record(w, kState, state);
    record(w, kExtra, extra.take());
    record(w, kEnd, {});
    out.push_back({compress ? "zstd-pages" : "raw-pages", w.data()});
  }
  return out;
}

}  // namespace vessel::fuzz::seeds
