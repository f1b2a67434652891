// Checks API responses against docs/api/openapi.yaml: finds the operation for a method and
// concrete path, the schema for the status (or "default"), and validates the JSON body
// (type, required, properties, additionalProperties, items, enum, minimum/maximum, $ref).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace vessel::test {

class OpenApi {
 public:
  static OpenApi load(const std::string& path);
  // Empty when the body conforms; otherwise what is wrong (path in the document and why).
  std::string check_response(const std::string& method, const std::string& path, int status,
                             const std::string& content_type, const std::string& body) const;
  // Validates `value` against a named component schema.
  std::string check_schema(const std::string& schema_name, const nlohmann::json& value) const;
  const nlohmann::json& document() const { return doc_; }

 private:
  std::string validate(const nlohmann::json& schema, const nlohmann::json& value, const std::string& where) const;
  const nlohmann::json& resolve(const nlohmann::json& node) const;
  nlohmann::json doc_;
};

}  // namespace vessel::test
