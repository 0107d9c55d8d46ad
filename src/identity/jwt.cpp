#include "identity/jwt.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "identity/jwt_codec.hpp"
#include "platform/crypto.hpp"
#include "platform/secret_file.hpp"

namespace eyewear::identity {

using platform::Error;
using platform::ErrorCode;
using platform::fail;

struct KeyRing::Key {
  std::string kid;
  JwtAlgorithm alg = JwtAlgorithm::kES256;
  std::int64_t created_at = 0;
  std::int64_t retired_at = 0;  // 0: not retired
  EVP_PKEY* pkey = nullptr;     // ES256
  std::string secret;           // HS256
  ~Key() {
    if (pkey != nullptr) EVP_PKEY_free(pkey);
    platform::secure_wipe(secret);
  }
};

namespace {

std::string_view alg_name(JwtAlgorithm a) { return a == JwtAlgorithm::kES256 ? "ES256" : "HS256"; }

std::string pem_of(EVP_PKEY* pkey) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, pkey, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return out;
}

EVP_PKEY* pkey_from_pem(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return pkey;
}

std::string bn_param(EVP_PKEY* pkey, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) return {};
  std::string out(32, '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), 32);
  BN_free(bn);
  return out;
}

std::optional<std::string> es256_sign(EVP_PKEY* pkey, std::string_view input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::optional<std::string> result;
  std::size_t len = 0;
  if (EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, pkey) == 1 &&
      EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1) {
    std::string der(len, '\0');
    if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(der.data()), &len,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1) {
      const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
      ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len));
      if (sig != nullptr) {
        const BIGNUM* r = nullptr;
        const BIGNUM* s = nullptr;
        ECDSA_SIG_get0(sig, &r, &s);
        std::string raw(64, '\0');
        BN_bn2binpad(r, reinterpret_cast<unsigned char*>(raw.data()), 32);
        BN_bn2binpad(s, reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
        ECDSA_SIG_free(sig);
        result = std::move(raw);
      }
    }
  }
  EVP_MD_CTX_free(ctx);
  return result;
}

bool es256_verify(EVP_PKEY* pkey, std::string_view input, std::string_view raw) {
  if (raw.size() != 64) return false;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  ECDSA_SIG_set0(sig, r, s);
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (der_len <= 0) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, pkey) == 1 &&
                  EVP_DigestVerify(ctx, der, static_cast<std::size_t>(der_len),
                                   reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  OPENSSL_free(der);
  return ok;
}

std::int64_t file_mtime(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

Error invalid(std::string reason) {
  return Error(ErrorCode::kTokenInvalid, "the access token is not valid", {{"reason", std::move(reason)}});
}

}  // namespace

KeyRing::KeyRing(KeyRingOptions options, const platform::Clock& clock, platform::Random& random)
    : options_(std::move(options)), clock_(clock), random_(random) {}

KeyRing::~KeyRing() = default;

Result<std::unique_ptr<KeyRing>> KeyRing::open(KeyRingOptions options, const platform::Clock& clock,
                                               platform::Random& random) {
  std::unique_ptr<KeyRing> ring(new KeyRing(std::move(options), clock, random));
  if (ring->options_.algorithm == JwtAlgorithm::kHS256 && !ring->options_.hs256_secret.empty()) {
    auto key = std::make_shared<Key>();
    key->kid = "env-" + platform::to_hex(platform::sha256(ring->options_.hs256_secret)).substr(0, 8);
    key->alg = JwtAlgorithm::kHS256;
    key->secret = ring->options_.hs256_secret;
    ring->keys_.push_back(key);
    ring->current_ = key->kid;
    return ring;
  }
  std::error_code ec;
  std::filesystem::create_directories(ring->options_.directory, ec);
  ::chmod(ring->options_.directory.c_str(), 0700);
  EW_TRY(ring->load());
  if (ring->current_.empty()) {
    EW_TRY(ring->generate_and_add(true));
    EW_TRY(ring->load());
  }
  return ring;
}

