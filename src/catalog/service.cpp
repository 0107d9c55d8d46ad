#include "catalog/service.hpp"

#include <nlohmann/json.hpp>
#include <unordered_map>

#include "catalog/codec.hpp"
#include "catalog/validation.hpp"
#include "platform/logging.hpp"

namespace eyewear::catalog {

using nlohmann::json;
using platform::ErrorCode;
using platform::fail;

namespace {

Error sku_taken(std::string_view sku) {
  return Error(ErrorCode::kConflict, "a product with this sku exists already",
               {{"field", std::string("sku")}, {"rule", std::string("unique")}, {"sku", std::string(sku)}});
}

std::string_view status_name(RowStatus s) {
  switch (s) {
    case RowStatus::kCreated: return "created";
    case RowStatus::kUpdated: return "updated";
    case RowStatus::kError: return "error";
    case RowStatus::kSkipped: return "skipped";
  }
  return "error";
}

json error_json(const Error& e) {
  json j = {{"code", platform::code_name(e.code)}, {"message", e.message}};
  for (const auto& [k, v] : e.details) {
    if (k == "field" || k == "rule") {
      if (const auto* s = std::get_if<std::string>(&v)) j[k] = *s;
    }
  }
  if (!j.contains("field")) j["field"] = nullptr;
  return j;
}

json row_json(const RowResult& r) {
  json j = {{"row", r.row}, {"sku", r.sku}, {"status", status_name(r.status)}};
  if (!r.id.empty()) j["id"] = r.id;
  if (r.error) j["error"] = error_json(*r.error);
  return j;
}

platform::AuditEvent event(std::string type, std::string_view mid, const platform::RequestMeta& meta, json details,
                           std::int64_t now) {
  platform::AuditEvent e;
  e.type = std::move(type);
  e.manufacturer_id = std::string(mid);
  e.ip = meta.ip;
  e.user_agent = meta.user_agent;
  e.request_id = meta.request_id;
  e.details = details.dump();
  e.at_ms = now;
  return e;
}

}  // namespace

// Written by hand: the answer to a 10,000-row request is built on every upload, and a DOM of
// 10,000 objects cost more than the rest of the answer path (BM_CatalogAnswerRow).
std::string bulk_answer_json(const BulkOutcome& o, const BulkOptions& opts) {
  std::string out;
  out.reserve(96 + o.rows.size() * 72);
  out += R"({"mode":")";
  out += opts.mode == BulkMode::kUpsert ? "upsert" : "insert";
  out += R"(","atomic":)";
  out += opts.atomic ? "true" : "false";
  out += R"(,"partial":)";
  out += opts.partial ? "true" : "false";
  out += R"(,"totals":{"rows":)" + std::to_string(o.rows.size()) + R"(,"created":)" + std::to_string(o.created) +
         R"(,"updated":)" + std::to_string(o.updated) + R"(,"failed":)" + std::to_string(o.failed) +
         R"(},"quota":{"consumed":)" + std::to_string(o.quota_units) + R"(},"rows":[)";
  for (std::size_t i = 0; i < o.rows.size(); ++i) {
    const auto& r = o.rows[i];
    if (i > 0) out.push_back(',');
    out += R"({"row":)";
    out += std::to_string(r.row);
    out += R"(,"sku":)";
    platform::append_json_string(out, r.sku);
    out += R"(,"status":")";
    out += status_name(r.status);
    out.push_back('"');
    if (!r.id.empty()) {
      out += R"(,"id":")";
      out += r.id;
      out.push_back('"');
    }
    if (r.error) {
      out += R"(,"error":)";
      out += error_json(*r.error).dump();
    }
    out.push_back('}');
  }
  out += "]}";
  return out;
}

CatalogService::CatalogService(CatalogStore& store, UploadAllowance& allowance, const platform::Clock& clock,
                               ServiceOptions options)
    : store_(store), allowance_(allowance), clock_(clock), options_(options) {}

Result<Product> CatalogService::create(std::string_view mid, const ProductPatch& patch) {
  EW_ASSIGN_OR_RETURN(auto p, build_product(patch));
  p.manufacturer_id = std::string(mid);
  p.created_at = p.updated_at = now_ms();
  EW_TRY(store_.write([&](CatalogTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(p.seq, tx.reserve(mid, 1));
    EW_ASSIGN_OR_RETURN(auto outcome, tx.put(std::span<const Product>(&p, 1), false));
    if (!outcome.front().stored) return fail(sku_taken(p.sku));
    return {};
  }));
  p.id = product_id(p.seq);
  return p;
}

Result<Product> CatalogService::get(std::string_view mid, std::string_view id) {
  const auto seq = product_seq(id);
  if (!seq) return fail(Error::not_found("product"));
  std::optional<Product> found;
  EW_TRY(store_.read([&](CatalogTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(found, tx.get(mid, *seq));
    return {};
  }));
  if (!found) return fail(Error::not_found("product"));
  return *found;
}

