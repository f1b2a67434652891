// Live migration with disk copy ("migrate_disks": true, `vessel run --incoming ...
// --migrate-disks-to DIR`): a guest writes its disk continuously with direct I/O while it is
// moved; the destination's new image must hold exactly what the guest wrote, the guest reads
// the same after the move, a qcow2 keeps its backing file, the source's image stays as it was
// at the pause, and failures leave the source running and the destination's directory empty.
//
// Each write is deterministic (write i puts "blk i\n" repeated over 16 KiB at a slot that
// depends on i), so the host can replay the guest's writes over the disk's initial content.
#include <openssl/evp.h>
#include <signal.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>

#include "control_client.h"
#include "migration_guest.h"
#include "storage/open_disk.h"
#include "storage/qcow2_create.h"
#include "storage/raw_image.h"
#include "support/cpio_archive.h"

namespace vessel::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr uint64_t kDiskBytes = 32ull << 20;
constexpr uint64_t kSlot = 16384;
constexpr uint64_t kSlots = kDiskBytes / kSlot;
constexpr uint64_t kInitialBytes = 4ull << 20;  // the rest starts as a hole
constexpr int kWrites = 400;

// Writes with O_DIRECT, one 16 KiB request each (so each is whole or absent at the pause), then
// reports it; at the end drops the page cache and prints the checksum of the whole disk.
constexpr const char* kScript = R"(
i=0
while [ $i -lt 400 ]; do
  yes "blk $i" | head -c 16384 > /tmp/b
  dd if=/tmp/b of=/dev/vda bs=16384 count=1 seek=$(( (i * 7919) % 2048 )) oflag=direct conv=notrunc 2>/dev/null || echo DDFAIL
  echo W$i
  i=$((i+1))
  usleep 20000
done
sync
echo 3 > /proc/sys/vm/drop_caches
echo D=$(md5sum /dev/vda | cut -c1-32)
while true; do sleep 1; done
)";

uint64_t slot_of(int i) { return (static_cast<uint64_t>(i) * 7919) % kSlots; }

std::vector<uint8_t> initial_content() {
  std::vector<uint8_t> d(kDiskBytes, 0);
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (uint64_t i = 0; i < kInitialBytes; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    d[i] = static_cast<uint8_t>(x >> 56);
  }
  return d;
}

void apply_write(std::vector<uint8_t>& d, int i) {
  const std::string line = "blk " + std::to_string(i) + "\n";
  uint8_t* p = d.data() + slot_of(i) * kSlot;
  for (uint64_t k = 0; k < kSlot; ++k) p[k] = static_cast<uint8_t>(line[k % line.size()]);
}

std::vector<uint8_t> replay(int last) {
  auto d = initial_content();
  for (int i = 0; i <= last; ++i) apply_write(d, i);
  return d;
}

std::string md5_hex(const std::vector<uint8_t>& d) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(d.data(), d.size(), out, &len, EVP_md5(), nullptr);
  std::string s;
  char b[3];
  for (unsigned i = 0; i < len; ++i) {
    snprintf(b, sizeof b, "%02x", out[i]);
    s += b;
  }
  return s;
}

// The guest-visible content of an image, read through Vessel's storage library.
std::vector<uint8_t> read_image(const std::string& path) {
  auto image = storage::open_disk(path, std::nullopt, true);
  EXPECT_TRUE(image) << (image ? "" : image.error());
  if (!image) return {};
  std::vector<uint8_t> d(image.value()->size());
  EXPECT_TRUE(image.value()->read(0, d.data(), d.size()).ok());
  return d;
}

void write_initial(const std::string& raw_path) {
  ASSERT_TRUE(storage::RawImage::create(raw_path, kDiskBytes));
  auto image = storage::open_disk(raw_path, storage::DiskFormat::Raw, false);
  ASSERT_TRUE(image);
  const auto d = initial_content();
  ASSERT_TRUE(image.value()->write(0, d.data(), kInitialBytes).ok());
  ASSERT_TRUE(image.value()->flush().ok());
}

// The last "W<n>" the guest printed (-1 if none).
int last_write(const std::string& output) {
  static const std::regex w(R"(\bW(\d+)\r?\n)");
  int last = -1;
  const std::string text = guest_text(output);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), w); it != std::sregex_iterator(); ++it)
    last = std::max(last, std::stoi((*it)[1]));
  return last;
}