Status KeyRing::load() {
  const auto manifest_path = options_.directory + "/manifest.json";
  auto text = platform::read_file(manifest_path);
  if (!text) return {};  // empty ring
  auto manifest = nlohmann::json::parse(*text, nullptr, false);
  if (!manifest.is_object() || !manifest.contains("keys")) {
    return fail(Error::internal_error("malformed JWT key manifest " + manifest_path));
  }
  std::vector<std::shared_ptr<Key>> keys;
  for (const auto& k : manifest["keys"]) {
    auto key = std::make_shared<Key>();
    key->kid = k.value("kid", "");
    key->alg = k.value("alg", "ES256") == "HS256" ? JwtAlgorithm::kHS256 : JwtAlgorithm::kES256;
    key->created_at = k.value("created_at", std::int64_t{0});
    key->retired_at = k.value("retired_at", std::int64_t{0});
    if (key->alg != options_.algorithm) continue;  // keys of another algorithm are never accepted
    if (key->alg == JwtAlgorithm::kES256) {
      auto pem = platform::read_file(options_.directory + "/" + key->kid + ".pem");
      if (!pem) return fail(Error::internal_error("missing JWT key file for " + key->kid));
      key->pkey = pkey_from_pem(*pem);
      if (key->pkey == nullptr) return fail(Error::internal_error("unreadable JWT key file for " + key->kid));
    } else {
      auto secret = platform::read_file(options_.directory + "/" + key->kid + ".key");
      if (!secret) return fail(Error::internal_error("missing JWT secret file for " + key->kid));
      auto decoded = platform::base64url_decode(*secret);
      if (!decoded || decoded->size() < 32) return fail(Error::internal_error("bad JWT secret file for " + key->kid));
      key->secret = *decoded;
    }
    keys.push_back(std::move(key));
  }
  std::string current = manifest.value("current", "");
  bool current_usable = false;
  for (const auto& k : keys) current_usable = current_usable || k->kid == current;
  std::lock_guard lock(mu_);
  keys_ = std::move(keys);
  current_ = current_usable ? current : "";
  manifest_mtime_ = file_mtime(manifest_path);
  return {};
}

Status KeyRing::generate_and_add(bool make_current) {
  const auto now = platform::to_unix_ms(clock_.now());
  const std::string kid = platform::to_hex(random_.bytes(8));
  if (options_.algorithm == JwtAlgorithm::kES256) {
    EVP_PKEY* pkey = EVP_EC_gen("P-256");
    if (pkey == nullptr) return fail(Error::internal_error("P-256 key generation failed"));
    const auto pem = pem_of(pkey);
    EVP_PKEY_free(pkey);
    EW_TRY(platform::write_file_atomic(options_.directory + "/" + kid + ".pem", pem, 0600));
  } else {
    EW_TRY(platform::write_file_atomic(options_.directory + "/" + kid + ".key",
                                       platform::base64url_encode(random_.bytes(32)), 0600));
  }
  const auto manifest_path = options_.directory + "/manifest.json";
  nlohmann::json manifest = {{"keys", nlohmann::json::array()}};
  if (auto text = platform::read_file(manifest_path)) {
    auto parsed = nlohmann::json::parse(*text, nullptr, false);
    if (parsed.is_object() && parsed.contains("keys")) manifest = parsed;
  }
  const std::string previous = manifest.value("current", "");
  for (auto& k : manifest["keys"]) {
    if (make_current && k.value("kid", "") == previous && k.value("retired_at", std::int64_t{0}) == 0) {
      k["retired_at"] = now;
    }
  }
  manifest["keys"].push_back(
      {{"kid", kid}, {"alg", std::string(alg_name(options_.algorithm))}, {"created_at", now}, {"retired_at", 0}});
  if (make_current) manifest["current"] = kid;
  return platform::write_file_atomic(manifest_path, manifest.dump(2), 0600);
}

Result<std::string> KeyRing::rotate() {
  if (options_.algorithm == JwtAlgorithm::kHS256 && !options_.hs256_secret.empty()) {
    return fail(platform::ErrorCode::kConflict, "the HS256 secret comes from EYEWEAR_JWT_SECRET; rotate it there");
  }
  EW_TRY(generate_and_add(true));
  EW_TRY(load());
  return current_kid();
}

void KeyRing::reload_if_changed() {
  if (options_.algorithm == JwtAlgorithm::kHS256 && !options_.hs256_secret.empty()) return;
  const auto mtime = file_mtime(options_.directory + "/manifest.json");
  {
    std::lock_guard lock(mu_);
    if (mtime == manifest_mtime_) return;
  }
  (void)load();
}

std::string KeyRing::current_kid() const {
  std::lock_guard lock(mu_);
  return current_;
}

