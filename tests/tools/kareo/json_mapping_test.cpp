// The JSON mapping (kareo/json.hpp): every operation's request payload and result, fully populated, goes
// JSON -> object -> JSON unchanged and object -> XML -> object unchanged, and every JSON value lands in the XML
// element of the same name (checked against gSOAP's own serializer, not against the mapping's tables).
// Errors name the offending key and path.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "kareo/json.hpp"
#include "kareo/types.hpp"
#include "kareo/wire.hpp"
#include "kareo_wireKareoServicesProxy.h"

namespace {

using nlohmann::json;

// A value for every member, distinct per member name where the kind allows it, so the XML check can tell
// members apart.
json sample_scalar(const kareo::MemberDescription& m, int salt) {
  static int counter = 0;
  ++counter;
  std::size_t h = std::hash<std::string_view>{}(m.name) + static_cast<std::size_t>(salt);
  switch (m.kind) {
    case kareo::MemberKind::String:
      return std::string("Test") + std::string(m.name) + std::to_string(counter);
    case kareo::MemberKind::Boolean:
      return (h % 2) == 0;
    case kareo::MemberKind::Integer:
      return 100000 + counter;
    case kareo::MemberKind::Number:
      return static_cast<double>(counter) + 0.5;
    case kareo::MemberKind::DateTime:
      return "2024-0" + std::to_string(1 + h % 9) + "-1" + std::to_string(h % 9) + "T09:30:00";
    case kareo::MemberKind::Guid:
      return "0f8fad5b-d9cb-469f-a165-70867728950e";
    case kareo::MemberKind::Base64:
      return "VGVzdGRvY3VtZW50";
    case kareo::MemberKind::Enumeration:
      return std::string(m.allowed_values[h % m.allowed_values.size()]);
    default:
      return nullptr;
  }
}

json sample(const kareo::TypeDescription& type, int depth, int salt);

json sample_member(const kareo::MemberDescription& m, int depth, int salt) {
  if (m.kind == kareo::MemberKind::Object || m.kind == kareo::MemberKind::Array) {
    const kareo::TypeDescription* nested = kareo::describe_type(m.type_name);
    EXPECT_NE(nested, nullptr) << m.type_name;
    if (!nested) return nullptr;
    return sample(*nested, depth + 1, salt);
  }
  return sample_scalar(m, salt);
}

json sample(const kareo::TypeDescription& type, int depth, int salt) {
  if (type.is_array) {
    json a = json::array();
    for (int i = 0; i < 2; ++i) a.push_back(sample_member(type.members.at(0), depth, salt + i));
    return a;
  }
  json j = json::object();
  if (depth > 8) return j;
  for (const auto& m : type.members) j[std::string(m.name)] = sample_member(m, depth, salt);
  return j;
}

// Every element with simple text content, by local name.
std::multimap<std::string, std::string> xml_texts(const std::string& xml) {
  std::multimap<std::string, std::string> out;
  static const std::regex element(R"(<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)(?:\s[^>]*)?>([^<]*)</)");
  for (auto it = std::sregex_iterator(xml.begin(), xml.end(), element); it != std::sregex_iterator(); ++it)
    out.emplace((*it)[1].str(), (*it)[2].str());
  return out;
}

std::string xml_text_of(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_float()) {
    std::ostringstream s;
    s << v.get<double>();
    return s.str();
  }
  return v.dump();
}

// Every scalar of `j` must appear as the text of an element named after its key (array items: the item
// element name of the array type).
void expect_in_xml(const json& j, const kareo::TypeDescription& type,
                   const std::multimap<std::string, std::string>& xml, const std::string& path) {
  if (type.is_array) {
    const auto& item = type.members.at(0);
    for (std::size_t i = 0; i < j.size(); ++i) {
      if (item.kind == kareo::MemberKind::Object)
        expect_in_xml(j[i], *kareo::describe_type(item.type_name), xml, path + "[" + std::to_string(i) + "]");
      else {
        auto range = xml.equal_range(std::string(item.name));
        bool found = false;
        for (auto it = range.first; it != range.second; ++it) found = found || it->second == xml_text_of(j[i]);
        EXPECT_TRUE(found) << path << "[" << i << "] = " << j[i] << " not in the XML as <" << item.name << ">";
      }
    }
    return;
  }
  for (const auto& m : type.members) {
    auto it = j.find(std::string(m.name));
    if (it == j.end() || it->is_null()) continue;
    if (m.kind == kareo::MemberKind::Object || m.kind == kareo::MemberKind::Array) {
      expect_in_xml(*it, *kareo::describe_type(m.type_name), xml, path + "." + std::string(m.name));
      continue;
    }
    auto range = xml.equal_range(std::string(m.name));
    bool found = false;
    for (auto x = range.first; x != range.second; ++x) found = found || x->second == xml_text_of(*it);
    EXPECT_TRUE(found) << path << "." << m.name << " = " << *it << " not in the XML";
  }
}

