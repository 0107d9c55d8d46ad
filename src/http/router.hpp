// The route table: every route of the service is declared once, with what it needs (body
// policy, authentication, permission, quota resource, where it runs). Matching walks a trie of
// path segments; a path that exists with other methods yields 405 with an Allow list derived
// from this table, never kept by hand.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/types.hpp"
#include "security/threat_policy.hpp"

namespace eyewear::http {

enum class BodyPolicy {
  kNone,          // no body expected; one that is sent is ignored
  kJson,          // application/json body required
  kJsonOptional,  // application/json body when present
  kUpload,        // one of RouteOptions::content_types; the upload size limit applies
};

enum class Execution {
  kInline,  // on the I/O thread: cheap handlers
  kWorker,  // on the worker pool: CPU-heavy or long handlers (password hashing, imports)
};

enum class Auth {
  kPublic,    // no credentials needed
  kOptional,  // credentials used when present
  kRequired,  // an account session or an API key
  kSession,   // an account session only (not API keys)
  kAdmin,     // an account session with the platform_admin role
};

struct RouteOptions {
  BodyPolicy body = BodyPolicy::kNone;
  std::vector<std::string> content_types;  // for kUpload
  std::size_t max_body_bytes = 0;          // 0: the configured default for the policy
  Execution execution = Execution::kInline;
  Auth auth = Auth::kPublic;
  std::string permission;      // tier permission required (authz), empty: none
  std::string quota_resource;  // quota consumed per successful call (authz), empty: none
  bool operational = false;    // probes and metrics: not part of /api, no JSON error envelope needs
  // What the route's input fields are, for the threat screen (secrets, file names, templates,
  // scalars); the defaults suit most routes (docs/SECURITY.md).
  security::FieldPolicy threats;
};

struct Route {
  Method method;
  std::string pattern;  // e.g. /api/v1/products/{id}
  std::string label;    // e.g. "GET /api/v1/products/{id}": metrics and logs
  Handler handler;
  RouteOptions options;
  std::size_t id = 0;
};

struct RouteMatch {
  const Route* route = nullptr;
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<Method> allowed;  // methods registered on the matched path
  bool path_found = false;
  bool bad_encoding = false;  // a path parameter was not valid percent-encoding
};

class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Adds a route; a duplicate (method, pattern) or a malformed pattern throws std::logic_error at
  // start-up.
  const Route& add(Method method, std::string pattern, Handler handler, RouteOptions options = {});

  [[nodiscard]] RouteMatch match(Method method, std::string_view path) const;
  [[nodiscard]] const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

 private:
  struct Node;
  std::unique_ptr<Node> root_;
  std::vector<std::unique_ptr<Route>> routes_;
};

// Percent-decodes a path segment or query component; false on malformed escapes.
[[nodiscard]] bool percent_decode(std::string_view in, std::string& out, bool plus_is_space);

// Splits and decodes a query string; malformed pairs are skipped.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);

// "GET, HEAD, POST" for an Allow header.
[[nodiscard]] std::string allow_header(const std::vector<Method>& methods);

}  // namespace eyewear::http
