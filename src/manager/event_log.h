// Structured logs: one JSON object per line ({"ts":..., "level":..., "msg":..., fields...}).
#pragma once
#include <cstdio>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

namespace vessel::manager {

class EventLog {
 public:
  explicit EventLog(FILE* out) : out_(out) {}
  void info(const std::string& msg, nlohmann::json fields = nlohmann::json::object()) { emit("info", msg, fields); }
  void warn(const std::string& msg, nlohmann::json fields = nlohmann::json::object()) { emit("warn", msg, fields); }
  void error(const std::string& msg, nlohmann::json fields = nlohmann::json::object()) { emit("error", msg, fields); }

 private:
  void emit(const char* level, const std::string& msg, nlohmann::json& fields);
  FILE* out_;
  std::mutex mutex_;
};

}  // namespace vessel::manager
