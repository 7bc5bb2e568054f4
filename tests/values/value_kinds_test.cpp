// The rules of scripts/generate_value_kinds.py against what the fake server sends: every row of every list read,
// every text member. A member of a typed kind whose text its reader refuses, or a text member holding what one of
// the typed kinds writes, means the rules and the server disagree.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "kareo/client.hpp"
#include "kareo/testing/fake_server.hpp"
#include "kareo/values.hpp"

namespace {

using kareo::values::Kind;

class ValueKinds : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    kareo::testing::FakeServerOptions o;
    o.today = "2025-06-15";
    o.seed = 11;
    o.throttle = false;
    o.sizes.practices = 2;
    o.sizes.providers = 6;
    o.sizes.service_locations = 3;
    o.sizes.procedure_codes = 8;
    o.sizes.patients = 60;
    o.sizes.appointments = 80;
    o.sizes.encounters = 30;
    o.sizes.charges = 60;
    o.sizes.payments = 40;
    o.sizes.transactions = 60;
    server_ = new kareo::testing::FakeServer(o);
    server_->start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static kareo::Client client() {
    const auto& c = server_->options().credentials;
    return kareo::Client(kareo::Options{}
                             .endpoint(server_->endpoint())
                             .credentials(kareo::Credentials(c.customer_key, c.user, c.password))
                             .policies(kareo::CallPolicies::none()));  // the server does not throttle
  }

  static kareo::TimeRange all_time() {
    return {kareo::DateTime(kareo::Date(2023, 1, 1)), kareo::DateTime(kareo::Date(2025, 6, 15), 23, 59, 59)};
  }

  // Checks every text member of every row; returns how many typed values were read.
  template <class Row, class Range>
  static int check_rows(const std::string& type, Range&& rows, std::set<std::string>& problems) {
    static const std::regex kLooksDate(R"(^\d{1,2}/\d{1,2}/\d{4}( .*)?$|^\d{4}-\d{2}-\d{2}(T.*)?$)");
    static const std::regex kLooksMoney(R"(^-?\d+\.\d\d$)");
    int typed = 0;
    std::size_t count = 0;
    for (const Row& row : rows) {
      ++count;
      for (const auto& field : kareo::values::fields<Row>()) {
        const std::string* text = field.text(row);
        if (!text || text->empty()) continue;
        const std::string where = type + "." + std::string(field.name);
        bool ok = true;
        switch (field.kind) {
          case Kind::Text:
            if (*text == "True" || *text == "False" || std::regex_match(*text, kLooksDate) ||
                std::regex_match(*text, kLooksMoney))
              problems.insert(where + " is text but holds \"" + *text + "\"");
            continue;
          case Kind::Date:
            ok = field.date(row).has_value();
            break;
          case Kind::DateTime:
          case Kind::UtcDateTime:
            ok = field.datetime(row).has_value();
            break;
          case Kind::Boolean:
            ok = field.boolean(row).has_value();
            break;
          case Kind::Money:
            ok = field.money(row).has_value();
            break;
        }
        if (!ok) {
          problems.insert(where + " is " + std::string(kareo::values::kind_name(field.kind)) + " but holds \"" + *text +
                          "\"");
          continue;
        }
        ++typed;
        // The ISO form goes back to exactly what the server sent.
        const auto iso = kareo::values::iso_text(field.kind, *text);
        EXPECT_TRUE(iso && kareo::values::service_text(field.kind, *iso) == *text) << where << ": " << *text;
      }
    }
    EXPECT_GT(count, 0u) << type;
    return typed;
  }

  static kareo::testing::FakeServer* server_;
};

kareo::testing::FakeServer* ValueKinds::server_ = nullptr;

TEST_F(ValueKinds, AgreeWithWhatTheFakeServerSends) {
  auto c = client();
  std::set<std::string> problems;
  int typed = 0;

  kareo::PatientQuery patients;
  patients.filter.PracticeName = "Testpractice Alpha";
  patients.last_modified = all_time();
  typed += check_rows<kareo::PatientData>("PatientData", c.patients(patients), problems);
  kareo::AllPatientsQuery all_patients;
  all_patients.practice_id = 1;
  typed += check_rows<kareo::PatientBatchData>("PatientBatchData", c.all_patients(all_patients), problems);
  kareo::AppointmentQuery appointments;
  appointments.service_date = all_time();
  typed += check_rows<kareo::AppointmentData>("AppointmentData", c.appointments(appointments), problems);
  kareo::ChargeQuery charges;
  charges.last_modified = all_time();
  typed += check_rows<kareo::ChargeData>("ChargeData", c.charges(charges), problems);
  kareo::PaymentQuery payments;
  payments.last_modified = all_time();
  typed += check_rows<kareo::PaymentData>("PaymentData", c.payments(payments), problems);
  kareo::TransactionQuery transactions;
  transactions.last_modified = all_time();
  typed += check_rows<kareo::TransactionData>("TransactionData", c.transactions(transactions), problems);
  kareo::ProviderQuery providers;
  providers.last_modified = all_time();
  typed += check_rows<kareo::ProviderData>("ProviderData", c.providers(providers), problems);
  kareo::PracticeQuery practices;
  practices.last_modified = all_time();
  typed += check_rows<kareo::PracticeData>("PracticeData", c.practices(practices), problems);
  kareo::ServiceLocationQuery locations;
  locations.last_modified = all_time();
  typed += check_rows<kareo::ServiceLocationData>("ServiceLocationData", c.service_locations(locations), problems);
  kareo::ProcedureCodeQuery codes;
  codes.last_modified = all_time();
  typed += check_rows<kareo::ProcedureCodeData>("ProcedureCodeData", c.procedure_codes(codes), problems);

  for (const auto& p : problems) ADD_FAILURE() << p;
  EXPECT_GT(typed, 1000);
}

}  // namespace
