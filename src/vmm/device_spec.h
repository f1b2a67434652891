// Parsing of device options written as QEMU does: `file=disk.qcow2,format=qcow2,readonly=on`.
#pragma once
#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "net/hostfwd.h"
#include "storage/disk_image.h"

namespace vessel::vmm {

// Which transport a virtio device sits behind: one of the 8 virtio-mmio slots (the default),
// or a slot on the PCI bus (virtio-pci; up to 31 devices).
enum class Bus { Mmio, Pci };
const char* to_string(Bus bus);
std::optional<Bus> parse_bus(const std::string& text);

struct DriveSpec {
  std::string file;
  std::optional<storage::DiskFormat> format;  // nullopt: detect from the header
  bool read_only = false;
  std::string serial;
  uint64_t bps = 0, iops = 0;  // rate limits (bytes/s, requests/s); 0 = unlimited
  Bus bus = Bus::Mmio;
};

// `user[,hostfwd=...]...[,mac=..]`, `tap,ifname=NAME[,mac=..]` or `vde,sock=PATH[,mac=..]`.
struct NetSpec {
  enum class Kind { User, Tap, Vde } kind = Kind::User;
  std::string ifname;                     // tap
  std::string sock;                       // vde: the switch's socket directory
  // Drop frames from the guest whose source MAC is not the NIC's. Default: on for a switch
  // port (vde), where other VMs share the segment; off for user and tap.
  std::optional<bool> antispoof;
  std::vector<net::HostForward> hostfwds;  // user
  std::optional<std::array<uint8_t, 6>> mac;
  uint64_t bps = 0, pps = 0;  // rate limits per direction (bytes/s, packets/s); 0 = unlimited
  Bus bus = Bus::Mmio;
};

// `cid=N[,uds=PATH][,bus=mmio|pci]`: virtio-vsock with guest CID N (>= 3; 0-2 are reserved,
// U32_MAX is "any") and Firecracker's host convention on the Unix socket PATH
// (devices/virtio/vsock/vsock_muxer.h).
struct VsockSpec {
  uint64_t cid = 0;
  std::string uds;  // empty: no host socket
  Bus bus = Bus::Mmio;
};

// `tag=NAME,path=DIR[,readonly=on][,bus=mmio|pci]`: host directory DIR shared with the guest
// over virtio-9p under mount tag NAME (devices/virtio/9p, docs/shares.md).
struct ShareSpec {
  std::string tag;
  std::string path;
  bool read_only = false;
  Bus bus = Bus::Mmio;
};

// "key=value,key=value"; a key given twice is an error.
Result<std::map<std::string, std::string>> parse_options(const std::string& text);
Result<DriveSpec> parse_drive(const std::string& text);
Result<NetSpec> parse_net(const std::string& text);
Result<VsockSpec> parse_vsock(const std::string& text);
// Checks the tag and that the directory exists (not what is in it: the device opens it).
Result<ShareSpec> parse_share(const std::string& text);
// The same spec as text, for the VM configuration and the command line.
std::string to_string(const ShareSpec& share);
// Several shares: tags must differ (the guest mounts by tag).
Result<bool> check_shares(const std::vector<ShareSpec>& shares);
// "on"/"off"/"true"/"false"/"yes"/"no"/"1"/"0"
std::optional<bool> parse_bool(const std::string& text);
// A rate: digits with an optional K, M or G suffix (powers of 1024), e.g. 10M.
std::optional<uint64_t> parse_rate(const std::string& text);

}  // namespace vessel::vmm
