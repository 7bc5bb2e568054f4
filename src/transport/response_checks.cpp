#include "transport/response_checks.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "stdsoap2.h"
#include "transport/http_message.hpp"

namespace kareo::detail {
namespace {

// Whether `c` is a character XML 1.0 allows.
bool xml_char(unsigned long c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

std::string code_point(unsigned long c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04lX", c);
  return buf;
}

}  // namespace

// One pass over the body: the encoding it declares, then every byte, following where it is (markup, a CDATA
// section, a comment) and, in the markup, the depth of the elements.
std::string refused_markup(const std::string& body, unsigned max_depth) {
  const auto* b = reinterpret_cast<const unsigned char*>(body.data());
  const std::size_t n = body.size();
  bool latin1 = false;
  {
    std::size_t at = body.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
    if (body.compare(at, 5, "<?xml") == 0) {
      const auto end = body.find("?>", at);
      const std::string decl = ascii_lower(body.substr(at, end == std::string::npos ? 200 : end - at));
      const auto enc = decl.find("encoding");
      if (enc != std::string::npos) {
        const auto q = decl.find_first_of("\"'", enc);
        const auto q2 = q == std::string::npos ? q : decl.find(decl[q], q + 1);
        const std::string name = q2 == std::string::npos ? std::string() : decl.substr(q + 1, q2 - q - 1);
        if (name == "iso-8859-1" || name == "latin1" || name == "iso_8859-1" || name == "latin-1") {
          latin1 = true;
        } else if (name != "utf-8" && name != "utf8" && name != "us-ascii") {
          return "it declares an encoding the client does not read (" + name + ")";
        }
      }
    }
  }
  // Bytes that need no second look, one table per place: printable ASCII and the white space XML allows, except
  // what can change the place, the depth or open a character reference. In the markup that is '<', '>' and '&';
  // inside a CDATA section the ']' of "]]>", inside a comment the '-' of "-->". Everything else (non-ASCII
  // bytes, control characters) is looked at in every place.
  enum Place { kMarkup, kCdata, kComment };
  static const auto tables = [] {
    std::array<std::array<bool, 256>, 3> t{};
    for (auto& table : t) {
      for (int c = 0x20; c < 0x7F; ++c) table[static_cast<std::size_t>(c)] = true;
      table['\t'] = table['\n'] = table['\r'] = true;
    }
    t[kMarkup]['<'] = t[kMarkup]['>'] = t[kMarkup]['&'] = false;
    t[kCdata][']'] = false;
    t[kComment]['-'] = false;
    return t;
  }();
  const auto ascii_digit = [](unsigned char d, bool hex) -> int {
    if (d >= '0' && d <= '9') return d - '0';
    if (hex && d >= 'a' && d <= 'f') return d - 'a' + 10;
    if (hex && d >= 'A' && d <= 'F') return d - 'A' + 10;
    return -1;
  };
  Place place = kMarkup;
  unsigned depth = 0;
  bool prolog = true;         // no start tag yet: where a document type declaration would be
  bool in_start_tag = false;  // between the '<' of a start tag and its '>'
  enum class Verdict { Fine, TooDeep, Doctype };
  // The markup's own characters, most of the bytes that need a look: allowed everywhere, so only the place, the
  // prolog and the depth change.
  const auto markup_char = [&](std::size_t at) {
    if (b[at] == '>') {
      if (in_start_tag) {
        in_start_tag = false;
        if (b[at - 1] != '/' && ++depth > max_depth) return Verdict::TooDeep;
      }
    } else if (at + 1 < n) {
      const unsigned char next = b[at + 1];
      if (next == '/') {
        if (depth > 0) --depth;
      } else if (next == '!') {
        // The rest of the opener ("![CDATA[", "!--") is read in its new place: "<!-->" opens and closes a
        // comment.
        if (body.compare(at, 9, "<![CDATA[") == 0) {
          place = kCdata;
        } else if (body.compare(at, 4, "<!--") == 0) {
          place = kComment;
        } else if (prolog && body.compare(at, 9, "<!DOCTYPE") == 0) {
          return Verdict::Doctype;
        }
      } else if (next != '?') {
        prolog = false;
        in_start_tag = true;
      }
    }
    return Verdict::Fine;
  };
  const auto refusal = [&](Verdict v) -> std::string {
    if (v == Verdict::TooDeep) return "its elements nest deeper than " + std::to_string(max_depth) + " levels";
    return "it has a document type declaration";
  };
  // The body's terminating NUL (std::string keeps one past the end) is in no table: the loop that passes plain
  // bytes needs no test of the length.
  for (std::size_t i = 0; i < n;) {
#if defined(__SSE2__)
    if (place == kMarkup) {
      // Sixteen bytes at a time while a whole block lies within the body. A block's '<' and '>' are taken from
      // its mask, in order, up to the first byte that needs any other look (which the byte-wise loop below
      // takes); a change of place ends the pass, as the rest of the block is read in the new place.
      bool moved = false;
      while (i + 16 <= n) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i));
        const __m128i tag = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('<')), _mm_cmpeq_epi8(v, _mm_set1_epi8('>')));
        // Below 0x20 (a signed compare: bytes from 0x80 up count as below it too) and not white space; 0x7F;
        // '&'.
        const __m128i space =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
                         _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')));
        const __m128i other =
            _mm_or_si128(_mm_andnot_si128(space, _mm_cmplt_epi8(v, _mm_set1_epi8(0x20))),
                         _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F)), _mm_cmpeq_epi8(v, _mm_set1_epi8('&'))));
        const unsigned others = static_cast<unsigned>(_mm_movemask_epi8(other));
        const unsigned before_other = others ? (others & (0u - others)) - 1 : 0xFFFFu;
        for (unsigned todo = static_cast<unsigned>(_mm_movemask_epi8(tag)) & before_other; todo; todo &= todo - 1) {
          const std::size_t at = i + static_cast<std::size_t>(__builtin_ctz(todo));
          if (const Verdict verdict = markup_char(at); verdict != Verdict::Fine) return refusal(verdict);
          if (place != kMarkup) {
            i = at + 1;
            moved = true;
            break;
          }
        }
        if (moved) break;
        if (others) {
          i += static_cast<std::size_t>(__builtin_ctz(others));
          break;
        }
        i += 16;
      }
      if (moved) continue;
    }
