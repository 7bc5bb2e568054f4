// The checks of a response's markup and text that gSOAP does not make (refused_markup). The end-to-end cases (both
// readers, real sockets) are in tests/reliability/hostile_text_test.cpp and hostile_response_test.cpp; here the
// check itself is compared, verdict and message, with a plain byte-at-a-time reading of the rules on many
// generated documents.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "transport/response_checks.hpp"

namespace kareo::detail {
namespace {

bool allowed(unsigned long c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

std::string hex(unsigned long c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04lX", c);
  return buf;
}

bool starts(const std::string& s, std::size_t at, const char* with) {
  return s.compare(at, std::strlen(with), with) == 0;
}

// The rules, one byte at a time and with no shortcut: every character is decoded and checked, and the place
// (markup, CDATA section, comment), the depth of the elements and whether a start tag was seen are followed
// character by character. Documents here never declare an encoding.
std::string reference(const std::string& s, unsigned max_depth) {
  enum { kMarkup, kCdata, kComment } place = kMarkup;
  unsigned depth = 0;
  bool prolog = true, in_start_tag = false;
  const auto at = [&](std::size_t i) { return std::to_string(i); };
  for (std::size_t i = 0; i < s.size();) {
    const auto byte = static_cast<unsigned char>(s[i]);
    unsigned long c = byte;
    std::size_t len = 1;
    if (byte >= 0x80) {
      unsigned long min = 0;
      if (byte >= 0xC2 && byte <= 0xDF) {
        len = 2, c = byte & 0x1F, min = 0x80;
      } else if (byte >= 0xE0 && byte <= 0xEF) {
        len = 3, c = byte & 0x0F, min = 0x800;
      } else if (byte >= 0xF0 && byte <= 0xF4) {
        len = 4, c = byte & 0x07, min = 0x10000;
      } else {
        return "its text is not valid UTF-8 (at byte " + at(i) + ")";
      }
      if (i + len > s.size()) return "its text is not valid UTF-8 (at byte " + at(i) + ")";
      for (std::size_t k = 1; k < len; ++k) {
        const auto next = static_cast<unsigned char>(s[i + k]);
        if ((next & 0xC0) != 0x80) return "its text is not valid UTF-8 (at byte " + at(i) + ")";
        c = (c << 6) | (next & 0x3F);
      }
      if (c < min || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF) {
        return "its text is not valid UTF-8 (at byte " + at(i) + ")";
      }
    }
    if (!allowed(c)) return "it holds a character XML does not allow (" + hex(c) + " at byte " + at(i) + ")";
    if (place == kMarkup && starts(s, i, "<![CDATA[")) {
      place = kCdata;
    } else if (place == kMarkup && starts(s, i, "<!--")) {
      place = kComment;
    } else if (place == kMarkup && prolog && starts(s, i, "<!DOCTYPE")) {
      return "it has a document type declaration";
    } else if (place == kMarkup && starts(s, i, "</")) {
      if (depth > 0) --depth;
    } else if (place == kMarkup && c == '<' && i + 1 < s.size() && s[i + 1] != '!' && s[i + 1] != '?') {
      prolog = false;
      in_start_tag = true;
    } else if (place == kMarkup && c == '>' && in_start_tag) {
      in_start_tag = false;
      if (s[i - 1] != '/') {
        ++depth;
        if (depth > max_depth) return "its elements nest deeper than " + std::to_string(max_depth) + " levels";
      }
    } else if (place == kCdata && starts(s, i, "]]>")) {
      place = kMarkup;
    } else if (place == kComment && starts(s, i, "-->")) {
      place = kMarkup;
    } else if (place == kMarkup && starts(s, i, "&#")) {
      std::size_t k = i + 2;
      const bool is_hex = k < s.size() && s[k] == 'x';
      if (is_hex) ++k;
      unsigned long v = 0;
      std::size_t digits = 0;
      for (; k < s.size() && digits <= 8; ++k, ++digits) {
        const char d = s[k];
        int value = -1;
        if (d >= '0' && d <= '9') value = d - '0';
        if (is_hex && d >= 'a' && d <= 'f') value = d - 'a' + 10;
        if (is_hex && d >= 'A' && d <= 'F') value = d - 'A' + 10;
        if (value < 0) break;
        v = v * (is_hex ? 16 : 10) + static_cast<unsigned long>(value);
      }
      if (digits == 0 || digits > 8 || k >= s.size() || s[k] != ';') {
        return "it holds a malformed character reference (at byte " + at(i) + ")";
      }
      if (!allowed(v)) {
        return "it holds a reference to a character XML does not allow (" + hex(v) + " at byte " + at(i) + ")";
      }
      if (k - i > 7) {
        return "it holds a character reference longer than the generated deserializer reads correctly (" + hex(v) +
               " at byte " + at(i) + ")";
      }
    }
    i += len;
  }
  return {};
}

TEST(RefusedMarkup, TextInEveryPlace) {
  EXPECT_EQ(refused_markup("<a>plain text &amp; M\xc3\xbcller &#252; &#x4E2D;</a>"), "");
  // Inside CDATA sections and comments "&#" and control-looking references are plain text.
  EXPECT_EQ(refused_markup("<a><![CDATA[&#0; &# <!-- ]]></a>"), "");
  EXPECT_EQ(refused_markup("<a><!-- &#0; <![CDATA[ --></a>"), "");
  // ...but the bytes themselves are checked in every place.
  EXPECT_NE(refused_markup("<a><![CDATA[\x01]]></a>"), "");
  EXPECT_NE(refused_markup("<a><!-- \xff --></a>"), "");
  // After a section ends, references count again.
  EXPECT_EQ(refused_markup("<a><![CDATA[x]]>&#0;</a>"),
            "it holds a reference to a character XML does not allow (U+0000 at byte 16)");
  EXPECT_EQ(refused_markup("<a><!-- x -->&#1;</a>"),
            "it holds a reference to a character XML does not allow (U+0001 at byte 13)");
  // A '!' that does not follow '<' opens nothing.
  EXPECT_EQ(refused_markup("<a>hello! <b/>![CDATA[&#0;</a>"),
            "it holds a reference to a character XML does not allow (U+0000 at byte 22)");
  // "<!-->" opens and closes a comment, as "-->" is read from its second character.
  EXPECT_EQ(refused_markup("<!-->&#0;"), "it holds a reference to a character XML does not allow (U+0000 at byte 5)");
  EXPECT_EQ(refused_markup("x&#"), "it holds a malformed character reference (at byte 1)");
  EXPECT_EQ(
      refused_markup("x&#x1F600;"),
      "it holds a character reference longer than the generated deserializer reads correctly (U+1F600 at byte 1)");
  EXPECT_EQ(refused_markup("ok\x7f"), "");
  EXPECT_EQ(refused_markup("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>M\xfcller</a>"), "");
  EXPECT_EQ(refused_markup("<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>"),
            "it declares an encoding the client does not read (utf-16)");
}

TEST(RefusedMarkup, AgreesWithAByteAtATimeReadingOnGeneratedDocuments) {
  // Pieces of well-formed-looking markup and text, and pieces of broken text.
  const std::vector<std::string> markup = {"<a>",
                                           "</a>",
                                           "<b x=\"1\"/>",
                                           "<c>",
                                           "<c>",
                                           "<c>",
                                           "<d y='a'>",
                                           "</c>",
                                           "</d>",
                                           "<e/>",
                                           "text ",
                                           "M\xc3\xbcller",
                                           "\xe4\xb8\xad",
                                           "\xf0\x9f\x98\x80",
                                           "<![CDATA[",
                                           "]]>",
                                           "]]",
                                           "]",
                                           "<!--",
                                           "-->",
                                           "--",
                                           "-",
                                           "<!",
                                           "<",
                                           ">",
                                           "/",
                                           "!",
                                           "&amp;",
                                           "&#65;",
                                           "&#x41;",
                                           "<?pi x?>",
                                           "<!DOCTYPE a>",
                                           "<!ELEMENT a>",
                                           "x",
                                           ";",
                                           "\t\r\n",
                                           "\x7f"};
  const std::vector<std::string> broken = {"&#",
                                           "&#0;",
                                           "&#x1F600;",
                                           "&#xD800;",
                                           "&#xZ;",
                                           "&#12345678;",
                                           "&#x110000;",
                                           "&#1",
                                           "\x01",
                                           "\xff",
                                           "\xc0\xaf",
                                           "\xed\xa0\x80",
                                           "\xef\xbf\xbe",
                                           "\xf4\x90\x80\x80",
                                           "\xc3",
                                           "\xe2\x82",
                                           std::string(1, '\0')};
  std::mt19937 rng(20261204);
  std::uniform_int_distribution<std::size_t> pick_markup(0, markup.size() - 1);
  std::uniform_int_distribution<std::size_t> pick_broken(0, broken.size() - 1);
  std::uniform_int_distribution<int> length(0, 48);
  std::size_t refused = 0, too_deep = 0, doctype = 0;
  for (int round = 0; round < 200000; ++round) {
    std::string doc;
    const int count = length(rng);
    for (int k = 0; k < count; ++k) {
      // Mostly markup, so that documents often get far before anything is wrong.
      doc += rng() % 12 == 0 ? broken[pick_broken(rng)] : markup[pick_markup(rng)];
    }
    // A low limit of depth, so that nesting too deep is among the verdicts.
    const std::string expected = reference(doc, 3);
    refused += expected.empty() ? 0 : 1;
    too_deep += expected.find("nest deeper") != std::string::npos ? 1 : 0;
    doctype += expected.find("document type") != std::string::npos ? 1 : 0;
    ASSERT_EQ(refused_markup(doc, 3), expected) << "document: " << ::testing::PrintToString(doc);
  }
  // Acceptance and refusal are both well represented, the markup's refusals among them.
  EXPECT_GT(refused, 20000u);
  EXPECT_LT(refused, 190000u);
  EXPECT_GT(too_deep, 1000u);
  EXPECT_GT(doctype, 1000u);
}

// The check passes over plain text eight bytes at a time: a byte that needs a look is found at every offset.
TEST(RefusedMarkup, FindsAByteAtAnyOffsetInALongText) {
  for (std::size_t at = 0; at < 40; ++at) {
    for (const char* bad : {"\x01", "\xff", "&#0;", "<a><b><c><d>"}) {
      std::string doc(48, 'x');
      doc.insert(at, bad);
      SCOPED_TRACE(::testing::PrintToString(doc));
      EXPECT_EQ(refused_markup(doc, 3), reference(doc, 3));
      EXPECT_NE(refused_markup(doc, 3), "");
    }
  }
}

TEST(RefusedMarkup, DoctypeAndDepth) {
  EXPECT_EQ(refused_markup("<?xml version=\"1.0\"?><a><b/></a>"), "");
  EXPECT_EQ(refused_markup("<!DOCTYPE a><a/>"), "it has a document type declaration");
  // Only before the first element, and not inside a comment.
  EXPECT_EQ(refused_markup("<!-- <!DOCTYPE a> --><a/>"), "");
  std::string deep;
  for (int i = 0; i < SOAP_MAXLEVEL + 1; ++i) deep += "<a>";
  EXPECT_EQ(refused_markup(deep), "its elements nest deeper than " + std::to_string(SOAP_MAXLEVEL) + " levels");
  EXPECT_EQ(refused_markup("<a><b><c/></b><b x=\"1\"><c></c></b></a>", 3), "");
  EXPECT_EQ(refused_markup("<a><b><c><d>", 3), "its elements nest deeper than 3 levels");
  // Tags in CDATA sections and comments are text.
  EXPECT_EQ(refused_markup("<a><![CDATA[<b><c><d>]]><!-- <b><c><d> --></a>", 3), "");
}

}  // namespace
}  // namespace kareo::detail