Result<std::string> KeyRing::sign(std::string_view input, std::string& kid) const {
  std::shared_ptr<Key> key;
  {
    std::lock_guard lock(mu_);
    for (const auto& k : keys_) {
      if (k->kid == current_) key = k;
    }
  }
  if (!key) return fail(Error::internal_error("no current JWT signing key"));
  kid = key->kid;
  if (key->alg == JwtAlgorithm::kHS256) return platform::hmac_sha256(key->secret, input);
  auto sig = es256_sign(key->pkey, input);
  if (!sig) return fail(Error::internal_error("ES256 signing failed"));
  return *sig;
}

std::optional<bool> KeyRing::verify(std::string_view kid, std::string_view input, std::string_view signature) const {
  std::shared_ptr<Key> key;
  {
    std::lock_guard lock(mu_);
    for (const auto& k : keys_) {
      if (k->kid == kid) key = k;
    }
  }
  if (!key) return std::nullopt;
  if (key->alg == JwtAlgorithm::kHS256) {
    return platform::constant_time_equal(platform::hmac_sha256(key->secret, input), signature);
  }
  return es256_verify(key->pkey, input, signature);
}

std::size_t KeyRing::published_keys() const {
  std::lock_guard lock(mu_);
  return keys_.size();
}

std::string KeyRing::jwks_json() const {
  nlohmann::json keys = nlohmann::json::array();
  const auto now = platform::to_unix_ms(clock_.now());
  std::lock_guard lock(mu_);
  for (const auto& k : keys_) {
    if (k->alg != JwtAlgorithm::kES256) continue;  // symmetric keys are never published
    // A retired key stays published until every token it signed has expired.
    if (k->retired_at != 0 && k->retired_at + options_.token_ttl.count() < now) continue;
    keys.push_back({{"kty", "EC"},
                    {"crv", "P-256"},
                    {"alg", "ES256"},
                    {"use", "sig"},
                    {"kid", k->kid},
                    {"x", platform::base64url_encode(bn_param(k->pkey, OSSL_PKEY_PARAM_EC_PUB_X))},
                    {"y", platform::base64url_encode(bn_param(k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y))}});
  }
  return nlohmann::json({{"keys", keys}}).dump();
}

TokenService::TokenService(KeyRing& keys, const platform::Clock& clock, std::string issuer, std::string audience)
    : keys_(keys), clock_(clock), issuer_(std::move(issuer)), audience_(std::move(audience)) {}

Result<std::string> TokenService::issue(const AccessClaims& c) const {
  // Picks up a key rotated by `eyewear keys rotate-signing` (one stat() per issued token).
  keys_.reload_if_changed();
  const jwt_codec::Object payload = {{"iss", c.issuer.empty() ? issuer_ : c.issuer},
                                     {"aud", c.audience.empty() ? audience_ : c.audience},
                                     {"sub", c.subject},
                                     {"mid", c.manufacturer_id},
                                     {"tier", c.tier},
                                     {"roles", c.roles},
                                     {"sid", c.session_id},
                                     {"jti", c.token_id},
                                     {"iat", c.issued_at},
                                     {"nbf", c.not_before == 0 ? c.issued_at : c.not_before},
                                     {"exp", c.expires_at},
                                     {"typ", std::string("access")}};
  const auto payload_b64 = platform::base64url_encode(jwt_codec::serialize(payload));
  for (int attempt = 0; attempt < 2; ++attempt) {
    const std::string kid = keys_.current_kid();
    const jwt_codec::Object header = {
        {"alg", std::string(alg_name(keys_.algorithm()))}, {"typ", std::string("at+jwt")}, {"kid", kid}};
    std::string input = platform::base64url_encode(jwt_codec::serialize(header)) + "." + payload_b64;
    std::string signed_kid;
    EW_ASSIGN_OR_RETURN(auto sig, keys_.sign(input, signed_kid));
    // A rotation between reading the kid and signing: sign again with a consistent header.
    if (signed_kid == kid) return input + "." + platform::base64url_encode(sig);
  }
  return fail(Error::internal_error("signing key changed twice while signing"));
}

