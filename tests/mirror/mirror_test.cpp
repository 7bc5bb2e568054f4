// kareo::Mirror against the fake server, into a real database: SQLite (kareo_mirror_sqlite_test) or the suite's
// PostgreSQL server (kareo_mirror_postgres_test, the same tests built with KAREO_MIRROR_TEST_POSTGRES).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "kareo/client.hpp"
#include "kareo/errors.hpp"
#include "kareo/mirror.hpp"
#include "kareo/testing/fake_server.hpp"
#include "kareo/values.hpp"
#include "mirror_db.hpp"

namespace {

using kareo::MirrorEntity;
using kareo::MirrorTable;
using kareo::testing::Entity;
using mirror_test::dotnet_now_plus;
using mirror_test::FreshDatabase;

constexpr const char* kPractice = "Testpractice Alpha";

// The suite is named after the store, so that the two builds of these tests have distinct names in ctest.
#ifdef KAREO_MIRROR_TEST_POSTGRES
#define MirrorTest MirrorPostgres
#else
#define MirrorTest MirrorSqlite
#endif

class MirrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kareo::testing::FakeServerOptions o;
    o.seed = 11;
    o.throttle = false;
    o.sizes.patients = 60;
    o.sizes.appointments = 120;
    o.sizes.encounters = 40;
    o.sizes.charges = 80;
    o.sizes.payments = 40;
    o.sizes.transactions = 80;
    server_ = std::make_unique<kareo::testing::FakeServer>(o);
    server_->start();
    const auto& c = server_->options().credentials;
    client_ = std::make_unique<kareo::Client>(kareo::Options{}
                                                  .endpoint(server_->endpoint())
                                                  .credentials(kareo::Credentials(c.customer_key, c.user, c.password))
                                                  .policies(kareo::CallPolicies::none()));
  }

  kareo::MirrorOptions options() const {
    kareo::MirrorOptions o;
    o.practice = kPractice;
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    o.since = kareo::DateTime(kareo::Date(tm.tm_year + 1900 - 3, 1, 1));
    o.paging.window = std::chrono::hours(24 * 365);
    o.commit_every = 25;
    return o;
  }

  kareo::MirrorSummary run(const std::string& url, kareo::MirrorOptions o) {
    kareo::Mirror mirror(*client_, kareo::open_mirror_store(url), std::move(o));
    return mirror.run_once();
  }
  kareo::MirrorSummary run(const std::string& url) { return run(url, options()); }

  // The server's IDs of the practice's records of `entity` (every last-modified date).
  std::set<std::string> server_ids(Entity entity) const {
    kareo::testing::Filter f{
        {"PracticeName", kPractice}, {"FromLastModifiedDate", "1/1/2000"}, {"ToLastModifiedDate", "12/31/2099"}};
    if (entity == Entity::Charge) f["IncludeUnapprovedCharges"] = "T";
    std::set<std::string> out;
    for (auto id : server_->store().ids(entity, f)) out.insert(std::to_string(id));
    return out;
  }

  std::unique_ptr<kareo::testing::FakeServer> server_;
  std::unique_ptr<kareo::Client> client_;
};

const std::pair<MirrorTable, Entity> kIncremental[] = {
    {MirrorTable::Patients, Entity::Patient},         {MirrorTable::Appointments, Entity::Appointment},
    {MirrorTable::Charges, Entity::Charge},           {MirrorTable::Payments, Entity::Payment},
    {MirrorTable::Transactions, Entity::Transaction},
};

