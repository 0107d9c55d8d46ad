// The text of every email the identity module sends.
#pragma once

#include <string>

namespace eyewear::identity::templates {

struct Mail {
  std::string subject;
  std::string body;
};

Mail verify_email(const std::string& link, const std::string& company);
Mail already_registered(const std::string& sign_in_url, const std::string& reset_url);
Mail password_reset(const std::string& link);
Mail magic_link(const std::string& link);
Mail account_locked(int failures, int minutes, const std::string& reset_url);
Mail password_changed();
Mail mfa_changed(bool enabled);

}  // namespace eyewear::identity::templates
