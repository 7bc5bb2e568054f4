/// @file
/// @brief The customer key, user name and password a call is made with.
#pragma once

#include <string>

namespace kareo {

/// The three secrets Tebra authenticates every call with. They are sent inside each request (the
/// RequestHeader) and never appear in an exception message, a log event or a wire capture (they are
/// masked as "***" there).
class Credentials {
 public:
  /// Empty credentials: a Client refuses to call with them (InvalidArgument).
  Credentials() = default;
  /// Credentials given in code.
  Credentials(std::string customer_key, std::string user, std::string password);

  /// Reads KAREO_CUSTOMER_KEY, KAREO_USER and KAREO_PASSWORD. Throws InvalidArgument naming the variables
  /// that are unset or empty.
  static Credentials from_environment();

  /// Reads a file of `key=value` lines with the keys `customer_key`, `user` and `password` (blank lines and
  /// lines starting with `#` are ignored; whitespace around keys and values is trimmed). Throws InvalidArgument
  /// when the file cannot be read, is readable by its group or by others (chmod 600 it), has an unknown key or
  /// lacks one of the three.
  static Credentials from_file(const std::string& path);

  /// The customer key (the API key of the Tebra account).
  const std::string& customer_key() const noexcept { return customer_key_; }
  /// The user name (an e-mail address) of the API user.
  const std::string& user() const noexcept { return user_; }
  /// The password of the API user.
  const std::string& password() const noexcept { return password_; }

  /// True when all three values are non-empty.
  bool complete() const noexcept { return !customer_key_.empty() && !user_.empty() && !password_.empty(); }

  /// Throws InvalidArgument naming the missing values when complete() is false.
  void validate() const;

 private:
  std::string customer_key_;
  std::string user_;
  std::string password_;
};

}  // namespace kareo