TEST_F(MirrorTest, FirstRunHoldsExactlyTheServersRecords) {
  FreshDatabase db("firstrun");
  const kareo::MirrorSummary summary = run(db.url());
  auto q = db.connect();
  for (const auto& [table, entity] : kIncremental) {
    const std::string name = kareo::mirror_table_name(table);
    const std::set<std::string> expected = server_ids(entity);
    ASSERT_FALSE(expected.empty()) << name;
    EXPECT_EQ(q->set("SELECT id FROM " + name), expected) << name;
    EXPECT_EQ(q->scalar("SELECT count(*) FROM " + name), std::to_string(expected.size())) << name;
    EXPECT_EQ(summary.counts(table).inserted, expected.size()) << name;
    EXPECT_EQ(summary.counts(table).updated, 0u) << name;
  }
  // Reference data, keyed by the practice's ID.
  EXPECT_EQ(q->scalar("SELECT name FROM practices"), kPractice);
  const std::string practice_id = q->scalar("SELECT id FROM practices");
  EXPECT_EQ(q->set("SELECT DISTINCT practice_id FROM patients"), std::set<std::string>{practice_id});
  EXPECT_GT(std::stoi(q->scalar("SELECT count(*) FROM providers")), 0);
  EXPECT_GT(std::stoi(q->scalar("SELECT count(*) FROM service_locations")), 0);
  // Charges of unapproved encounters too, with their encounter status.
  EXPECT_GT(std::stoi(q->scalar("SELECT count(DISTINCT encounter_status) FROM charges")), 1);
}

TEST_F(MirrorTest, RecordsAreWholeAndTypedColumnsAreTyped) {
  FreshDatabase db("typed");
  run(db.url());
  auto q = db.connect();
  const std::string id = *q->set("SELECT id FROM patients").begin();
  const auto rec = *server_->store().get(Entity::Patient, std::stoll(id));
  const auto row =
      q->rows("SELECT record, last_name, date_of_birth, total_balance FROM patients WHERE id = '" + id + "'").at(0);
  // The JSON holds the members of the row as sent (the fake store's record also has the members of the
  // patient's nested cases, which are not PatientData's own).
  const auto record = nlohmann::json::parse(row[0].value());
  std::size_t same = 0;
  for (const auto& [member, value] : rec) {
    if (value.empty() || !record.contains(member)) continue;
    EXPECT_EQ(record[member], value) << member;
    ++same;
  }
  EXPECT_GT(same, 150u);
  for (const char* member : {"FirstName", "LastName", "DOB", "HomePhone", "TotalBalance", "LastModifiedDate"})
    EXPECT_TRUE(record.contains(member)) << member;
  EXPECT_EQ(row[1], rec.at("LastName"));
  const auto dob = kareo::DateTime::parse(rec.at("DOB"));
  ASSERT_TRUE(dob);
  EXPECT_EQ(row[2], dob->date().iso());
  EXPECT_DOUBLE_EQ(std::stod(row[3].value()), std::stod(rec.at("TotalBalance")));
  // Appointment times as UTC timestamps.
  const auto start = q->rows("SELECT record, start_time FROM appointments LIMIT 1").at(0);
  const auto text = nlohmann::json::parse(start[0].value())["StartDate"].get<std::string>();
  const auto t = kareo::DateTime::parse(text);
  ASSERT_TRUE(t);
  EXPECT_EQ(start[1].value().substr(0, 19), t->date().iso() + " " + t->iso().substr(11, 8));
}

