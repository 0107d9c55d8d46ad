#include "stores/catalog_store.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "catalog/codec.hpp"
#include "catalog/validation.hpp"
#include "platform/logging.hpp"
#include "stores/catalog_fts.hpp"
#include "stores/catalog_rows.hpp"
#include "stores/sql_common.hpp"

namespace eyewear::stores {

namespace catalog_sql {

using catalog::Product;

Product product_from(const storage::Row& r, std::size_t f) {
  Product p;
  p.seq = r.i64(f + 0);
  p.id = catalog::product_id(p.seq);
  p.manufacturer_id = r.str(f + 1);
  p.sku = r.str(f + 2);
  p.name = r.str(f + 3);
  p.brand = r.str(f + 4);
  p.category = r.str(f + 5);
  p.description = r.str(f + 6);
  p.price_minor = r.i64(f + 7);
  p.currency = r.str(f + 8);
  auto dim = [&](std::size_t col) {
    return r.is_null(f + col) ? std::optional<std::int32_t>() : std::optional<std::int32_t>(static_cast<std::int32_t>(r.i64(f + col)));
  };
  p.dimensions.lens_width = dim(10);
  p.dimensions.lens_height = dim(11);
  p.dimensions.bridge_width = dim(12);
  p.dimensions.temple_length = dim(13);
  p.dimensions.frame_width = dim(14);
  p.dimensions.frame_height = dim(15);
  parse_strings(r.text(f + 16), p.materials);
  parse_strings(r.text(f + 17), p.colors);
  const auto images = nlohmann::json::parse(r.text(f + 18), nullptr, false);
  if (images.is_array()) {
    for (const auto& i : images) {
      p.images.push_back(catalog::Image{i.value("url", ""), i.value("alt", ""), i.value("position", 0)});
    }
  }
  p.metadata = r.str(f + 19);
  p.is_active = r.boolean(f + 20);
  p.created_at = r.i64(f + 21);
  p.updated_at = r.i64(f + 22);
  return p;
}

std::string strings_json(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    platform::append_json_string(out, items[i]);
  }
  out.push_back(']');
  return out;
}

void parse_strings(std::string_view s, std::vector<std::string>& out) {
  out.clear();
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '"') {
      ++i;
      continue;
    }
    std::string item;
    ++i;
    bool unicode_escape = false;
    while (i < s.size() && s[i] != '"') {
      if (s[i] == '\\' && i + 1 < s.size()) {
        char c = s[i + 1];
        switch (c) {
          case 'u':
            unicode_escape = true;
            break;
          case 'n':
            c = '\n';
            break;
          case 't':
            c = '\t';
            break;
          case 'r':
            c = '\r';
            break;
          case 'b':
            c = '\b';
            break;
          case 'f':
            c = '\f';
            break;
          default:
            break;  // \" \\ \/ stand for themselves
        }
        item.push_back(c);
        i += 2;
        continue;
      }
      item.push_back(s[i++]);
    }
    ++i;
    if (unicode_escape) {  // rare: let the full parser handle \uXXXX
      out.clear();
      const auto j = nlohmann::json::parse(s, nullptr, false);
      if (j.is_array()) {
        for (const auto& v : j) {
          if (v.is_string()) out.push_back(v.get<std::string>());
        }
      }
      return;
    }
    out.push_back(std::move(item));
  }
}

