// Typed access to fields of a JSON request body. Every failure is a VALIDATION_FAILED error that
// names the field and the rule it broke; handlers never index JSON unchecked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/types.hpp"

namespace eyewear::http {

class JsonFields {
 public:
  // `prefix` is prepended to field names in errors ("dimensions." for nested objects).
  explicit JsonFields(const nlohmann::json& object, std::string prefix = {});

  // The exchange's parsed body, which must be a JSON object.
  [[nodiscard]] static platform::Result<JsonFields> of(const Exchange& ex);

  [[nodiscard]] platform::Result<std::string> required_string(std::string_view name, std::size_t max_length = 1024) const;
  [[nodiscard]] platform::Result<std::optional<std::string>> optional_string(std::string_view name,
                                                                             std::size_t max_length = 1024) const;
  [[nodiscard]] platform::Result<bool> optional_bool(std::string_view name, bool fallback) const;
  [[nodiscard]] platform::Result<std::optional<std::int64_t>> optional_int(std::string_view name, std::int64_t min,
                                                                           std::int64_t max) const;
  [[nodiscard]] bool has(std::string_view name) const;
  [[nodiscard]] const nlohmann::json& raw() const { return object_; }
  [[nodiscard]] std::string path(std::string_view name) const { return prefix_ + std::string(name); }

 private:
  const nlohmann::json& object_;
  std::string prefix_;
};

}  // namespace eyewear::http
