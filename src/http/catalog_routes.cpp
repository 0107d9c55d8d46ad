#include "http/catalog_routes.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "catalog/codec.hpp"
#include "catalog/search.hpp"
#include "catalog/validation.hpp"
#include "http/auth_middleware.hpp"
#include "http/authz_middleware.hpp"
#include "platform/crypto.hpp"
#include "platform/logging.hpp"

namespace eyewear::http {

namespace {

using platform::Error;
using platform::ErrorCode;
using platform::fail;

constexpr std::size_t kBulkPermissionRows = 100;

class QuotaAllowance final : public catalog::UploadAllowance {
 public:
  explicit QuotaAllowance(authz::Quotas& quotas) : quotas_(quotas) {}
  platform::Result<std::int64_t> take(std::string_view mid, std::int64_t n, bool up_to,
                                      std::string_view request_id) override {
    if (up_to) {
      EW_ASSIGN_OR_RETURN(auto granted, quotas_.consume_up_to(mid, authz::Resource::kProductUploads, n, request_id));
      return granted.first;
    }
    EW_TRY(quotas_.consume(mid, authz::Resource::kProductUploads, n, request_id));
    return n;
  }
  void give_back(std::string_view mid, std::int64_t n, std::string_view request_id) override {
    (void)quotas_.refund(mid, authz::Resource::kProductUploads, n, request_id);
  }

