#include "container/runtime_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include <nlohmann/json.hpp>

#include "container/process_info.h"

namespace vessel::container {

void RuntimeLog::error(const std::string& message) const {
  fprintf(stderr, "%s: %s\n", program_.c_str(), message.c_str());
  write("error", message);
}

void RuntimeLog::warning(const std::string& message) const { write("warning", message); }

void RuntimeLog::write(const char* level, const std::string& message) const {
  if (path_.empty()) return;
  std::string line;
  if (json_) {
    line = nlohmann::json{{"level", level}, {"msg", message}, {"time", rfc3339_now()}}.dump() + "\n";
  } else {
    line = "time=\"" + rfc3339_now() + "\" level=" + level + " msg=" + nlohmann::json(message).dump() + "\n";
  }
  const int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  (void)!::write(fd, line.data(), line.size());
  close(fd);
}

}  // namespace vessel::container
