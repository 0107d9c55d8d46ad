// The keyring test fixture: a real database (SQLite in a temporary file, or a fresh PostgreSQL
// database), migrated, with a keyring over it and helpers that create manufacturers, sealed
// profile rows and accounts with sealed MFA secrets the way the services do.
#pragma once

#include <gtest/gtest.h>

#include <map>

#include "security/keyring.hpp"
#include "storage/backend_fixture.hpp"
#include "storage/migrations.hpp"
#include "stores/keyring_store.hpp"

namespace eyewear::testing {

using security::FieldRef;
using security::Keyring;
using storage::TxMode;

inline const std::string kMasterA(32, 'A');
inline const std::string kMasterB(32, 'B');
inline const security::KeyActor kActor{{"127.0.0.1", "keyring test", "req-1"}, ""};

inline std::string reason(const platform::Error& e) {
  const auto f = security::open_failure_of(e);
  return f ? std::string(security::failure_name(*f)) : "code " + std::string(platform::code_name(e.code));
}
template <typename T>
std::string outcome(const platform::Result<T>& r) {
  return r ? "ok" : reason(r.error());
}

class KeyringTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(storage::migrate(*db_, nullptr).has_value());
    store_ = stores::make_keyring_store(*db_);
    ring_ = make_ring(kMasterA);
    ASSERT_NE(ring_, nullptr);
  }

  std::unique_ptr<Keyring> make_ring(const std::string& master, security::KeyringOptions o = {},
                                     platform::Error* error = nullptr) {
    o.master_key = master;
    auto r = Keyring::create(*store_, clock_, random_, logger_, std::move(o));
    if (!r) {
      if (error != nullptr) *error = r.error();
      return nullptr;
    }
    return std::move(*r);
  }

  void exec(const std::string& sql, std::initializer_list<storage::Param> params = {}) {
    auto r = db_->transact(TxMode::kWrite, [&](storage::Connection& c) { return c.execute(sql, params); });
    ASSERT_TRUE(r.has_value()) << r.error().internal;
  }
  std::int64_t count(const std::string& sql, std::initializer_list<storage::Param> params = {}) {
    auto rows = db_->transact(TxMode::kRead, [&](storage::Connection& c) { return c.query(sql, params); });
    return rows && !rows->empty() ? (*rows)[0].i64(0) : -1;
  }
  std::string text(const std::string& sql, std::initializer_list<storage::Param> params = {}) {
    auto rows = db_->transact(TxMode::kRead, [&](storage::Connection& c) { return c.query(sql, params); });
    return rows && !rows->empty() ? (*rows)[0].str(0) : "<none>";
  }

  void add_manufacturer(const std::string& id) {
    exec(
        "INSERT INTO manufacturers (id, company_name, tier, status, created_at, updated_at) "
        "VALUES ($1, $2, 'free', 'active', 1, 1)",
        {id, "Company " + id});
  }

  // A manufacturer with a sealed phone, tax id and licence number; returns their plaintexts.
  std::vector<std::string> add_profile(Keyring& ring, const std::string& mid) {
    add_manufacturer(mid);
    std::vector<std::string> plain = {"+4930901820" + mid.substr(mid.size() - 1), "DE811125440-" + mid, "LIC-" + mid};
    const char* columns[] = {"phone", "tax_id", "licence_number"};
    std::vector<std::string> sealed;
    for (int i = 0; i < 3; ++i) {
      auto s = ring.seal(FieldRef{mid, "manufacturer_profiles", columns[i], mid}, plain[i]);
      EXPECT_TRUE(s.has_value());
      sealed.push_back(s ? *s : "");
    }
    exec(
        "INSERT INTO manufacturer_profiles (manufacturer_id, phone_sealed, tax_id_sealed, licence_number_sealed, "
        "created_at, updated_at) VALUES ($1, $2, $3, $4, 1, 1)",
        {mid, sealed[0], sealed[1], sealed[2]});
    return plain;
  }

  std::string add_account(Keyring& ring, const std::string& id, const std::string& secret, bool pending = false) {
    auto sealed = ring.seal(FieldRef{security::kPlatformTenant, "accounts", "mfa_secret", id}, secret);
    EXPECT_TRUE(sealed.has_value());
    exec(std::string("INSERT INTO accounts (id, email, status, ") + (pending ? "mfa_pending_secret" : "mfa_secret") +
             ", created_at, updated_at) VALUES ($1, $2, 'active', $3, 1, 1)",
         {id, id + "@acme.example", *sealed});
    return *sealed;
  }

  std::string stored(const std::string& mid, const std::string& column) {
    return text("SELECT " + column + "_sealed FROM manufacturer_profiles WHERE manufacturer_id = $1", {mid});
  }

  platform::ManualClock clock_{platform::from_unix_ms(1'800'000'000'000)};
  platform::SecureRandom random_;
  std::shared_ptr<platform::CaptureSink> sink_ = std::make_shared<platform::CaptureSink>();
  platform::Logger logger_{sink_, platform::LogLevel::kDebug, true};
  std::unique_ptr<security::KeyringStore> store_;
  std::unique_ptr<Keyring> ring_;
};

}  // namespace eyewear::testing
