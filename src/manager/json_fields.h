// Strict reading of API request bodies: each field's type checked, unknown fields refused,
// errors naming the field's path (shared by the VM and container definitions).
#pragma once
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "manager/manager_error.h"

namespace vessel::manager {

using nlohmann::json;

// Walks one JSON object, checking each field's type and that no unknown field is present.
class Fields {
 public:
  Fields(const json& obj, std::string where) : obj_(obj), where_(std::move(where)) {}
  std::optional<ManagerError> check_object() const {
    if (!obj_.is_object()) return invalid(where_ + " must be a JSON object", "wrong_type");
    return std::nullopt;
  }
  std::optional<ManagerError> unknown(const std::set<std::string>& known) const {
    for (auto it = obj_.begin(); it != obj_.end(); ++it)
      if (!known.count(it.key())) return invalid("unknown field '" + prefix() + it.key() + "'", "unknown_field");
    return std::nullopt;
  }
  bool has(const char* key) const { return obj_.contains(key); }
  std::optional<ManagerError> string(const char* key, std::string& out, bool required = false) const {
    if (!obj_.contains(key)) return required ? std::optional<ManagerError>(missing(key)) : std::nullopt;
    if (!obj_[key].is_string()) return wrong(key, "a string");
    out = obj_[key].get<std::string>();
    return std::nullopt;
  }
  std::optional<ManagerError> boolean(const char* key, bool& out) const {
    if (!obj_.contains(key)) return std::nullopt;
    if (!obj_[key].is_boolean()) return wrong(key, "a boolean");
    out = obj_[key].get<bool>();
    return std::nullopt;
  }
  std::optional<ManagerError> unsigned_int(const char* key, uint64_t& out) const {
    if (!obj_.contains(key)) return std::nullopt;
    const json& v = obj_[key];
    if (!v.is_number_integer() || (!v.is_number_unsigned() && v.get<int64_t>() < 0))
      return wrong(key, "a non-negative integer");
    out = v.get<uint64_t>();
    return std::nullopt;
  }
  std::optional<ManagerError> number(const char* key, double& out) const {
    if (!obj_.contains(key)) return std::nullopt;
    if (!obj_[key].is_number()) return wrong(key, "a number");
    out = obj_[key].get<double>();
    return std::nullopt;
  }
  const json& operator[](const char* key) const { return obj_[key]; }
  std::string prefix() const { return where_ == "request body" ? "" : where_ + "."; }
  ManagerError wrong(const std::string& key, const std::string& what) const {
    return invalid("field '" + prefix() + key + "' must be " + what, "wrong_type");
  }
  ManagerError missing(const std::string& key) const {
    return invalid("missing required field '" + prefix() + key + "'", "missing_field");
  }
  std::optional<ManagerError> strings(const char* key, std::vector<std::string>& out) const {
    if (!obj_.contains(key)) return std::nullopt;
    if (!obj_[key].is_array()) return wrong(key, "an array of strings");
    out.clear();
    for (const auto& v : obj_[key]) {
      if (!v.is_string()) return wrong(key, "an array of strings");
      out.push_back(v.get<std::string>());
    }
    return std::nullopt;
  }

 private:
  const json& obj_;
  std::string where_;
};

#define TRY(expr)                          \
  do {                                     \
    if (auto e_ = (expr)) return *e_;      \
  } while (0)

}  // namespace vessel::manager
