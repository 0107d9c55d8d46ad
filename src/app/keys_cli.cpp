#include "app/keys_cli.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/application.hpp"
#include "app/keyring_setup.hpp"
#include "platform/random.hpp"
#include "security/keyring_admin.hpp"
#include "storage/migrations.hpp"
#include "stores/keyring_store.hpp"

namespace eyewear::app {

namespace {

void print_error(const platform::Error& e) {
  std::fprintf(stderr, "eyewear: %s\n", e.message.c_str());
  if (!e.internal.empty()) std::fprintf(stderr, "  detail: %s\n", e.internal.c_str());
}

std::string iso(std::int64_t ms) { return platform::format_rfc3339(platform::from_unix_ms(ms)); }

std::string counts_text(const auto& counts, const char* prefix) {
  std::string out;
  for (const auto& [k, n] : counts) {
    if (!out.empty()) out += ' ';
    out += prefix;
    if constexpr (std::is_same_v<std::decay_t<decltype(k)>, int>) {
      out += std::to_string(k);
    } else {
      out += k;
    }
    out += '=' + std::to_string(n);
  }
  return out.empty() ? "-" : out;
}

nlohmann::json status_json(const security::KeyStatus& s) {
  nlohmann::json versions = nlohmann::json::array();
  for (const auto& v : s.versions) {
    versions.push_back({{"version", v.version},
                        {"created_at", iso(v.created_at)},
                        {"primary", v.primary},
                        {"below_minimum", v.below_minimum},
                        {"data_keys", v.data_keys},
                        {"fields", v.fields}});
  }
  nlohmann::json columns = nlohmann::json::array();
  for (const auto& c : s.columns) {
    nlohmann::json by_version = nlohmann::json::object();
    for (const auto& [v, n] : c.by_version) by_version[std::to_string(v)] = n;
    columns.push_back({{"column", c.name},
                       {"fields", c.fields},
                       {"pending_rewrap", c.pending_rewrap},
                       {"unrecognised", c.unrecognised},
                       {"by_version", by_version},
                       {"by_algorithm", c.by_algorithm}});
  }
  return {{"primary_version", s.state.primary_version},
          {"min_decryption_version", s.state.min_decryption_version},
          {"effective_min_decryption_version", s.effective_min_version},
          {"new_data_key_algorithm", security::algorithm_name(s.algorithm)},
          {"versions", versions},
          {"fields", s.fields},
          {"pending_rewrap", s.pending_rewrap},
          {"below_minimum", s.below_minimum},
          {"by_algorithm", s.by_algorithm},
          {"columns", columns}};
}

void print_status(const security::KeyStatus& s) {
  std::printf("keyring: primary version %d, minimum decryption version %d (effective %d), new data keys %s\n",
              s.state.primary_version, s.state.min_decryption_version, s.effective_min_version,
              std::string(security::algorithm_name(s.algorithm)).c_str());
  std::printf("\n%-9s %-26s %-10s %-10s %s\n", "version", "created", "data keys", "fields", "");
  for (const auto& v : s.versions) {
    std::printf("%-9d %-26s %-10lld %-10lld %s%s\n", v.version, iso(v.created_at).c_str(),
                static_cast<long long>(v.data_keys), static_cast<long long>(v.fields), v.primary ? "primary " : "",
                v.below_minimum ? "below minimum" : "");
  }
  std::printf("\nfields: %lld sealed, %lld pending rewrap, %lld below the minimum; by algorithm: %s\n",
              static_cast<long long>(s.fields), static_cast<long long>(s.pending_rewrap),
              static_cast<long long>(s.below_minimum), counts_text(s.by_algorithm, "").c_str());
  std::printf("\n%-38s %-8s %-8s %-24s %s\n", "column", "fields", "pending", "by version", "by algorithm");
  for (const auto& c : s.columns) {
    std::printf("%-38s %-8lld %-8lld %-24s %s\n", c.name.c_str(), static_cast<long long>(c.fields),
                static_cast<long long>(c.pending_rewrap), counts_text(c.by_version, "v").c_str(),
                counts_text(c.by_algorithm, "").c_str());
  }
}

}  // namespace

void KeysCli::add_to(CLI::App& keys, const std::function<void(CLI::App*)>& add_common) {
  rotate_ = keys.add_subcommand("rotate", "Make a new primary keyring version (older versions keep decrypting)");
  add_common(rotate_);
  rewrap_ = keys.add_subcommand("rewrap", "Re-seal every stored secret field under the primary version, in batches");
  rewrap_->add_option("--batch", batch_, "Values per transaction (EYEWEAR_KEYRING_REWRAP_BATCH)")
      ->check(CLI::Range(1, 100000));
  rewrap_->add_option("--max-batches", max_batches_, "Stop after this many batches; the next run resumes")
      ->check(CLI::Range(1, 1 << 30));
  rewrap_->add_flag("--restart", restart_, "Start a new pass instead of resuming an interrupted one");
  add_common(rewrap_);
  status_ = keys.add_subcommand("status", "Keyring versions, algorithms and how many fields sit on each");
  status_->add_flag("--json", json_, "Print JSON");
  add_common(status_);
  min_version_ = keys.add_subcommand("min-version", "Set the minimum decryption version (older values stop opening)");
  min_version_->add_option("version", version_, "The oldest version that still decrypts")->required();
  min_version_->add_flag("--force", force_, "Set it even though fields below it remain (they become unreadable)");
  add_common(min_version_);
  rotate_tenant_ = keys.add_subcommand("rotate-tenant", "Give one manufacturer a new data key");
  rotate_tenant_->add_option("--manufacturer", manufacturer_, "Manufacturer id ('platform' for account secrets)")
      ->required();
  add_common(rotate_tenant_);
}

bool KeysCli::selected() const {
  return (rotate_ && *rotate_) || (rewrap_ && *rewrap_) || (status_ && *status_) || (min_version_ && *min_version_) ||
         (rotate_tenant_ && *rotate_tenant_);
}

int KeysCli::run(const platform::Config& config) {
  platform::Logger logger(platform::make_stdout_sink(), platform::parse_log_level(config.log.level), config.log.json);
  auto db = open_configured_database(config, logger);
  if (!db) {
    print_error(db.error());
    return 1;
  }
  if (config.database.migrate_on_start) {
    if (auto applied = storage::migrate(**db, &logger); !applied) {
      print_error(applied.error());
      return 1;
    }
  }
  platform::SystemClock clock;
  platform::SecureRandom random;
  auto store = stores::make_keyring_store(**db);
  auto options = keyring_options(config, random, logger);
  if (!options) {
    print_error(options.error());
    return 2;
  }
  auto ring = security::Keyring::create(*store, clock, random, logger, std::move(*options));
  if (!ring) {
    print_error(ring.error());
    return 1;
  }
  auto& keyring = **ring;
  const security::KeyActor actor{{"", "eyewear cli", ""}, ""};
  const auto poll = std::to_string(config.keyring.poll.count()) + " ms";

  if (*rotate_) {
    const auto previous = keyring.state().primary_version;
    auto version = keyring.rotate(actor);
    logger.flush();
    if (!version) {
      print_error(version.error());
      return 1;
    }
    std::printf(
        "keyring version %d is primary (was %d); servers pick it up within %s (EYEWEAR_KEYRING_POLL).\n"
        "Older versions keep decrypting. Run `eyewear keys rewrap` to move stored fields to it.\n",
        *version, previous, poll.c_str());
    return 0;
  }
  if (*rotate_tenant_) {
    auto kid = keyring.rotate_tenant(manufacturer_, actor);
    logger.flush();
    if (!kid) {
      print_error(kid.error());
      return 1;
    }
    std::printf(
        "manufacturer %s has the new data key %s; servers pick it up within %s.\n"
        "Run `eyewear keys rewrap` to re-seal its fields under it.\n",
        manufacturer_.c_str(), kid->c_str(), poll.c_str());
    return 0;
  }
  if (*min_version_) {
    if (!force_) {
      auto status = security::key_status(keyring);
      if (!status) {
        print_error(status.error());
        return 1;
      }
      std::int64_t below = 0;
      for (const auto& c : status->columns) {
        for (const auto& [v, n] : c.by_version) {
          if (v < version_) below += n;
        }
      }
      if (below > 0) {
        std::fprintf(stderr,
                     "eyewear: %lld field(s) are sealed below version %d and would stop opening; run `eyewear keys "
                     "rewrap` first, or pass --force\n",
                     static_cast<long long>(below), version_);
        return 1;
      }
    }
    auto st = keyring.set_min_decryption_version(version_, actor);
    logger.flush();
    if (!st) {
      print_error(st.error());
      return 1;
    }
    std::printf("minimum decryption version is %d; servers apply it within %s.\n", version_, poll.c_str());
    return 0;
  }
  if (*rewrap_) {
    security::RewrapOptions o;
    o.batch = batch_ > 0 ? batch_ : static_cast<int>(config.keyring.rewrap_batch);
    o.restart = restart_;
    o.max_batches = max_batches_;
    o.on_batch = [](const security::RewrapColumnReport& c) {
      std::printf("  %s: %lld scanned, %lld rewrapped\n", c.column.c_str(), static_cast<long long>(c.scanned),
                  static_cast<long long>(c.rewrapped));
      std::fflush(stdout);
    };
    auto report = security::rewrap(keyring, o, actor, logger);
    logger.flush();
    if (!report) {
      print_error(report.error());
      return 1;
    }
    for (const auto& c : report->columns) {
      std::printf("%-38s %s%s: %lld rewrapped, %lld already current, %lld changed meanwhile, %lld failed\n",
                  c.column.c_str(), c.complete ? "complete" : "interrupted", c.resumed ? " (resumed)" : "",
                  static_cast<long long>(c.rewrapped), static_cast<long long>(c.already_current),
                  static_cast<long long>(c.changed_meanwhile), static_cast<long long>(c.failed));
    }
    std::printf("rewrap towards version %d: %lld value(s) rewrapped, %lld failed, %s\n", report->primary_version,
                static_cast<long long>(report->rewrapped()), static_cast<long long>(report->failed()),
                report->complete() ? "complete" : "interrupted (run it again to resume)");
    if (report->failed() > 0) return 3;
    return report->complete() ? 0 : 4;
  }
  if (*status_) {
    auto status = security::key_status(keyring);
    logger.flush();
    if (!status) {
      print_error(status.error());
      return 1;
    }
    if (json_) {
      std::printf("%s\n", status_json(*status).dump(2).c_str());
    } else {
      print_status(*status);
    }
    return 0;
  }
  return 1;
}

}  // namespace eyewear::app