// The highest write index whose data is in `d` (-1: none): the image is then checked to be
// exactly the replay up to it, i.e. a state the guest's disk really passed through.
int newest_write_in(const std::vector<uint8_t>& d) {
  int newest = -1;
  for (uint64_t s = 0; s < kSlots; ++s) {
    const char* p = reinterpret_cast<const char*>(d.data() + s * kSlot);
    if (memcmp(p, "blk ", 4) == 0) newest = std::max(newest, atoi(p + 4));
  }
  return newest;
}

class MigrationDisk : public MigrationGuest {
 protected:
  void SetUp() override {
    MigrationGuest::SetUp();
    disk_initrd_ = dir_ + "/disk-initramfs.cpio.gz";
    ASSERT_TRUE(compose_initramfs(guest_ + "/initramfs.cpio.gz",
                                  {{"etc", 040755, ""}, {"etc/run", 040755, ""}, {"etc/run/disk.sh", 0100755, kScript}},
                                  disk_initrd_));
    for (const char* d : {"src", "dst", "base"}) fs::create_directories(dir_ + "/" + d);
  }

  std::unique_ptr<GuestProcess> boot_writer(const std::string& drive) {
    std::vector<std::string> a = {vessel_bin(), "run",     "--kernel",  guest_ + "/Image",
                                  "--initrd",   disk_initrd_, "--append", "console=ttyS0 quiet run=disk",
                                  "--memory",   "128M",    "--control", control_path(0),
                                  "--drive",    drive};
    auto g = std::make_unique<GuestProcess>(a);
    EXPECT_TRUE(wait_for_vm(control_path(0), 60s)) << g->output();
    return g;
  }

  // Moves the writing guest with disk copy into dst/ and checks everything the file comment says.
  void move_and_check(const std::string& src_image, const nlohmann::json& extra) {
    auto vm = boot_writer("file=" + src_image);
    ASSERT_TRUE(vm->expect("W5\r\n", 120s)) << vm->output();
    auto dst = start_destination(1, {"--migrate-disks-to", dir_ + "/dst"});
    nlohmann::json req = extra;
    req["to"] = "unix:" + incoming_path(1);
    req["migrate_disks"] = true;
    auto r = migrate(0, req);
    ASSERT_TRUE(r.value("ok", false)) << r.dump();
    const auto s = wait_phase(0, {"failed", "completed"}, 300s);
    ASSERT_EQ(s.value("phase", ""), "completed") << s.dump() << dst->output();
    EXPECT_TRUE(s.value("migrate_disks", false));
    EXPECT_GT(s.value("disk_blocks_sent", 0), 0u) << s.dump();
    status_ = s;
    ASSERT_EQ(vm->wait_exit(60s), 5) << vm->output();
    const int source_last = last_write(vm->output());
    ASSERT_LT(source_last, kWrites - 1) << "the guest finished writing before it moved";

    // The source's image: a state the guest's disk passed through, no older than the last write
    // the guest reported there, and never written after the pause (nothing ran there since).
    const auto source = read_image(src_image);
    const int in_source = newest_write_in(source);
    EXPECT_GE(in_source, source_last);
    EXPECT_TRUE(source == replay(in_source)) << "the source image is not the guest's disk at the pause";

    // The destination: the guest goes on writing there and reads back what it wrote.
    ASSERT_TRUE(dst->expect("D=", 300s)) << dst->output();
    ASSERT_TRUE(dst->expect("\n", 10s));
    const std::string expected = md5_hex(replay(kWrites - 1));
    EXPECT_NE(dst->output().find("D=" + expected), std::string::npos) << "the guest read back other data\n"
                                                                       << guest_text(dst->output());
    EXPECT_EQ(dst->output().find("DDFAIL"), std::string::npos);
    const auto st = control(control_path(1), {{"op", "status"}});
    EXPECT_TRUE(control(control_path(1), {{"op", "stop"}}).value("ok", false));
    EXPECT_EQ(dst->wait_exit(60s), 0) << dst->output();
    dst_image_ = dir_ + "/dst/" + fs::path(src_image).filename().string();
    ASSERT_TRUE(fs::exists(dst_image_));
    EXPECT_TRUE(read_image(dst_image_) == replay(kWrites - 1)) << "the destination image differs from the guest's writes";
    // The source image is as it was at the pause.
    EXPECT_TRUE(read_image(src_image) == source);
  }

  std::string disk_initrd_, dst_image_;
  nlohmann::json status_;
};

