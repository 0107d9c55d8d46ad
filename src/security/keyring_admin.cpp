#include "security/keyring_admin.hpp"

#include <nlohmann/json.hpp>
#include <set>

#include "platform/crypto.hpp"

namespace eyewear::security {

namespace {

using platform::Error;
using platform::fail;

struct Change {
  std::string row;
  std::string old_value;
  std::string new_value;
};

// One batch of one column: decides and re-seals outside any transaction (sealing may create a
// tenant's new data key), then swaps the values in one short write transaction, each only if a
// server did not change it meanwhile.
Status rewrap_batch(Keyring& keyring, std::size_t index, const SealedColumn& column, const std::vector<SealedRow>& rows,
                    std::int64_t epoch, RewrapColumnReport& report, platform::Logger& logger) {
  std::vector<Change> changes;
  for (const auto& r : rows) {
    ++report.scanned;
    const FieldRef ref{r.tenant, column.table, column.column, r.row};
    auto header = parse_sealed(r.value);
    if (!header) {
      ++report.failed;
      logger.warn(
          "rewrap: value does not parse",
          {{"column", column.name}, {"row", r.row}, {"reason", failure_name(*open_failure_of(header.error()))}});
      continue;
    }
    EW_ASSIGN_OR_RETURN(const bool current, keyring.is_current(r.tenant, *header));
    if (current) {
      ++report.already_current;
      continue;
    }
    auto plain = keyring.open_for_maintenance(ref, r.value);
    if (!plain) {
      const auto failure = open_failure_of(plain.error());
      if (!failure) return fail(plain.error());  // storage trouble: stop, the next run resumes
      ++report.failed;
      logger.warn("rewrap: value does not open",
                  {{"column", column.name}, {"row", r.row}, {"reason", failure_name(*failure)}});
      continue;
    }
    auto sealed = keyring.seal(ref, *plain);
    platform::secure_wipe(*plain);
    if (!sealed) return fail(sealed.error());
    changes.push_back(Change{r.row, r.value, std::move(*sealed)});
  }
  return keyring.store().write([&](KeyringTx& tx) -> Status {
    for (const auto& c : changes) {
      EW_ASSIGN_OR_RETURN(const bool replaced, tx.replace_sealed(index, c.row, c.old_value, c.new_value));
      ++(replaced ? report.rewrapped : report.changed_meanwhile);
    }
    return tx.save_rewrap_progress(
        RewrapProgress{column.name, epoch, rows.back().row, report.rewrapped, std::nullopt, keyring.now_ms()});
  });
}

}  // namespace

std::int64_t RewrapReport::rewrapped() const {
  std::int64_t n = 0;
  for (const auto& c : columns) n += c.rewrapped;
  return n;
}

std::int64_t RewrapReport::failed() const {
  std::int64_t n = 0;
  for (const auto& c : columns) n += c.failed;
  return n;
}

bool RewrapReport::complete() const {
  for (const auto& c : columns) {
    if (!c.complete) return false;
  }
  return true;
}

Result<RewrapReport> rewrap(Keyring& keyring, const RewrapOptions& options, const KeyActor& actor,
                            platform::Logger& logger) {
  if (options.batch < 1 || options.batch > 100'000) {
    return fail(Error::validation("batch", "range", "the batch size must be between 1 and 100000"));
  }
  EW_TRY(keyring.refresh());
  const auto state = keyring.state();
  RewrapReport report;
  report.primary_version = state.primary_version;
  std::vector<SealedColumn> columns;
  EW_TRY(keyring.store().read([&](KeyringTx& tx) -> Status {
    columns = tx.sealed_columns();
    return {};
  }));
  std::vector<std::optional<RewrapProgress>> progress(columns.size());
  EW_TRY(keyring.store().read([&](KeyringTx& tx) -> Status {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      EW_ASSIGN_OR_RETURN(progress[i], tx.rewrap_progress(columns[i].name));
    }
    return {};
  }));
  // An interrupted pass towards the same keyring state is continued: finished columns are
  // skipped, the unfinished one resumes after its last row. Otherwise a new pass starts.
  bool resuming = false;
  for (const auto& p : progress) {
    if (p && p->epoch == state.epoch && !p->completed_at) resuming = !options.restart;
  }
  int batches = 0;
  for (std::size_t index = 0; index < columns.size(); ++index) {
    const auto& column = columns[index];
    RewrapColumnReport col;
    col.column = column.name;
    const auto& prior = progress[index];
    std::string cursor;
    if (resuming && prior && prior->epoch == state.epoch) {
      col.resumed = true;
      col.rewrapped = prior->rewrapped;
      if (prior->completed_at) {
        col.complete = true;
        report.columns.push_back(col);
        continue;
      }
      cursor = prior->cursor;
    }
    for (;;) {
      if (options.max_batches > 0 && batches >= options.max_batches) break;
      std::vector<SealedRow> rows;
      EW_TRY(keyring.store().read([&](KeyringTx& tx) -> Status {
        EW_ASSIGN_OR_RETURN(rows, tx.scan_sealed(index, cursor, options.batch));
        return {};
      }));
      if (rows.empty()) {
        col.complete = true;
        EW_TRY(keyring.store().write([&](KeyringTx& tx) -> Status {
          return tx.save_rewrap_progress(
              RewrapProgress{column.name, state.epoch, cursor, col.rewrapped, keyring.now_ms(), keyring.now_ms()});
        }));
        break;
      }
      EW_TRY(rewrap_batch(keyring, index, column, rows, state.epoch, col, logger));
      cursor = rows.back().row;
      ++batches;
      if (options.on_batch) options.on_batch(col);
    }
    report.columns.push_back(col);
  }
  nlohmann::json details = {{"primary_version", report.primary_version},
                            {"rewrapped", report.rewrapped()},
                            {"failed", report.failed()},
                            {"complete", report.complete()}};
  EW_TRY(keyring.store().write([&](KeyringTx& tx) -> Status {
    platform::AuditEvent e;
    e.type = report.complete() ? "keyring_rewrap_completed" : "keyring_rewrap_interrupted";
    e.actor_account_id = actor.account_id;
    e.ip = actor.meta.ip;
    e.user_agent = actor.meta.user_agent;
    e.request_id = actor.meta.request_id;
    e.outcome = report.failed() == 0 ? "success" : "failure";
    e.details = details.dump();
    e.at_ms = keyring.now_ms();
    return tx.append_audit(e);
  }));
  return report;
}

