#include "dates.hpp"

#include <cctype>
#include <chrono>
#include <cstdio>

namespace kareo::testing::detail {

// Howard Hinnant's civil-date algorithms.
std::int64_t days_from_civil(int y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t yy = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yy + (m <= 2));
}

CivilTime make_time(int y, unsigned m, unsigned d, int hh, int mm, int ss) noexcept {
  return days_from_civil(y, m, d) * kDay + hh * 3600 + mm * 60 + ss;
}

namespace {

struct Parts {
  int y;
  unsigned mo, d;
  int h, mi, s;
};

Parts split(CivilTime t) {
  std::int64_t days = t >= 0 ? t / kDay : (t - kDay + 1) / kDay;
  std::int64_t secs = t - days * kDay;
  Parts p{};
  civil_from_days(days, p.y, p.mo, p.d);
  p.h = static_cast<int>(secs / 3600);
  p.mi = static_cast<int>(secs / 60 % 60);
  p.s = static_cast<int>(secs % 60);
  return p;
}

void append_uint(std::string& out, unsigned v, int width) {
  char buf[16];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  while (n < width) buf[n++] = '0';
  while (n) out.push_back(buf[--n]);
}

}  // namespace

void append_net(std::string& out, CivilTime t) {
  Parts p = split(t);
  append_uint(out, p.mo, 1);
  out.push_back('/');
  append_uint(out, p.d, 1);
  out.push_back('/');
  append_uint(out, static_cast<unsigned>(p.y), 4);
  out.push_back(' ');
  int h12 = p.h % 12 == 0 ? 12 : p.h % 12;
  append_uint(out, static_cast<unsigned>(h12), 1);
  out.push_back(':');
  append_uint(out, static_cast<unsigned>(p.mi), 2);
  out.push_back(':');
  append_uint(out, static_cast<unsigned>(p.s), 2);
  out.append(p.h < 12 ? " AM" : " PM");
}

std::string format_net(CivilTime t) {
  std::string s;
  append_net(s, t);
  return s;
}

std::string format_iso(CivilTime t) {
  Parts p = split(t);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", p.y, p.mo, p.d, p.h, p.mi, p.s);
  return buf;
}

std::string format_date(CivilTime t) {
  Parts p = split(t);
  char buf[24];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", p.y, p.mo, p.d);
  return buf;
}

namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  bool done() const { return i_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  void skip_space() {
    while (!done() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  // Reads 1..max_digits digits.
  bool number(int& v, int min_digits, int max_digits) {
    int n = 0;
    v = 0;
    while (!done() && n < max_digits && std::isdigit(static_cast<unsigned char>(s_[i_]))) {
      v = v * 10 + (s_[i_] - '0');
      ++i_;
      ++n;
    }
    return n >= min_digits;
  }
  bool word_ci(std::string_view w) {
    if (s_.size() - i_ < w.size()) return false;
    for (std::size_t k = 0; k < w.size(); ++k) {
      if (std::toupper(static_cast<unsigned char>(s_[i_ + k])) != w[k]) return false;
    }
    i_ += w.size();
    return true;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

bool valid_date(int y, int m, int d) {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int max = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  return d <= max;
}

}  // namespace

std::optional<CivilTime> parse_time(std::string_view text) {
  Scanner sc(text);
  sc.skip_space();
  int a = 0, b = 0, c = 0;
  int y = 0, m = 0, d = 0;
  if (!sc.number(a, 1, 4)) return std::nullopt;
  if (sc.eat('/')) {
    // M/d/yyyy [h:mm[:ss] [AM|PM]]
    if (!sc.number(b, 1, 2) || !sc.eat('/') || !sc.number(c, 4, 4)) return std::nullopt;
    m = a;
    d = b;
    y = c;
  } else if (sc.eat('-')) {
    if (!sc.number(b, 1, 2) || !sc.eat('-') || !sc.number(c, 1, 2)) return std::nullopt;
    y = a;
    m = b;
    d = c;
  } else {
    return std::nullopt;
  }
  if (!valid_date(y, m, d)) return std::nullopt;
  int hh = 0, mi = 0, ss = 0;
  bool had_space = sc.peek() == ' ';
  sc.skip_space();
  if (sc.eat('T') || (had_space && !sc.done())) {
    if (!sc.number(hh, 1, 2) || !sc.eat(':') || !sc.number(mi, 2, 2)) return std::nullopt;
    if (sc.eat(':') && !sc.number(ss, 2, 2)) return std::nullopt;
    if (sc.eat('.')) {
      int frac = 0;
      if (!sc.number(frac, 1, 7)) return std::nullopt;
    }
    sc.skip_space();
    if (sc.word_ci("AM")) {
      if (hh < 1 || hh > 12) return std::nullopt;
      if (hh == 12) hh = 0;
    } else if (sc.word_ci("PM")) {
      if (hh < 1 || hh > 12) return std::nullopt;
      if (hh != 12) hh += 12;
    } else if (sc.eat('Z')) {
    } else if (sc.peek() == '+' || sc.peek() == '-') {
      sc.eat(sc.peek());
      int oh = 0, om = 0;
      if (!sc.number(oh, 2, 2) || !sc.eat(':') || !sc.number(om, 2, 2)) return std::nullopt;
    }
    if (hh > 23 || mi > 59 || ss > 59) return std::nullopt;
  }
  sc.skip_space();
  if (!sc.done()) return std::nullopt;
  return make_time(y, static_cast<unsigned>(m), static_cast<unsigned>(d), hh, mi, ss);
}

CivilTime utc_today() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  return (secs / kDay) * kDay;
}

}  // namespace kareo::testing::detail
