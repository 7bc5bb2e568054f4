#include "values/secrets.hpp"

namespace kareo::detail {

void Secrets::add(const std::optional<std::string>& value) {
  if (!value || value->size() < 3) return;
  values_.push_back(*value);
  std::string escaped;
  for (char c : *value) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&apos;";
        break;
      default:
        escaped += c;
    }
  }
  if (escaped != *value) values_.push_back(escaped);
}

std::string Secrets::scrub(std::string text) const {
  for (const auto& s : values_) {
    for (auto at = text.find(s); at != std::string::npos; at = text.find(s, at + 3)) text.replace(at, s.size(), "***");
  }
  return text;
}

}  // namespace kareo::detail
