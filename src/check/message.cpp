// Reading a captured message: an HTTP request or response as curl, a proxy or a log shows it (start line, headers,
// body, chunked transfer), or the body alone.
#include <cctype>
#include <cstdlib>
#include <regex>
#include <string>

#include "check/check_internal.hpp"

namespace kareo::check_detail {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::optional<std::string> Message::header(std::string_view name) const {
  const std::string wanted = lower(name);
  for (const auto& [n, v] : headers) {
    if (lower(n) == wanted) return v;
  }
  return std::nullopt;
}

int Message::header_line(std::string_view name) const {
  const std::string wanted = lower(name);
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (lower(headers[i].first) == wanted) return header_lines[i];
  }
  return start_line_number;
}

Message split_message(std::string_view text) {
  Message m;
  // Lines, keeping their numbers; a UTF-8 byte order mark is skipped.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::size_t pos = 0;
  int number = 0;
  auto next_line = [&](std::string_view& line) {
    if (pos >= text.size()) return false;
    auto eol = text.find('\n', pos);
    std::size_t end = eol == std::string_view::npos ? text.size() : eol;
    line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = eol == std::string_view::npos ? text.size() : eol + 1;
    ++number;
    return true;
  };
  // Skip blank lines and curl's "* " information lines before the start line.
  std::size_t start_pos = 0;
  std::string_view line;
  bool found = false;
  while (next_line(line)) {
    std::string t = trim(line);
    if (t.empty() || t.rfind("* ", 0) == 0) {
      start_pos = pos;
      continue;
    }
    found = true;
    break;
  }
  if (!found || trim(line).rfind("<", 0) == 0) {
    m.body = std::string(text.substr(start_pos));
    m.body_line = number > 0 ? number : 1;
    if (!found) m.body_line = 1;
    return m;
  }
  // "> " prefixes: curl -v's request lines.
  auto unprefix = [](std::string_view l) {
    if (l.rfind("> ", 0) == 0) l.remove_prefix(2);
    if (l == ">") l = {};
    return l;
  };
  static const std::regex start_re(R"(^([A-Z]+) (\S+) HTTP/\d(\.\d)?\s*$)");
  static const std::regex status_re(R"(^HTTP/\d(\.\d)? (\d{3})( .*)?$)");
  std::string start = trim(unprefix(line));
  std::smatch sm;
  if (std::regex_match(start, sm, start_re)) {
    m.http = true;
    m.method = sm[1];
  } else if (std::regex_match(start, sm, status_re)) {
    m.http = true;
    m.status = std::atoi(sm[2].str().c_str());
  } else {
    // Not a start line: the text is taken as the body (it will not parse as XML).
    m.body = std::string(text.substr(start_pos));
    m.body_line = number;
    return m;
  }
  m.start_line_number = number;
  while (next_line(line)) {
    std::string_view l = unprefix(line);
    if (trim(l).empty()) break;
    auto colon = l.find(':');
    if (colon == std::string_view::npos) continue;
    m.headers.emplace_back(trim(l.substr(0, colon)), trim(l.substr(colon + 1)));
    m.header_lines.push_back(number);
  }
  std::string body(text.substr(pos));
  m.body_line = number + 1;
  auto te = m.header("Transfer-Encoding");
  if (te && lower(*te).find("chunked") != std::string::npos) {
    std::string out;
    std::size_t p = 0;
    while (p < body.size()) {
      auto eol = body.find("\r\n", p);
      if (eol == std::string::npos) break;
      std::size_t size = std::strtoul(body.substr(p, eol - p).c_str(), nullptr, 16);
      if (size == 0) break;
      out.append(body, eol + 2, size);
      p = eol + 2 + size + 2;
    }
    body = out;
  }
  m.body = std::move(body);
  return m;
}

}  // namespace kareo::check_detail
