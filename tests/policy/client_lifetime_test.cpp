// Ranges and change feeds outlive the Client object they were made from: they share its state, so moving the
// client away or destroying it leaves them working; and a moved-from Client throws a clear error instead of
// dereferencing nothing. Run under AddressSanitizer by the asan job, where a dangling pointer would be reported.
#include <gtest/gtest.h>

#include <optional>
#include <utility>

#include "by_date.hpp"
#include "kareo/change_feed.hpp"
#include "kareo/client.hpp"
#include "kareo/paging.hpp"
#include "mock_service.hpp"

namespace kareo {
namespace {

using policy_test::MockService;

DateTime at(int y, int m, int d) { return DateTime(Date(y, m, d)); }

// 60 patients modified over the first half of 2024, one every three days.
std::shared_ptr<MockService> service_with_patients() {
  auto service = std::make_shared<MockService>();
  for (int i = 0; i < 60; ++i) {
    service->patients[100 + i] = {detail::from_seconds(detail::to_seconds(at(2024, 1, 1)) + i * 3 * 86400LL), "", 0,
                                  "Testpatient" + std::to_string(i)};
  }
  return service;
}

Client client_of(std::shared_ptr<MockService> service) {
  return Client(Options{}
                    .credentials({"test-customer-key", "test-user", "test-password"})
                    .policies(CallPolicies::none())
                    .connection(std::move(service)));
}

PagedRange<PatientData> monthly_range(Client& client) {
  PatientFilter filter;
  filter.PracticeName = "Testpractice Alpha";
  PagingOptions paging;
  paging.window = std::chrono::hours(24 * 30);  // about seven windows over the half year
  return client.patients(by_date<kareo::PatientQuery>(std::move(filter), DateField::LastModified,
                                                      {at(2024, 1, 1), at(2024, 7, 1)}, paging));
}

// Reads the first row (one window), then lets `between` do something to the client, then reads the rest.
std::size_t read_across(PagedRange<PatientData>& range, const std::function<void()>& between) {
  std::size_t rows = 0;
  auto it = range.begin();
  EXPECT_NE(it, range.end());
  ++rows;
  between();
  for (++it; it != range.end(); ++it) ++rows;
  return rows;
}

TEST(ClientLifetime, ARangeKeepsWorkingAfterItsClientIsMovedFrom) {
  auto service = service_with_patients();
  Client client = client_of(service);
  auto range = monthly_range(client);
  std::optional<Client> moved_to;
  const std::size_t rows = read_across(range, [&] { moved_to.emplace(std::move(client)); });
  EXPECT_EQ(rows, 60u);
  EXPECT_GT(service->calls[Operation::GetPatients], 3);
}

TEST(ClientLifetime, ARangeKeepsWorkingAfterItsClientIsDestroyed) {
  auto service = service_with_patients();
  auto client = std::make_unique<Client>(client_of(service));
  auto range = monthly_range(*client);
  const std::size_t rows = read_across(range, [&] { client.reset(); });
  EXPECT_EQ(rows, 60u);

  // Made and first used after the client is gone.
  auto client2 = std::make_unique<Client>(client_of(service));
  auto later = monthly_range(*client2);
  client2.reset();
  EXPECT_EQ(later.collect().size(), 60u);
}

TEST(ClientLifetime, ARangeKeepsWorkingAfterItsClientIsAssignedAnother) {
  auto service = service_with_patients();
  Client client = client_of(service);
  auto range = monthly_range(client);
  auto other_service = std::make_shared<MockService>();
  const std::size_t rows = read_across(range, [&] { client = client_of(other_service); });
  EXPECT_EQ(rows, 60u);
  EXPECT_TRUE(other_service->calls.empty()) << "the range went on with the state it was made with";
}

TEST(ClientLifetime, AllPatientsKeepsItsClientState) {
  auto service = std::make_shared<MockService>();
  auto client = std::make_unique<Client>(client_of(service));
  auto range = (*client).all_patients(kareo::AllPatientsQuery{1, {}, {}});
  client.reset();
  EXPECT_TRUE(range.collect().empty());  // the mock answers an empty batch
  EXPECT_EQ(service->calls[Operation::GetAllPatients], 1);
}

// A checkpoint kept in memory.
class MemoryStore : public CheckpointStore {
 public:
  std::optional<Checkpoint> load() override { return saved; }
  void save(const Checkpoint& checkpoint) override { saved = checkpoint; }
  std::optional<Checkpoint> saved;
};

TEST(ClientLifetime, AChangeFeedKeepsWorkingAfterItsClientIsMovedFromOrDestroyed) {
  auto service = service_with_patients();
  auto client = std::make_unique<Client>(client_of(service));
  ChangeFeedOptions o;
  o.entity = FeedEntity::Patients;
  o.patient_filter.PracticeName = "Testpractice Alpha";
  o.checkpoint_store = std::make_shared<MemoryStore>();
  o.start = at(2024, 1, 1);
  o.clock = std::make_shared<ManualClock>(std::chrono::system_clock::time_point(std::chrono::seconds(1720000000)));
  o.paging.clock = o.clock;
  ChangeFeed feed(*client, o);
  Client moved_to = std::move(*client);
  std::size_t delivered = 0;
  feed.poll_once([&](const Change&) { ++delivered; });
  EXPECT_EQ(delivered, 60u);
  client.reset();
  { Client gone = std::move(moved_to); }
  service->patients[500] = {at(2024, 7, 2), "", 0, "Testpatient New"};
  delivered = 0;
  feed.poll_once([&](const Change&) { ++delivered; });
  EXPECT_EQ(delivered, 1u);
}

TEST(ClientLifetime, AMovedFromClientThrowsAClearError) {
  auto service = service_with_patients();
  Client client = client_of(service);
  Client moved_to = std::move(client);
  auto expect_moved_from = [](const std::function<void()>& f, const char* what) {
    try {
      f();
      ADD_FAILURE() << what << ": no error";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("moved from"), std::string::npos) << what << ": " << e.what();
      EXPECT_EQ(e.exit_code(), 2);
    }
  };
  PatientQuery filter;
  filter.filter.PracticeName = "Testpractice Alpha";
  filter.last_modified = TimeRange{Date(2024, 1, 1), Date(2024, 7, 1)};
  filter.paging.window = std::chrono::hours(24 * 365);
  expect_moved_from([&] { client.patients(filter).collect(); }, "get_patients");
  expect_moved_from([&] { client.get_patient(100); }, "get_patient");
  expect_moved_from([&] { client.call<kareo::Operation::GetCustomerIdFromKey>({}); }, "get_customer_id_from_key_raw");
  expect_moved_from([&] { client.create_patient(PatientCreate{}); }, "create_patient");
  expect_moved_from([&] { client.options(); }, "options");
  expect_moved_from([&] { client.connection(); }, "connection");
  expect_moved_from([&] { monthly_range(client); }, "patients_by_date");
  expect_moved_from([&] { client.all_patients(kareo::AllPatientsQuery{1, {}, {}}); }, "all_patients");
  expect_moved_from(
      [&] {
        ChangeFeedOptions o;
        o.checkpoint_store = std::make_shared<MemoryStore>();
        ChangeFeed feed(client, o);
      },
      "ChangeFeed");
  EXPECT_TRUE(service->calls.empty());
  // The client it was moved to works, and a moved-from client can be given a new state.
  EXPECT_EQ(moved_to.patients(filter).collect().size(), 60u);
  client = client_of(service);
  EXPECT_EQ(client.patients(filter).collect().size(), 60u);
}

}  // namespace
}  // namespace kareo
