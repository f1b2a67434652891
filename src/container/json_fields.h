// Typed reads of config.json fields. A field of the wrong type is bad input, reported with its
// JSON path ("process.args[2]") so the user can find it.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vessel::container::json_fields {

using Json = nlohmann::json;

// The member `key` of `object`, or nullptr when absent or null.
const Json* member(const Json& object, const char* key);

void require_object(const Json& value, const std::string& where);
std::string as_string(const Json& value, const std::string& where);
bool as_bool(const Json& value, const std::string& where);
int64_t as_int(const Json& value, const std::string& where);
uint64_t as_uint(const Json& value, const std::string& where);
uint32_t as_u32(const Json& value, const std::string& where);
std::vector<std::string> as_strings(const Json& value, const std::string& where);
std::map<std::string, std::string> as_string_map(const Json& value, const std::string& where);

// Optional members: absent (or null) gives the fallback / nullopt.
std::string string_or(const Json& object, const char* key, const std::string& where, std::string fallback = {});
bool bool_or(const Json& object, const char* key, const std::string& where, bool fallback);
std::optional<int64_t> optional_int(const Json& object, const char* key, const std::string& where);
std::optional<uint64_t> optional_uint(const Json& object, const char* key, const std::string& where);
std::vector<std::string> strings_or_empty(const Json& object, const char* key, const std::string& where);

}  // namespace vessel::container::json_fields
