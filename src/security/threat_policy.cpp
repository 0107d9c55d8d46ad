#include "security/threat_policy.hpp"

#include <array>

namespace eyewear::security {

namespace {

// The identity API's credentials and the usual names of secrets elsewhere.
constexpr std::array<std::string_view, 24> kDefaultSecrets = {"password",      "current_password",
                                                              "new_password",  "password_confirmation",
                                                              "passphrase",    "pin",
                                                              "token",         "access_token",
                                                              "refresh_token", "id_token",
                                                              "mfa_token",     "device_token",
                                                              "reset_token",   "code",
                                                              "mfa_code",      "totp",
                                                              "otp",           "backup_code",
                                                              "recovery_code", "secret",
                                                              "client_secret", "api_key",
                                                              "private_key",   "authorization"};

bool iequal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::vector<std::string> split_pointer(std::string_view pattern) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= pattern.size()) {
    const auto slash = pattern.find('/', start);
    out.emplace_back(pattern.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

}  // namespace

std::span<const std::string_view> default_secret_fields() noexcept { return kDefaultSecrets; }

FieldClassifier::FieldClassifier(const FieldPolicy& policy)
    : max_field_bytes_(policy.max_field_bytes), screen_(policy.screen) {
  auto add = [this](Role role, std::string_view pattern) {
    Rule rule{role, {}, {}};
    if (pattern.starts_with('/')) {
      rule.pointer = split_pointer(pattern);
    } else {
      rule.name = std::string(pattern);
    }
    rules_.push_back(std::move(rule));
  };
  // First match wins: declarations before defaults, `text` before everything.
  for (const auto& f : policy.text) add(Role::kText, f);
  for (const auto& f : policy.secret) add(Role::kSecret, f);
  for (const auto& f : policy.file_names) add(Role::kFileName, f);
  for (const auto& f : policy.templates) add(Role::kTemplate, f);
  for (auto f : kDefaultSecrets) add(Role::kSecret, f);
  for (const auto& f : policy.scalars) add(Role::kScalar, f);
  for (const auto& rule : rules_) by_name_only_ = by_name_only_ && rule.pointer.empty();
  if (by_name_only_) {
    for (const auto& rule : rules_) by_name_.try_emplace(rule.name, classify_by_rules(rule.name, {}));
    by_name_.try_emplace("email", classify_by_rules("email", {}));  // a scalar without a rule
    for (const auto& [name, traits] : by_name_) signatures_.set(signature(name));
  }
}

std::size_t FieldClassifier::FoldedHash::operator()(std::string_view s) const noexcept {
  std::size_t h = 1469598103934665603ULL;  // FNV-1a over the folded bytes
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  }
  return h;
}

bool FieldClassifier::FoldedEqual::operator()(std::string_view a, std::string_view b) const noexcept {
  return iequal(a, b);
}

bool FieldClassifier::matches(const Rule& rule, std::string_view name, std::span<const PathSegment> path) const {
  if (rule.pointer.empty()) return iequal(rule.name, name);
  if (rule.pointer.size() != path.size()) return false;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const auto& want = rule.pointer[i];
    if (want == "*") continue;
    if (path[i].is_index) {
      if (want != std::to_string(path[i].index)) return false;
    } else if (!iequal(want, path[i].name)) {
      return false;
    }
  }
  return true;
}

FieldTraits FieldClassifier::classify(std::string_view name, std::span<const PathSegment> path) const {
  if (!by_name_only_) return classify_by_rules(name, path);
  // Most names a request carries are named by no rule: their signature alone says so.
  if (!signatures_.test(signature(name))) return FieldTraits{};
  if (const auto it = by_name_.find(name); it != by_name_.end()) return it->second;
  return FieldTraits{};  // a name no rule names: ordinary text
}

std::size_t FieldClassifier::signature(std::string_view name) noexcept {
  if (name.empty()) return 0;
  const auto fold = [](char c) -> std::size_t {
    return static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  };
  return ((name.size() * 31 + fold(name.front())) * 31 + fold(name.back())) % kSignatures;
}

FieldTraits FieldClassifier::classify_by_rules(std::string_view name, std::span<const PathSegment> path) const {
  FieldTraits traits;
  bool kind_known = false;
  for (const auto& rule : rules_) {
    if (rule.role == Role::kScalar) {
      traits.scalar = traits.scalar || matches(rule, name, path);
      continue;
    }
    if (kind_known || !matches(rule, name, path)) continue;
    kind_known = true;
    switch (rule.role) {
      case Role::kSecret:
        traits.kind = FieldKind::kSecret;
        break;
      case Role::kFileName:
        traits.kind = FieldKind::kFileName;
        break;
      case Role::kTemplate:
        traits.kind = FieldKind::kTemplate;
        break;
      case Role::kText:
      case Role::kScalar:
        break;
    }
  }
  traits.scalar = traits.scalar || traits.kind == FieldKind::kSecret || iequal(name, "email");
  return traits;
}

}  // namespace eyewear::security
