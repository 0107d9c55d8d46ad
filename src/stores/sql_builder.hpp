// Assembles a statement from constant fragments and bound parameters, for the few queries whose
// shape depends on which optional filters are present (catalogue search). Fragments must be
// string literals (a consteval constructor enforces it), values only ever travel as parameters,
// so every SQL text this can produce is one of a finite set known at compile time; each is
// prepared once per connection like any other statement.
#pragma once

#include <string>
#include <vector>

#include "storage/database.hpp"

namespace eyewear::stores {

class SqlBuilder {
 public:
  struct Fragment {
    consteval Fragment(const char* s) : text(s) {}  // NOLINT(google-explicit-constructor)
    const char* text;
  };

  SqlBuilder& sql(Fragment f) {
    text_ += f.text;
    return *this;
  }
  // Appends a placeholder for a new parameter; returns its number for reuse with ref().
  int bind(storage::Param p) {
    params_.push_back(p);
    text_ += '$';
    text_ += std::to_string(params_.size());
    return static_cast<int>(params_.size());
  }
  SqlBuilder& param(storage::Param p) {
    (void)bind(p);
    return *this;
  }
  // Appends a placeholder for parameter `n` again.
  SqlBuilder& ref(int n) {
    text_ += '$';
    text_ += std::to_string(n);
    return *this;
  }

  [[nodiscard]] const std::string& text() const { return text_; }
  [[nodiscard]] storage::Params params() const { return storage::Params(params_.data(), params_.size()); }

 private:
  std::string text_;
  std::vector<storage::Param> params_;
};

}  // namespace eyewear::stores
