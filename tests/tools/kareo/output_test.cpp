// The kareo tool's JSON lines: its own writer must print exactly what nlohmann::json prints.
#include <gtest/gtest.h>

#include "cli.hpp"

namespace {

using kareo_cli::json;

std::string reference(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

TEST(JsonLine, PrintsWhatNlohmannPrints) {
  const std::vector<json> values = {
      json::object(),
      json::array(),
      json("plain text"),
      json{{"plain", "Testpatient Alpha"},
           {"controls", std::string("tab\there, line\nbreak, bell\x07, nul") + '\0'},
           {"quotes", "a \"quote\" and a back\\slash / slash"},
           {"utf8", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
           {"invalid utf8", "bad \xff\xfe bytes \xc3"},
           {"delete", "\x7f"},
           {"numbers", {0, -1, 42, 1.5, -0.25, 1e300, 123456789012345}},
           {"flags", {true, false, nullptr}},
           {"nested", {{"inner", {{"deeper", "x"}}}, {"list", json::array({json::object(), "y"})}}},
           {"k\xc3\xa9y with \"quotes\"", "value"}},
  };
  for (const auto& v : values) EXPECT_EQ(kareo_cli::json_line(v), reference(v)) << reference(v);
}

TEST(JsonLine, PrintsARowLikeNlohmann) {
  kareo::PatientData p;
  p.ID = "12";
  p.FirstName = "Testpatient";
  p.LastName = "O'Brien \"Bravo\"";
  p.AddressLine1 = "1 Main St\nSuite 2";
  const json row = kareo::to_json(p);
  EXPECT_EQ(kareo_cli::json_line(row), reference(row));
}

}  // namespace
