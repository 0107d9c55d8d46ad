// Test helpers for the identity API over HTTP: read the mail outbox, sign up, sign in.
#pragma once

#include <string>
#include <vector>

#include "support/test_server.hpp"

namespace eyewear::testing {

struct Mail {
  std::string to;
  std::string subject;
  std::string body;
};

// Every .eml in <data-dir>/outbox (the file transport), in no particular order.
[[nodiscard]] std::vector<Mail> outbox(const std::string& data_dir);
// Waits until `count` mails to `to` whose subject contains `subject` exist; returns them.
[[nodiscard]] std::vector<Mail> wait_for_mail(const std::string& data_dir, const std::string& to,
                                              const std::string& subject, std::size_t count = 1);
// The token of the first link in a mail body (…?token=XYZ).
[[nodiscard]] std::string token_in(const std::string& body);

struct Tokens {
  std::string access;
  std::string refresh;
  std::string session_id;
};

inline const std::string kPassword = "Tortoiseshell-Aviator-77";

// Registers, verifies through the emailed link, signs in.
[[nodiscard]] Tokens sign_up(HttpClient& c, const std::string& data_dir, const std::string& email,
                             const std::string& company = "Acme Optics", const std::string& password = kPassword);
[[nodiscard]] Tokens sign_in(HttpClient& c, const std::string& email, const std::string& password = kPassword);

}  // namespace eyewear::testing
