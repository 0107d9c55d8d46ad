#include "identity/mail_templates.hpp"

namespace eyewear::identity::templates {

namespace {
const std::string kSignature = "\n\n-- \nEyewear platform. You receive this email because of activity on your account.\n";
}

Mail verify_email(const std::string& link, const std::string& company) {
  return {"Confirm your email address",
          "Welcome to Eyewear!\n\nPlease confirm the email address of the " + company +
              " account by opening this link within 24 hours:\n\n" + link +
              "\n\nIf you did not sign up, ignore this email and no account will be activated." + kSignature};
}

Mail already_registered(const std::string& sign_in_url, const std::string& reset_url) {
  return {"Someone tried to sign up with your email",
          "Someone (perhaps you) tried to create an Eyewear account with this email address, which already has "
          "an account.\n\nSign in here: " + sign_in_url + "\nForgot your password? Reset it here: " + reset_url +
              "\n\nIf this was not you, you can ignore this email; nothing has changed." + kSignature};
}

Mail password_reset(const std::string& link) {
  return {"Reset your password",
          "We received a request to reset the password of your Eyewear account.\n\nChoose a new password within "
          "one hour:\n\n" + link + "\n\nIf you did not ask for this, ignore this email; your password stays as it is." +
              kSignature};
}

Mail magic_link(const std::string& link) {
  return {"Your sign-in link",
          "Use this link within 15 minutes to sign in to Eyewear. It works once.\n\n" + link +
              "\n\nIf you did not ask for it, ignore this email." + kSignature};
}

Mail account_locked(int failures, int minutes, const std::string& reset_url) {
  return {"Sign-in to your account was locked",
          "After " + std::to_string(failures) + " failed sign-in attempts, signing in to your Eyewear account is "
          "blocked for " + std::to_string(minutes) + " minutes.\n\nIf these attempts were not yours, consider "
          "resetting your password: " + reset_url + kSignature};
}

Mail password_changed() {
  return {"Your password was changed",
          "The password of your Eyewear account was just changed, and your other sessions were signed out.\n\n"
          "If you did not do this, reset your password at once and contact support." + kSignature};
}

Mail mfa_changed(bool enabled) {
  return {enabled ? "Two-factor authentication is on" : "Two-factor authentication was turned off",
          enabled ? std::string("Two-factor authentication is now required to sign in to your Eyewear account. "
                                "Keep your backup codes somewhere safe.") + kSignature
                  : std::string("Two-factor authentication was turned off for your Eyewear account. If you did not "
                                "do this, reset your password at once.") + kSignature};
}

}  // namespace eyewear::identity::templates
