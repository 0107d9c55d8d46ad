#include "identity/sealer.hpp"

#include <sodium.h>

#include <cstring>

#include "platform/crypto.hpp"

namespace eyewear::identity {

namespace {

// Format: "lk1:" + base64url(nonce || ciphertext+tag). The header is part of the associated data.
class LocalSealer final : public SecretSealer {
 public:
  explicit LocalSealer(std::string key) : key_(std::move(key)) {}
  ~LocalSealer() override { platform::secure_wipe(key_); }

  platform::Result<std::string> seal(std::string_view plaintext, std::string_view binding) override {
    std::string nonce(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, '\0');
    randombytes_buf(nonce.data(), nonce.size());
    const std::string ad = std::string(kHeader) + std::string(binding);
    std::string out(nonce.size() + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
    unsigned long long len = 0;
    std::memcpy(out.data(), nonce.data(), nonce.size());
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        reinterpret_cast<unsigned char*>(out.data() + nonce.size()), &len,
        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
        reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr,
        reinterpret_cast<const unsigned char*>(nonce.data()), reinterpret_cast<const unsigned char*>(key_.data()));
    out.resize(nonce.size() + len);
    return std::string(kHeader) + platform::base64url_encode(out);
  }

  platform::Result<std::string> open(std::string_view sealed, std::string_view binding) override {
    if (!sealed.starts_with(kHeader)) return platform::fail(platform::Error::internal_error("unknown sealed format"));
    auto raw = platform::base64url_decode(sealed.substr(kHeader.size()));
    constexpr auto kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    constexpr auto kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
    if (!raw || raw->size() < kNonce + kTag) return platform::fail(platform::Error::internal_error("truncated sealed value"));
    const std::string ad = std::string(kHeader) + std::string(binding);
    std::string plain(raw->size() - kNonce - kTag, '\0');
    unsigned long long len = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            reinterpret_cast<unsigned char*>(plain.data()), &len, nullptr,
            reinterpret_cast<const unsigned char*>(raw->data() + kNonce), raw->size() - kNonce,
            reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
            reinterpret_cast<const unsigned char*>(raw->data()), reinterpret_cast<const unsigned char*>(key_.data())) != 0) {
      return platform::fail(platform::Error::internal_error("sealed value does not authenticate"));
    }
    plain.resize(len);
    return plain;
  }

 private:
  static constexpr std::string_view kHeader = "lk1:";
  std::string key_;
};

}  // namespace

std::unique_ptr<SecretSealer> make_local_sealer(std::string key) { return std::make_unique<LocalSealer>(std::move(key)); }

}  // namespace eyewear::identity
