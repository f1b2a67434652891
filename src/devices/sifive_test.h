// The SiFive test device ("syscon"): guest writes request poweroff or reboot.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>

#include "devices/fdt_node.h"
#include "memory/mmio.h"

namespace vessel::devices {

class SifiveTest : public memory::MmioDevice, public FdtNode {
 public:
  enum class Request { None, Poweroff, Fail, Reboot };
  static constexpr uint64_t kSize = 0x1000;
  explicit SifiveTest(uint64_t base) : base_(base) {}

  bool read(uint64_t, unsigned, uint64_t& value) override {
    value = 0;
    return true;
  }
  bool write(uint64_t offset, unsigned size, uint64_t value) override;
  // The syscon node plus the syscon-poweroff and syscon-reboot nodes that point at it.
  void add_fdt_node(FdtBuilder& fdt, const FdtContext& ctx) const override;
  uint32_t phandle = 0;
  // Called on the writing vCPU's thread when the guest requests an action.
  std::function<void(Request, int code)> on_request;

  Request request() const { return request_.load(std::memory_order_acquire); }
  int exit_code() const { return code_.load(std::memory_order_relaxed); }
  void clear() { request_.store(Request::None, std::memory_order_release); }

 private:
  uint64_t base_;
  std::atomic<Request> request_{Request::None};
  std::atomic<int> code_{0};
};

}  // namespace vessel::devices