// Every typed column of every table holds its member's value as kareo/values.hpp reads the record's text, and its
// kind is the member's kind in the contract.
TEST_F(MirrorTest, EveryTypedColumnHoldsWhatTheValueAccessorsRead) {
  using kareo::values::Kind;
  FreshDatabase db("columns");
  run(db.url());
  auto q = db.connect();
  std::map<Kind, std::size_t> checked;
  for (MirrorTable table : kareo::mirror_tables()) {
    const std::string name = kareo::mirror_table_name(table);
    const auto& columns = kareo::mirror_columns(table);
    const auto* kinds = kareo::values::row_kinds(kareo::mirror_row_type(table));
    ASSERT_NE(kinds, nullptr) << name;
    std::string sql = "SELECT record";
    for (const auto& column : columns) {
      const auto it = std::find_if(kinds->members.begin(), kinds->members.end(),
                                   [&](const auto& m) { return m.name == column.member; });
      ASSERT_NE(it, kinds->members.end()) << name << "." << column.name;
      EXPECT_EQ(it->kind, column.kind) << name << "." << column.name;
      sql += std::string(", ") + column.name;
    }
    const auto rows = q->rows(sql + " FROM " + name + " ORDER BY id LIMIT 40");
    ASSERT_FALSE(rows.empty()) << name;
    for (const auto& row : rows) {
      const auto record = nlohmann::json::parse(row.at(0).value());
      for (std::size_t i = 0; i < columns.size(); ++i) {
        const auto& column = columns[i];
        const auto& got = row.at(i + 1);
        const std::string where = name + "." + column.name;
        const auto member = record.find(column.member);
        const std::string text = member != record.end() && member->is_string() ? member->get<std::string>() : "";
        std::optional<std::string> want;  // the value in the form this test compares
        std::optional<std::string> have = got;
        switch (column.kind) {
          case Kind::Text:
            if (!text.empty()) want = text;
            break;
          case Kind::Date:
            if (auto d = kareo::values::to_date(text)) want = d->iso();
            break;
          case Kind::DateTime:
          case Kind::UtcDateTime: {
            auto t =
                column.kind == Kind::DateTime ? kareo::values::to_datetime(text) : kareo::values::to_utc_datetime(text);
            if (t) want = t->iso().substr(0, 10) + " " + t->iso().substr(11, 8);
            if (have) have = have->substr(0, 19);
            break;
          }
          case Kind::Money:
            if (auto m = kareo::values::to_money(text)) want = m->text();
            if (have) {
              auto m = kareo::values::to_money(*have);
              ASSERT_TRUE(m) << where << ": " << *have;
              have = m->text();
            }
            break;
          case Kind::Boolean:
            if (auto b = kareo::values::to_bool(text)) want = *b ? "true" : "false";
            if (have) have = (*have == "1" || *have == "t" || *have == "true") ? "true" : "false";
            break;
        }
        EXPECT_EQ(have, want) << where << " from \"" << text << "\"";
        if (want && column.kind != Kind::Text) ++checked[column.kind];
      }
    }
  }
  // The fake server's data exercise every kind the columns have.
  for (Kind kind : {Kind::Date, Kind::DateTime, Kind::UtcDateTime, Kind::Money, Kind::Boolean})
    EXPECT_GT(checked[kind], 0u) << kareo::values::kind_name(kind);
#ifdef KAREO_MIRROR_TEST_POSTGRES
  // The PostgreSQL types follow the kinds: UTC appointment times are timestamptz, the practice's times are not.
  auto type = [&](const char* table, const char* column) {
    return q->scalar(std::string("SELECT data_type FROM information_schema.columns WHERE table_schema = "
                                 "current_schema() AND table_name = '") +
                     table + "' AND column_name = '" + column + "'");
  };
  EXPECT_EQ(type("appointments", "start_time"), "timestamp with time zone");
  EXPECT_EQ(type("patients", "created"), "timestamp without time zone");
  EXPECT_EQ(type("patients", "date_of_birth"), "date");
  EXPECT_EQ(type("payments", "amount"), "numeric");
  EXPECT_EQ(type("practices", "active"), "boolean");
#endif
}

TEST_F(MirrorTest, AChangeArrivesOnTheNextRunAndCountsAreRight) {
  FreshDatabase db("change");
  run(db.url());
  // Nothing changed: nothing inserted or updated.
  kareo::MirrorSummary again = run(db.url());
  for (const auto& [table, entity] : kIncremental) {
    EXPECT_EQ(again.counts(table).inserted, 0u) << kareo::mirror_table_name(table);
    EXPECT_EQ(again.counts(table).updated, 0u) << kareo::mirror_table_name(table);
  }
  // A patient renamed and a new payment, through the fake server.
  auto q = db.connect();
  const std::string id = *q->set("SELECT id FROM patients").begin();
  ASSERT_TRUE(server_->store().update(Entity::Patient, std::stoll(id),
                                      {{"LastName", "Renamedpatient"}, {"LastModifiedDate", dotnet_now_plus(1)}}));
  auto payment = *server_->store().get(Entity::Payment, std::stoll(*q->set("SELECT id FROM payments").begin()));
  payment.erase("ID");
  payment["LastModifiedDate"] = dotnet_now_plus(1);
  const auto new_payment = server_->store().insert(Entity::Payment, payment);
  const kareo::MirrorSummary next = run(db.url());
  EXPECT_EQ(next.counts(MirrorTable::Patients).updated, 1u);
  EXPECT_EQ(next.counts(MirrorTable::Patients).inserted, 0u);
  EXPECT_EQ(next.counts(MirrorTable::Payments).inserted, 1u);
  EXPECT_EQ(q->scalar("SELECT last_name FROM patients WHERE id = '" + id + "'"), "Renamedpatient");
  EXPECT_EQ(q->set("SELECT id FROM payments"), server_ids(Entity::Payment));
  EXPECT_EQ(q->set("SELECT id FROM payments").count(std::to_string(new_payment)), 1u);
}

