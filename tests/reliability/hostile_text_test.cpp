// Hostile responses through a real socket, text that is not what XML allows: invalid UTF-8, control characters and
// references to characters XML excludes are refused by both readers (the generated deserializer and the streaming
// reader); what XML allows is read alike by both.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "hostile_support.hpp"
#include "kareo/client.hpp"

namespace kareo::hostile_test {
namespace {

// A response of `op` whose one text value (a practice's name, a patient's last name) is `value`, as raw bytes.
std::string with_value(const std::string& op, const std::string& value) {
  if (op == "GetPractices") {
    return reliability::empty_result(
        op, "<Practices><PracticeData><ID>1</ID><PracticeName>" + value + "</PracticeName></PracticeData></Practices>");
  }
  return reliability::empty_result(
      op, "<Patients><PatientData><ID>1</ID><LastName>" + value + "</LastName></PatientData></Patients>");
}

// The value read back through a Client (practice name or last name), or the failure.
Outcome read_value(const std::string& op, const std::string& body, std::string& value) {
  auto server = answering(xml_reply(body));
  Client client(options_for(server.url()));
  return run([&] {
    if (op == "GetPractices") {
      value = client.practices().collect().at(0).PracticeName.value_or("");
    } else {
      PatientFilter f;
      f.PracticeName = "Testpractice Alpha";
      value = client.patients({f}).collect().at(0).LastName.value_or("");
    }
  });
}

TEST(Hostile, CorruptedTextIsRefusedByBothReaders) {
  // gSOAP's generated deserializer used to read invalid UTF-8 as Latin-1 and to end a value at a NUL byte, and
  // the call succeeded; the streaming reader (libxml2) refuses the same bytes. Both must refuse them.
  const std::vector<std::pair<const char*, std::string>> corrupt = {
      {"Latin-1 byte in a UTF-8 document", "M\xfcller"},
      {"invalid continuation byte", "Te\xc3\x28st"},
      {"lone continuation byte", "Test\x80"},
      {"byte 0xFF", "Test\xff"},
      {"overlong encoding of '/'", "Test\xc0\xaf"},
      {"UTF-16 surrogate", "Test\xed\xa0\x80"},
      {"beyond U+10FFFF", "Test\xf4\x90\x80\x80"},
      {"sequence cut short", "Test\xe2\x82"},
      {"NUL byte", std::string("Test\0patient", 12)},
      {"control character U+0001", "Test\x01patient"},
      {"escape character U+001B", "Test\x1bpatient"},
      {"character reference to U+0000", "Test&#0;patient"},
      {"character reference to U+0001", "Test&#x1;patient"},
      {"character reference to a surrogate", "Test&#xD800;patient"},
      {"character reference beyond U+10FFFF", "Test&#x110000;patient"},
      {"U+FFFE", "Test\xef\xbf\xbe"},
  };
  for (const std::string op : {"GetPractices", "GetPatients"}) {
    for (const auto& [name, value] : corrupt) {
      SCOPED_TRACE(op + ": " + name);
      std::string read;
      const Outcome o = read_value(op, with_value(op, value), read);
      expect_kind(o, ErrorKind::MalformedResponse);
    }
  }
}

TEST(Hostile, ValidTextIsReadAlikeByBothReaders) {
  // The control: what XML allows, read to the same value by both readers.
  const std::vector<std::tuple<const char*, std::string, std::string>> fine = {
      {"two-byte UTF-8", "M\xc3\xbcller", "M\xc3\xbcller"},
      {"three-byte UTF-8", "\xe4\xb8\xad\xe6\x96\x87", "\xe4\xb8\xad\xe6\x96\x87"},
      {"four-byte UTF-8", "Test\xf0\x9f\x98\x80", "Test\xf0\x9f\x98\x80"},
      {"tab and line feed", "Test\tone\ntwo", "Test\tone\ntwo"},
      {"character references", "M&#252;ller &#xE9; &#x4E2D; &#65536;",
       "M\xc3\xbcller \xc3\xa9 \xe4\xb8\xad \xf0\x90\x80\x80"},
      {"U+FFFD", "Test\xef\xbf\xbd", "Test\xef\xbf\xbd"},
  };
  for (const std::string op : {"GetPractices", "GetPatients"}) {
    for (const auto& [name, value, expected] : fine) {
      SCOPED_TRACE(op + ": " + name);
      std::string read;
      const Outcome o = read_value(op, with_value(op, value), read);
      EXPECT_FALSE(o.threw) << o.message;
      EXPECT_EQ(read, expected);
    }
    // gSOAP reads at most six characters of a reference (&#x1F600; would come out with its ';'): the generated
    // deserializer refuses such a reference rather than misread it; the streaming reader reads it.
    {
      SCOPED_TRACE(op + ": a character reference of seven characters");
      std::string read;
      const Outcome o = read_value(op, with_value(op, "Test&#x1F600;"), read);
      if (op == "GetPractices") {
        expect_kind(o, ErrorKind::MalformedResponse);
      } else {
        EXPECT_FALSE(o.threw) << o.message;
        EXPECT_EQ(read, "Test\xf0\x9f\x98\x80");
      }
    }
    // A document that declares ISO-8859-1 may use its bytes.
    SCOPED_TRACE(op + ": a document declared ISO-8859-1");
    std::string read;
    const Outcome o =
        read_value(op, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" + with_value(op, "M\xfcller"), read);
    EXPECT_FALSE(o.threw) << o.message;
    EXPECT_EQ(read, "M\xc3\xbcller");
  }
}

}  // namespace
}  // namespace kareo::hostile_test