// A context with the contract's namespace bindings (the generated proxy sets them), for the serializers.
struct Context {
  kareo_wire::KareoServicesProxy proxy;
  soap* s = proxy.soap;
  ~Context() {
    soap_destroy(s);
    soap_end(s);
  }
};

template <class T, class Write, class Read>
void round_trip(const char* label, Write write_xml, Read read_xml) {
  SCOPED_TRACE(label);
  const kareo::TypeDescription& type = kareo::describe<T>();
  json original = sample(type, 0, 1);

  // JSON -> object -> JSON.
  T object = kareo::from_json<T>(original);
  json back = kareo::to_json(object);
  EXPECT_TRUE(back == original) << "JSON round trip of " << type.name
                                << " differs: " << json::diff(original, back).dump();

  // object -> XML (gSOAP) -> object -> JSON.
  Context context;
  std::ostringstream out;
  context.s->os = &out;
  ASSERT_EQ(write_xml(context.s, &object), SOAP_OK) << type.name;
  context.s->os = nullptr;
  std::string xml = out.str();
  expect_in_xml(original, type, xml_texts(xml), "$");

  std::istringstream in(xml);
  context.s->is = &in;
  T parsed;
  ASSERT_EQ(read_xml(context.s, &parsed), SOAP_OK) << type.name << "\n" << xml.substr(0, 2000);
  context.s->is = nullptr;
  json reparsed = kareo::to_json(parsed);
  EXPECT_TRUE(reparsed == original) << "XML round trip of " << type.name
                                    << " differs: " << json::diff(original, reparsed).dump();
}