TEST_F(MigrationDisk, RawDiskIsCopiedWhileTheGuestWritesIt) {
  const std::string src = dir_ + "/src/disk.raw";
  write_initial(src);
  move_and_check(src, {});
  if (HasFatalFailure()) return;
  // Sparse: the holes of the source stayed holes.
  struct stat st {};
  ASSERT_EQ(stat(dst_image_.c_str(), &st), 0);
  EXPECT_LT(static_cast<uint64_t>(st.st_blocks) * 512, kDiskBytes);
  EXPECT_EQ(storage::probe_format(dst_image_).value(), storage::DiskFormat::Raw);
}

TEST_F(MigrationDisk, Qcow2OverlayKeepsItsBackingFile) {
  const std::string base = dir_ + "/base/base.raw", top = dir_ + "/src/top.qcow2";
  write_initial(base);
  storage::qcow2::CreateOptions o;
  o.size = kDiskBytes;
  o.backing_file = "../base/base.raw";  // relative, as users write it
  o.backing_format = "raw";
  ASSERT_TRUE(storage::qcow2::create_image(top, o));
  const auto base_before = read_image(base);
  move_and_check(top, {});
  if (HasFatalFailure()) return;
  auto image = storage::open_disk(dst_image_, std::nullopt, true);
  ASSERT_TRUE(image);
  const auto info = image.value()->info();
  EXPECT_EQ(info.format, storage::DiskFormat::Qcow2);
  EXPECT_EQ(fs::canonical(info.backing_path), fs::canonical(base));
  EXPECT_EQ(info.virtual_size, kDiskBytes);
  // The chain below stayed where it was, untouched; the new top holds only the guest's writes.
  EXPECT_TRUE(read_image(base) == base_before);
  EXPECT_LT(fs::file_size(dst_image_), kDiskBytes / 2);
}

TEST_F(MigrationDisk, BlocksWrittenOnlyInTheLastRoundArrive) {
  const std::string src = dir_ + "/src/disk.raw";
  write_initial(src);
  // One round, and a limit so generous that whatever the guest wrote after the first pass
  // goes during the pause: those blocks reach the destination only through the dirty log.
  move_and_check(src, {{"max_rounds", 1}, {"downtime_ms", 600000}, {"bandwidth", "16M"}});
  if (HasFatalFailure()) return;
  EXPECT_GT(status_.value("disk_blocks_last", 0), 0u) << status_.dump();
}

TEST_F(MigrationDisk, DestinationStoppedMidCopyRemovesItsImagesAndTheSourceRunsOn) {
  const std::string src = dir_ + "/src/disk.raw";
  write_initial(src);
  auto vm = boot_writer("file=" + src);
  ASSERT_TRUE(vm->expect("W5\r\n", 120s)) << vm->output();
  {
    auto dst = start_destination(1, {"--migrate-disks-to", dir_ + "/dst"});
    // 4 MiB of disk data at 512 KiB/s: the copy is still running when the destination is told to stop.
    auto r = migrate(0, {{"to", "unix:" + incoming_path(1)}, {"migrate_disks", true}, {"bandwidth", "512K"}});
    ASSERT_TRUE(r.value("ok", false)) << r.dump();
    const auto s = wait_phase(0, {"disk-copy", "failed", "completed"}, 60s);
    ASSERT_EQ(s.value("phase", ""), "disk-copy") << s.dump();
    EXPECT_TRUE(fs::exists(dir_ + "/dst/disk.raw"));
    dst->signal(SIGTERM);
    const auto code = dst->wait_exit(30s);
    ASSERT_TRUE(code.has_value());
    EXPECT_NE(*code, 0);
    const auto f = wait_phase(0, {"failed", "completed"}, 60s);
    EXPECT_EQ(f.value("phase", ""), "failed") << f.dump();
  }
  EXPECT_TRUE(fs::is_empty(dir_ + "/dst")) << "the destination left its images behind";
  // The source runs on, on its own image, and finishes its writes there.
  EXPECT_EQ(control(control_path(0), {{"op", "status"}}).value("state", ""), "running");
  ASSERT_TRUE(vm->expect("D=", 300s)) << vm->output();
  ASSERT_TRUE(vm->expect("\n", 10s));
  EXPECT_NE(vm->output().find("D=" + md5_hex(replay(kWrites - 1))), std::string::npos) << guest_text(vm->output());
  EXPECT_TRUE(control(control_path(0), {{"op", "stop"}}).value("ok", false));
  EXPECT_EQ(vm->wait_exit(60s), 0);
  EXPECT_TRUE(read_image(src) == replay(kWrites - 1));
}

