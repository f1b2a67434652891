#include "vmm/device_spec.h"

#include <sstream>

#include "storage/open_disk.h"

namespace vessel::vmm {

std::optional<bool> parse_bool(const std::string& t) {
  if (t == "on" || t == "true" || t == "yes" || t == "1") return true;
  if (t == "off" || t == "false" || t == "no" || t == "0") return false;
  return std::nullopt;
}

Result<std::map<std::string, std::string>> parse_options(const std::string& text, const std::string& first_key) {
  std::map<std::string, std::string> out;
  std::stringstream ss(text);
  std::string item;
  bool first = true;
  while (std::getline(ss, item, ',')) {
    const size_t eq = item.find('=');
    std::string key, value;
    if (eq == std::string::npos) {
      if (!first || first_key.empty()) return Error{"'" + item + "' is not of the form key=value in '" + text + "'"};
      key = first_key;
      value = item;
    } else {
      key = item.substr(0, eq);
      value = item.substr(eq + 1);
    }
    if (key.empty()) return Error{"empty option name in '" + text + "'"};
    if (!out.emplace(key, value).second && key != "hostfwd") return Error{"option '" + key + "' given twice"};
    first = false;
  }
  return out;
}

Result<DriveSpec> parse_drive(const std::string& text) {
  auto opts = parse_options(text, "");
  if (!opts) return Error{"--drive: " + opts.error()};
  DriveSpec d;
  for (const auto& [k, v] : opts.value()) {
    if (k == "file") {
      d.file = v;
    } else if (k == "format") {
      d.format = storage::parse_format(v);
      if (!d.format) return Error{"--drive: unknown format '" + v + "' (raw or qcow2)"};
    } else if (k == "readonly") {
      const auto b = parse_bool(v);
      if (!b) return Error{"--drive: readonly must be on or off, not '" + v + "'"};
      d.read_only = *b;
    } else if (k == "serial") {
      if (v.size() > 20) return Error{"--drive: serial is at most 20 characters"};
      d.serial = v;
    } else {
      return Error{"--drive: unknown option '" + k + "' (file, format, readonly, serial)"};
    }
  }
  if (d.file.empty()) return Error{"--drive: file=PATH is required"};
  return d;
}

}  // namespace vessel::vmm