#define KAREO_ROUND_TRIP(Name, PayloadMember, PayloadType, ResultType)                              \
  TEST(JsonMapping, RoundTrip##Name) {                                                              \
    round_trip<kareo_wire::PayloadType>(#PayloadType, kareo_wire::soap_write_##PayloadType,         \
                                        kareo_wire::soap_read_##PayloadType);                       \
    round_trip<kareo_wire::ResultType>(#ResultType, kareo_wire::soap_write_##ResultType,            \
                                       kareo_wire::soap_read_##ResultType);                         \
    round_trip<kareo_wire::_kareo__##Name>("_kareo__" #Name, kareo_wire::soap_write__kareo__##Name, \
                                           kareo_wire::soap_read__kareo__##Name);                   \
  }
KAREO_OPERATION_LIST(KAREO_ROUND_TRIP)
#undef KAREO_ROUND_TRIP

TEST(JsonMapping, EveryTypeIsDescribedAndReachable) {
  const auto& types = kareo::contract_types();
  EXPECT_GT(types.size(), 200u);
  for (std::size_t i = 1; i < types.size(); ++i) EXPECT_LT(types[i - 1].name, types[i].name);
  for (const auto& t : types) {
    EXPECT_EQ(kareo::describe_type(t.name), &t);
    for (const auto& m : t.members)
      if (m.kind == kareo::MemberKind::Object || m.kind == kareo::MemberKind::Array ||
          m.kind == kareo::MemberKind::Enumeration) {
        if (m.kind != kareo::MemberKind::Enumeration) {
          EXPECT_NE(kareo::describe_type(m.type_name), nullptr) << t.name << "." << m.name;
        }
        EXPECT_FALSE(m.type_name.empty()) << t.name << "." << m.name;
      }
  }
  EXPECT_EQ(kareo::describe_type("NoSuchType"), nullptr);
}

TEST(JsonMapping, DescribesMembersInContractOrderWithBaseFirst) {
  const auto& t = kareo::describe<kareo::CreatePatientReq>();
  EXPECT_EQ(t.name, "CreatePatientReq");
  EXPECT_EQ(t.base, "RequestBase");
  ASSERT_EQ(t.members.size(), 2u);
  EXPECT_EQ(t.members[0].name, "RequestHeader");
  EXPECT_EQ(t.members[1].name, "Patient");
  EXPECT_EQ(t.members[1].type_name, "PatientCreate");

  const auto& header = kareo::describe<kareo::RequestHeader>();
  std::vector<std::string> names;
  for (const auto& m : header.members) names.emplace_back(m.name);
  EXPECT_EQ(names, (std::vector<std::string>{"ClientVersion", "CustomerKey", "Password", "User"}));

  const auto* status = kareo::describe<kareo::AppointmentCreate>().member("AppointmentStatus");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->kind, kareo::MemberKind::Enumeration);
  EXPECT_TRUE(status->required);
  EXPECT_FALSE(status->nillable);
  EXPECT_EQ(status->allowed_values.front(), "Unknown");

  const auto* content = kareo::describe<kareo::DocumentCreateRequest>().member("FileContent");
  ASSERT_NE(content, nullptr);
  EXPECT_EQ(content->kind, kareo::MemberKind::Base64);
  EXPECT_TRUE(content->nillable);
}

TEST(JsonMapping, ArraysAreJsonArraysOfTheirItems) {
  kareo::PatientExternalIDSettingBatch batch;
  batch.UpdateBatch = std::make_shared<kareo::ArrayOfPatientExternalIDSetting>();
  json j = kareo::to_json(batch);
  EXPECT_EQ(j, json::parse(R"({"UpdateBatch": []})")) << j;

  auto created = kareo::from_json<kareo::PatientCreate>(json::parse(R"({
      "FirstName": "Testpatient", "LastName": "Alpha",
      "Cases": [{"CaseName": "Default case", "PayerScenario": "Self Pay"}],
      "Practice": {"PracticeID": 1}})"));
  ASSERT_TRUE(created.Cases);
  ASSERT_EQ(created.Cases->PatientCaseCreateReq.size(), 1u);
  EXPECT_EQ(created.Cases->PatientCaseCreateReq[0]->CaseName, "Default case");
  ASSERT_TRUE(created.Practice);
  EXPECT_EQ(created.Practice->PracticeID, 1);

  kareo::PracticiesAuthorized authorized;
  authorized.PracticeID = std::make_shared<kareo::ArrayOfint>();
  authorized.PracticeID->int_ = {3, 5};
  EXPECT_EQ(kareo::to_json(authorized), json::parse(R"({"PracticeID": [3, 5]})"));
}

TEST(JsonMapping, NlohmannConversionsUseTheMapping) {
  kareo::PatientCreate patient;
  patient.FirstName = "Testpatient";
  patient.Gender = kareo_wire::wcf__GenderCode::Female;
  json j = patient;
  EXPECT_EQ(j, json::parse(R"({"FirstName": "Testpatient", "Gender": "Female"})"));
  auto copy = j.get<kareo::PatientCreate>();
  EXPECT_EQ(copy.FirstName, "Testpatient");
  EXPECT_THROW(json::parse(R"({"Nope": 1})").get<kareo::PatientCreate>(), kareo::JsonError);
  std::vector<kareo::PracticeData> rows(2);
  rows[0].ID = "1";
  EXPECT_EQ(json(rows), json::parse(R"([{"ID": "1"}, {}])"));
}

TEST(JsonMapping, AbsentValuesAreLeftOutAndNullClears) {
  kareo::PatientData row;
  row.ID = "42";
  row.FirstName = "Testpatient";
  EXPECT_EQ(kareo::to_json(row), json::parse(R"({"ID": "42", "FirstName": "Testpatient"})"));

  kareo::from_json(json::parse(R"({"FirstName": null})"), row);
  EXPECT_FALSE(row.FirstName.has_value());
  EXPECT_EQ(row.ID, "42");  // not named: unchanged
}

TEST(JsonMapping, DatesAreIsoStringsAndBareDatesMeanMidnight) {
  auto a = kareo::from_json<kareo::AppointmentCreate>(json::parse(R"({
      "AppointmentStatus": "Scheduled", "AppointmentType": "P", "IsRecurring": false, "PracticeId": 1,
      "ServiceLocationId": 2, "StartTime": "2024-05-01T09:30", "EndTime": "2024-05-01", "Notes": "x"})"));
  EXPECT_EQ(a.StartTime, "2024-05-01T09:30:00");
  EXPECT_EQ(a.EndTime, "2024-05-01T00:00:00");
  EXPECT_EQ(kareo::to_json(a)["StartTime"], "2024-05-01T09:30:00");
  EXPECT_EQ(kareo::normalize_iso_datetime("2024-02-29T23:59:59.25+02:00"), "2024-02-29T23:59:59.25+02:00");
  EXPECT_EQ(kareo::normalize_iso_datetime("2024-02-29T08:00:00Z"), "2024-02-29T08:00:00Z");
  EXPECT_THROW(kareo::normalize_iso_datetime("2023-02-29"), kareo::JsonError);
  EXPECT_THROW(kareo::normalize_iso_datetime("05/01/2024"), kareo::JsonError);
  EXPECT_THROW(kareo::normalize_iso_datetime("2024-05-01T25:00:00"), kareo::JsonError);
}

TEST(JsonMapping, LenientValuesFromServiceRows) {
  auto u = kareo::from_json<kareo::PatientUpdate>(json::parse(R"({"PatientID": "12"})"));
  EXPECT_EQ(u.PatientID, 12);
  auto c = kareo::from_json<kareo::PatientCaseCreateReq>(
      json::parse(R"({"Active": "True", "SendPatientStatements": "False"})"));
  EXPECT_EQ(c.Active, true);
  EXPECT_EQ(c.SendPatientStatements, false);
  auto f = kareo::from_json<kareo::PatientFilter>(json::parse(R"({"PracticeID": 3})"));
  EXPECT_EQ(f.PracticeID, "3");
}

// Throws and returns the JsonError, failing the test when nothing is thrown.
kareo::JsonError error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const kareo::JsonError& e) {
    return e;
  }
  ADD_FAILURE() << "no JsonError thrown";
  return kareo::JsonError("none", "", "");
}

