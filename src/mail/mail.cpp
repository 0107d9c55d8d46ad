#include "mail/mail.hpp"

#include <curl/curl.h>

#include <cstring>
#include <filesystem>

#include "platform/secret_file.hpp"

namespace eyewear::mail {

using platform::Error;
using platform::fail;

namespace {

// Extracts the address from "Name <addr>" or returns the text.
std::string address_of(const std::string& from) {
  const auto lt = from.find('<');
  const auto gt = from.find('>');
  if (lt != std::string::npos && gt != std::string::npos && gt > lt) return from.substr(lt + 1, gt - lt - 1);
  return from;
}

std::string rfc2822_date(platform::SystemTime t) {
  const std::time_t tt = static_cast<std::time_t>(platform::to_unix_seconds(t));
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

bool header_safe(const std::string& s) { return s.find_first_of("\r\n") == std::string::npos; }

}  // namespace

std::string render_rfc5322(const Message& m, const std::string& from, platform::SystemTime date) {
  std::string body;
  // Normalise line endings to CRLF and dot-stuffing is done by curl.
  for (std::size_t i = 0; i < m.body.size(); ++i) {
    if (m.body[i] == '\n' && (i == 0 || m.body[i - 1] != '\r')) body += '\r';
    body += m.body[i];
  }
  return "From: " + from + "\r\nTo: " + m.to + "\r\nSubject: " + m.subject + "\r\nDate: " + rfc2822_date(date) +
         "\r\nMessage-ID: <" + m.id + "@eyewear>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
         "Content-Transfer-Encoding: 8bit\r\n\r\n" + body + "\r\n";
}

namespace {

class SmtpTransport final : public Transport {
 public:
  SmtpTransport(platform::MailConfig config, const platform::Clock& clock) : config_(std::move(config)), clock_(clock) {}
  std::string name() const override { return "smtp"; }

  platform::Status send(const Message& m) override {
    if (!header_safe(m.to) || !header_safe(m.subject)) return fail(Error::internal_error("header injection refused"));
    const std::string text = render_rfc5322(m, config_.from, clock_.now());
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return fail(Error::internal_error("curl_easy_init failed"));
    struct Reader {
      const std::string* data;
      std::size_t pos = 0;
    } reader{&text};
    curl_slist* rcpt = curl_slist_append(nullptr, ("<" + address_of(m.to) + ">").c_str());
    const std::string mail_from = "<" + address_of(config_.from) + ">";
    curl_easy_setopt(curl, CURLOPT_URL, config_.smtp_url.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    if (!config_.smtp_user.empty()) {
      curl_easy_setopt(curl, CURLOPT_USERNAME, config_.smtp_user.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, config_.smtp_password.c_str());
    }
    if (config_.smtp_url.starts_with("smtps://")) curl_easy_setopt(curl, CURLOPT_USE_SSL, CURLUSESSL_ALL);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, +[](char* buf, size_t size, size_t n, void* user) -> size_t {
      auto* r = static_cast<Reader*>(user);
      const std::size_t left = r->data->size() - r->pos;
      const std::size_t chunk = std::min(left, size * n);
      std::memcpy(buf, r->data->data() + r->pos, chunk);
      r->pos += chunk;
      return chunk;
    });
    curl_easy_setopt(curl, CURLOPT_READDATA, &reader);
    const CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) return fail(Error::unavailable("mail server", curl_easy_strerror(rc)));
    return {};
  }

 private:
  platform::MailConfig config_;
  const platform::Clock& clock_;
};

class FileTransport final : public Transport {
 public:
  FileTransport(std::string dir, std::string from, const platform::Clock& clock, platform::Logger& logger, bool log_links)
      : dir_(std::move(dir)), from_(std::move(from)), clock_(clock), logger_(logger), log_links_(log_links) {}
  std::string name() const override { return "file"; }

  platform::Status send(const Message& m) override {
    const std::string path = dir_ + "/" + m.id + ".eml";
    EW_TRY(platform::write_file_atomic(path, render_rfc5322(m, from_, clock_.now()), 0600));
    std::string link;
    if (log_links_) {
      const auto pos = m.body.find("http");
      if (pos != std::string::npos) link = m.body.substr(pos, m.body.find_first_of(" \r\n", pos) - pos);
    }
    // The link carries a one-time token: it is logged only outside production.
    logger_.info("mail written to outbox", {{"file", path}, {"template", m.template_name}, {"link", link}});
    return {};
  }

 private:
  std::string dir_;
  std::string from_;
  const platform::Clock& clock_;
  platform::Logger& logger_;
  bool log_links_;
};

}  // namespace

std::unique_ptr<Transport> make_smtp_transport(const platform::MailConfig& config, const platform::Clock& clock) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  return std::make_unique<SmtpTransport>(config, clock);
}

std::unique_ptr<Transport> make_file_transport(std::string dir, std::string from, const platform::Clock& clock,
                                               platform::Logger& logger, bool log_links) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return std::make_unique<FileTransport>(std::move(dir), std::move(from), clock, logger, log_links);
}

OutboxDispatcher::OutboxDispatcher(OutboxStore& store, Transport& transport, const platform::Clock& clock,
                                   platform::Logger& logger, std::chrono::milliseconds poll)
    : store_(store), transport_(transport), clock_(clock), logger_(logger), poll_(poll) {}

OutboxDispatcher::~OutboxDispatcher() { stop(); }

void OutboxDispatcher::start() { thread_ = std::thread([this] { run(); }); }

void OutboxDispatcher::notify() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_one();
}

void OutboxDispatcher::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int OutboxDispatcher::deliver_due() {
  std::lock_guard deliver_lock(deliver_mu_);
  int sent = 0;
  const auto now = platform::to_unix_ms(clock_.now());
  auto due = store_.claim_due(now, 50);
  if (!due) {
    logger_.warn("outbox unavailable", {{"detail", due.error().internal}});
    return 0;
  }
  for (const auto& m : *due) {
    auto st = transport_.send(m);
    if (st) {
      if (auto marked = store_.mark_sent(m.id, platform::to_unix_ms(clock_.now())); !marked) {
        logger_.error("could not mark mail sent", {{"id", m.id}, {"detail", marked.error().internal}});
      }
      ++sent;
      continue;
    }
    const int attempts = m.attempts + 1;
    const bool give_up = attempts >= 8;
    const std::int64_t backoff = 30'000LL << std::min(attempts - 1, 10);
    logger_.warn("mail delivery failed", {{"id", m.id},
                                          {"transport", transport_.name()},
                                          {"attempt", attempts},
                                          {"giving_up", give_up},
                                          {"detail", st.error().internal}});
    (void)store_.mark_failed(m.id, st.error().internal, now + backoff, give_up);
  }
  return sent;
}

void OutboxDispatcher::run() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, poll_, [this] { return stop_ || woken_; });
      if (stop_) return;
      woken_ = false;
    }
    try {
      deliver_due();
    } catch (const std::exception& e) {
      logger_.error("outbox dispatcher failed", {{"error", e.what()}});
    }
  }
}

}  // namespace eyewear::mail
