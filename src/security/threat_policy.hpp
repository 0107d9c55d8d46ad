// What a route's input fields are, for the threat screen: declared next to the route in the
// route table (http::RouteOptions::threats) and compiled once into a FieldClassifier.
//
// A field is named either by its member name, matched anywhere ("password" matches /password,
// /owner/password, query.password and a CSV column "password"), or by a JSON pointer pattern with
// `*` for one segment ("/items/*/image_file"). Names compare case-insensitively.
//
// Defaults, so that a route that declares nothing is still safe:
//  - the names in default_secret_fields() are secret: never screened as text, never hashed or
//    recorded beyond their path (a password `' OR 1=1 --` is a legitimate password);
//  - secret fields and "email" must hold scalars: an object there is an operator injection;
//  - everything else is ordinary text.
// A route adds to these, and may declare a default-secret name to be ordinary text (`text`), for
// example a product "code".
#pragma once

#include <bitset>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "security/threat_detector.hpp"

namespace eyewear::security {

struct FieldPolicy {
  std::vector<std::string> secret;      // never screened as text, never recorded
  std::vector<std::string> file_names;  // also checked for path traversal
  std::vector<std::string> templates;   // may hold {{ }} / ${ } placeholders
  std::vector<std::string> scalars;     // must hold a string, number, boolean or null
  std::vector<std::string> text;        // ordinary text even where a default says secret
  std::size_t max_field_bytes = 0;      // 0: EYEWEAR_THREAT_MAX_FIELD_BYTES
  bool screen = true;                   // false: the route's input is not screened at all
};

[[nodiscard]] std::span<const std::string_view> default_secret_fields() noexcept;

// One step of a path while a scan walks a document: a member (name and 1-based position among
// its object's members) or an array index.
struct PathSegment {
  std::string_view name;
  std::size_t index = 0;
  bool is_index = false;
};

struct FieldTraits {
  FieldKind kind = FieldKind::kText;
  bool scalar = false;
};

class FieldClassifier {
 public:
  FieldClassifier() : FieldClassifier(FieldPolicy{}) {}
  explicit FieldClassifier(const FieldPolicy& policy);

  // `name` is the member the value belongs to (for array elements, the array's member);
  // `path` the segments from the document root down to the value (empty outside JSON).
  [[nodiscard]] FieldTraits classify(std::string_view name, std::span<const PathSegment> path = {}) const;
  [[nodiscard]] bool screens() const noexcept { return screen_; }
  [[nodiscard]] std::size_t max_field_bytes() const noexcept { return max_field_bytes_; }

 private:
  enum class Role : std::uint8_t { kText, kSecret, kFileName, kTemplate, kScalar };
  struct Rule {
    Role role;
    std::string name;                  // member-name rule
    std::vector<std::string> pointer;  // pointer rule, segments ("*" = any)
  };
  [[nodiscard]] bool matches(const Rule& rule, std::string_view name, std::span<const PathSegment> path) const;
  [[nodiscard]] FieldTraits classify_by_rules(std::string_view name, std::span<const PathSegment> path) const;

  // ASCII case-insensitive, as the rules compare member names.
  struct FoldedHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept;
  };
  struct FoldedEqual {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const noexcept;
  };

  std::vector<Rule> rules_;
  // Without pointer rules a member's traits depend on its name alone: the traits of every name
  // some rule names (and `email`), worked out once (every other name is ordinary text).
  bool by_name_only_ = true;
  std::unordered_map<std::string, FieldTraits, FoldedHash, FoldedEqual> by_name_;
  // The names of by_name_ by length and first and last byte, case folded (signature()): a name
  // whose signature is not set is in no rule, without hashing it.
  static constexpr std::size_t kSignatures = 1024;
  static std::size_t signature(std::string_view name) noexcept;
  std::bitset<kSignatures> signatures_;
  std::size_t max_field_bytes_ = 0;
  bool screen_ = true;
};

}  // namespace eyewear::security
