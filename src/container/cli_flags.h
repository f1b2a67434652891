// A small parser for the runc-style command line: "--name value", "--name=value", "-n value",
// single-dash long names ("-bundle"), repeated flags, and "--" ending the flags.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace vessel::container {

struct FlagSpec {
  std::vector<std::string> names;  // the first is the canonical one, without dashes
  bool takes_value = false;
};

class ParsedFlags {
 public:
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  std::string value(const std::string& name, const std::string& fallback = {}) const;
  const std::vector<std::string>& values(const std::string& name) const;
  bool flag(const std::string& name) const;  // a boolean flag ("--x", "--x=true")
  const std::vector<std::string>& positionals() const { return positionals_; }

  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positionals_;
};

// Parses args[begin..]. With `stop_at_positional`, the first non-flag argument and everything
// after it are positionals (for "exec ID CMD ARGS..."). Throws BadInput for unknown flags.
ParsedFlags parse_flags(const std::vector<std::string>& args, size_t begin, const std::vector<FlagSpec>& specs,
                        bool stop_at_positional, const std::string& command);

}  // namespace vessel::container
