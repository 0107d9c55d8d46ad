// Business documents sealed as a whole (seed 002's encrypt_manufacturer_data): a JSON document
// goes in, `{encrypted_payload, encryption_metadata{algorithm, key_version, encrypted_at}}`
// comes out, bound to the manufacturer and the record that stores it. The payload is a keyring
// value (keyring_format.hpp); the metadata repeats what its header says, for readers that do not
// parse headers, and is checked against the header when the document is opened.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "security/keyring.hpp"

namespace eyewear::security {

struct EncryptionMetadata {
  Algorithm algorithm = Algorithm::kXChaCha20Poly1305;
  int key_version = 0;
  std::int64_t encrypted_at = 0;  // Unix ms; informational (not authenticated)
};

struct EncryptedDocument {
  std::string encrypted_payload;
  EncryptionMetadata encryption_metadata;

  // {"encrypted_payload": "...", "encryption_metadata": {"algorithm", "key_version", "encrypted_at"}}
  [[nodiscard]] nlohmann::json to_json() const;
  // VALIDATION_FAILED (field names the missing or mistyped member) for a malformed document.
  [[nodiscard]] static Result<EncryptedDocument> from_json(const nlohmann::json& j);
};

// Where a document is stored: the manufacturer it belongs to and the record holding it.
struct DocumentRef {
  std::string manufacturer_id;
  std::string table;
  std::string column;
  std::string row;
};

class Envelope {
 public:
  Envelope(Keyring& keyring, const platform::Clock& clock) : keyring_(keyring), clock_(clock) {}

  [[nodiscard]] Result<EncryptedDocument> encrypt_manufacturer_data(const DocumentRef& ref, const nlohmann::json& data);
  // DECRYPTION_FAILED (reason malformed) also when the metadata contradicts the payload's header.
  [[nodiscard]] Result<nlohmann::json> decrypt_manufacturer_data(const DocumentRef& ref,
                                                                 const EncryptedDocument& document);

 private:
  Keyring& keyring_;
  const platform::Clock& clock_;
};

}  // namespace eyewear::security
