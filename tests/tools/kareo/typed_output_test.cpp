// The kareo tool's typed output: dates as ISO 8601, UTC appointment times with Z, booleans as JSON booleans and
// money with two decimals by default; --raw prints the service's text exactly; tables of appointments in start
// order. The real program, run as a child process against an in-process fake server.
#include <gtest/gtest.h>

#include <algorithm>

#include "cli_support.hpp"
#include "kareo/values.hpp"

namespace {

using namespace cli_test;
using kareo::testing::Entity;
using kareo::testing::FakeServer;
using kareo::values::Kind;

const std::string kKareo = KAREO_CLI_PATH;

class TypedOutput : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<FakeServer>(small_server());
    server_->start();
  }
  RunResult kareo(std::vector<std::string> args) {
    std::vector<std::string> full{"--no-pacing", "--max-retries", "0"};
    full.insert(full.end(), args.begin(), args.end());
    return run_program(kKareo, full, server_env(*server_, tmp_), {}, tmp_.path());
  }
  // The server's own text of `member` of record `id`.
  std::optional<std::string> server_text(Entity entity, const std::string& id, const std::string& member) {
    auto record = server_->store().get(entity, std::stoll(id));
    if (!record) return std::nullopt;
    auto it = record->find(member);
    if (it == record->end()) return std::nullopt;
    return it->second;
  }

  TempDir tmp_;
  std::unique_ptr<FakeServer> server_;
};

std::vector<std::string> cat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const std::vector<std::string> kAppointments = {"appointments", "--practice", "Testpractice Alpha", "--from",
                                                "2000-01-01",   "--to",       "2100-01-01"};

// Every typed member of every row: the typed JSON value maps back to exactly the server's text (and the server's
// text maps to it); --raw gives the server's text itself.
template <class Check>
void each_typed_member(const std::vector<json>& typed, const std::vector<json>& raw, const char* row_type,
                       Check check) {
  const auto* kinds = kareo::values::row_kinds(row_type);
  ASSERT_NE(kinds, nullptr);
  ASSERT_EQ(typed.size(), raw.size());
  ASSERT_FALSE(typed.empty());
  for (std::size_t i = 0; i < typed.size(); ++i) {
    ASSERT_EQ(typed[i].at("ID"), raw[i].at("ID"));
    for (const auto& m : kinds->members) {
      const std::string name(m.name);
      if (!raw[i].contains(name)) {
        EXPECT_FALSE(typed[i].contains(name)) << name;
        continue;
      }
      check(raw[i].at("ID").get<std::string>(), name, m.kind, typed[i].at(name), raw[i].at(name));
    }
  }
}

TEST_F(TypedOutput, JsonIsTypedByDefaultAndRawIsTheServicesText) {
  auto typed = kareo(cat({"--format", "json"}, kAppointments));
  auto raw = kareo(cat({"--format", "json", "--raw"}, kAppointments));
  ASSERT_EQ(typed.exit_code, 0) << typed.err;
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  int checked = 0;
  each_typed_member(typed.lines(), raw.lines(), "AppointmentData",
                    [&](const std::string& id, const std::string& name, Kind kind, const json& t, const json& r) {
                      ASSERT_TRUE(r.is_string()) << name;
                      const std::string& text = r.get_ref<const std::string&>();
                      EXPECT_EQ(server_text(Entity::Appointment, id, name), text) << id << " " << name;
                      if (kind == Kind::Text) {
                        EXPECT_EQ(t, r) << name;
                        return;
                      }
                      // The typed value, back in the service's form, is the service's text.
                      const std::string iso =
                          t.is_boolean() ? (t.get<bool>() ? "true" : "false") : t.get<std::string>();
                      EXPECT_EQ(kareo::values::service_text(kind, iso), text) << name << " " << iso;
                      EXPECT_EQ(kareo::values::iso_text(kind, text), iso) << name;
                      if (kind == Kind::UtcDateTime) {
                        EXPECT_EQ(iso.size(), 20u) << iso;  // 2026-11-30T16:30:00Z
                      }
                      if (kind == Kind::Boolean) {
                        EXPECT_TRUE(t.is_boolean());
                      }
                      ++checked;
                    });
  EXPECT_GT(checked, 100);

  // A patient's date of birth is a date, a balance two decimals, the alert flags booleans.
  auto patients = kareo({"--format", "json", "patients", "--practice", "Testpractice Alpha"});
  auto raw_patients = kareo({"--format", "json", "--raw", "patients", "--practice", "Testpractice Alpha"});
  ASSERT_EQ(patients.exit_code, 0) << patients.err;
  int dates = 0;
  each_typed_member(patients.lines(), raw_patients.lines(), "PatientData",
                    [&](const std::string&, const std::string& name, Kind kind, const json& t, const json& r) {
                      if (kind == Kind::Date) {
                        ASSERT_TRUE(t.is_string()) << name;
                        EXPECT_EQ(t.get<std::string>().size(), 10u) << t;  // 1980-05-01
                        EXPECT_EQ(kareo::values::service_text(kind, t.get<std::string>()), r.get<std::string>());
                        ++dates;
                      }
                      if (kind == Kind::Boolean) {
                        EXPECT_TRUE(t.is_boolean()) << name << " " << t;
                      }
                    });
  EXPECT_GT(dates, 0);
}

TEST_F(TypedOutput, CsvIsTypedToo) {
  auto csv = kareo({"--format", "csv", "--columns", "ID,StartDate,AllDay", "appointments", "--practice",
                    "Testpractice Alpha", "--from", "2000-01-01", "--to", "2100-01-01"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  auto lines = csv.text_lines();
  ASSERT_GT(lines.size(), 2u);
  EXPECT_EQ(lines[0], "ID,StartDate,AllDay");
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto first = lines[i].find(','), second = lines[i].rfind(',');
    const std::string start = lines[i].substr(first + 1, second - first - 1);
    EXPECT_TRUE(start.size() == 20 && start[10] == 'T' && start.back() == 'Z') << lines[i];
    EXPECT_EQ(lines[i].substr(second + 1), "false") << lines[i];
  }
  auto raw = kareo({"--format", "csv", "--raw", "--columns", "ID,AllDay", "practices"});
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
}

TEST_F(TypedOutput, TableOfAppointmentsIsInStartOrder) {
  for (const bool raw : {false, true}) {
    std::vector<std::string> args{"--format", "table", "--columns", "StartDate,ID"};
    if (raw) args.push_back("--raw");
    auto table = kareo(cat(args, kAppointments));
    ASSERT_EQ(table.exit_code, 0) << table.err;
    auto lines = table.text_lines();
    ASSERT_GT(lines.size(), 4u);
    std::vector<kareo::DateTime> starts;
    for (std::size_t i = 2; i < lines.size(); ++i) {
      const std::string cell = lines[i].substr(0, lines[i].find("  "));
      auto when = kareo::values::to_utc_datetime(cell);
      ASSERT_TRUE(when) << lines[i];
      starts.push_back(*when);
    }
    EXPECT_TRUE(std::is_sorted(starts.begin(), starts.end())) << table.out;
  }
}

}  // namespace