 private:
  authz::Quotas& quotas_;
};

RouteOptions required(std::string permission = {}, BodyPolicy body = BodyPolicy::kNone) {
  RouteOptions o;
  o.auth = Auth::kRequired;
  o.permission = std::move(permission);
  o.body = body;
  return o;
}

platform::Result<bool> flag(const Exchange& ex, std::string_view name) {
  const auto v = ex.request.query_param(name);
  if (!v || *v == "false" || *v == "0") return false;
  if (*v == "true" || *v == "1") return true;
  return fail(Error::validation(std::string(name), "type", std::string(name) + " must be true or false"));
}

// The permission check the authorization middleware does for route-declared permissions.
platform::Status require(CatalogRouteServices& s, const Exchange& ex, authz::Permission p) {
  const auto name = std::string(authz::name_of(p));
  if (ex.principal->kind == Principal::Kind::kApiKey &&
      std::find(ex.principal->scopes.begin(), ex.principal->scopes.end(), name) == ex.principal->scopes.end()) {
    return fail(Error(ErrorCode::kPermissionDenied, "the API key's scopes do not include " + name,
                      {{"permission", name}, {"reason", std::string("scope")}}));
  }
  return s.authorizer.require(ex.principal->manufacturer_id, p);
}

void quota_headers(CatalogRouteServices& s, const std::string& mid, Headers& headers) {
  const auto now = s.quotas.now_ms();
  if (auto state = s.quotas.state(mid, authz::Resource::kProductUploads)) set_rate_limit_headers(headers, *state, now);
}

HandlerResult bulk(CatalogRouteServices& s, Exchange& ex) {
  const auto& mid = ex.principal->manufacturer_id;
  catalog::BulkOptions opts;
  const auto mode = ex.request.query_param("mode").value_or("insert");
  if (mode == "upsert") {
    opts.mode = catalog::BulkMode::kUpsert;
  } else if (mode != "insert") {
    return fail(Error::validation("mode", "enum", "mode must be insert or upsert"));
  }
  EW_ASSIGN_OR_RETURN(opts.atomic, flag(ex, "atomic"));
  EW_ASSIGN_OR_RETURN(opts.partial, flag(ex, "partial"));
  if (opts.atomic && opts.partial) {
    return fail(Error::validation("partial", "exclusive", "partial=true cannot be combined with atomic=true"));
  }
  std::string content_type(ex.request.headers.get("Content-Type").value_or(""));
  for (auto& c : content_type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  catalog::BulkFormat format = catalog::BulkFormat::kJson;
  if (content_type.starts_with("text/csv")) {
    format = catalog::BulkFormat::kCsv;
  } else if (content_type.starts_with("application/x-ndjson")) {
    format = catalog::BulkFormat::kNdjson;
  }
  if (const auto key = ex.request.headers.get("Idempotency-Key")) {
    const bool printable = std::all_of(key->begin(), key->end(), [](char c) { return c > 0x20 && c < 0x7F; });
    if (key->empty() || key->size() > 255 || !printable) {
      return fail(Error::validation("Idempotency-Key", "format",
                                    "Idempotency-Key must be 1 to 255 printable ASCII characters"));
    }
    opts.idempotency_key = std::string(*key);
    // A retry must be the same request: the stored answer is replayed only for the same hash.
    std::string fingerprint = std::string(mode) + (opts.atomic ? "|atomic" : "|") +
                              (opts.partial ? "|partial|" : "||") + std::to_string(static_cast<int>(format)) + "|";
    fingerprint += ex.request.body;
    opts.request_hash = platform::to_hex(platform::sha256(fingerprint));
  }
  opts.request_id = ex.request_id;

  EW_ASSIGN_OR_RETURN(auto rows, catalog::parse_bulk(ex.request.body, format));
  if (rows.size() > kBulkPermissionRows) EW_TRY(require(s, ex, authz::Permission::kBulkOperations));
  auto answer = s.catalog.bulk(mid, std::move(rows), opts, meta_of(ex));
  if (!answer) {
    if (answer.error().code == ErrorCode::kQuotaExceeded) quota_headers(s, mid, ex.extra_headers);
    return fail(answer.error());
  }
  quota_headers(s, mid, ex.extra_headers);
  Response r;
  r.status = 200;
  r.headers.add("Content-Type", "application/json");
  if (answer->replayed) r.headers.add("Idempotent-Replayed", "true");
  r.body = std::move(answer->body);
  return r;
}

HandlerResult search(CatalogRouteServices& s, Exchange& ex) {
  const auto started = std::chrono::steady_clock::now();
  EW_ASSIGN_OR_RETURN(auto req, catalog::parse_search(ex.request.query, ex.principal->manufacturer_id));
  EW_ASSIGN_OR_RETURN(auto page, s.catalog.search(req.query));
  const auto size = static_cast<std::int64_t>(page.items.size());
  const bool has_more = req.page > 0 ? req.query.offset + size < page.total : size == req.page_size;
  // Written directly (a page of products is most of the answer), keys in sorted order as
  // nlohmann's dump of the same object would have them.
  std::string out;
  out.reserve(1024 + page.items.size() * 1400);
  const auto facets = [&](const char* key, const std::vector<catalog::FacetCount>& values) {
    out += key;
    out.push_back('[');
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out.push_back(',');
      out += "{\"count\":";
      out += std::to_string(values[i].count);
      out += ",\"value\":";
      platform::append_json_string(out, values[i].value);
      out.push_back('}');
    }
    out.push_back(']');
  };
  facets("{\"facets\":{\"brand\":", page.brands);
  facets(",\"category\":", page.categories);
  facets(",\"material\":", page.materials);
  out += "},\"items\":[";
  for (std::size_t i = 0; i < page.items.size(); ++i) {
    if (i > 0) out.push_back(',');
    catalog::append_product_json(out, page.items[i]);
  }
  out += "],\"order\":";
  out += req.query.descending ? "\"desc\"" : "\"asc\"";
  out += ",\"page\":{\"has_more\":";
  out += has_more ? "true" : "false";
  out += ",\"next_cursor\":";
  if (has_more && !page.keys.empty()) {
    platform::append_json_string(out, catalog::encode_cursor(page.keys.back(), req.fingerprint));
  } else {
    out += "null";
  }
  out += ",\"page\":";
  out += req.page > 0 ? std::to_string(req.page) : std::string("null");
  out += ",\"page_size\":";
  out += std::to_string(req.page_size);
  out += ",\"pages\":";
  out += std::to_string((page.total + req.page_size - 1) / req.page_size);
  out += "},\"sort\":";
  platform::append_json_string(out, catalog::sort_name(req.query.sort));
  out += ",\"took_ms\":";
  out += nlohmann::json(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count())
             .dump();
  out += ",\"total\":";
  out += std::to_string(page.total);
  out.push_back('}');
  Response r;
  r.status = 200;
  r.headers.add("Content-Type", "application/json");
  r.body = std::move(out);
  return r;
}

HandlerResult stats(CatalogRouteServices& s, Exchange& ex) {
  EW_ASSIGN_OR_RETURN(const auto st, s.catalog.stats(ex.principal->manufacturer_id));
  nlohmann::json categories = nlohmann::json::array();
  for (const auto& c : st.categories) categories.push_back({{"category", c.value}, {"count", c.count}});
  nlohmann::json prices = nlohmann::json::array();
  for (const auto& p : st.prices) {
    const int e = catalog::currency_exponent(p.currency).value_or(2);
    double scale = 1;
    for (int i = 0; i < e; ++i) scale *= 10;
    prices.push_back({{"currency", p.currency},
                      {"count", p.count},
                      {"min", static_cast<double>(p.min_minor) / scale},
                      {"max", static_cast<double>(p.max_minor) / scale},
                      {"average", std::round(p.avg_minor) / scale}});
  }
  nlohmann::json brands = st.brands;
  std::vector<std::string> category_names;
  for (const auto& c : st.categories) category_names.push_back(c.value);
  return Response::json(
      200, {{"total", st.total},
            {"active", st.active},
            {"inactive", st.total - st.active},
            {"categories", category_names},
            {"brands", brands},
            {"per_category", categories},
            {"prices", prices},
            {"latest_upload", st.latest_upload ? nlohmann::json(platform::format_rfc3339(
                                                     platform::from_unix_ms(*st.latest_upload)))
                                               : nlohmann::json()}});
}

HandlerResult export_catalogue(CatalogRouteServices& s, Exchange& ex) {
  const auto format = ex.request.query_param("format").value_or("csv");
  if (format != "csv" && format != "ndjson") {
    return fail(Error::validation("format", "enum", "format must be csv or ndjson"));
  }
  const bool csv = format == "csv";
  // Audited before the first byte leaves: no export goes out unrecorded.
  EW_TRY(s.catalog.audit_export(ex.principal->manufacturer_id, format, meta_of(ex)));
  // Streamed page by page: memory stays at one page and a few chunks, whatever the catalogue's size.
  auto stream = [catalog = &s.catalog, logger = s.logger, mid = ex.principal->manufacturer_id, csv,
                 request_id = ex.request_id](const BodyWriter& write) -> platform::Status {
    std::int64_t rows = 0;
    bool complete = true;
    std::string piece = csv ? catalog::csv_header() : std::string();
    EW_TRY(catalog->export_pages(mid, [&](const std::vector<catalog::Product>& page) {
      for (const auto& p : page) {
        if (csv) {
          catalog::append_csv_row(piece, p);
        } else {
          catalog::append_product_json(piece, p);
          piece.push_back('\n');
        }
      }
      rows += static_cast<std::int64_t>(page.size());
      complete = write(piece);
      piece.clear();
      return complete;
    }));
    if (!piece.empty()) complete = write(piece);  // the header of an empty catalogue
    if (logger != nullptr) {
      logger->info("catalogue export finished", {{"request_id", request_id}, {"format", csv ? "csv" : "ndjson"},
                                                 {"rows", rows}, {"complete", complete}});
    }
    return {};
  };
  auto r = Response::streamed(200, std::move(stream), csv ? "text/csv; charset=utf-8" : "application/x-ndjson");
  r.headers.set("Content-Disposition",
                std::string("attachment; filename=\"catalogue.") + (csv ? "csv" : "ndjson") + "\"");
  return r;
}

}  // namespace

std::unique_ptr<catalog::UploadAllowance> make_upload_allowance(authz::Quotas& quotas) {
  return std::make_unique<QuotaAllowance>(quotas);
}

void add_catalog_routes(Router& router, CatalogRouteServices s) {
  auto create = required("upload_products", BodyPolicy::kJson);
  create.quota_resource = "product_uploads";
  router.add(Method::kPost, "/api/v1/products", [s](Exchange& ex) mutable -> HandlerResult {
    EW_ASSIGN_OR_RETURN(const auto patch, catalog::patch_from_json(*ex.json));
    EW_ASSIGN_OR_RETURN(const auto p, s.catalog.create(ex.principal->manufacturer_id, patch));
    auto r = Response::json(201, catalog::product_json(p));
    r.headers.set("Location", "/api/v1/products/" + p.id);
    return r;
  }, create);

  router.add(Method::kGet, "/api/v1/products", [s](Exchange& ex) mutable { return search(s, ex); }, required());

  auto upload = required("upload_products", BodyPolicy::kUpload);
  upload.content_types = {"application/json", "application/x-ndjson", "text/csv"};
  upload.execution = Execution::kWorker;
  router.add(Method::kPost, "/api/v1/products/bulk", [s](Exchange& ex) mutable { return bulk(s, ex); }, upload);

  router.add(Method::kGet, "/api/v1/products/stats", [s](Exchange& ex) mutable { return stats(s, ex); },
             required("view_basic_analytics"));

  auto exporting = required("export_data");
  exporting.quota_resource = "data_exports";
  exporting.execution = Execution::kWorker;
  router.add(Method::kGet, "/api/v1/products/export", [s](Exchange& ex) mutable { return export_catalogue(s, ex); },
             exporting);

  router.add(Method::kGet, "/api/v1/products/{id}", [s](Exchange& ex) mutable -> HandlerResult {
    EW_ASSIGN_OR_RETURN(const auto p, s.catalog.get(ex.principal->manufacturer_id, ex.param("id")));
    return Response::json(200, catalog::product_json(p));
  }, required());

  router.add(Method::kPatch, "/api/v1/products/{id}", [s](Exchange& ex) mutable -> HandlerResult {
    EW_ASSIGN_OR_RETURN(const auto patch, catalog::patch_from_json(*ex.json));
    EW_ASSIGN_OR_RETURN(const auto p, s.catalog.update(ex.principal->manufacturer_id, ex.param("id"), patch));
    return Response::json(200, catalog::product_json(p));
  }, required("upload_products", BodyPolicy::kJson));

  router.add(Method::kDelete, "/api/v1/products/{id}", [s](Exchange& ex) mutable -> HandlerResult {
    EW_ASSIGN_OR_RETURN(const bool hard, flag(ex, "hard"));
    EW_TRY(s.catalog.remove(ex.principal->manufacturer_id, ex.param("id"), hard, meta_of(ex)));
    return Response::no_content();
  }, required("upload_products"));
}

}  // namespace eyewear::http
