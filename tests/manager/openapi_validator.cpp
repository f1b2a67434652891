#include "manager/openapi_validator.h"

#include <yaml-cpp/yaml.h>

#include <stdexcept>

namespace vessel::test {
namespace {

using nlohmann::json;

// YAML scalars carry no type: take what the text says (as a JSON reader would).
json to_json(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      json o = json::object();
      for (const auto& kv : n) o[kv.first.as<std::string>()] = to_json(kv.second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      json a = json::array();
      for (const auto& e : n) a.push_back(to_json(e));
      return a;
    }
    case YAML::NodeType::Scalar: {
      const std::string s = n.Scalar();
      if (n.Tag() == "!") return s;  // quoted
      if (s == "true") return true;
      if (s == "false") return false;
      if (s == "null" || s == "~") return nullptr;
      json num = json::parse(s, nullptr, false);
      if (!num.is_discarded() && num.is_number()) return num;
      return s;
    }
    default: return nullptr;
  }
}

bool type_matches(const std::string& type, const json& v) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "integer") return v.is_number_integer();
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_boolean();
  return false;
}

// /v1/vms/{name}/start matches /v1/vms/web/start.
bool path_matches(const std::string& tmpl, const std::string& path) {
  size_t i = 0, j = 0;
  while (i < tmpl.size() && j < path.size()) {
    if (tmpl[i] == '{') {
      i = tmpl.find('}', i) + 1;
      while (j < path.size() && path[j] != '/') ++j;
      continue;
    }
    if (tmpl[i++] != path[j++]) return false;
  }
  return i == tmpl.size() && j == path.size();
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

OpenApi OpenApi::load(const std::string& path) {
  OpenApi api;
  api.doc_ = to_json(YAML::LoadFile(path));
  return api;
}

const json& OpenApi::resolve(const json& node) const {
  if (!node.is_object() || !node.contains("$ref")) return node;
  const std::string ref = node["$ref"];
  if (ref.rfind("#/", 0) != 0) throw std::runtime_error("unsupported $ref " + ref);
  const json* cur = &doc_;
  size_t pos = 2;
  while (pos <= ref.size()) {
    const size_t slash = ref.find('/', pos);
    const std::string key = ref.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    cur = &cur->at(key);
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  return resolve(*cur);
}

std::string OpenApi::validate(const json& schema_in, const json& v, const std::string& where) const {
  const json& s = resolve(schema_in);
  if (s.contains("type") && !type_matches(s["type"], v))
    return where + ": expected " + s["type"].get<std::string>() + ", got " + v.dump();
  if (s.contains("enum")) {
    bool found = false;
    for (const auto& e : s["enum"]) found = found || e == v;
    if (!found) return where + ": " + v.dump() + " is not one of " + s["enum"].dump();
  }
  if (v.is_number() && s.contains("minimum") && v.get<double>() < s["minimum"].get<double>())
    return where + ": below the minimum";
  if (v.is_number() && s.contains("maximum") && v.get<double>() > s["maximum"].get<double>())
    return where + ": above the maximum";
  if (v.is_object()) {
    const json props = s.value("properties", json::object());
    for (const auto& r : s.value("required", json::array()))
      if (!v.contains(r.get<std::string>())) return where + ": missing required '" + r.get<std::string>() + "'";
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (props.contains(it.key())) {
        if (auto e = validate(props[it.key()], it.value(), where + "." + it.key()); !e.empty()) return e;
      } else if (s.contains("additionalProperties")) {
        const json& ap = s["additionalProperties"];
        if (ap.is_boolean() && !ap.get<bool>()) return where + ": unexpected property '" + it.key() + "'";
        if (ap.is_object())
          if (auto e = validate(ap, it.value(), where + "." + it.key()); !e.empty()) return e;
      }
    }
  }
  if (v.is_array() && s.contains("items"))
    for (size_t i = 0; i < v.size(); ++i)
      if (auto e = validate(s["items"], v[i], where + "[" + std::to_string(i) + "]"); !e.empty()) return e;
  return {};
}

std::string OpenApi::check_schema(const std::string& name, const json& value) const {
  return validate(doc_.at("components").at("schemas").at(name), value, name);
}

std::string OpenApi::check_response(const std::string& method, const std::string& path, int status,
                                    const std::string& content_type, const std::string& body) const {
  const json* op = nullptr;
  const std::string route = path.substr(0, path.find('?'));  // query parameters are not part of the route
  for (auto it = doc_["paths"].begin(); it != doc_["paths"].end(); ++it)
    if (path_matches(it.key(), route) && it.value().contains(lower(method))) op = &it.value()[lower(method)];
  if (!op) return method + " " + path + " is not in the OpenAPI document";
  const json& responses = op->at("responses");
  const std::string code = std::to_string(status);
  const json* resp = responses.contains(code) ? &responses[code] : responses.contains("default") ? &responses["default"] : nullptr;
  if (!resp) return method + " " + path + ": status " + code + " is not documented";
  const json& r = resolve(*resp);
  if (!r.contains("content")) return body.empty() ? std::string{} : "response has a body but none is documented";
  const std::string media = content_type.substr(0, content_type.find(';'));
  if (!r["content"].contains(media)) return method + " " + path + " " + code + ": undocumented content type " + media;
  if (media != "application/json") return {};
  json v = json::parse(body, nullptr, false);
  if (v.is_discarded()) return "the body is not JSON: " + body;
  return validate(r["content"][media]["schema"], v, method + " " + path + " " + code);
}

}  // namespace vessel::test
