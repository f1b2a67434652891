#include "container/capabilities.h"

#include <sys/capability.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "container/error.h"

namespace vessel::container {

namespace {
struct CapFree {
  void operator()(void* p) const { cap_free(p); }
};
using CapHandle = std::unique_ptr<std::remove_pointer_t<cap_t>, CapFree>;

bool contains(const std::vector<int>& set, int cap) { return std::find(set.begin(), set.end(), cap) != set.end(); }
int last_supported_cap() { return static_cast<int>(cap_max_bits()) - 1; }

void set_flag(cap_t caps, cap_flag_t flag, const std::vector<int>& list) {
  for (int cap : list) {
    if (cap > last_supported_cap()) continue;  // unknown to this kernel: nothing to grant
    cap_value_t value = cap;
    if (cap_set_flag(caps, flag, 1, &value, CAP_SET) != 0) throw_errno("cap_set_flag");
  }
}
}  // namespace

int capability_from_name(const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower.rfind("cap_", 0) != 0) return -1;
  cap_value_t value = 0;
  if (cap_from_name(lower.c_str(), &value) != 0) return -1;
  return value;
}

std::string capability_name(int cap) {
  char* text = cap_to_name(cap);
  std::string out = text ? text : std::to_string(cap);
  cap_free(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

void drop_bounding_set(const CapabilitySets& sets) {
  for (int cap = 0; cap <= last_supported_cap(); ++cap) {
    if (contains(sets.bounding, cap)) continue;
    if (cap_drop_bound(cap) != 0 && errno != EINVAL) throw_errno("drop capability " + capability_name(cap) + " from bounding set");
  }
}

void apply_capability_sets(const CapabilitySets& sets) {
  CapHandle caps(cap_init());
  if (!caps) throw_errno("cap_init");
  set_flag(caps.get(), CAP_EFFECTIVE, sets.effective);
  set_flag(caps.get(), CAP_PERMITTED, sets.permitted);
  set_flag(caps.get(), CAP_INHERITABLE, sets.inheritable);
  if (cap_set_proc(caps.get()) != 0) throw_errno("set process capabilities");
  if (cap_reset_ambient() != 0 && errno != EINVAL) throw_errno("reset ambient capabilities");
  // The kernel raises an ambient capability only when it is both permitted and inheritable.
  // Configs list ambient sets without an inheritable one (`runc spec` does): as runc does, the
  // capabilities the kernel refuses (EPERM) are left out rather than failing the container.
  for (int cap : sets.ambient) {
    if (cap > last_supported_cap()) continue;
    if (cap_set_ambient(cap, CAP_SET) != 0 && errno != EPERM)
      throw_errno("raise ambient capability " + capability_name(cap));
  }
}

std::vector<std::string> current_effective_capabilities() {
  std::vector<std::string> out;
  CapHandle caps(cap_get_proc());
  if (!caps) return out;
  for (int cap = 0; cap <= last_supported_cap(); ++cap) {
    cap_flag_value_t v = CAP_CLEAR;
    if (cap_get_flag(caps.get(), cap, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET) out.push_back(capability_name(cap));
  }
  return out;
}

}  // namespace vessel::container