#endif
    const std::array<bool, 256>& plain = tables[place];
    for (;; i += 4) {  // four at a time: each byte is still looked at in order, and none past the NUL is read
      if (!plain[b[i]]) break;
      if (!plain[b[i + 1]]) {
        i += 1;
        break;
      }
      if (!plain[b[i + 2]]) {
        i += 2;
        break;
      }
      if (!plain[b[i + 3]]) {
        i += 3;
        break;
      }
    }
    if (i == n) break;
    if (place == kMarkup && (b[i] == '<' || b[i] == '>')) {
      if (const Verdict v = markup_char(i); v != Verdict::Fine) return refusal(v);
      ++i;
      continue;
    }
    unsigned long c = b[i];
    std::size_t len = 1;
    if (!latin1 && c >= 0x80) {
      // One UTF-8 sequence, strictly: no overlong forms, no surrogates, nothing above U+10FFFF.
      unsigned long min = 0;
      if (c >= 0xC2 && c <= 0xDF) {
        len = 2, c &= 0x1F, min = 0x80;
      } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, c &= 0x0F, min = 0x800;
      } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, c &= 0x07, min = 0x10000;
      } else {
        return "its text is not valid UTF-8 (at byte " + std::to_string(i) + ")";
      }
      if (i + len > n) return "its text is not valid UTF-8 (at byte " + std::to_string(i) + ")";
      for (std::size_t k = 1; k < len; ++k) {
        if ((b[i + k] & 0xC0) != 0x80) return "its text is not valid UTF-8 (at byte " + std::to_string(i) + ")";
        c = (c << 6) | (b[i + k] & 0x3F);
      }
      if (c < min || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF) {
        return "its text is not valid UTF-8 (at byte " + std::to_string(i) + ")";
      }
    }
    if (!xml_char(c)) {
      return "it holds a character XML does not allow (" + code_point(c) + " at byte " + std::to_string(i) + ")";
    }
    if (place == kCdata && c == ']' && body.compare(i, 3, "]]>") == 0) {
      place = kMarkup;
    } else if (place == kComment && c == '-' && body.compare(i, 3, "-->") == 0) {
      place = kMarkup;
    } else if (place == kMarkup && c == '&' && i + 1 < n && b[i + 1] == '#') {
      // A character reference (in CDATA sections and comments, "&#" is plain text).
      std::size_t k = i + 2;
      const bool hex = k < n && b[k] == 'x';
      if (hex) ++k;
      unsigned long v = 0;
      std::size_t digits = 0;
      for (; k < n && digits <= 8; ++k, ++digits) {
        const int d = ascii_digit(b[k], hex);
        if (d < 0) break;
        v = v * (hex ? 16 : 10) + static_cast<unsigned long>(d);
      }
      if (digits == 0 || digits > 8 || k >= n || b[k] != ';') {
        return "it holds a malformed character reference (at byte " + std::to_string(i) + ")";
      }
      if (!xml_char(v)) {
        return "it holds a reference to a character XML does not allow (" + code_point(v) + " at byte " +
               std::to_string(i) + ")";
      }
      // gSOAP reads at most 7 characters after '&': a longer reference (&#x1F600;) would come out with its ';'.
      if (k - i > 7) {
        return "it holds a character reference longer than the generated deserializer reads correctly (" +
               code_point(v) + " at byte " + std::to_string(i) + ")";
      }
    }
    i += len;
  }
  return {};
}

}  // namespace kareo::detail
