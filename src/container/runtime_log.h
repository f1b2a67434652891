// Error reporting in the OCI runtime CLI style: a line on stderr and, with --log, a record in
// the log file as text (time="..." level=error msg="...") or JSON (--log-format json).
#pragma once
#include <string>

namespace vessel::container {

class RuntimeLog {
 public:
  RuntimeLog(std::string program, std::string path, bool json)
      : program_(std::move(program)), path_(std::move(path)), json_(json) {}

  void error(const std::string& message) const;
  void warning(const std::string& message) const;

 private:
  void write(const char* level, const std::string& message) const;

  std::string program_;
  std::string path_;
  bool json_;
};

}  // namespace vessel::container
