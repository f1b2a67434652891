#include "common/log.h"

#include <atomic>
#include <cstdio>

namespace vessel::log {
namespace {
std::atomic<Level> g_level{Level::Warn};
const char* prefix(Level l) {
  switch (l) {
    case Level::Error: return "error";
    case Level::Warn: return "warning";
    case Level::Info: return "info";
    case Level::Debug: return "debug";
  }
  return "?";
}
}  // namespace

void set_level(Level level) { g_level.store(level, std::memory_order_relaxed); }
Level level() { return g_level.load(std::memory_order_relaxed); }

void write(Level lvl, const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  fprintf(stderr, "vessel: %s: %s\n", prefix(lvl), buf);
}

}  // namespace vessel::log
