// The SiFive test device ("syscon"): guest writes request poweroff or reboot.
#pragma once
#include <atomic>
#include <cstdint>

#include "memory/mmio.h"

namespace vessel::devices {

class SifiveTest : public memory::MmioDevice {
 public:
  enum class Request { None, Poweroff, Fail, Reboot };
  static constexpr uint64_t kSize = 0x1000;

  bool read(uint64_t, unsigned, uint64_t& value) override {
    value = 0;
    return true;
  }
  bool write(uint64_t offset, unsigned size, uint64_t value) override;

  Request request() const { return request_.load(std::memory_order_acquire); }
  int exit_code() const { return code_.load(std::memory_order_relaxed); }
  void clear() { request_.store(Request::None, std::memory_order_release); }

 private:
  std::atomic<Request> request_{Request::None};
  std::atomic<int> code_{0};
};

}  // namespace vessel::devices
