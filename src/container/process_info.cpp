#include "container/process_info.h"

#include <time.h>

#include <cstdio>
#include <sstream>

#include "container/state_store.h"

namespace vessel::container {

uint64_t process_start_time(pid_t pid) {
  if (pid <= 0) return 0;
  auto text = read_whole_file("/proc/" + std::to_string(pid) + "/stat");
  if (!text) return 0;
  // The command name may contain spaces and parentheses: fields start after the last ')'.
  const auto close = text->rfind(')');
  if (close == std::string::npos) return 0;
  std::stringstream ss(text->substr(close + 2));
  std::string state;
  ss >> state;
  if (state == "Z" || state == "X") return 0;
  std::string field;
  for (int i = 4; i < 22 && ss >> field; ++i) {
  }
  uint64_t start = 0;
  ss >> start;
  return start;
}

std::string rfc3339_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm utc{};
  gmtime_r(&ts.tv_sec, &utc);
  char buf[64];
  const size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
  snprintf(buf + n, sizeof buf - n, ".%09ldZ", static_cast<long>(ts.tv_nsec));
  return buf;
}

}  // namespace vessel::container