TEST_F(MigrationDisk, BadInputIsRefusedAndTheSourceRunsOn) {
  const std::string src = dir_ + "/src/disk.raw";
  write_initial(src);
  auto vm = boot_writer("file=" + src);
  ASSERT_TRUE(vm->expect("W3\r\n", 120s)) << vm->output();
  {
    // A destination that was not told where to put the disks refuses before anything moves.
    auto dst = start_destination(1);
    ASSERT_TRUE(migrate(0, {{"to", "unix:" + incoming_path(1)}, {"migrate_disks", true}}).value("ok", false));
    const auto s = wait_phase(0, {"failed", "completed"}, 60s);
    EXPECT_EQ(s.value("phase", ""), "failed") << s.dump();
    EXPECT_NE(s.value("error", "").find("--migrate-disks-to"), std::string::npos) << s.dump();
    EXPECT_EQ(dst->wait_exit(30s), 2) << dst->output();
  }
  {
    // The other way round: a destination waiting for disks, a source that does not send them.
    auto dst = start_destination(2, {"--migrate-disks-to", dir_ + "/dst"});
    ASSERT_TRUE(migrate(0, {{"to", "unix:" + incoming_path(2)}}).value("ok", false));
    const auto s = wait_phase(0, {"failed", "completed"}, 60s);
    EXPECT_EQ(s.value("phase", ""), "failed") << s.dump();
    EXPECT_NE(s.value("error", "").find("does not copy its disks"), std::string::npos) << s.dump();
    EXPECT_EQ(dst->wait_exit(30s), 2) << dst->output();
  }
  {
    // A file of the same name in the target directory is never overwritten.
    std::ofstream(dir_ + "/dst/disk.raw") << "keep me";
    auto dst = start_destination(3, {"--migrate-disks-to", dir_ + "/dst"});
    ASSERT_TRUE(migrate(0, {{"to", "unix:" + incoming_path(3)}, {"migrate_disks", true}}).value("ok", false));
    const auto s = wait_phase(0, {"failed", "completed"}, 60s);
    EXPECT_EQ(s.value("phase", ""), "failed") << s.dump();
    EXPECT_NE(s.value("error", "").find("File exists"), std::string::npos) << s.dump();
    EXPECT_EQ(dst->wait_exit(30s), 2) << dst->output();
    std::ifstream in(dir_ + "/dst/disk.raw");
    std::string kept;
    std::getline(in, kept);
    EXPECT_EQ(kept, "keep me");
    fs::remove(dir_ + "/dst/disk.raw");
  }
  // "migrate_disks" must be a boolean.
  auto r = migrate(0, {{"to", "unix:" + incoming_path(4)}, {"migrate_disks", "yes"}});
  EXPECT_FALSE(r.value("ok", true)) << r.dump();
  EXPECT_EQ(control(control_path(0), {{"op", "status"}}).value("state", ""), "running");
  const int before = last_write(vm->output());
  EXPECT_TRUE(vm->expect("W" + std::to_string(before + 3) + "\r\n", 60s)) << vm->output();
  EXPECT_TRUE(control(control_path(0), {{"op", "stop"}}).value("ok", false));
  EXPECT_EQ(vm->wait_exit(60s), 0);
}

// A VM whose only disk is read-only has nothing to copy: the migrate request says so at once.
TEST_F(MigrationDisk, ReadOnlyDisksAreNotCopied) {
  const std::string src = dir_ + "/src/disk.raw";
  write_initial(src);
  auto vm = boot_writer("file=" + src + ",readonly=on");
  ASSERT_TRUE(vm->expect("DDFAIL", 120s)) << vm->output();  // the guest cannot write it
  auto r = migrate(0, {{"to", "unix:" + incoming_path(1)}, {"migrate_disks", true}});
  EXPECT_FALSE(r.value("ok", true)) << r.dump();
  EXPECT_NE(r.value("error", "").find("no writable disk"), std::string::npos) << r.dump();
  EXPECT_EQ(control(control_path(0), {{"op", "status"}}).value("state", ""), "running");
  EXPECT_TRUE(control(control_path(0), {{"op", "stop"}}).value("ok", false));
  EXPECT_EQ(vm->wait_exit(60s), 0);
}

}  // namespace
}  // namespace vessel::test
