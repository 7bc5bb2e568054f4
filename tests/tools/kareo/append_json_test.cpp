// kareo::append_json, the writer of the tool's JSON lines: raw, it is kareo::to_json's text; typed, the row types'
// dates, booleans and money as kareo/values.hpp reads them, the same values the tool's tables and CSV print.
#include <gtest/gtest.h>

#include "cli.hpp"

namespace {

using kareo_cli::json;

TEST(AppendJson, RawIsToJsonAndTypedHasIsoDatesBooleansAndMoney) {
  kareo::PatientData p;
  p.ID = "12";
  p.FirstName = "Testpatient \"Caf\xc3\xa9\"\n";
  p.LastName = "O'Brien \\ Bravo";
  p.DOB = "5/1/1980 12:00:00 AM";
  p.CreatedDate = "11/30/2026 4:30:00 PM";
  p.AlertShowWhenPostingPayments = "True";
  p.TotalBalance = "477.5";
  p.PatientBalance = "";
  p.InsuranceBalance = "lots";
  auto c = std::make_shared<kareo::ArrayOfPatientCaseData>();
  c->PatientCaseData.push_back(std::make_shared<kareo::PatientCaseData>());
  c->PatientCaseData.back()->SendPatientStatements = "False";
  c->PatientCaseData.push_back(nullptr);
  p.Cases = c;

  std::string raw;
  kareo::append_json(raw, p, kareo::JsonTextOptions{false});
  EXPECT_EQ(json::parse(raw), kareo::to_json(p)) << raw;

  std::string typed;
  kareo::append_json(typed, p);
  const json t = json::parse(typed);
  EXPECT_EQ(t.at("DOB"), "1980-05-01");
  EXPECT_EQ(t.at("CreatedDate"), "2026-11-30T16:30:00");
  EXPECT_EQ(t.at("AlertShowWhenPostingPayments"), true);
  EXPECT_EQ(t.at("TotalBalance"), "477.50");
  EXPECT_TRUE(t.at("PatientBalance").is_null());
  EXPECT_EQ(t.at("InsuranceBalance"), "lots");  // not money: the service's text, never a guess
  EXPECT_EQ(t.at("Cases").at(0).at("SendPatientStatements"), false);
  EXPECT_TRUE(t.at("Cases").at(1).is_null());
  EXPECT_EQ(t.at("FirstName"), *p.FirstName);

  // The tool's typed records (tables, CSV) are the same values.
  const json via_tree = kareo_cli::typed_record(kareo::to_json(p), kareo::describe<kareo::PatientData>());
  EXPECT_EQ(via_tree, t);
}

}  // namespace
