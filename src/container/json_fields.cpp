#include "container/json_fields.h"

#include <limits>

#include "container/error.h"

namespace vessel::container::json_fields {

namespace {
[[noreturn]] void wrong_type(const std::string& where, const char* expected) {
  throw_bad_input("config: " + where + " must be " + expected);
}
std::string child(const std::string& where, const char* key) { return where.empty() ? key : where + "." + key; }
}  // namespace

const Json* member(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

void require_object(const Json& value, const std::string& where) {
  if (!value.is_object()) wrong_type(where, "an object");
}

std::string as_string(const Json& value, const std::string& where) {
  if (!value.is_string()) wrong_type(where, "a string");
  return value.get<std::string>();
}

bool as_bool(const Json& value, const std::string& where) {
  if (!value.is_boolean()) wrong_type(where, "a boolean");
  return value.get<bool>();
}

int64_t as_int(const Json& value, const std::string& where) {
  if (value.is_number_unsigned()) {
    const auto u = value.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) wrong_type(where, "a 64-bit signed integer");
    return static_cast<int64_t>(u);
  }
  if (!value.is_number_integer()) wrong_type(where, "an integer");
  return value.get<int64_t>();
}

uint64_t as_uint(const Json& value, const std::string& where) {
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_number_integer() && value.get<int64_t>() >= 0) return static_cast<uint64_t>(value.get<int64_t>());
  wrong_type(where, "a non-negative integer");
}

uint32_t as_u32(const Json& value, const std::string& where) {
  const uint64_t v = as_uint(value, where);
  if (v > std::numeric_limits<uint32_t>::max()) wrong_type(where, "a 32-bit unsigned integer");
  return static_cast<uint32_t>(v);
}

std::vector<std::string> as_strings(const Json& value, const std::string& where) {
  if (!value.is_array()) wrong_type(where, "an array of strings");
  std::vector<std::string> out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) out.push_back(as_string(value[i], where + "[" + std::to_string(i) + "]"));
  return out;
}

std::map<std::string, std::string> as_string_map(const Json& value, const std::string& where) {
  if (!value.is_object()) wrong_type(where, "an object of strings");
  std::map<std::string, std::string> out;
  for (auto it = value.begin(); it != value.end(); ++it) out[it.key()] = as_string(it.value(), where + "." + it.key());
  return out;
}

std::string string_or(const Json& object, const char* key, const std::string& where, std::string fallback) {
  const Json* v = member(object, key);
  return v ? as_string(*v, child(where, key)) : fallback;
}

bool bool_or(const Json& object, const char* key, const std::string& where, bool fallback) {
  const Json* v = member(object, key);
  return v ? as_bool(*v, child(where, key)) : fallback;
}

std::optional<int64_t> optional_int(const Json& object, const char* key, const std::string& where) {
  const Json* v = member(object, key);
  if (!v) return std::nullopt;
  return as_int(*v, child(where, key));
}

std::optional<uint64_t> optional_uint(const Json& object, const char* key, const std::string& where) {
  const Json* v = member(object, key);
  if (!v) return std::nullopt;
  return as_uint(*v, child(where, key));
}

std::vector<std::string> strings_or_empty(const Json& object, const char* key, const std::string& where) {
  const Json* v = member(object, key);
  return v ? as_strings(*v, child(where, key)) : std::vector<std::string>{};
}

}  // namespace vessel::container::json_fields
