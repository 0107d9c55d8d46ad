#include "security/envelope.hpp"

#include "platform/crypto.hpp"

namespace eyewear::security {

namespace {

using platform::Error;
using platform::fail;

FieldRef field_of(const DocumentRef& ref) { return FieldRef{ref.manufacturer_id, ref.table, ref.column, ref.row}; }

}  // namespace

nlohmann::json EncryptedDocument::to_json() const {
  return {{"encrypted_payload", encrypted_payload},
          {"encryption_metadata",
           {{"algorithm", algorithm_name(encryption_metadata.algorithm)},
            {"key_version", encryption_metadata.key_version},
            {"encrypted_at", platform::format_rfc3339(platform::from_unix_ms(encryption_metadata.encrypted_at))}}}};
}

Result<EncryptedDocument> EncryptedDocument::from_json(const nlohmann::json& j) {
  const auto bad = [](const char* field, const char* rule) {
    return fail(Error::validation(field, rule, std::string(field) + " is missing or malformed"));
  };
  if (!j.is_object()) return bad("body", "type");
  EncryptedDocument d;
  const auto payload = j.find("encrypted_payload");
  if (payload == j.end() || !payload->is_string()) return bad("encrypted_payload", "type");
  d.encrypted_payload = payload->get<std::string>();
  const auto meta = j.find("encryption_metadata");
  if (meta == j.end() || !meta->is_object()) return bad("encryption_metadata", "type");
  const auto alg = meta->find("algorithm");
  if (alg == meta->end() || !alg->is_string()) return bad("encryption_metadata.algorithm", "type");
  const auto parsed_alg = algorithm_from_name(alg->get<std::string>());
  if (!parsed_alg) return bad("encryption_metadata.algorithm", "one_of");
  d.encryption_metadata.algorithm = *parsed_alg;
  const auto version = meta->find("key_version");
  if (version == meta->end() || !version->is_number_integer()) return bad("encryption_metadata.key_version", "type");
  d.encryption_metadata.key_version = version->get<int>();
  const auto at = meta->find("encrypted_at");
  platform::SystemTime t;
  if (at == meta->end() || !at->is_string() || !platform::parse_rfc3339(at->get<std::string>(), t)) {
    return bad("encryption_metadata.encrypted_at", "format");
  }
  d.encryption_metadata.encrypted_at = platform::to_unix_ms(t);
  return d;
}

Result<EncryptedDocument> Envelope::encrypt_manufacturer_data(const DocumentRef& ref, const nlohmann::json& data) {
  auto plain = data.dump();
  auto sealed = keyring_.seal(field_of(ref), plain);
  platform::secure_wipe(plain);
  if (!sealed) return fail(sealed.error());
  EW_ASSIGN_OR_RETURN(const auto header, parse_sealed(*sealed));
  EncryptedDocument d;
  d.encryption_metadata = EncryptionMetadata{header.algorithm, header.version, platform::to_unix_ms(clock_.now())};
  d.encrypted_payload = std::move(*sealed);
  return d;
}

Result<nlohmann::json> Envelope::decrypt_manufacturer_data(const DocumentRef& ref, const EncryptedDocument& document) {
  EW_ASSIGN_OR_RETURN(const auto header, parse_sealed(document.encrypted_payload));
  if (header.algorithm != document.encryption_metadata.algorithm ||
      header.version != document.encryption_metadata.key_version) {
    return fail(decryption_error(OpenFailure::kMalformed, "the encryption metadata contradicts the payload"));
  }
  EW_ASSIGN_OR_RETURN(auto plain, keyring_.open(field_of(ref), document.encrypted_payload));
  auto parsed = nlohmann::json::parse(plain, nullptr, false);
  platform::secure_wipe(plain);
  if (parsed.is_discarded()) {
    return fail(decryption_error(OpenFailure::kMalformed, "the decrypted document is not JSON"));
  }
  return parsed;
}

}  // namespace eyewear::security