Result<Product> CatalogService::update(std::string_view mid, std::string_view id, const ProductPatch& patch) {
  const auto seq = product_seq(id);
  if (!seq) return fail(Error::not_found("product"));
  Product updated;
  EW_TRY(store_.write([&](CatalogTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(auto current, tx.get(mid, *seq));
    if (!current) return fail(Error::not_found("product"));
    EW_ASSIGN_OR_RETURN(updated, apply_patch(*current, patch));
    updated.updated_at = now_ms();
    auto replaced = tx.replace(updated);
    if (!replaced && replaced.error().code == ErrorCode::kConflict) return fail(sku_taken(updated.sku));
    if (!replaced) return fail(replaced.error());
    if (!*replaced) return fail(Error::not_found("product"));
    return {};
  }));
  return updated;
}

Status CatalogService::remove(std::string_view mid, std::string_view id, bool hard, const platform::RequestMeta& meta) {
  const auto seq = product_seq(id);
  if (!seq) return fail(Error::not_found("product"));
  return store_.write([&](CatalogTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(const bool done, hard ? tx.erase(mid, *seq) : tx.set_active(mid, *seq, false, now_ms()));
    if (!done) return fail(Error::not_found("product"));
    if (hard) EW_TRY(tx.append_audit(event("product_deleted", mid, meta, {{"product_id", id}}, now_ms())));
    return {};
  });
}

