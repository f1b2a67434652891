// Minimal leveled logging to stderr. Hot paths must not log unconditionally.
#pragma once
#include <cstdarg>

namespace vessel::log {

enum class Level { Error = 0, Warn = 1, Info = 2, Debug = 3 };

void set_level(Level level);
Level level();
[[gnu::format(printf, 2, 3)]] void write(Level level, const char* fmt, ...);

}  // namespace vessel::log

#define VESSEL_LOG(lvl, ...)                                                   \
  do {                                                                         \
    if (static_cast<int>(lvl) <= static_cast<int>(::vessel::log::level()))     \
      ::vessel::log::write(lvl, __VA_ARGS__);                                  \
  } while (0)
#define LOG_ERROR(...) VESSEL_LOG(::vessel::log::Level::Error, __VA_ARGS__)
#define LOG_WARN(...) VESSEL_LOG(::vessel::log::Level::Warn, __VA_ARGS__)
#define LOG_INFO(...) VESSEL_LOG(::vessel::log::Level::Info, __VA_ARGS__)
#define LOG_DEBUG(...) VESSEL_LOG(::vessel::log::Level::Debug, __VA_ARGS__)
