#include "http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace eyewear::http {

struct Router::Node {
  std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
  std::unique_ptr<Node> param;
  std::string param_name;
  std::vector<const Route*> routes;  // one per method
};

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const auto next = path.find('/', i);
    out.push_back(path.substr(i, next == std::string_view::npos ? std::string_view::npos : next - i));
    if (next == std::string_view::npos) break;
    i = next;
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

const Route& Router::add(Method method, std::string pattern, Handler handler, RouteOptions options) {
  if (pattern.empty() || pattern[0] != '/') throw std::logic_error("route pattern must start with /: " + pattern);
  Node* node = root_.get();
  for (auto seg : split_path(pattern)) {
    if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
      const std::string name(seg.substr(1, seg.size() - 2));
      if (!node->param) {
        node->param = std::make_unique<Node>();
        node->param_name = name;
      } else if (node->param_name != name) {
        throw std::logic_error("conflicting parameter names at " + pattern);
      }
      node = node->param.get();
    } else {
      auto it = node->literals.find(seg);
      if (it == node->literals.end()) it = node->literals.emplace(std::string(seg), std::make_unique<Node>()).first;
      node = it->second.get();
    }
  }
  for (const auto* r : node->routes) {
    if (r->method == method) throw std::logic_error("duplicate route " + std::string(method_name(method)) + " " + pattern);
  }
  auto route = std::make_unique<Route>();
  route->method = method;
  route->label = std::string(method_name(method)) + " " + pattern;
  route->pattern = std::move(pattern);
  route->handler = std::move(handler);
  route->options = std::move(options);
  route->id = routes_.size();
  node->routes.push_back(route.get());
  routes_.push_back(std::move(route));
  return *routes_.back();
}

RouteMatch Router::match(Method method, std::string_view path) const {
  RouteMatch m;
  const Node* node = root_.get();
  std::vector<std::pair<std::string, std::string>> params;
  for (auto seg : split_path(path)) {
    if (auto it = node->literals.find(seg); it != node->literals.end()) {
      node = it->second.get();
    } else if (node->param) {
      std::string decoded;
      if (!percent_decode(seg, decoded, false)) m.bad_encoding = true;
      params.emplace_back(node->param_name, std::move(decoded));
      node = node->param.get();
    } else {
      return m;
    }
  }
  if (node->routes.empty()) return m;
  m.path_found = true;
  for (const auto* r : node->routes) {
    m.allowed.push_back(r->method);
    if (r->method == Method::kGet) m.allowed.push_back(Method::kHead);
  }
  m.allowed.push_back(Method::kOptions);
  std::sort(m.allowed.begin(), m.allowed.end());
  m.allowed.erase(std::unique(m.allowed.begin(), m.allowed.end()), m.allowed.end());
  const Method lookup = method == Method::kHead ? Method::kGet : method;
  for (const auto* r : node->routes) {
    if (r->method == lookup) {
      m.route = r;
      m.params = std::move(params);
      break;
    }
  }
  return m;
}

bool percent_decode(std::string_view in, std::string& out, bool plus_is_space) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t i = 0;
  while (i <= query.size()) {
    const auto amp = query.find('&', i);
    const auto part = query.substr(i, amp == std::string_view::npos ? std::string_view::npos : amp - i);
    if (!part.empty()) {
      const auto eq = part.find('=');
      std::string key, value;
      const bool ok_key = percent_decode(part.substr(0, eq), key, true);
      const bool ok_value = eq == std::string_view::npos || percent_decode(part.substr(eq + 1), value, true);
      if (ok_key && ok_value && !key.empty()) out.emplace_back(std::move(key), std::move(value));
    }
    if (amp == std::string_view::npos) break;
    i = amp + 1;
  }
  return out;
}

std::string allow_header(const std::vector<Method>& methods) {
  std::string out;
  for (auto m : methods) {
    if (!out.empty()) out += ", ";
    out += method_name(m);
  }
  return out;
}

}  // namespace eyewear::http