Result<AccessClaims> TokenService::verify(std::string_view token) const {
  if (token.size() > 8192) return fail(invalid("too_long"));
  const auto now = platform::to_unix_seconds(clock_.now());
  auto& shard = shards_[std::hash<std::string_view>{}(token) % kShards];
  {
    std::lock_guard lock(shard.mu);
    if (auto it = shard.entries.find(std::string(token)); it != shard.entries.end()) {
      if (it->second.expires_at <= now) {
        return fail(Error(ErrorCode::kTokenExpired, "the access token has expired", {{"reason", "expired"}}));
      }
      if (it->second.not_before > now) return fail(invalid("not_yet_valid"));
      return it->second;
    }
  }
  EW_ASSIGN_OR_RETURN(auto claims, verify_uncached(token));
  std::lock_guard lock(shard.mu);
  if (shard.entries.size() >= kPerShard) shard.entries.clear();
  shard.entries.emplace(std::string(token), claims);
  return claims;
}

Result<AccessClaims> TokenService::verify_uncached(std::string_view token) const {
  const auto dot1 = token.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? std::string_view::npos : token.find('.', dot1 + 1);
  if (dot1 == std::string_view::npos || dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return fail(invalid("malformed"));
  }
  const auto header_text = platform::base64url_decode(token.substr(0, dot1));
  const auto signature = platform::base64url_decode(token.substr(dot2 + 1));
  if (!header_text || !signature) return fail(invalid("malformed"));
  const auto header = jwt_codec::parse(*header_text);
  if (!header) return fail(invalid("malformed"));
  const auto* alg = jwt_codec::get_string(*header, "alg");
  if (alg == nullptr) return fail(invalid("malformed"));
  // Only the configured algorithm: this refuses "none" and algorithm confusion (e.g. HS256
  // keyed with the published ES256 public key).
  if (*alg != alg_name(keys_.algorithm())) return fail(invalid("algorithm"));
  const auto* typ = jwt_codec::get_string(*header, "typ");
  if (typ == nullptr || *typ != "at+jwt") return fail(invalid("type"));
  const auto* kid = jwt_codec::get_string(*header, "kid");
  if (kid == nullptr) return fail(invalid("unknown_key"));
  const std::string_view signing_input = token.substr(0, dot2);
  auto ok = keys_.verify(*kid, signing_input, *signature);
  if (!ok) {
    keys_.reload_if_changed();  // a key rotated by another process
    ok = keys_.verify(*kid, signing_input, *signature);
  }
  if (!ok) return fail(invalid("unknown_key"));
  if (!*ok) return fail(invalid("signature"));

  // The claims are read only once the signature vouches for them.
  const auto payload_text = platform::base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!payload_text) return fail(invalid("malformed"));
  const auto p = jwt_codec::parse(*payload_text);
  if (!p) return fail(invalid("malformed"));
  auto str = [&](std::string_view k) -> std::string {
    const auto* v = jwt_codec::get_string(*p, k);
    return v == nullptr ? std::string() : *v;
  };
  if (str("typ") != "access") return fail(invalid("type"));
  if (str("iss") != issuer_) return fail(invalid("issuer"));
  bool audience_ok = false;
  if (auto aud = p->find("aud"); aud != p->end()) {
    if (const auto* s = std::get_if<std::string>(&aud->second)) audience_ok = *s == audience_;
    if (const auto* list = std::get_if<std::vector<std::string>>(&aud->second)) {
      for (const auto& a : *list) audience_ok = audience_ok || a == audience_;
    }
  }
  if (!audience_ok) return fail(invalid("audience"));
  const auto exp = jwt_codec::get_int(*p, "exp");
  const auto iat = jwt_codec::get_int(*p, "iat");
  if (!exp || !iat) return fail(invalid("malformed"));
  const auto now = platform::to_unix_seconds(clock_.now());
  if (*exp <= now) return fail(Error(ErrorCode::kTokenExpired, "the access token has expired", {{"reason", "expired"}}));
  const auto nbf = jwt_codec::get_int(*p, "nbf").value_or(*iat);
  if (nbf > now) return fail(invalid("not_yet_valid"));
  AccessClaims c;
  c.issuer = str("iss");
  c.audience = audience_;
  c.subject = str("sub");
  c.manufacturer_id = str("mid");
  c.tier = str("tier");
  c.session_id = str("sid");
  c.token_id = str("jti");
  c.issued_at = *iat;
  c.not_before = nbf;
  c.expires_at = *exp;
  if (auto roles = p->find("roles"); roles != p->end()) {
    if (const auto* list = std::get_if<std::vector<std::string>>(&roles->second)) c.roles = *list;
  }
  if (c.subject.empty() || c.session_id.empty()) return fail(invalid("malformed"));
  return c;
}

}  // namespace eyewear::identity