Result<KeyStatus> key_status(Keyring& keyring) {
  EW_TRY(keyring.refresh());
  KeyStatus status;
  status.state = keyring.state();
  status.effective_min_version = keyring.effective_min_version();
  status.algorithm = keyring.algorithm();
  std::vector<KeyVersionRecord> versions;
  std::vector<std::pair<int, std::int64_t>> keys_per_version;
  std::vector<DataKeyRecord> active;
  std::vector<SealedColumn> columns;
  std::vector<std::vector<HeaderCount>> counts;
  EW_TRY(keyring.store().read([&](KeyringTx& tx) -> Status {
    EW_ASSIGN_OR_RETURN(versions, tx.versions());
    EW_ASSIGN_OR_RETURN(keys_per_version, tx.data_keys_per_version());
    EW_ASSIGN_OR_RETURN(active, tx.active_data_keys());
    columns = tx.sealed_columns();
    for (std::size_t i = 0; i < columns.size(); ++i) {
      EW_ASSIGN_OR_RETURN(auto c, tx.count_sealed(i));
      counts.push_back(std::move(c));
    }
    return {};
  }));
  // Current = the tenant's active key, of the primary version.
  std::set<std::string> current;
  for (const auto& k : active) {
    if (k.version == status.state.primary_version) current.insert(k.kid);
  }
  std::map<int, KeyStatus::Version> by_version;
  for (const auto& v : versions) {
    auto& out = by_version[v.version];
    out.version = v.version;
    out.created_at = v.created_at;
    out.primary = v.version == status.state.primary_version;
    out.below_minimum = v.version < status.effective_min_version;
  }
  for (const auto& [version, n] : keys_per_version) by_version[version].data_keys = n;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    KeyStatus::Column col;
    col.name = columns[i].name;
    for (const auto& h : counts[i]) {
      col.fields += h.count;
      if (h.version == 0) {
        col.unrecognised += h.count;
        col.pending_rewrap += h.count;
        continue;
      }
      col.by_version[h.version] += h.count;
      const auto alg = algorithm_from_token(h.algorithm);
      const std::string alg_name = alg ? std::string(algorithm_name(*alg)) : h.algorithm;
      col.by_algorithm[alg_name] += h.count;
      status.by_algorithm[alg_name] += h.count;
      if (auto it = by_version.find(h.version); it != by_version.end()) it->second.fields += h.count;
      if (!current.contains(h.kid)) col.pending_rewrap += h.count;
      if (h.version < status.effective_min_version) status.below_minimum += h.count;
    }
    status.fields += col.fields;
    status.pending_rewrap += col.pending_rewrap;
    status.columns.push_back(std::move(col));
  }
  for (auto& [_, v] : by_version) status.versions.push_back(v);
  return status;
}

}  // namespace eyewear::security
