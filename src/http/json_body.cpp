#include "http/json_body.hpp"

namespace eyewear::http {

using platform::fail;

JsonFields::JsonFields(const nlohmann::json& object, std::string prefix) : object_(object), prefix_(std::move(prefix)) {}

platform::Result<JsonFields> JsonFields::of(const Exchange& ex) {
  if (!ex.json || !ex.json->is_object()) {
    return fail(Error::validation("body", "type", "the request body must be a JSON object"));
  }
  return JsonFields(*ex.json);
}

bool JsonFields::has(std::string_view name) const {
  auto it = object_.find(name);
  return it != object_.end() && !it->is_null();
}

platform::Result<std::string> JsonFields::required_string(std::string_view name, std::size_t max_length) const {
  EW_ASSIGN_OR_RETURN(auto v, optional_string(name, max_length));
  if (!v || v->empty()) return fail(Error::validation(path(name), "required", path(name) + " is required"));
  return *v;
}

platform::Result<std::optional<std::string>> JsonFields::optional_string(std::string_view name,
                                                                         std::size_t max_length) const {
  auto it = object_.find(name);
  if (it == object_.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return fail(Error::validation(path(name), "type", path(name) + " must be a string"));
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() > max_length) {
    return fail(Error(ErrorCode::kValidationFailed,
                      path(name) + " must be at most " + std::to_string(max_length) + " bytes",
                      {{"field", path(name)}, {"rule", "max_length"}, {"max", static_cast<std::int64_t>(max_length)}}));
  }
  return std::optional<std::string>(s);
}

platform::Result<bool> JsonFields::optional_bool(std::string_view name, bool fallback) const {
  auto it = object_.find(name);
  if (it == object_.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) return fail(Error::validation(path(name), "type", path(name) + " must be true or false"));
  return it->get<bool>();
}

platform::Result<std::optional<std::int64_t>> JsonFields::optional_int(std::string_view name, std::int64_t min,
                                                                       std::int64_t max) const {
  auto it = object_.find(name);
  if (it == object_.end() || it->is_null()) return std::optional<std::int64_t>();
  if (!it->is_number_integer()) return fail(Error::validation(path(name), "type", path(name) + " must be an integer"));
  const auto v = it->get<std::int64_t>();
  if (v < min || v > max) {
    return fail(Error(ErrorCode::kValidationFailed,
                      path(name) + " must be between " + std::to_string(min) + " and " + std::to_string(max),
                      {{"field", path(name)}, {"rule", "range"}, {"min", min}, {"max", max}}));
  }
  return std::optional<std::int64_t>(v);
}

}  // namespace eyewear::http
