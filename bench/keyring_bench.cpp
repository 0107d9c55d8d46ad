// Keyring costs per operation: seal and open of a field (32 B and 1 KiB) with each algorithm,
// through the keyring (key lookup, header, associated data, base64) and as the raw AEAD call
// underneath; the document API; and the business-field validators. Keys are cached after the
// first use, so these are steady-state figures. Figures in docs/BENCHMARKS.md.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>

#include "platform/crypto.hpp"
#include "platform/logging.hpp"
#include "security/envelope.hpp"
#include "security/keyring.hpp"
#include "security/validation.hpp"
#include "storage/migrations.hpp"
#include "storage/open.hpp"
#include "stores/keyring_store.hpp"

namespace {

using namespace eyewear;

class NullSink final : public platform::LogSink {
 public:
  void write(platform::LogLevel, std::string_view) override {}
};

struct KeyringEnv {
  explicit KeyringEnv(security::Algorithm alg)
      : dir(std::filesystem::temp_directory_path() /
            ("eyewear-keyring-bench-" + std::to_string(::getpid()) + std::string(security::algorithm_token(alg)))),
        logger(std::make_shared<NullSink>(), platform::LogLevel::kOff) {
    std::filesystem::create_directories(dir);
    storage::DatabaseOptions o;
    o.url = "sqlite:" + (dir / "bench.db").string();
    o.pool_size = 2;
    db = std::move(*storage::open_database(o));
    (void)storage::migrate(*db, nullptr);
    store = stores::make_keyring_store(*db);
    security::KeyringOptions k;
    k.master_key = std::string(32, 'm');
    k.algorithm = alg;
    ring = std::move(*security::Keyring::create(*store, clock, random, logger, k));
  }
  ~KeyringEnv() {
    ring.reset();
    db.reset();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  platform::SystemClock clock;
  platform::SecureRandom random;
  platform::Logger logger;
  std::unique_ptr<storage::Database> db;
  std::unique_ptr<security::KeyringStore> store;
  std::unique_ptr<security::Keyring> ring;
};

security::Algorithm alg_of(const benchmark::State& state) {
  return state.range(0) == 0 ? security::Algorithm::kXChaCha20Poly1305 : security::Algorithm::kAes256Gcm;
}

bool skip_unavailable(benchmark::State& state) {
  if (security::algorithm_available(alg_of(state))) return false;
  state.SkipWithError("AES-256-GCM needs AES-NI");
  return true;
}

const security::FieldRef kRef{"0192f0a4-7c1e-7abc-9def-0123456789ac", "manufacturer_profiles", "tax_id",
                              "0192f0a4-7c1e-7abc-9def-0123456789ac"};

void BM_KeyringSeal(benchmark::State& state) {
  if (skip_unavailable(state)) return;
  KeyringEnv env(alg_of(state));
  const std::string plain(static_cast<std::size_t>(state.range(1)), 'x');
  (void)env.ring->seal(kRef, plain);  // creates and caches the tenant's data key
  for (auto _ : state) {
    auto sealed = env.ring->seal(kRef, plain);
    benchmark::DoNotOptimize(sealed->data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(1));
}
BENCHMARK(BM_KeyringSeal)->ArgsProduct({{0, 1}, {32, 1024}});

void BM_KeyringOpen(benchmark::State& state) {
  if (skip_unavailable(state)) return;
  KeyringEnv env(alg_of(state));
  const auto sealed = *env.ring->seal(kRef, std::string(static_cast<std::size_t>(state.range(1)), 'x'));
  for (auto _ : state) {
    auto plain = env.ring->open(kRef, sealed);
    benchmark::DoNotOptimize(plain->data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(1));
}
BENCHMARK(BM_KeyringOpen)->ArgsProduct({{0, 1}, {32, 1024}});

// The AEAD call alone (random nonce included): what the keyring adds on top of it is the rest.
void BM_AeadSealRaw(benchmark::State& state) {
  if (skip_unavailable(state)) return;
  platform::SecureRandom random;
  const auto key = security::SecretKey::generate(random);
  const std::string plain(static_cast<std::size_t>(state.range(1)), 'x');
  const std::string ad(120, 'a');
  for (auto _ : state) {
    auto box = security::aead_seal(alg_of(state), key, plain, ad, random);
    benchmark::DoNotOptimize(box.data());
  }
}
BENCHMARK(BM_AeadSealRaw)->ArgsProduct({{0, 1}, {32, 1024}});

// The payload's base64url decoding, a part of every open (it grows with the value).
void BM_Base64urlDecodePayload(benchmark::State& state) {
  platform::SecureRandom random;
  const auto text = platform::base64url_encode(random.bytes(static_cast<std::size_t>(state.range(0)) + 40));
  for (auto _ : state) benchmark::DoNotOptimize(platform::base64url_decode(text)->data());
}
BENCHMARK(BM_Base64urlDecodePayload)->Arg(32)->Arg(1024);

void BM_EncryptManufacturerData(benchmark::State& state) {
  KeyringEnv env(security::Algorithm::kXChaCha20Poly1305);
  security::Envelope envelope(*env.ring, env.clock);
  const security::DocumentRef ref{std::string(kRef.tenant), "manufacturer_documents", "registration", "doc-1"};
  const nlohmann::json doc = {{"tax_id", "DE811125440"},
                              {"licence_number", "HRB 12345/B"},
                              {"phone", "+4930901820"},
                              {"bank", "DE89370400440532013000"},
                              {"registered_office", "Berlin, Germany"}};
  for (auto _ : state) {
    auto d = envelope.encrypt_manufacturer_data(ref, doc);
    benchmark::DoNotOptimize(d->encrypted_payload.data());
  }
}
BENCHMARK(BM_EncryptManufacturerData);

void BM_DecryptManufacturerData(benchmark::State& state) {
  KeyringEnv env(security::Algorithm::kXChaCha20Poly1305);
  security::Envelope envelope(*env.ring, env.clock);
  const security::DocumentRef ref{std::string(kRef.tenant), "manufacturer_documents", "registration", "doc-1"};
  const auto d = *envelope.encrypt_manufacturer_data(ref, {{"tax_id", "DE811125440"}, {"phone", "+4930901820"}});
  for (auto _ : state) {
    auto j = envelope.decrypt_manufacturer_data(ref, d);
    benchmark::DoNotOptimize(j->size());
  }
}
BENCHMARK(BM_DecryptManufacturerData);

void BM_ValidateTaxId(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(security::validate_tax_id("DE 811 125 440")->value.data());
}
BENCHMARK(BM_ValidateTaxId);

void BM_ValidatePhone(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(security::validate_phone("030 901820", "DE")->data());
}
BENCHMARK(BM_ValidatePhone);

void BM_ValidateCompanyName(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(security::validate_company_name("Optik Müller GmbH & Co. KG")->data());
  }
}
BENCHMARK(BM_ValidateCompanyName);

}  // namespace
