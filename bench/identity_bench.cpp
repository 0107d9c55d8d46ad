// Access-token costs: issue and verify, HS256 and ES256, first use (signature checked) and
// repeated use (served from the verified-token cache). Figures in docs/BENCHMARKS.md.
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <unistd.h>

#include <filesystem>

#include "identity/jwt.hpp"
#include "identity/passwords.hpp"

namespace {

using namespace eyewear;

struct Fixture {
  explicit Fixture(identity::JwtAlgorithm alg) {
    dir = std::filesystem::temp_directory_path() / ("eyewear-bench-" + std::to_string(::getpid()) +
                                                    (alg == identity::JwtAlgorithm::kES256 ? "-es" : "-hs"));
    identity::KeyRingOptions o;
    o.directory = dir.string();
    o.algorithm = alg;
    keys = std::move(*identity::KeyRing::open(o, clock, random));
    tokens = std::make_unique<identity::TokenService>(*keys, clock, "https://eyewear.bench", "eyewear-api");
  }
  ~Fixture() {
    tokens.reset();
    keys.reset();
    std::filesystem::remove_all(dir);
  }
  identity::AccessClaims claims(int i) {
    identity::AccessClaims c;
    c.subject = "0192f0a4-7c1e-7abc-9def-0123456789ab";
    c.manufacturer_id = "0192f0a4-7c1e-7abc-9def-0123456789ac";
    c.tier = "professional";
    c.roles = {"owner"};
    c.session_id = "0192f0a4-7c1e-7abc-9def-0123456789ad";
    c.token_id = "jti-" + std::to_string(i);
    c.issued_at = platform::to_unix_seconds(clock.now());
    c.expires_at = c.issued_at + 900;
    return c;
  }
  std::filesystem::path dir;
  platform::SystemClock clock;
  platform::SecureRandom random;
  std::unique_ptr<identity::KeyRing> keys;
  std::unique_ptr<identity::TokenService> tokens;
};

identity::JwtAlgorithm alg_of(const benchmark::State& state) {
  return state.range(0) == 0 ? identity::JwtAlgorithm::kHS256 : identity::JwtAlgorithm::kES256;
}

void BM_JwtIssue(benchmark::State& state) {
  Fixture f(alg_of(state));
  int i = 0;
  for (auto _ : state) {
    auto t = f.tokens->issue(f.claims(i++));
    benchmark::DoNotOptimize(t->data());
  }
  state.SetLabel(state.range(0) == 0 ? "HS256" : "ES256");
}
BENCHMARK(BM_JwtIssue)->Arg(0)->Arg(1);

void BM_JwtVerifyFirstUse(benchmark::State& state) {
  Fixture f(alg_of(state));
  const auto token = *f.tokens->issue(f.claims(0));
  for (auto _ : state) {
    auto c = f.tokens->verify_uncached(token);
    benchmark::DoNotOptimize(c->subject.data());
  }
  state.SetLabel(state.range(0) == 0 ? "HS256" : "ES256");
}
BENCHMARK(BM_JwtVerifyFirstUse)->Arg(0)->Arg(1);

void BM_JwtVerifyCached(benchmark::State& state) {
  Fixture f(alg_of(state));
  const auto token = *f.tokens->issue(f.claims(0));
  (void)f.tokens->verify(token);
  for (auto _ : state) {
    auto c = f.tokens->verify(token);
    benchmark::DoNotOptimize(c->subject.data());
  }
  state.SetLabel(state.range(0) == 0 ? "HS256" : "ES256");
}
BENCHMARK(BM_JwtVerifyCached)->Arg(0)->Arg(1);

void BM_Argon2idDefault(benchmark::State& state) {
  identity::PasswordHasher hasher({2, 64 * 1024 * 1024});
  const auto hash = *hasher.hash("Tortoiseshell-Aviator-77");
  for (auto _ : state) benchmark::DoNotOptimize(hasher.verify(hash, "Tortoiseshell-Aviator-77"));
  state.SetLabel("opslimit 2, 64 MiB");
}
BENCHMARK(BM_Argon2idDefault)->Unit(benchmark::kMillisecond)->Iterations(20);

// Baseline: the same verification through libsodium's crypto_pwhash (AVX2 core, but it maps and
// unmaps its memory on every call; docs/IDENTITY.md, "Password hashing").
void BM_Argon2idLibsodium(benchmark::State& state) {
  if (sodium_init() < 0) state.SkipWithError("sodium_init");
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, "Tortoiseshell-Aviator-77", 24, 2, 64 * 1024 * 1024, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    state.SkipWithError("crypto_pwhash_str_alg");
  }
  for (auto _ : state) benchmark::DoNotOptimize(crypto_pwhash_str_verify(hash, "Tortoiseshell-Aviator-77", 24));
  state.SetLabel("opslimit 2, 64 MiB");
}
BENCHMARK(BM_Argon2idLibsodium)->Unit(benchmark::kMillisecond)->Iterations(20);

}  // namespace
