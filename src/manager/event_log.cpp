#include "manager/event_log.h"

#include <chrono>

namespace vessel::manager {

void EventLog::emit(const char* level, const std::string& msg, nlohmann::json& fields) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  nlohmann::json line{{"ts", std::chrono::duration<double>(now).count()}, {"level", level}, {"msg", msg}};
  if (fields.is_object()) line.update(fields);
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard lock(mutex_);
  fputs(text.c_str(), out_);
  fflush(out_);
}

}  // namespace vessel::manager
