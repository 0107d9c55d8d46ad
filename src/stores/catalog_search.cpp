// Catalogue search for both dialects. SQLite: one streamed pass over the tenant's matching rows (FTS5
// with BM25 when there is text, the tenant's key range otherwise, filters through indexes where
// one exists) that counts the total and the facets and keeps each row's sort key; the page is
// selected in memory and its products loaded by key. PostgreSQL: the page with ORDER BY/LIMIT
// (tsvector + GIN, ts_rank) and one aggregate query for total and facets.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <string_view>
#include <unordered_map>

#include "catalog/search.hpp"
#include "catalog/store.hpp"
#include "stores/catalog_fts.hpp"
#include "stores/catalog_rows.hpp"
#include "stores/sql_builder.hpp"

namespace eyewear::stores::catalog_sql {

namespace {

using catalog::FacetCount;
using catalog::SearchPage;
using catalog::SearchQuery;
using catalog::SortKey;
using platform::Result;

constexpr std::size_t kFacetValues = 50;

template <typename Map>
std::vector<FacetCount> top(const Map& counts) {
  std::vector<FacetCount> out;
  out.reserve(counts.size());
  for (const auto& [value, count] : counts) out.push_back(FacetCount{std::string(value), count});
  std::sort(out.begin(), out.end(), [](const FacetCount& a, const FacetCount& b) {
    return a.count != b.count ? a.count > b.count : a.value < b.value;
  });
  if (out.size() > kFacetValues) out.resize(kFacetValues);
  return out;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Counts per facet value, in an open-addressing table with a cheap hash: the pass calls `add`
// several times for each of up to the tenant's whole catalogue, over a handful of distinct values,
// so a value already seen costs one hash of its bytes, a probe and a comparison (no allocation,
// no node to chase). Keys are owned; a value is copied once, when it is first seen.
class FacetCounts {
 public:
  FacetCounts() : slots_(16, kEmpty) {}

  void add(std::string_view value) {
    const std::uint64_t h = hash(value);
    for (std::size_t i = h & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      const auto slot = slots_[i];
      if (slot == kEmpty) {
        slots_[i] = static_cast<std::uint32_t>(entries_.size());
        hashes_.push_back(h);
        entries_.emplace_back(std::string(value), 1);
        if (entries_.size() * 2 > slots_.size()) grow();
        return;
      }
      if (hashes_[slot] == h && entries_[slot].first == value) {
        ++entries_[slot].second;
        return;
      }
    }
  }
  [[nodiscard]] const std::vector<std::pair<std::string, std::int64_t>>& entries() const { return entries_; }

 private:
  static constexpr std::uint32_t kEmpty = 0xffffffffU;
  static std::uint64_t hash(std::string_view s) {  // FNV-1a: short values, no seed needed
    std::uint64_t h = 14695981039346656037ULL;
    for (const unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
    return h ^ (h >> 29);
  }
  void grow() {
    std::vector<std::uint32_t> slots(slots_.size() * 2, kEmpty);
    for (std::uint32_t e = 0; e < entries_.size(); ++e) {
      std::size_t i = hashes_[e] & (slots.size() - 1);
      while (slots[i] != kEmpty) i = (i + 1) & (slots.size() - 1);
      slots[i] = e;
    }
    slots_ = std::move(slots);
  }
  std::vector<std::uint32_t> slots_;
  std::vector<std::uint64_t> hashes_;
  std::vector<std::pair<std::string, std::int64_t>> entries_;
};

struct Keyed {
  double number;
  std::string text;
  std::int64_t seq;
};

// Strict weak order of the result list: the sort key in the query's direction, then seq the same way.
struct ResultOrder {
  bool by_text;
  bool descending;
  bool operator()(const Keyed& a, const Keyed& b) const {
    if (by_text) {
      if (a.text != b.text) return descending ? a.text > b.text : a.text < b.text;
    } else if (a.number != b.number) {
      return descending ? a.number > b.number : a.number < b.number;
    }
    return descending ? a.seq > b.seq : a.seq < b.seq;
  }
};

// Browsing (no text, no filter but the active state, sorted by creation time or price): total and
// facets from the counts kept per manufacturer (migration 0009), the page from the index in the
// sort order. The same answer as the pass, without reading every product of the tenant.
bool is_browse(const SearchQuery& q) {
  return q.terms.empty() && !q.category && !q.brand && !q.currency && !q.material && !q.color && !q.price_min_scaled &&
         !q.price_max_scaled && !q.created_from && !q.created_to && q.active != catalog::ActiveFilter::kAll &&
         (q.sort == SortKey::kCreatedAt || q.sort == SortKey::kPrice);
}

// The listing's indexes lead with `seq >> 40`, the tenant's number (migration 0011); the query
// must name the same expression for SQLite to use them.
static_assert(catalog::kTenantShift == 40, "migration 0011 and browse_sqlite spell the tenant as seq >> 40");

Result<SearchPage> browse_sqlite(storage::Connection& c, const SearchQuery& q, std::int64_t number) {
  SearchPage page;
  const std::int64_t active = q.active == catalog::ActiveFilter::kActive ? 1 : 0;
  std::vector<std::pair<std::string, std::int64_t>> facets[3];
  const storage::Param params[] = {q.manufacturer_id, active};
  EW_TRY(
      c.for_each_row("SELECT facet, value, n FROM catalog_facet_counts WHERE manufacturer_id = $1 "
                     "AND is_active = $2 AND n > 0",
                     storage::Params(params), [&](const storage::RowView& r) {
                       const auto facet = r.i64(0);
                       if (facet < 0 || facet > 2) return;
                       if (facet == 0) page.total += r.i64(2);  // every product has one category
                       facets[static_cast<std::size_t>(facet)].emplace_back(std::string(r.text(1)), r.i64(2));
                     }));
  page.categories = top(facets[0]);
  page.brands = top(facets[1]);
  page.materials = top(facets[2]);

  // The statement's fragments for each indexed order.
  struct Order {
    SqlBuilder::Fragment select, after, ascending, descending;
  };
  static constexpr Order kByPrice{
      "SELECT seq, price_scaled FROM products INDEXED BY products_price_order WHERE seq >> 40 = ",
      " AND (price_scaled, seq) ", " ORDER BY price_scaled, seq", " ORDER BY price_scaled DESC, seq DESC"};
  static constexpr Order kByCreation{
      "SELECT seq, created_at FROM products INDEXED BY products_created_order WHERE seq >> 40 = ",
      " AND (created_at, seq) ", " ORDER BY created_at, seq", " ORDER BY created_at DESC, seq DESC"};
  const Order& order = q.sort == SortKey::kPrice ? kByPrice : kByCreation;
  SqlBuilder b;
  b.sql(order.select).param(number).sql(" AND is_active = ").param(active);
  if (q.after) {
    b.sql(order.after).sql(q.descending ? SqlBuilder::Fragment("< (") : SqlBuilder::Fragment("> ("));
    b.param(q.after->number).sql(", ").param(q.after->seq).sql(")");
  }
  b.sql(q.descending ? order.descending : order.ascending);
  b.sql(" LIMIT ").param(std::int64_t{q.limit}).sql(" OFFSET ").param(q.offset);
  std::vector<std::int64_t> seqs;
  EW_TRY(c.for_each_row(b.text(), b.params(), [&](const storage::RowView& r) {
    seqs.push_back(r.i64(0));
    page.keys.push_back(SearchQuery::After{static_cast<double>(r.i64(1)), {}, r.i64(0)});
  }));
  EW_ASSIGN_OR_RETURN(page.items, load_products(c, q.manufacturer_id, seqs));
  return page;
}

}  // namespace

Result<SearchPage> search_sqlite(storage::Connection& c, const SearchQuery& q) {
  SearchPage page;
  EW_ASSIGN_OR_RETURN(const auto number, tenant_number(c, q.manufacturer_id));
  if (!number) return page;
  if (is_browse(q)) return browse_sqlite(c, q, *number);
  const std::int64_t lo = range_lo(*number), hi = range_hi(*number);
  const auto match = namespaced_query(q.terms, *number);
  // Parameters are borrowed: the list filter's MATCH lives as long as the statement.
  const auto lists = q.material || q.color ? list_query(*number, q.material, q.color) : std::string();
  SqlBuilder b;
  b.sql("SELECT p.seq, p.category, p.brand, p.materials, ");
  switch (q.sort) {
    // FTS5's bm25 with the row length read from the joined index (storage/sqlite_fts.hpp).
    case SortKey::kRelevance:
      b.sql("-eyewear_bm25(products_fts, p.text_tokens, 10.0, 5.0, 3.0, 1.0)");
      break;
    case SortKey::kCreatedAt: b.sql("p.created_at"); break;
    case SortKey::kPrice: b.sql("p.price_scaled"); break;
    case SortKey::kName: b.sql("p.name"); break;
  }
  if (!q.terms.empty()) {
    // CROSS JOIN fixes the join order in SQLite: the full-text match drives, filters check its rows.
    // (With a JOIN the planner may start from a filter index and run the MATCH once per row.)
    // Unless the sort needs the name, the join reads the small entries of products_facets, which
    // hold every column the pass and its filters read, instead of whole product rows.
    b.sql(" FROM products_fts CROSS JOIN products p ");
    if (q.sort != SortKey::kName) b.sql("INDEXED BY products_facets ");
    b.sql("ON p.seq = products_fts.rowid WHERE products_fts MATCH ").param(match);
    b.sql(" AND products_fts.rowid BETWEEN ");
  } else {
    b.sql(" FROM products p ");
    // Material or colour matches come from products_lists (migration 0013) by rowid: look each
    // up in the covering products_facets, not in the product rows (category and brand have
    // covering indexes of their own, migration 0010, which the planner prefers when they filter).
    if ((q.material || q.color) && !q.category && !q.brand && q.sort != SortKey::kName) {
      b.sql("INDEXED BY products_facets ");
    }
    b.sql("WHERE p.seq BETWEEN ");
  }
  const int lo_ref = b.bind(lo);
  b.sql(" AND ");
  const int hi_ref = b.bind(hi);
  if (q.category) b.sql(" AND p.category = ").param(*q.category);
  if (q.brand) b.sql(" AND p.brand = ").param(*q.brand);
  if (q.currency) b.sql(" AND p.currency = ").param(*q.currency);
  if (q.material || q.color) {
    // One token a value in the tenant's namespace (catalog_fts.hpp, list_tokens).
    b.sql(" AND p.seq IN (SELECT rowid FROM products_lists WHERE products_lists MATCH ").param(lists);
    b.sql(" AND rowid BETWEEN ").ref(lo_ref).sql(" AND ").ref(hi_ref).sql(")");
  }
  if (q.price_min_scaled) b.sql(" AND p.price_scaled >= ").param(*q.price_min_scaled);
  if (q.price_max_scaled) b.sql(" AND p.price_scaled <= ").param(*q.price_max_scaled);
  if (q.created_from) b.sql(" AND p.created_at >= ").param(*q.created_from);
  if (q.created_to) b.sql(" AND p.created_at <= ").param(*q.created_to);
  if (q.active == catalog::ActiveFilter::kActive) b.sql(" AND p.is_active = 1");
  if (q.active == catalog::ActiveFilter::kInactive) b.sql(" AND p.is_active = 0");
  // One pass over the rows as SQLite produces them (no result set is built): total, facets,
  // sort keys. A facet value is copied once, when it is first seen; later rows only look it up.
  const bool by_text = q.sort == SortKey::kName;
  const ResultOrder order{by_text, q.descending};
  FacetCounts categories, brands, materials;
  std::vector<Keyed> keyed;
  std::vector<std::string> list;
  std::optional<Keyed> after;
  if (q.after) after = Keyed{q.after->number, q.after->text, q.after->seq};
  std::int64_t total = 0;
  EW_TRY(c.for_each_row(b.text(), b.params(), [&](const storage::RowView& r) {
    ++total;
    categories.add(r.text(1));
    brands.add(r.text(2));
    const auto mats = r.text(3);
    if (mats.find('\\') == std::string_view::npos) {
      // ["a","b"]: the items are the quoted runs.
      for (std::size_t pos = mats.find('"'); pos != std::string_view::npos;) {
        const auto end = mats.find('"', pos + 1);
        if (end == std::string_view::npos) break;
        materials.add(mats.substr(pos + 1, end - pos - 1));
        pos = mats.find('"', end + 1);
      }
    } else {
      parse_strings(mats, list);
      for (const auto& m : list) materials.add(m);
    }
    Keyed k{0, {}, r.i64(0)};
    if (by_text) {
      k.text = lower_ascii(r.text(4));
    } else {
      k.number = r.f64(4);
    }
    if (after && !order(*after, k)) return;
    keyed.push_back(std::move(k));
  }));
  page.total = total;
  page.categories = top(categories.entries());
  page.brands = top(brands.entries());
  page.materials = top(materials.entries());

  const auto begin = static_cast<std::size_t>(std::min<std::int64_t>(q.offset, static_cast<std::int64_t>(keyed.size())));
  const auto end = std::min(keyed.size(), begin + static_cast<std::size_t>(q.limit));
  // Only [begin, end) is needed in order: select the page's first key in linear time, then
  // order the page (a partial sort up to `end` sorted every row before a deep page too).
  const auto first = keyed.begin() + static_cast<std::ptrdiff_t>(begin);
  if (begin > 0 && begin < keyed.size()) std::nth_element(keyed.begin(), first, keyed.end(), order);
  std::partial_sort(first, keyed.begin() + static_cast<std::ptrdiff_t>(end), keyed.end(), order);
  std::vector<std::int64_t> seqs;
  for (std::size_t i = begin; i < end; ++i) {
    seqs.push_back(keyed[i].seq);
    page.keys.push_back(SearchQuery::After{keyed[i].number, keyed[i].text, keyed[i].seq});
  }
  EW_ASSIGN_OR_RETURN(page.items, load_products(c, q.manufacturer_id, seqs));
  return page;
}

namespace {

// The WHERE clause shared by the page and the facet query (PostgreSQL).
void pg_where(SqlBuilder& b, const SearchQuery& q, const std::string& tsquery, std::string& material_json,
              std::string& color_json, int& ts_ref) {
  b.sql(" FROM products p WHERE p.manufacturer_id = ").param(q.manufacturer_id);
  if (!q.terms.empty()) {
    b.sql(" AND p.search @@ to_tsquery('eyewear_text', ");
    ts_ref = b.bind(tsquery);
    b.sql(")");
  }
  if (q.category) b.sql(" AND p.category = ").param(*q.category);
  if (q.brand) b.sql(" AND p.brand = ").param(*q.brand);
  if (q.currency) b.sql(" AND p.currency = ").param(*q.currency);
  if (q.material) {
    material_json = strings_json({*q.material});
    b.sql(" AND p.materials @> CAST(").param(material_json).sql(" AS jsonb)");
  }
  if (q.color) {
    color_json = strings_json({*q.color});
    b.sql(" AND p.colors @> CAST(").param(color_json).sql(" AS jsonb)");
  }
  if (q.price_min_scaled) b.sql(" AND p.price_scaled >= ").param(*q.price_min_scaled);
  if (q.price_max_scaled) b.sql(" AND p.price_scaled <= ").param(*q.price_max_scaled);
  if (q.created_from) b.sql(" AND p.created_at >= ").param(*q.created_from);
  if (q.created_to) b.sql(" AND p.created_at <= ").param(*q.created_to);
  if (q.active == catalog::ActiveFilter::kActive) b.sql(" AND p.is_active");
  if (q.active == catalog::ActiveFilter::kInactive) b.sql(" AND NOT p.is_active");
}

}  // namespace

Result<SearchPage> search_postgres(storage::Connection& c, const SearchQuery& q) {
  SearchPage page;
  EW_ASSIGN_OR_RETURN(const auto number, tenant_number(c, q.manufacturer_id));
  if (!number) return page;
  // Namespaced words (catalog_fts.hpp): 't5xacet':* & 't5xround':*
  std::vector<std::string> namespaced;
  for (const auto& t : q.terms) namespaced.push_back("t" + std::to_string(*number) + "x" + t);
  const auto tsquery = catalog::tsquery_expression(namespaced);
  std::string material_json, color_json;
  int ts_ref = 0;

  // The page.
  SqlBuilder b;
  b.sql("SELECT p.seq, ");
  // The select list refers to the tsquery as $2: pg_where binds the manufacturer ($1) and then
  // the tsquery, which is checked below.
  const bool rel = q.sort == SortKey::kRelevance;
  switch (q.sort) {
    case SortKey::kRelevance: b.sql("ts_rank(p.search, to_tsquery('eyewear_text', $2)) AS k"); break;
    case SortKey::kCreatedAt: b.sql("p.created_at AS k"); break;
    case SortKey::kPrice: b.sql("p.price_scaled AS k"); break;
    case SortKey::kName: b.sql("lower(p.name) COLLATE \"C\" AS k"); break;
  }
  pg_where(b, q, tsquery, material_json, color_json, ts_ref);
  if (rel && ts_ref != 2) return platform::fail(platform::Error::internal_error("tsquery parameter is not $2"));
  std::string after_text;
  if (q.after) {
    after_text = q.after->text;
    b.sql(" AND (");
    switch (q.sort) {
      case SortKey::kRelevance: b.sql("ts_rank(p.search, to_tsquery('eyewear_text', $2))"); break;
      case SortKey::kCreatedAt: b.sql("p.created_at"); break;
      case SortKey::kPrice: b.sql("p.price_scaled"); break;
      case SortKey::kName: b.sql("lower(p.name) COLLATE \"C\""); break;
    }
    b.sql(", p.seq) ");
    if (q.descending) {
      b.sql("< (");
    } else {
      b.sql("> (");
    }
    switch (q.sort) {
      case SortKey::kRelevance: b.sql("CAST(").param(q.after->number).sql(" AS real)"); break;
      case SortKey::kCreatedAt:
      case SortKey::kPrice: b.sql("CAST(").param(static_cast<std::int64_t>(q.after->number)).sql(" AS BIGINT)"); break;
      case SortKey::kName: b.sql("CAST(").param(after_text).sql(" AS text) COLLATE \"C\""); break;
    }
    b.sql(", CAST(").param(q.after->seq).sql(" AS BIGINT))");
  }
  if (q.descending) {
    b.sql(" ORDER BY k DESC, p.seq DESC LIMIT ");
  } else {
    b.sql(" ORDER BY k ASC, p.seq ASC LIMIT ");
  }
  b.param(q.limit).sql(" OFFSET ").param(q.offset);
  EW_ASSIGN_OR_RETURN(auto rows, c.query(b.text(), b.params()));
  std::vector<std::int64_t> seqs;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    seqs.push_back(rows[i].i64(0));
    SearchQuery::After k{0, {}, rows[i].i64(0)};
    if (q.sort == SortKey::kName) {
      k.text = rows[i].str(1);
    } else {
      k.number = rows[i].f64(1);
    }
    page.keys.push_back(std::move(k));
  }
  EW_ASSIGN_OR_RETURN(page.items, load_products(c, q.manufacturer_id, seqs));

  // Total and facets over the filtered set, in one statement.
  SqlBuilder f;
  f.sql("WITH f AS MATERIALIZED (SELECT p.category, p.brand, p.materials");
  pg_where(f, q, tsquery, material_json, color_json, ts_ref);
  f.sql(") SELECT 0, '', COUNT(*) FROM f UNION ALL SELECT 1, category, COUNT(*) FROM f GROUP BY category "
        "UNION ALL SELECT 2, brand, COUNT(*) FROM f GROUP BY brand "
        "UNION ALL SELECT 3, m.value, COUNT(*) FROM f, jsonb_array_elements_text(f.materials) AS m(value) "
        "GROUP BY m.value");
  EW_ASSIGN_OR_RETURN(auto facets, c.query(f.text(), f.params()));
  std::unordered_map<std::string, std::int64_t> cats, brands, mats;  // few rows: owned keys are fine
  for (std::size_t i = 0; i < facets.size(); ++i) {
    const auto r = facets[i];
    switch (r.i64(0)) {
      case 0: page.total = r.i64(2); break;
      case 1: cats[r.str(1)] = r.i64(2); break;
      case 2: brands[r.str(1)] = r.i64(2); break;
      default: mats[r.str(1)] = r.i64(2); break;
    }
  }
  page.categories = top(cats);
  page.brands = top(brands);
  page.materials = top(mats);
  return page;
}

}  // namespace eyewear::stores::catalog_sql
