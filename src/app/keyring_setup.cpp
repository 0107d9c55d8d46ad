#include "app/keyring_setup.hpp"

#include <filesystem>

#include "platform/crypto.hpp"
#include "platform/secret_file.hpp"

namespace eyewear::app {

namespace {

using platform::Error;
using platform::fail;

class KeyringSealer final : public identity::SecretSealer {
 public:
  explicit KeyringSealer(security::Keyring& keyring) : keyring_(keyring) {}

  platform::Result<std::string> seal(std::string_view plaintext, std::string_view binding) override {
    EW_ASSIGN_OR_RETURN(const auto ref, parse(binding));
    return keyring_.seal(ref, plaintext);
  }

  platform::Result<std::string> open(std::string_view sealed, std::string_view binding) override {
    EW_ASSIGN_OR_RETURN(const auto ref, parse(binding));
    return keyring_.open(ref, sealed);
  }

 private:
  static platform::Result<security::FieldRef> parse(std::string_view binding) {
    const auto dot = binding.find('.');
    const auto colon = binding.find(':');
    if (dot == std::string_view::npos || colon == std::string_view::npos || dot == 0 || colon < dot + 2 ||
        colon + 1 >= binding.size()) {
      return fail(Error::internal_error("malformed sealing binding"));
    }
    return security::FieldRef{security::kPlatformTenant, binding.substr(0, dot),
                              binding.substr(dot + 1, colon - dot - 1), binding.substr(colon + 1)};
  }

  security::Keyring& keyring_;
};

platform::Result<std::string> decode_key(std::string_view text, const char* source) {
  auto trimmed = std::string(text);
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r' || trimmed.back() == ' '))
    trimmed.pop_back();
  auto decoded = platform::base64_decode(trimmed);
  if (!decoded) decoded = platform::base64url_decode(trimmed);
  if (!decoded || decoded->size() != security::SecretKey::kSize) {
    return fail(Error::validation(source, "format", std::string(source) + " must hold base64 of 32 bytes"));
  }
  return *decoded;
}

}  // namespace

platform::Result<security::KeyringOptions> keyring_options(const platform::Config& config, platform::Random& random,
                                                           platform::Logger& logger) {
  const auto& cfg = config.keyring;
  security::KeyringOptions o;
  o.poll = cfg.poll;
  o.min_decryption_floor = cfg.min_decryption_version;
  if (cfg.algorithm == "auto") {
    o.algorithm = security::algorithm_available(security::Algorithm::kAes256Gcm)
                      ? security::Algorithm::kAes256Gcm
                      : security::Algorithm::kXChaCha20Poly1305;
  } else {
    o.algorithm = security::algorithm_from_name(cfg.algorithm).value_or(security::Algorithm::kXChaCha20Poly1305);
  }
  if (!cfg.master_key.empty()) {
    EW_ASSIGN_OR_RETURN(o.master_key, decode_key(cfg.master_key, "EYEWEAR_MASTER_KEY"));
    return o;
  }
  if (!cfg.master_key_file.empty()) {
    auto text = platform::read_file(cfg.master_key_file);
    if (!text) {
      return fail(Error::validation("EYEWEAR_MASTER_KEY_FILE", "exists",
                                    "the master key file " + cfg.master_key_file + " cannot be read"));
    }
    EW_ASSIGN_OR_RETURN(o.master_key, decode_key(*text, "EYEWEAR_MASTER_KEY_FILE"));
    platform::secure_wipe(*text);
    return o;
  }
  const auto path = config.effective_secrets_dir() + "/secrets/master.key";
  std::error_code ec;
  const bool existed = std::filesystem::exists(path, ec);
  EW_ASSIGN_OR_RETURN(auto text, platform::load_or_create_secret(path, [&] {
                        return platform::base64url_encode(random.bytes(security::SecretKey::kSize));
                      }));
  if (!existed) {
    logger.warn("master key generated", {{"path", path},
                                         {"advice",
                                          "keep a copy apart from database backups; in production set "
                                          "EYEWEAR_MASTER_KEY or EYEWEAR_MASTER_KEY_FILE"}});
  }
  auto key = decode_key(text, "EYEWEAR_MASTER_KEY_FILE");
  platform::secure_wipe(text);
  if (!key) return fail(Error::internal_error("malformed master key file " + path));
  o.master_key = std::move(*key);
  return o;
}

std::unique_ptr<identity::SecretSealer> make_keyring_sealer(security::Keyring& keyring) {
  return std::make_unique<KeyringSealer>(keyring);
}

}  // namespace eyewear::app
