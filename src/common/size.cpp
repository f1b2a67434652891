#include "common/size.h"

#include <cctype>

namespace vessel {

std::optional<uint64_t> parse_size(std::string_view s) {
  if (s.empty() || !isdigit(static_cast<unsigned char>(s[0]))) return std::nullopt;
  uint64_t n = 0;
  size_t i = 0;
  for (; i < s.size() && isdigit(static_cast<unsigned char>(s[i])); ++i) {
    if (n > (UINT64_MAX - 9) / 10) return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(s[i] - '0');
  }
  std::string_view unit = s.substr(i);
  unsigned shift;
  if (unit.empty()) shift = 20;
  else {
    const char u = static_cast<char>(toupper(static_cast<unsigned char>(unit[0])));
    std::string_view rest = unit.substr(1);
    switch (u) {
      case 'B': shift = 0; rest = unit.substr(1); if (!rest.empty()) return std::nullopt; break;
      case 'K': shift = 10; break;
      case 'M': shift = 20; break;
      case 'G': shift = 30; break;
      case 'T': shift = 40; break;
      default: return std::nullopt;
    }
    if (u != 'B' && !(rest.empty() || rest == "B" || rest == "iB" || rest == "b")) return std::nullopt;
  }
  if (n > (UINT64_MAX >> shift)) return std::nullopt;
  return n << shift;
}

}  // namespace vessel