TEST(JsonMapping, UnknownKeyIsAnErrorNamingTheKey) {
  auto e = error_of([] { kareo::from_json<kareo::PatientCreate>(json::parse(R"({"FirstName": "A", "Bogus": 1})")); });
  EXPECT_EQ(e.key(), "Bogus");
  EXPECT_EQ(e.path(), "$");
  EXPECT_NE(std::string(e.what()).find("\"Bogus\""), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("PatientCreate"), std::string::npos) << e.what();
  EXPECT_EQ(e.kind(), kareo::ErrorKind::InvalidArgument);
  EXPECT_EQ(e.exit_code(), 2);

  auto nested = error_of([] {
    kareo::from_json<kareo::PatientCreate>(json::parse(R"({"Cases": [{"CaseName": "c"}, {"CaseNmae": "d"}]})"));
  });
  EXPECT_EQ(nested.key(), "CaseNmae");
  EXPECT_EQ(nested.path(), "$.Cases[1]");
  EXPECT_NE(std::string(nested.what()).find("did you mean \"CaseName\""), std::string::npos) << nested.what();

  auto cased = error_of([] { kareo::from_json<kareo::PatientCreate>(json::parse(R"({"firstname": "A"})")); });
  EXPECT_NE(std::string(cased.what()).find("did you mean \"FirstName\""), std::string::npos) << cased.what();
}

TEST(JsonMapping, WrongValuesAreErrorsNamingThePath) {
  auto wrong_type = error_of([] { kareo::from_json<kareo::PatientUpdate>(json::parse(R"({"PatientID": "twelve"})")); });
  EXPECT_EQ(wrong_type.path(), "$.PatientID");
  EXPECT_EQ(wrong_type.key(), "PatientID");

  auto bad_enum = error_of([] { kareo::from_json<kareo::PatientCreate>(json::parse(R"({"Gender": "Robot"})")); });
  EXPECT_NE(std::string(bad_enum.what()).find("Female, Male, Unknown"), std::string::npos) << bad_enum.what();

  auto bad_date =
      error_of([] { kareo::from_json<kareo::PatientCreate>(json::parse(R"({"DateofBirth": "1/2/1980"})")); });
  EXPECT_EQ(bad_date.path(), "$.DateofBirth");

  auto missing = error_of([] { kareo::from_json<kareo::AppointmentCreate>(json::parse(R"({"PracticeId": 1})")); });
  EXPECT_FALSE(missing.key().empty());
  EXPECT_NE(std::string(missing.what()).find("missing required key"), std::string::npos) << missing.what();

  auto not_object = error_of([] { kareo::from_json<kareo::PatientCreate>(json::parse("[1]")); });
  EXPECT_NE(std::string(not_object.what()).find("expected a JSON object"), std::string::npos);

  auto not_array = error_of([] { kareo::from_json<kareo::PatientCreate>(json::parse(R"({"Cases": {}})")); });
  EXPECT_EQ(not_array.path(), "$.Cases");

  auto overflow =
      error_of([] { kareo::from_json<kareo::DocumentCreateRequest>(json::parse(R"({"PracticeId": 99999999999})")); });
  EXPECT_NE(std::string(overflow.what()).find("out of range"), std::string::npos);
}

}  // namespace
