#include "control/body_rules.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace ivrcast::control {
namespace {

namespace http = connectors::http;
using json = nlohmann::json;

/// One step of a field's path: a key, or "name[]" for the objects of the array at `name`.
using path = std::vector<std::string>;

std::vector<std::string> split(std::string_view pattern) {
  std::vector<std::string> out;
  size_t from = 0;
  while (from <= pattern.size()) {
    auto dot = pattern.find('.', from);
    if (dot == std::string_view::npos)
      dot = pattern.size();
    out.emplace_back(pattern.substr(from, dot - from));
    from = dot + 1;
  }
  return out;
}

/// Whether pattern step `pat` admits path step `step`: the same key, the key of an array
/// ("contacts" for "contacts[]"), or any key for "*".
bool step_matches(std::string_view pat, std::string_view step) {
  if (pat == step)
    return true;
  if (pat == "*")
    return !step.ends_with("[]");
  return pat.size() == step.size() + 2 && pat.starts_with(step) && pat.ends_with("[]");
}

/// Whether some allowed pattern starts with `p` (so `p` itself is a field, or holds fields).
bool allowed_prefix(const path& p, const std::vector<std::vector<std::string>>& patterns) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const auto& pat) {
    if (pat.size() < p.size())
      return false;
    for (size_t i = 0; i < p.size(); ++i)
      if (!step_matches(pat[i], p[i]))
        return false;
    return true;
  });
}

void walk(const json& obj, path& at, const std::string& shown,
          const std::vector<std::vector<std::string>>& patterns, std::vector<std::string>& out) {
  for (const auto& [key, value] : obj.items()) {
    auto name = shown.empty() ? key : shown + "." + key;
    at.push_back(key);
    if (!allowed_prefix(at, patterns)) {
      out.push_back(name);
    } else if (value.is_object()) {
      walk(value, at, name, patterns, out);
    } else if (value.is_array()) {
      at.back() = key + "[]";
      for (size_t i = 0; i < value.size(); ++i)
        if (value[i].is_object())
          walk(value[i], at, name + "[" + std::to_string(i) + "]", patterns, out);
    }
    at.pop_back();
  }
}

bool is_wav(std::string_view type) {
  return type == "audio/wav" || type == "audio/x-wav" || type == "audio/wave" ||
         type == "audio/vnd.wave";
}

http::response unsupported(std::string_view wanted) {
  return http::error(415, "unsupported_media_type",
                     "send the body as " + std::string{wanted} + " (Content-Type)");
}

}  // namespace

std::string media_type(std::string_view content_type) {
  auto end = content_type.find(';');
  auto t = content_type.substr(0, end);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t'))
    t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t'))
    t.remove_suffix(1);
  std::string out{t};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::vector<std::string> unknown_fields(const json& body, const std::vector<std::string>& allowed) {
  std::vector<std::vector<std::string>> patterns;
  patterns.reserve(allowed.size());
  for (const auto& a : allowed)
    patterns.push_back(split(a));
  std::vector<std::string> out;
  path at;
  if (body.is_object())
    walk(body, at, "", patterns, out);
  return out;
}

std::optional<http::response> check_body(const route_info& route, const http::request& req,
                                         size_t max_json_bytes, json& out) {
  out = json::object();
  auto type = media_type(req.header("content-type"));
  if (route.body == body_kind::wav)
    return is_wav(type) ? std::nullopt : std::optional{unsupported("audio/wav")};
  if (route.body == body_kind::none && req.body.empty())
    return std::nullopt;
  if (type != "application/json")
    return unsupported("application/json");
  if (req.body.size() > max_json_bytes)
    return http::error(413, "body_too_large",
                       "JSON bodies are limited to " + std::to_string(max_json_bytes) + " bytes");
  out = json::parse(req.body, nullptr, false);
  if (out.is_discarded())
    return http::error(400, "bad_json", "the body is not valid JSON");
  if (!out.is_object())
    return http::error(400, "bad_json", "the body must be a JSON object");
  auto unknown = unknown_fields(out, route.fields);
  if (unknown.empty())
    return std::nullopt;
  json details = json::array();
  for (const auto& f : unknown)
    details.push_back(
        {{"field", f}, {"code", "unknown_field"}, {"message", "is not a field of this request"}});
  return http::error(400, "unknown_field",
                     unknown.front() + ": is not a field of this request (a typo?)",
                     details.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace ivrcast::control
