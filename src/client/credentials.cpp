#include "kareo/credentials.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string_view>
#include <utility>
#include <vector>

#include "kareo/errors.hpp"

namespace kareo {
namespace {

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

}  // namespace

Credentials::Credentials(std::string customer_key, std::string user, std::string password)
    : customer_key_(std::move(customer_key)), user_(std::move(user)), password_(std::move(password)) {}

void Credentials::validate() const {
  std::vector<std::string> missing;
  if (customer_key_.empty()) missing.emplace_back("customer key");
  if (user_.empty()) missing.emplace_back("user");
  if (password_.empty()) missing.emplace_back("password");
  if (!missing.empty()) throw InvalidArgument("credentials incomplete: missing " + join(missing));
}

Credentials Credentials::from_environment() {
  Credentials c(env("KAREO_CUSTOMER_KEY"), env("KAREO_USER"), env("KAREO_PASSWORD"));
  std::vector<std::string> missing;
  if (c.customer_key_.empty()) missing.emplace_back("KAREO_CUSTOMER_KEY");
  if (c.user_.empty()) missing.emplace_back("KAREO_USER");
  if (c.password_.empty()) missing.emplace_back("KAREO_PASSWORD");
  if (!missing.empty()) throw InvalidArgument("credentials: environment variable(s) unset or empty: " + join(missing));
  return c;
}

Credentials Credentials::from_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw InvalidArgument("credentials file " + path + " cannot be read");
  if (!S_ISREG(st.st_mode)) throw InvalidArgument("credentials file " + path + " is not a regular file");
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    throw InvalidArgument("credentials file " + path +
                          " is accessible by its group or by others; restrict it with chmod 600");
  }
  std::ifstream in(path);
  if (!in) throw InvalidArgument("credentials file " + path + " cannot be read");
  Credentials c;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string text = trim(line);
    if (text.empty() || text[0] == '#') continue;
    const auto eq = text.find('=');
    if (eq == std::string::npos) {
      throw InvalidArgument("credentials file " + path + ", line " + std::to_string(number) + ": expected key=value");
    }
    const std::string key = trim(std::string_view(text).substr(0, eq));
    std::string value = trim(std::string_view(text).substr(eq + 1));
    if (key == "customer_key") {
      c.customer_key_ = std::move(value);
    } else if (key == "user") {
      c.user_ = std::move(value);
    } else if (key == "password") {
      c.password_ = std::move(value);
    } else {
      // The key is named, never the value: a misplaced password must not end up in a log.
      throw InvalidArgument("credentials file " + path + ", line " + std::to_string(number) + ": unknown key '" + key +
                            "' (expected customer_key, user, password)");
    }
  }
  std::vector<std::string> missing;
  if (c.customer_key_.empty()) missing.emplace_back("customer_key");
  if (c.user_.empty()) missing.emplace_back("user");
  if (c.password_.empty()) missing.emplace_back("password");
  if (!missing.empty()) throw InvalidArgument("credentials file " + path + " lacks " + join(missing));
  return c;
}

}  // namespace kareo
