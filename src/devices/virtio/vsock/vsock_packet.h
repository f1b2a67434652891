// The virtio-vsock packet header and its constants (virtio 1.2 section 5.10). Every packet on
// the rx and tx queues starts with this header; OP_RW packets carry `len` payload bytes after it.
#pragma once
#include <cstdint>

namespace vessel::devices::virtio::vsock {

constexpr uint64_t kHostCid = 2;  // VMADDR_CID_HOST: the only peer this device serves
constexpr uint16_t kTypeStream = 1;

enum Op : uint16_t {
  kOpInvalid = 0,
  kOpRequest = 1,
  kOpResponse = 2,
  kOpRst = 3,
  kOpShutdown = 4,
  kOpRw = 5,
  kOpCreditUpdate = 6,
  kOpCreditRequest = 7,
};

// OP_SHUTDOWN flags: the sender will receive (RCV) or send (SEND) no more data.
constexpr uint32_t kShutdownRcv = 1, kShutdownSend = 2;

#pragma pack(push, 1)
struct Header {
  uint64_t src_cid = 0, dst_cid = 0;
  uint32_t src_port = 0, dst_port = 0;
  uint32_t len = 0;
  uint16_t type = kTypeStream, op = kOpInvalid;
  uint32_t flags = 0;
  uint32_t buf_alloc = 0, fwd_cnt = 0;
};
#pragma pack(pop)
static_assert(sizeof(Header) == 44);  // x86-64 and RISC-V are both little-endian: no swapping

// Largest payload of one packet (Linux's VIRTIO_VSOCK_MAX_PKT_BUF_SIZE); longer ones are refused.
constexpr uint32_t kMaxPayload = 64 * 1024;

}  // namespace vessel::devices::virtio::vsock
