// Remembers which slots of a direct-mapped cache were filled since the last flush, so that
// a flush clears those few instead of the whole array (more than kTracked: everything).
#pragma once
#include <cstdint>

namespace vessel {

template <unsigned kTracked>
class FilledSlots {
 public:
  void note(uint16_t index) {
    if (count_ < kTracked) slots_[count_] = index;
    if (count_ <= kTracked) ++count_;
  }
  // Calls clear_one(index) for each noted slot, or clear_all() if too many were noted.
  template <typename One, typename All>
  void flush(One clear_one, All clear_all) {
    if (count_ <= kTracked) {
      for (unsigned i = 0; i < count_; ++i) clear_one(slots_[i]);
    } else {
      clear_all();
    }
    count_ = 0;
  }

 private:
  uint16_t slots_[kTracked] = {};
  unsigned count_ = 0;
};

}  // namespace vessel