TEST_F(MirrorTest, ReconcileMarksADeletedAppointmentAndKeepsItsRow) {
  FreshDatabase db("reconcile");
  run(db.url());
  auto q = db.connect();
  // An appointment starting today, deleted on the server after the first run.
  auto appointment =
      *server_->store().get(Entity::Appointment, std::stoll(*q->set("SELECT id FROM appointments").begin()));
  appointment.erase("ID");
  const std::string today = dotnet_now_plus(0);
  appointment["StartDate"] = today;
  appointment["EndDate"] = today;
  appointment["LastModifiedDate"] = dotnet_now_plus(1);
  const std::string id = std::to_string(server_->store().insert(Entity::Appointment, appointment));
  run(db.url());
  ASSERT_EQ(q->scalar("SELECT count(*) FROM appointments WHERE id = '" + id + "' AND deleted_at IS NULL"), "1");
  ASSERT_TRUE(server_->store().remove(Entity::Appointment, std::stoll(id)));

  kareo::MirrorOptions o = options();
  o.entities = {MirrorEntity::Appointments};
  o.reconcile_days = 7;
  const kareo::MirrorSummary summary = run(db.url(), o);
  EXPECT_EQ(summary.counts(MirrorTable::Appointments).deleted, 1u);
  EXPECT_EQ(q->scalar("SELECT count(*) FROM appointments WHERE id = '" + id + "' AND deleted_at IS NOT NULL"), "1");
  // Only that one: every other row is still live, and none was removed.
  EXPECT_EQ(q->set("SELECT id FROM appointments WHERE deleted_at IS NULL"), server_ids(Entity::Appointment));
  // Reconciling again marks nothing more.
  EXPECT_EQ(run(db.url(), o).counts(MirrorTable::Appointments).deleted, 0u);
}

TEST_F(MirrorTest, SchemaIsVersionedAndAnUnknownPracticeIsRefused) {
  FreshDatabase db("schema");
  auto store = kareo::open_mirror_store(db.url());
  EXPECT_EQ(store->schema_version(), 0);
  store->ensure_schema();
  EXPECT_EQ(store->schema_version(), 1);
  store->ensure_schema();  // idempotent
  EXPECT_EQ(db.connect()->scalar("SELECT count(*) FROM kareo_mirror_schema"), "1");
  kareo::MirrorOptions o = options();
  o.practice = "No Such Practice";
  kareo::Mirror mirror(*client_, store, o);
  EXPECT_THROW(mirror.run_once(), kareo::InvalidArgument);
}

TEST_F(MirrorTest, AFailedWindowCommitsNothingOfItAndTheNextRunCompletes) {
  FreshDatabase db("failure");
  kareo::MirrorOptions o = options();
  o.entities = {MirrorEntity::Transactions};
  // Every GetTransactions call fails: the run fails, and no transaction row nor checkpoint is left behind.
  server_->add_fault("internal:op=GetTransactions");
  EXPECT_ANY_THROW(run(db.url(), o));
  auto q = db.connect();
  EXPECT_EQ(q->scalar("SELECT count(*) FROM transactions"), "0");
  EXPECT_EQ(q->scalar("SELECT count(*) FROM kareo_mirror_checkpoints"), "0");
  server_->clear_faults();
  run(db.url(), o);
  EXPECT_EQ(q->set("SELECT id FROM transactions"), server_ids(Entity::Transaction));
}

}  // namespace