std::string images_json(const std::vector<catalog::Image>& images) {
  std::size_t size = 2;
  for (const auto& image : images) size += image.url.size() + image.alt.size() + 48;
  std::string out;
  out.reserve(size);  // one allocation unless a text needs escapes
  out.push_back('[');
  for (std::size_t i = 0; i < images.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += "{\"url\":";
    platform::append_json_string(out, images[i].url);
    out += ",\"alt\":";
    platform::append_json_string(out, images[i].alt);
    out += ",\"position\":";
    out += std::to_string(images[i].position);
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

platform::Result<std::optional<std::int64_t>> tenant_number(storage::Connection& c, std::string_view mid) {
  EW_ASSIGN_OR_RETURN(auto rows, c.query("SELECT number FROM catalog_tenants WHERE manufacturer_id = $1", {mid}));
  if (rows.empty()) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(rows.front().i64(0));
}

platform::Result<std::vector<Product>> load_products(storage::Connection& c, std::string_view mid,
                                                     const std::vector<std::int64_t>& seqs) {
  std::vector<Product> out;
  out.reserve(seqs.size());
  if (c.dialect() == storage::Dialect::kPostgres && seqs.size() > 1) {
    // One round trip for the page.
    std::string array = "{";
    for (std::size_t i = 0; i < seqs.size(); ++i) array += (i > 0 ? "," : "") + std::to_string(seqs[i]);
    array += "}";
    EW_ASSIGN_OR_RETURN(auto rows, c.query(std::string("SELECT ") + kColumns +
                                               " FROM products WHERE seq = ANY(CAST($1 AS BIGINT[])) AND manufacturer_id = $2",
                                           {array, mid}));
    std::unordered_map<std::int64_t, std::size_t> at;
    for (std::size_t i = 0; i < rows.size(); ++i) at.emplace(rows[i].i64(0), i);
    for (auto seq : seqs) {
      if (auto it = at.find(seq); it != at.end()) out.push_back(product_from(rows[it->second]));
    }
    return out;
  }
  for (auto seq : seqs) {
    EW_ASSIGN_OR_RETURN(auto rows, c.query(std::string("SELECT ") + kColumns +
                                               " FROM products WHERE seq = $1 AND manufacturer_id = $2",
                                           {seq, mid}));
    if (!rows.empty()) out.push_back(product_from(rows.front()));
  }
  return out;
}

}  // namespace catalog_sql

namespace {

using catalog::CatalogTx;
using catalog::Product;
using platform::Result;
using platform::Status;
using storage::Connection;
using storage::Param;
using namespace catalog_sql;

constexpr const char* kInsertSqlite =
    "INSERT INTO products (seq, manufacturer_id, sku, name, brand, category, description, price, currency, "
    "price_scaled, lens_width, lens_height, bridge_width, temple_length, frame_width, frame_height, materials, colors, "
    "images, metadata, is_active, created_at, updated_at, text_tokens) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
    "$10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, "
    "$28 + eyewear_fts_tokens($24, $25, $26, $27)) ";
// Insert mode's whole batch as one statement: the rows of kInsertSqlite's parameters, $1 .. $28,
// as the columns c0 .. c27 of eyewear_rows (storage/sqlite_rows.hpp). `WHERE true` keeps SQLite
// from reading ON CONFLICT as a join constraint.
constexpr const char* kInsertRowsSqlite =
    "INSERT INTO products (seq, manufacturer_id, sku, name, brand, category, description, price, currency, "
    "price_scaled, lens_width, lens_height, bridge_width, temple_length, frame_width, frame_height, materials, colors, "
    "images, metadata, is_active, created_at, updated_at, text_tokens) SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, "
    "c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20, c21, c22, c27 + eyewear_fts_tokens(c23, c24, c25, c26) "
    "FROM eyewear_rows($1) WHERE true ON CONFLICT (manufacturer_id, sku) DO NOTHING";
constexpr std::size_t kInsertColumns = 28;
constexpr const char* kDoUpdate =
    "ON CONFLICT (manufacturer_id, sku) DO UPDATE SET name = excluded.name, brand = excluded.brand, "
    "category = excluded.category, description = excluded.description, price = excluded.price, "
    "currency = excluded.currency, price_scaled = excluded.price_scaled, lens_width = excluded.lens_width, "
    "lens_height = excluded.lens_height, bridge_width = excluded.bridge_width, "
    "temple_length = excluded.temple_length, frame_width = excluded.frame_width, "
    "frame_height = excluded.frame_height, materials = excluded.materials, colors = excluded.colors, "
    "images = excluded.images, metadata = excluded.metadata, is_active = excluded.is_active, "
    "updated_at = excluded.updated_at RETURNING seq, created_at";
// PostgreSQL also carries the search vector over.
constexpr const char* kPgDoUpdateSearch = ", search = excluded.search ";

constexpr const char* kPgRecordset =
    "INSERT INTO products (seq, manufacturer_id, sku, name, brand, category, description, price, currency, "
    "price_scaled, lens_width, lens_height, bridge_width, temple_length, frame_width, frame_height, materials, colors, "
    "images, metadata, is_active, created_at, updated_at, search) "
    "SELECT r.seq, r.manufacturer_id, r.sku, r.name, r.brand, r.category, r.description, r.price, r.currency, "
    "r.price_scaled, r.lens_width, r.lens_height, r.bridge_width, r.temple_length, r.frame_width, r.frame_height, "
    "r.materials, r.colors, r.images, r.metadata, r.is_active, r.created_at, r.updated_at, "
    "setweight(to_tsvector('eyewear_text', r.fts_name), 'A') || setweight(to_tsvector('eyewear_text', r.fts_brand), 'B') "
    "|| setweight(to_tsvector('eyewear_text', r.fts_category), 'C') "
    "|| setweight(to_tsvector('eyewear_text', r.fts_description), 'D') "
    "FROM jsonb_to_recordset(CAST($1 AS jsonb)) AS r(seq BIGINT, manufacturer_id TEXT, sku TEXT, name TEXT, "
    "brand TEXT, category TEXT, description TEXT, price BIGINT, currency TEXT, price_scaled BIGINT, lens_width INTEGER, "
    "lens_height INTEGER, bridge_width INTEGER, temple_length INTEGER, frame_width INTEGER, frame_height INTEGER, "
    "materials JSONB, colors JSONB, images TEXT, metadata TEXT, is_active BOOLEAN, created_at BIGINT, "
    "updated_at BIGINT, fts_name TEXT, fts_brand TEXT, fts_category TEXT, fts_description TEXT) ";

// First product of a manufacturer: number tenants in registration order (a no-op for a tenant
// already numbered). PostgreSQL nodes serialise the registration (SQLite writers are serial).
Status register_tenant(Connection& c, std::string_view mid) {
  if (c.dialect() == storage::Dialect::kPostgres) {
    EW_TRY(c.query("SELECT pg_advisory_xact_lock(CAST($1 AS BIGINT))", {std::int64_t{0x45594543}}));
  }
  EW_TRY(
      c.execute("INSERT INTO catalog_tenants (manufacturer_id, number, next_seq) "
                "SELECT $1, COALESCE(MAX(number), 0) + 1, 0 FROM catalog_tenants WHERE TRUE "
                "ON CONFLICT (manufacturer_id) DO NOTHING",
                {mid}));
  return {};
}

// The four full-text columns as indexed (namespaced), and the row's length in tokens as far as
// it is known without the tokenizer (NamespacedText): `counted` tokens in the columns not
// flagged `tokenize`; the flagged ones are counted by eyewear_fts_tokens inside the INSERT.
struct FtsText {
  std::string name, brand, category, description;
  std::int64_t counted = 0;
  std::array<bool, 4> tokenize{};
};
FtsText fts_text(std::int64_t tenant, std::string_view name, std::string_view brand, std::string_view category,
                 std::string_view description) {
  FtsText t;
  const std::array<std::pair<std::string_view, std::string*>, 4> columns = {
      {{name, &t.name}, {brand, &t.brand}, {category, &t.category}, {description, &t.description}}};
  for (std::size_t i = 0; i < columns.size(); ++i) {
    auto n = namespaced(columns[i].first, tenant);
    *columns[i].second = std::move(n.text);
    if (n.tokens) {
      t.counted += *n.tokens;
    } else {
      t.tokenize[i] = true;
    }
  }
  return t;
}

// SQLite: what put() writes for the products of a batch that does not depend on their storage
// keys, computed before the write transaction (SqlCatalogStore::write_batch): the full-text
// columns, namespaced with the tenant's number, and the JSON columns.
struct PreparedBatch {
  struct Row {
    FtsText text;
    std::string materials, colors, images;
    std::string lists;  // list_tokens (catalog_fts.hpp)
  };
  const Product* products = nullptr;  // the batch prepared, to recognise it in put()
  std::size_t size = 0;
  bool taken = false;  // put() moves the rows out, so they serve one put() only
  std::int64_t tenant = 0;
  std::vector<Row> rows;

  // True, once, when `batch` is the batch prepared.
  bool take(std::span<const Product> batch) {
    if (taken || batch.data() != products || batch.size() != size) return false;
    taken = true;
    return true;
  }
};

// A full-text column for eyewear_fts_tokens to count, or NULL (skipped) when already counted.
Param tokenized(const FtsText& t, std::size_t column, const std::string& text) {
  return t.tokenize[column] ? Param(text) : Param(nullptr);
}

// kInsertSqlite's parameters for a product, $1 .. $28, which are also kInsertRowsSqlite's columns
// c0 .. c27; the strings are borrowed from `p` and `r`.
std::array<Param, kInsertColumns> insert_params(const Product& p, const PreparedBatch::Row& r) {
  const int exponent = catalog::currency_exponent(p.currency).value_or(2);
  const auto& d = p.dimensions;
  const auto& t = r.text;
  return {p.seq,
          p.manufacturer_id,
          p.sku,
          p.name,
          p.brand,
          p.category,
          p.description,
          p.price_minor,
          p.currency,
          catalog::scaled_price(p.price_minor, exponent),
          d.lens_width,
          d.lens_height,
          d.bridge_width,
          d.temple_length,
          d.frame_width,
          d.frame_height,
          r.materials,
          r.colors,
          r.images,
          p.metadata,
          p.is_active,
          p.created_at,
          p.updated_at,
          tokenized(t, 0, t.name),
          tokenized(t, 1, t.brand),
          tokenized(t, 2, t.category),
          tokenized(t, 3, t.description),
          t.counted};
}

// What put() writes for a product besides its own fields, in tenant `tenant`'s namespace.
PreparedBatch::Row prepared_row(const Product& p, std::int64_t tenant) {
  PreparedBatch::Row r;
  r.text = fts_text(tenant, p.name, p.brand, p.category, p.description);
  r.materials = strings_json(p.materials);
  r.colors = strings_json(p.colors);
  r.images = images_json(p.images);
  r.lists = list_tokens(tenant, p.materials, p.colors);
  return r;
}

class SqlCatalogTx final : public CatalogTx {
 public:
  explicit SqlCatalogTx(Connection& c, PreparedBatch* prepared = nullptr)
      : c_(c), pg_(c.dialect() == storage::Dialect::kPostgres), prepared_(prepared) {
    // SQLite upserts row by row (insert mode writes the batch at once); PostgreSQL in chunks.
    // SQLite also carries the row's length in full-text tokens over (storage/sqlite_fts.hpp).
    const std::string_view update(kDoUpdate);
    const auto returning = update.rfind(" RETURNING");
    upsert_ = std::string(kInsertSqlite) + std::string(update.substr(0, returning)) +
              ", text_tokens = excluded.text_tokens" + std::string(update.substr(returning));
    if (pg_) {
      pg_insert_ = std::string(kPgRecordset) + "ON CONFLICT (manufacturer_id, sku) DO NOTHING RETURNING seq, sku, created_at";
      std::string set_list(update.substr(0, returning));
      pg_upsert_ = std::string(kPgRecordset) + set_list + kPgDoUpdateSearch + "RETURNING seq, sku, created_at";
    }
  }

  Result<std::int64_t> reserve(std::string_view mid, std::int64_t n) override {
    for (int attempt = 0; attempt < 2; ++attempt) {
      EW_ASSIGN_OR_RETURN(auto rows, c_.query("UPDATE catalog_tenants SET next_seq = next_seq + CAST($2 AS BIGINT) "
                                              "WHERE manufacturer_id = $1 RETURNING number, next_seq",
                                              {mid, n}));
      if (!rows.empty()) {
        const auto number = rows.front().i64(0);
        const auto next = rows.front().i64(1);
        if (next >= (std::int64_t{1} << catalog::kTenantShift)) {
          return platform::fail(platform::Error::internal_error("catalogue key space of a tenant exhausted"));
        }
        return range_lo(number) + next - n + 1;
      }
      EW_TRY(register_tenant(c_, mid));
    }
    return platform::fail(platform::Error::internal_error("could not register the catalogue tenant"));
  }

  Result<std::vector<catalog::PutOutcome>> put(std::span<const Product> products, bool upsert) override {
    if (pg_) return put_postgres(products, upsert);
    return upsert ? upsert_sqlite(products) : insert_sqlite(products);
  }

  // SQLite, upsert mode: row by row. RETURNING tells an insert (our seq) from a replacement (the
  // existing row's seq), and a replacement's indexed text and list tokens are read before it.
  Result<std::vector<catalog::PutOutcome>> upsert_sqlite(std::span<const Product> products) {
    std::vector<catalog::PutOutcome> out;
    out.reserve(products.size());
    std::vector<std::optional<SearchText>> previous(products.size());  // the rows replaced, as indexed
    std::vector<PreparedBatch::Row> written(products.size());          // for the row, the index and the lists
    NewFacetCounts counted;                                            // the facet counts of the created rows
    const bool prepared = prepared_ != nullptr && prepared_->take(products);
    for (std::size_t row = 0; row < products.size(); ++row) {
      const auto& p = products[row];
      const std::int64_t tenant = p.seq >> catalog::kTenantShift;
      auto& r = written[row];
      r = prepared && prepared_->tenant == tenant ? std::move(prepared_->rows[row]) : prepared_row(p, tenant);
      EW_ASSIGN_OR_RETURN(previous[row], search_text_by_sku(p.manufacturer_id, p.sku));
      const auto params = insert_params(p, r);
      catalog::PutOutcome o;
      EW_ASSIGN_OR_RETURN(auto rows, c_.query(upsert_, storage::Params(params)));
      if (!rows.empty()) {
        o.stored = true;
        o.seq = rows.front().i64(0);
        o.created = o.seq == p.seq;
        o.created_at = rows.front().i64(1);
      }
      if (o.created) counted.add(p);
      out.push_back(o);
    }
    EW_TRY(counted.write(c_));
    // Full-text and list tokens last: FTS5 flushes its pending terms to a new segment whenever a
    // statement opens a savepoint, and every products INSERT does (it writes several b-trees
    // under a constraint). Written after them, the batch's terms stay in memory and go to disk
    // as one segment at commit (measured: 5-8x cheaper per row than interleaving).
    for (std::size_t i = 0; i < products.size(); ++i) {
      if (!out[i].stored) continue;
      if (previous[i]) {
        EW_TRY(unindex(*previous[i]));
        EW_TRY(unlist(*previous[i]));
      }
      EW_TRY(index(out[i].seq, written[i].text));
      EW_TRY(list(out[i].seq, written[i].lists));
    }
    return out;
  }

  // SQLite, insert mode: the batch as one INSERT ... SELECT over its rows (kInsertRowsSqlite), and
  // its full-text rows as one more, instead of two statements a product. A statement's own cost
  // (bind, reset, a cursor on each of the table's b-trees, a statement journal) is paid once a
  // batch, and the b-tree cursors stay where the previous row left them.
  Result<std::vector<catalog::PutOutcome>> insert_sqlite(std::span<const Product> products) {
    std::vector<catalog::PutOutcome> out(products.size());
    if (products.empty()) return out;
    // What write_batch computed before the transaction, or the same computed here.
    std::vector<PreparedBatch::Row> computed;
    const std::vector<PreparedBatch::Row>* ready = nullptr;
    const std::int64_t tenant = products.front().seq >> catalog::kTenantShift;
    if (prepared_ != nullptr && prepared_->take(products) && prepared_->tenant == tenant) {
      ready = &prepared_->rows;
    } else {
      computed.reserve(products.size());
      for (const auto& p : products) computed.push_back(prepared_row(p, p.seq >> catalog::kTenantShift));
      ready = &computed;
    }
    storage::ParamRows rows(kInsertColumns);
    rows.reserve(products.size());
    for (std::size_t i = 0; i < products.size(); ++i) {
      const auto params = insert_params(products[i], (*ready)[i]);
      rows.add(storage::Params(params));
    }
    const Param all[] = {Param::rows(rows)};
    EW_ASSIGN_OR_RETURN(const auto changed, c_.execute(kInsertRowsSqlite, storage::Params(all)));
    // ON CONFLICT DO NOTHING skipped the rows whose SKU the tenant already has. Their keys were
    // reserved for this batch alone, so the keys present now are exactly the rows stored.
    std::unordered_set<std::int64_t> stored;
    const bool all_stored = changed == static_cast<std::int64_t>(products.size());
    if (!all_stored && changed > 0) {
      const auto [lo, hi] = std::minmax_element(products.begin(), products.end(),
                                                [](const Product& a, const Product& b) { return a.seq < b.seq; });
      const Param range[] = {lo->seq, hi->seq};
      EW_TRY(c_.for_each_row("SELECT seq FROM products WHERE seq BETWEEN $1 AND $2", storage::Params(range),
                             [&](const storage::RowView& r) { stored.insert(r.i64(0)); }));
    }
    NewFacetCounts counted;
    storage::ParamRows lists(2), fts(5);
    lists.reserve(static_cast<std::size_t>(changed));
    fts.reserve(static_cast<std::size_t>(changed));
    for (std::size_t i = 0; i < products.size(); ++i) {
      const auto& p = products[i];
      auto& o = out[i];
      o.seq = p.seq;
      o.created_at = p.created_at;
      o.stored = o.created = all_stored || stored.contains(p.seq);
      if (!o.stored) continue;
      counted.add(p);
      const auto& r = (*ready)[i];
      lists.add({p.seq, r.lists});
      fts.add({p.seq, r.text.name, r.text.brand, r.text.category, r.text.description});
    }
    EW_TRY(counted.write(c_));
    // The FTS5 rows last, as in upsert_sqlite: FTS5 writes its pending terms out whenever a
    // statement opens a savepoint, and each of these two statements opens one, before it writes.
    if (!lists.empty()) {
      const Param list_rows[] = {Param::rows(lists)};
      EW_TRY(c_.execute("INSERT INTO products_lists (rowid, tokens) SELECT c0, c1 FROM eyewear_rows($1)",
                        storage::Params(list_rows)));
    }
    if (!fts.empty()) {
      const Param fts_rows[] = {Param::rows(fts)};
      EW_TRY(
          c_.execute("INSERT INTO products_fts (rowid, name, brand, category, description) "
                     "SELECT c0, c1, c2, c3, c4 FROM eyewear_rows($1)",
                     storage::Params(fts_rows)));
    }
    return out;
  }

  // SQLite full-text rows (namespaced, see catalog_fts.hpp); the 'delete' must repeat the values
  // that were indexed, which is why the old text is read before a row changes.
  struct SearchText {
    std::int64_t seq;
    std::string name, brand, category, description;
    std::string materials, colors;  // as stored: JSON arrays
  };

  // SQLite keeps facet counts per manufacturer (migration 0009): the created rows of a batch are
  // counted here and written as one statement per distinct value; updates and deletes are
  // counted by triggers.
  class NewFacetCounts {
   public:
    // The products outlive the batch's write, so the keys are views of their strings; the
    // manufacturer (the same for every row of a bulk request) is compared last.
    void add(const Product& p) {
      const int active = p.is_active ? 1 : 0;
      ++counts_[{active, 0, p.category, p.manufacturer_id}];
      ++counts_[{active, 1, p.brand, p.manufacturer_id}];
      for (const auto& m : p.materials) ++counts_[{active, 2, m, p.manufacturer_id}];
    }
    Status write(Connection& c) const {
      for (const auto& [key, n] : counts_) {
        const auto& [active, facet, value, mid] = key;
        EW_TRY(
            c.execute("INSERT INTO catalog_facet_counts (manufacturer_id, is_active, facet, value, n) "
                      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (manufacturer_id, is_active, facet, value) "
                      "DO UPDATE SET n = n + excluded.n",
                      {mid, std::int64_t{active}, std::int64_t{facet}, value, n}));
      }
      return {};
    }

   private:
    std::map<std::tuple<int, int, std::string_view, std::string_view>, std::int64_t> counts_;
  };

  Status index(std::int64_t seq, const FtsText& t) {
    EW_TRY(
        c_.execute("INSERT INTO products_fts (rowid, name, brand, category, description) VALUES ($1, $2, $3, $4, $5)",
                   {seq, t.name, t.brand, t.category, t.description}));
    return {};
  }

  // The material and colour tokens of a product (products_lists, migration 0013).
  Status list(std::int64_t seq, const std::string& tokens) {
    EW_TRY(c_.execute("INSERT INTO products_lists (rowid, tokens) VALUES ($1, $2)", {seq, tokens}));
    return {};
  }

  // A contentless 'delete' repeats the tokens indexed: those of the lists as stored.
  Status unlist(const SearchText& s) {
    std::vector<std::string> materials, colors;
    parse_strings(s.materials, materials);
    parse_strings(s.colors, colors);
    const auto tokens = list_tokens(s.seq >> catalog::kTenantShift, materials, colors);
    EW_TRY(c_.execute("INSERT INTO products_lists (products_lists, rowid, tokens) VALUES ('delete', $1, $2)",
                      {s.seq, tokens}));
    return {};
  }

  Status unindex(const SearchText& s) {
    const auto t = fts_text(s.seq >> catalog::kTenantShift, s.name, s.brand, s.category, s.description);
    EW_TRY(
        c_.execute("INSERT INTO products_fts (products_fts, rowid, name, brand, category, description) "
                   "VALUES ('delete', $1, $2, $3, $4, $5)",
                   {s.seq, t.name, t.brand, t.category, t.description}));
    return {};
  }

  Result<std::optional<SearchText>> search_text(std::string_view mid, std::int64_t seq) {
    EW_ASSIGN_OR_RETURN(auto rows,
                        c_.query("SELECT seq, name, brand, category, description, materials, colors FROM products "
                                 "WHERE seq = $1 AND manufacturer_id = $2",
                                 {seq, mid}));
    if (rows.empty()) return std::optional<SearchText>();
    const auto r = rows.front();
    return std::optional<SearchText>(SearchText{r.i64(0), r.str(1), r.str(2), r.str(3), r.str(4), r.str(5), r.str(6)});
  }

  Result<std::optional<SearchText>> search_text_by_sku(std::string_view mid, std::string_view sku) {
    EW_ASSIGN_OR_RETURN(auto rows,
                        c_.query("SELECT seq, name, brand, category, description, materials, colors FROM products "
                                 "WHERE manufacturer_id = $1 AND sku = $2",
                                 {mid, sku}));
    if (rows.empty()) return std::optional<SearchText>();
    const auto r = rows.front();
    return std::optional<SearchText>(SearchText{r.i64(0), r.str(1), r.str(2), r.str(3), r.str(4), r.str(5), r.str(6)});
  }

  // PostgreSQL: one statement per chunk of rows (jsonb_to_recordset), not one round trip per row.
  Result<std::vector<catalog::PutOutcome>> put_postgres(std::span<const Product> products, bool upsert) {
    constexpr std::size_t kChunk = 1000;
    std::vector<catalog::PutOutcome> out(products.size());
    std::unordered_map<std::string_view, std::size_t> by_sku;
    std::string rows;
    for (std::size_t first = 0; first < products.size(); first += kChunk) {
      const auto last = std::min(products.size(), first + kChunk);
      rows.clear();
      rows.push_back('[');
      by_sku.clear();
      for (std::size_t i = first; i < last; ++i) {
        const auto& p = products[i];
        by_sku.emplace(p.sku, i);
        if (i > first) rows.push_back(',');
        append_record_json(rows, p);
      }
      rows.push_back(']');
      EW_ASSIGN_OR_RETURN(auto returned, c_.query(upsert ? pg_upsert_ : pg_insert_, {rows}));
      for (std::size_t k = 0; k < returned.size(); ++k) {
        const auto it = by_sku.find(returned[k].text(1));
        if (it == by_sku.end()) continue;
        auto& o = out[it->second];
        o.stored = true;
        o.seq = returned[k].i64(0);
        o.created = o.seq == products[it->second].seq;
        o.created_at = returned[k].i64(2);
      }
    }
    return out;
  }

  static void append_record_json(std::string& out, const Product& p) {
    const int exponent = catalog::currency_exponent(p.currency).value_or(2);
    auto text = [&](const char* key, std::string_view v) {
      out += key;
      platform::append_json_string(out, v);
    };
    auto number = [&](const char* key, const std::optional<std::int32_t>& v) {
      out += key;
      out += v ? std::to_string(*v) : std::string("null");
    };
    out += "{\"seq\":" + std::to_string(p.seq);
    text(",\"manufacturer_id\":", p.manufacturer_id);
    text(",\"sku\":", p.sku);
    text(",\"name\":", p.name);
    text(",\"brand\":", p.brand);
    text(",\"category\":", p.category);
    text(",\"description\":", p.description);
    out += ",\"price\":" + std::to_string(p.price_minor);
    text(",\"currency\":", p.currency);
    out += ",\"price_scaled\":" + std::to_string(catalog::scaled_price(p.price_minor, exponent));
    const auto& d = p.dimensions;
    number(",\"lens_width\":", d.lens_width);
    number(",\"lens_height\":", d.lens_height);
    number(",\"bridge_width\":", d.bridge_width);
    number(",\"temple_length\":", d.temple_length);
    number(",\"frame_width\":", d.frame_width);
    number(",\"frame_height\":", d.frame_height);
    out += ",\"materials\":" + strings_json(p.materials);
    out += ",\"colors\":" + strings_json(p.colors);
    text(",\"images\":", images_json(p.images));
    text(",\"metadata\":", p.metadata);
    out += p.is_active ? ",\"is_active\":true" : ",\"is_active\":false";
    out += ",\"created_at\":" + std::to_string(p.created_at) + ",\"updated_at\":" + std::to_string(p.updated_at);
    const auto tenant = p.seq >> catalog::kTenantShift;
    text(",\"fts_name\":", namespaced_text(p.name, tenant));
    text(",\"fts_brand\":", namespaced_text(p.brand, tenant));
    text(",\"fts_category\":", namespaced_text(p.category, tenant));
    text(",\"fts_description\":", namespaced_text(p.description, tenant));
    out += "}";
  }

  Result<std::optional<Product>> get(std::string_view mid, std::int64_t seq) override {
    EW_ASSIGN_OR_RETURN(auto found, load_products(c_, mid, {seq}));
    if (found.empty()) return std::optional<Product>();
    return std::optional<Product>(std::move(found.front()));
  }

  Result<bool> replace(const Product& p) override {
    const int exponent = catalog::currency_exponent(p.currency).value_or(2);
    const auto& d = p.dimensions;
    const auto r = prepared_row(p, p.seq >> catalog::kTenantShift);
    const auto& fts = r.text;
    const Param params[] = {p.seq,          p.manufacturer_id,
                            p.sku,          p.name,
                            p.brand,        p.category,
                            p.description,  p.price_minor,
                            p.currency,     catalog::scaled_price(p.price_minor, exponent),
                            d.lens_width,   d.lens_height,
                            d.bridge_width, d.temple_length,
                            d.frame_width,  d.frame_height,
                            r.materials,    r.colors,
                            r.images,       p.metadata,
                            p.is_active,    p.updated_at,
                            fts.name,       fts.brand,
                            fts.category,   fts.description};
    const char* sql =
        pg_ ? "UPDATE products SET sku = $3, name = $4, brand = $5, category = $6, description = $7, price = $8, "
              "currency = $9, price_scaled = $10, lens_width = $11, lens_height = $12, bridge_width = $13, "
              "temple_length = $14, frame_width = $15, frame_height = $16, materials = CAST($17 AS jsonb), "
              "colors = CAST($18 AS jsonb), images = $19, metadata = $20, is_active = $21, updated_at = $22, "
              "search = setweight(to_tsvector('eyewear_text', $23), 'A') || "
              "setweight(to_tsvector('eyewear_text', $24), 'B') || setweight(to_tsvector('eyewear_text', $25), 'C') || "
              "setweight(to_tsvector('eyewear_text', $26), 'D') WHERE seq = $1 AND manufacturer_id = $2"
            : "UPDATE products SET sku = $3, name = $4, brand = $5, category = $6, description = $7, price = $8, "
              "currency = $9, price_scaled = $10, lens_width = $11, lens_height = $12, bridge_width = $13, "
              "temple_length = $14, frame_width = $15, frame_height = $16, materials = $17, colors = $18, "
              "images = $19, metadata = $20, is_active = $21, updated_at = $22, "
              "text_tokens = eyewear_fts_tokens($23, $24, $25, $26) WHERE seq = $1 AND manufacturer_id = $2";
    std::optional<SearchText> before;
    if (!pg_) {
      EW_ASSIGN_OR_RETURN(before, search_text(p.manufacturer_id, p.seq));
    }
    // SQLite writes its full-text rows below (the UPDATE only records their length in tokens).
    EW_ASSIGN_OR_RETURN(auto n, c_.execute(sql, storage::Params(params)));
    if (n == 1 && before) {
      EW_TRY(unindex(*before));
      EW_TRY(index(p.seq, fts));
      EW_TRY(unlist(*before));
      EW_TRY(list(p.seq, r.lists));
    }
    return n == 1;
  }

  Result<bool> set_active(std::string_view mid, std::int64_t seq, bool active, std::int64_t now) override {
    EW_ASSIGN_OR_RETURN(auto n, c_.execute("UPDATE products SET is_active = $3, updated_at = $4 "
                                           "WHERE seq = $1 AND manufacturer_id = $2",
                                           {seq, mid, active, now}));
    return n == 1;
  }

  Result<bool> erase(std::string_view mid, std::int64_t seq) override {
    std::optional<SearchText> before;
    if (!pg_) {
      EW_ASSIGN_OR_RETURN(before, search_text(mid, seq));
    }
    EW_ASSIGN_OR_RETURN(auto n, c_.execute("DELETE FROM products WHERE seq = $1 AND manufacturer_id = $2", {seq, mid}));
    if (n == 1 && before) EW_TRY(unindex(*before));
    return n == 1;
  }

  Result<std::optional<catalog::StoredResponse>> stored_response(std::string_view mid, std::string_view key,
                                                                 std::int64_t not_before) override {
    EW_ASSIGN_OR_RETURN(auto rows, c_.query("SELECT request_hash, status, response, created_at FROM catalog_idempotency "
                                            "WHERE manufacturer_id = $1 AND idempotency_key = $2 AND created_at >= $3",
                                            {mid, key, not_before}));
    if (rows.empty()) return std::optional<catalog::StoredResponse>();
    const auto r = rows.front();
    return std::optional<catalog::StoredResponse>(
        catalog::StoredResponse{static_cast<int>(r.i64(1)), r.str(2), r.str(0), r.i64(3)});
  }

  Status save_response(std::string_view mid, std::string_view key, const catalog::StoredResponse& s,
                       std::int64_t expired_before) override {
    EW_TRY(c_.execute("DELETE FROM catalog_idempotency WHERE manufacturer_id = $1 AND created_at < $2",
                      {mid, expired_before}));
    EW_TRY(c_.execute("INSERT INTO catalog_idempotency (manufacturer_id, idempotency_key, request_hash, status, "
                      "response, created_at) VALUES ($1, $2, $3, $4, $5, $6) "
                      "ON CONFLICT (manufacturer_id, idempotency_key) DO UPDATE SET request_hash = excluded.request_hash, "
                      "status = excluded.status, response = excluded.response, created_at = excluded.created_at",
                      {mid, key, s.request_hash, s.status, s.body, s.created_at}));
    return {};
  }

  Result<catalog::SearchPage> search(const catalog::SearchQuery& q) override {
    return pg_ ? search_postgres(c_, q) : search_sqlite(c_, q);
  }

  Result<catalog::CatalogStats> stats(std::string_view mid) override {
    catalog::CatalogStats s;
    EW_ASSIGN_OR_RETURN(auto totals, c_.query("SELECT COUNT(*), COALESCE(SUM(CASE WHEN is_active THEN 1 ELSE 0 END), 0), "
                                              "MAX(created_at) FROM products WHERE manufacturer_id = $1",
                                              {mid}));
    s.total = totals.front().i64(0);
    s.active = totals.front().i64(1);
    s.latest_upload = totals.front().opt_i64(2);
    EW_ASSIGN_OR_RETURN(auto cats, c_.query("SELECT category, COUNT(*) FROM products WHERE manufacturer_id = $1 "
                                            "GROUP BY category ORDER BY COUNT(*) DESC, category",
                                            {mid}));
    for (std::size_t i = 0; i < cats.size(); ++i) s.categories.push_back({cats[i].str(0), cats[i].i64(1)});
    EW_ASSIGN_OR_RETURN(auto brands, c_.query("SELECT DISTINCT brand FROM products WHERE manufacturer_id = $1 "
                                              "ORDER BY brand",
                                              {mid}));
    for (std::size_t i = 0; i < brands.size(); ++i) s.brands.push_back(brands[i].str(0));
    EW_ASSIGN_OR_RETURN(auto prices, c_.query("SELECT currency, COUNT(*), MIN(price), MAX(price), AVG(price) "
                                              "FROM products WHERE manufacturer_id = $1 GROUP BY currency ORDER BY currency",
                                              {mid}));
    for (std::size_t i = 0; i < prices.size(); ++i) {
      const auto r = prices[i];
      s.prices.push_back(catalog::CurrencyStats{r.str(0), r.i64(1), r.i64(2), r.i64(3), r.f64(4)});
    }
    return s;
  }

  Result<std::vector<Product>> page_after(std::string_view mid, std::int64_t after_seq, int limit) override {
    EW_ASSIGN_OR_RETURN(const auto number, tenant_number(c_, mid));
    std::vector<Product> out;
    if (!number) return out;
    const auto from = std::max(after_seq, range_lo(*number) - 1);
    EW_ASSIGN_OR_RETURN(auto rows, c_.query(std::string("SELECT ") + kColumns +
                                                " FROM products WHERE seq > $1 AND seq <= $2 AND manufacturer_id = $3 "
                                                "ORDER BY seq LIMIT $4",
                                            {from, range_hi(*number), mid, limit}));
    out.reserve(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) out.push_back(product_from(rows[i]));
    return out;
  }

  Status append_audit(const platform::AuditEvent& e) override { return insert_audit_event(c_, e); }

 private:
  Connection& c_;
  bool pg_;
  PreparedBatch* prepared_;  // SQLite, write_batch: what was computed before the transaction
  std::string upsert_, pg_insert_, pg_upsert_;
};

class SqlCatalogStore final : public SqlStore<catalog::CatalogStore, CatalogTx, SqlCatalogTx> {
 public:
  using SqlStore::SqlStore;
  Status write_batch(std::span<const Product> batch, const std::function<Status(CatalogTx&)>& work) override {
    if (database().dialect() != storage::Dialect::kSqlite || batch.empty()) return write(work);
    EW_ASSIGN_OR_RETURN(auto prepared, prepare(batch));
    return run(storage::TxMode::kWrite, work, &prepared);
  }

 private:
  // The batch's JSON columns and namespaced full-text columns. The namespace is the tenant's
  // number: read it, or on the tenant's first batch register it in a short write of its own
  // (kept if the batch then fails: a number without products changes nothing).
  Result<PreparedBatch> prepare(std::span<const Product> batch) {
    const std::string_view mid = batch.front().manufacturer_id;
    std::optional<std::int64_t> number;
    EW_TRY(database().transact(storage::TxMode::kRead, [&](Connection& c) -> Status {
      EW_ASSIGN_OR_RETURN(number, tenant_number(c, mid));
      return {};
    }));
    if (!number) {
      EW_TRY(database().transact(storage::TxMode::kWrite, [&](Connection& c) -> Status {
        EW_TRY(register_tenant(c, mid));
        EW_ASSIGN_OR_RETURN(number, tenant_number(c, mid));
        return {};
      }));
    }
    if (!number) return platform::fail(platform::Error::internal_error("could not register the catalogue tenant"));
    PreparedBatch b;
    b.products = batch.data();
    b.size = batch.size();
    b.tenant = *number;
    b.rows.resize(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) b.rows[i] = prepared_row(batch[i], b.tenant);
    return b;
  }
};

}  // namespace

std::unique_ptr<catalog::CatalogStore> make_catalog_store(storage::Database& db) {
  return std::make_unique<SqlCatalogStore>(db);
}

}  // namespace eyewear::stores
