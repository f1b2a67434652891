// The "shares" list of a VM definition: [{"tag": "data", "path": "/srv/data", "readonly": true}].
#include <sys/stat.h>

#include <cctype>
#include <set>

#include "manager/json_fields.h"
#include "manager/vm_definition.h"

namespace vessel::manager {

using nlohmann::json;

std::optional<ManagerError> parse_shares(const json& arr, bool check_dirs, std::vector<ShareDefinition>& out) {
  if (!arr.is_array()) return invalid("field 'shares' must be an array", "wrong_type");
  std::set<std::string> tags;
  out.clear();
  for (size_t i = 0; i < arr.size(); ++i) {
    const std::string where = "shares[" + std::to_string(i) + "]";
    Fields g(arr[i], where);
    TRY(g.check_object());
    TRY(g.unknown({"tag", "path", "readonly", "bus"}));
    ShareDefinition s;
    TRY(g.string("tag", s.tag, true));
    TRY(g.string("path", s.path, true));
    TRY(g.boolean("readonly", s.readonly));
    TRY(g.string("bus", s.bus));
    if (!s.bus.empty() && s.bus != "mmio" && s.bus != "pci") return invalid("field '" + where + ".bus' must be mmio or pci");
    // The guest mounts by tag: the same rule as vessel-vmm's --share.
    bool plain = !s.tag.empty() && s.tag.size() <= 64;
    for (char c : s.tag) plain = plain && (isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.');
    if (!plain) return invalid("field '" + where + ".tag' must be 1 to 64 letters, digits, '_', '-' or '.'");
    if (!tags.insert(s.tag).second) return invalid("field '" + where + ".tag': '" + s.tag + "' is used twice");
    if (s.path.empty() || s.path[0] != '/')
      return invalid("field '" + where + ".path' must be an absolute path", "invalid_path");
    if (s.path.find(',') != std::string::npos) return invalid("field '" + where + ".path' must not contain a comma");
    struct stat st {};
    if (check_dirs && (stat(s.path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)))
      return invalid(where + ".path is not a directory: " + s.path, "file_not_found");
    out.push_back(s);
  }
  return std::nullopt;
}

json to_json(const std::vector<ShareDefinition>& shares) {
  json arr = json::array();
  for (const auto& s : shares) {
    json e{{"tag", s.tag}, {"path", s.path}, {"readonly", s.readonly}};
    if (!s.bus.empty()) e["bus"] = s.bus;
    arr.push_back(e);
  }
  return arr;
}

void append_share_args(const std::vector<ShareDefinition>& shares, std::vector<std::string>& args) {
  for (const auto& s : shares) {
    std::string spec = "tag=";
    spec.append(s.tag).append(",path=").append(s.path);
    if (s.readonly) spec += ",readonly=on";
    if (!s.bus.empty()) spec.append(",bus=").append(s.bus);
    args.insert(args.end(), {"--share", spec});
  }
}

}  // namespace vessel::manager
