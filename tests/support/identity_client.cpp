#include "support/identity_client.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace eyewear::testing {

namespace {
std::string header_value(const std::string& text, const std::string& name) {
  const auto headers_end = text.find("\r\n\r\n");
  std::size_t pos = 0;
  while (pos < headers_end) {
    const auto eol = text.find("\r\n", pos);
    const auto line = text.substr(pos, eol - pos);
    if (line.rfind(name + ": ", 0) == 0) return line.substr(name.size() + 2);
    pos = eol + 2;
  }
  return {};
}
}  // namespace

std::vector<Mail> outbox(const std::string& data_dir) {
  std::vector<Mail> mails;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir + "/outbox", ec)) {
    if (entry.path().extension() != ".eml") continue;
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    const auto text = ss.str();
    const auto split = text.find("\r\n\r\n");
    Mail m;
    m.to = header_value(text, "To");
    m.subject = header_value(text, "Subject");
    m.body = split == std::string::npos ? "" : text.substr(split + 4);
    mails.push_back(std::move(m));
  }
  return mails;
}

std::vector<Mail> wait_for_mail(const std::string& data_dir, const std::string& to, const std::string& subject,
                                std::size_t count) {
  std::vector<Mail> found;
  eventually([&] {
    found.clear();
    for (auto& m : outbox(data_dir)) {
      if (m.to == to && m.subject.find(subject) != std::string::npos) found.push_back(std::move(m));
    }
    return found.size() >= count;
  });
  return found;
}

std::string token_in(const std::string& body) {
  const auto pos = body.find("token=");
  if (pos == std::string::npos) return {};
  const auto start = pos + 6;
  const auto end = body.find_first_of(" \r\n", start);
  return body.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

Tokens sign_in(HttpClient& c, const std::string& email, const std::string& password) {
  const auto r = c.post("/api/v1/auth/login", {{"email", email}, {"password", password}});
  EXPECT_EQ(r.status, 200) << r.body;
  const auto j = r.json();
  Tokens t;
  if (j.is_object() && j.contains("access_token")) {
    t.access = j["access_token"];
    t.refresh = j["refresh_token"];
    t.session_id = j["session_id"];
  }
  return t;
}

Tokens sign_up(HttpClient& c, const std::string& data_dir, const std::string& email, const std::string& company,
               const std::string& password) {
  const auto r = c.post("/api/v1/auth/register", {{"email", email}, {"password", password}, {"company_name", company}});
  EXPECT_EQ(r.status, 202) << r.body;
  const auto mails = wait_for_mail(data_dir, email, "Confirm your email");
  EXPECT_EQ(mails.size(), 1u) << "one verification mail to " << email;
  if (mails.empty()) return {};
  const auto v = c.post("/api/v1/auth/verify-email", {{"token", token_in(mails[0].body)}});
  EXPECT_EQ(v.status, 200) << v.body;
  return sign_in(c, email, password);
}

}  // namespace eyewear::testing