Result<BulkAnswer> CatalogService::bulk(std::string_view mid, std::vector<BulkRow> rows, const BulkOptions& opts,
                                        const platform::RequestMeta& meta) {
  const auto now = now_ms();
  const auto not_before = now - options_.idempotency_ttl.count();
  auto replay_or_refuse = [&](const StoredResponse& stored) -> Result<BulkAnswer> {
    if (stored.request_hash != opts.request_hash) {
      return fail(Error(ErrorCode::kIdempotencyKeyReused,
                        "this Idempotency-Key was used for a different request",
                        {{"field", std::string("Idempotency-Key")}, {"rule", std::string("reused")}}));
    }
    BulkAnswer a;
    a.body = stored.body;
    a.replayed = true;
    return a;
  };
  if (!opts.idempotency_key.empty()) {
    std::optional<StoredResponse> stored;
    EW_TRY(store_.read([&](CatalogTx& tx) -> Status {
      EW_ASSIGN_OR_RETURN(stored, tx.stored_response(mid, opts.idempotency_key, not_before));
      return {};
    }));
    if (stored) return replay_or_refuse(*stored);
  }

  // 1. Validate every row; a SKU repeated within the request is an error on its later rows.
  BulkOutcome out;
  out.rows.resize(rows.size());
  std::vector<Product> valid;
  std::vector<std::size_t> valid_rows;  // index into out.rows
  valid.reserve(rows.size());
  std::unordered_map<std::string, std::size_t> seen;
  seen.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto& r = out.rows[i];
    r.row = rows[i].row;
    if (rows[i].patch.sku) r.sku = *rows[i].patch.sku;
    if (rows[i].error) {
      r.error = std::move(rows[i].error);
      continue;
    }
    auto built = build_product(rows[i].patch);
    if (!built) {
      r.error = std::move(built).error();
      continue;
    }
    r.sku = built->sku;
    if (auto [it, fresh] = seen.emplace(built->sku, rows[i].row); !fresh) {
      r.error = Error(ErrorCode::kConflict, "the sku appears earlier in this request (row " + std::to_string(it->second) + ")",
                      {{"field", std::string("sku")}, {"rule", std::string("duplicate_in_request")}});
      continue;
    }
    built->manufacturer_id = std::string(mid);
    built->created_at = built->updated_at = now;
    valid.push_back(std::move(*built));
    valid_rows.push_back(i);
  }
  rows.clear();
  const auto invalid = static_cast<std::int64_t>(out.rows.size() - valid.size());
  auto atomic_failure = [&](std::int64_t failed) {
    json errors = json::array();
    for (const auto& r : out.rows) {
      if (r.error) errors.push_back(row_json(r));
    }
    return Error(ErrorCode::kValidationFailed,
                 std::to_string(failed) + " row(s) failed; nothing was stored (atomic=true)",
                 {{"field", std::string("body")},
                  {"rule", std::string("atomic")},
                  {"failed", failed},
                  {"rows", platform::RawJson{errors.dump()}}});
  };
  if (opts.atomic && invalid > 0) return fail(atomic_failure(invalid));

  // 2. Quota: only rows that are stored count; refused as a whole unless partial.
  std::int64_t granted = 0;
  if (!valid.empty()) {
    EW_ASSIGN_OR_RETURN(granted, allowance_.take(mid, static_cast<std::int64_t>(valid.size()),
                                                 opts.partial && !opts.atomic, opts.request_id));
  }
  for (std::size_t k = static_cast<std::size_t>(granted); k < valid.size(); ++k) {
    auto& r = out.rows[valid_rows[k]];
    r.error = Error(ErrorCode::kQuotaExceeded, "the monthly product_uploads quota is used up",
                    {{"rule", std::string("quota")}});
  }
  valid.resize(static_cast<std::size_t>(granted));

  // 3. One transaction for the whole batch.
  std::int64_t refused = 0;
  std::optional<StoredResponse> raced;
  BulkAnswer answer;
  const auto written = store_.write_batch(valid, [&](CatalogTx& tx) -> Status {
    refused = 0;
    if (!opts.idempotency_key.empty()) {
      // A concurrent request with the same key may have committed meanwhile.
      EW_ASSIGN_OR_RETURN(raced, tx.stored_response(mid, opts.idempotency_key, not_before));
      if (raced) return {};
    }
    std::vector<PutOutcome> outcomes;
    if (!valid.empty()) {
      EW_ASSIGN_OR_RETURN(const auto first, tx.reserve(mid, static_cast<std::int64_t>(valid.size())));
      for (std::size_t k = 0; k < valid.size(); ++k) valid[k].seq = first + static_cast<std::int64_t>(k);
      EW_ASSIGN_OR_RETURN(outcomes, tx.put(valid, opts.mode == BulkMode::kUpsert));
    }
    out.created = out.updated = 0;
    for (std::size_t k = 0; k < outcomes.size(); ++k) {
      auto& r = out.rows[valid_rows[k]];
      if (!outcomes[k].stored) {
        r.status = RowStatus::kError;
        r.error = sku_taken(r.sku);
        ++refused;
        continue;
      }
      r.status = outcomes[k].created ? RowStatus::kCreated : RowStatus::kUpdated;
      r.id = product_id(outcomes[k].seq);
      (outcomes[k].created ? out.created : out.updated)++;
    }
    out.failed = static_cast<std::int64_t>(out.rows.size()) - out.created - out.updated;
    if (opts.atomic && out.failed > 0) return fail(atomic_failure(out.failed));
    out.quota_units = granted - refused;
    if (!opts.idempotency_key.empty()) {
      // Stored with the rows it answers for, so a retry replays exactly this body.
      answer.body = bulk_answer_json(out, opts);
      EW_TRY(tx.save_response(mid, opts.idempotency_key, StoredResponse{200, answer.body, opts.request_hash, now},
                              not_before));
    }
    return tx.append_audit(event("catalog_bulk_upload", mid, meta,
                                 {{"mode", opts.mode == BulkMode::kUpsert ? "upsert" : "insert"},
                                  {"rows", out.rows.size()},
                                  {"created", out.created},
                                  {"updated", out.updated},
                                  {"failed", out.failed}},
                                 now));
  });
  if (!written) {
    allowance_.give_back(mid, granted, opts.request_id);
    return fail(written.error());
  }
  if (raced) {
    allowance_.give_back(mid, granted, opts.request_id);
    return replay_or_refuse(*raced);
  }
  if (refused > 0) allowance_.give_back(mid, refused, opts.request_id);
  // Without a key to store it under, the answer is written after the commit: not in the one
  // writer's turn (10,000 rows are about 700 KB of JSON).
  if (opts.idempotency_key.empty()) answer.body = bulk_answer_json(out, opts);
  answer.outcome = std::move(out);
  return answer;
}

Result<SearchPage> CatalogService::search(const SearchQuery& query) {
  SearchPage page;
  EW_TRY(store_.read([&](CatalogTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(page, tx.search(query));
    return {};
  }));
  return page;
}

Result<CatalogStats> CatalogService::stats(std::string_view mid) {
  CatalogStats s;
  EW_TRY(store_.read([&](CatalogTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(s, tx.stats(mid));
    return {};
  }));
  return s;
}

Status CatalogService::export_pages(std::string_view mid, const std::function<bool(const std::vector<Product>&)>& sink) {
  std::int64_t after = 0;
  for (;;) {
    std::vector<Product> page;
    EW_TRY(store_.read([&](CatalogTx& tx) -> Status {
      EW_ASSIGN_OR_RETURN(page, tx.page_after(mid, after, options_.export_page_rows));
      return {};
    }));
    if (page.empty()) return {};
    after = page.back().seq;
    const bool more = static_cast<int>(page.size()) == options_.export_page_rows;
    if (!sink(page) || !more) return {};
  }
}

Status CatalogService::audit_export(std::string_view mid, std::string_view format, const platform::RequestMeta& meta) {
  return store_.write([&](CatalogTx& tx) -> Status {
    return tx.append_audit(event("catalog_export", mid, meta, {{"format", format}}, now_ms()));
  });
}

}  // namespace eyewear::catalog
