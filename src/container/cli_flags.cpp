#include "container/cli_flags.h"

#include "container/error.h"

namespace vessel::container {

std::string ParsedFlags::value(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() || it->second.empty() ? fallback : it->second.back();
}

const std::vector<std::string>& ParsedFlags::values(const std::string& name) const {
  static const std::vector<std::string> kNone;
  auto it = values_.find(name);
  return it == values_.end() ? kNone : it->second;
}

bool ParsedFlags::flag(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return false;
  const std::string v = it->second.empty() ? "true" : it->second.back();
  return v != "false" && v != "0";
}

ParsedFlags parse_flags(const std::vector<std::string>& args, size_t begin, const std::vector<FlagSpec>& specs,
                        bool stop_at_positional, const std::string& command) {
  ParsedFlags out;
  for (size_t i = begin; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      out.positionals_.insert(out.positionals_.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      if (stop_at_positional) {
        out.positionals_.insert(out.positionals_.end(), args.begin() + static_cast<long>(i), args.end());
        break;
      }
      out.positionals_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(arg[1] == '-' ? 2 : 1);
    std::string inline_value;
    bool has_inline = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_inline = true;
    }
    const FlagSpec* spec = nullptr;
    for (const auto& s : specs)
      for (const auto& n : s.names)
        if (n == name) spec = &s;
    if (!spec) throw_bad_input(command + ": unknown flag " + arg);
    auto& slot = out.values_[spec->names.front()];
    if (!spec->takes_value) {
      slot.push_back(has_inline ? inline_value : "true");
      continue;
    }
    if (has_inline) {
      slot.push_back(inline_value);
    } else {
      if (i + 1 >= args.size()) throw_bad_input(command + ": flag " + arg + " needs a value");
      slot.push_back(args[++i]);
    }
  }
  return out;
}

}  // namespace vessel::container
