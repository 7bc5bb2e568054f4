// Rows as they arrive: PagedRange::for_each_row() passes the rows of a bulk list response on while the response
// is still being read, one at a time, so that memory does not grow with the response; a failure part way keeps
// the rows passed and a read made again skips them; cancellation stops between two rows. Responses come from a
// loopback server that writes them as it goes (chunked), never holding them whole.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "kareo/client.hpp"
#include "proc_status.hpp"
#include "raw_server.hpp"

namespace kareo {
namespace {

using reliability::RawConnection;
using reliability::RawServer;

Options options_for(const std::string& url, CallPolicies policies = CallPolicies::none(),
                    std::chrono::milliseconds receive_timeout = std::chrono::seconds(10)) {
  return Options{}
      .endpoint(url)
      .credentials(Credentials("test-customer-key", "test-user@example.test", "test-password"))
      .connect_timeout(std::chrono::seconds(5))
      .receive_timeout(receive_timeout)
      // The server answers one request per connection: a kept-alive connection would race with its close.
      .keep_alive(false)
      .policies(std::move(policies))
      .call_timeout(std::chrono::seconds(120));
}

PatientQuery practice_query() {
  PatientQuery query;
  query.filter.PracticeName = "Testpractice Alpha";
  return query;
}

// The parts of a GetPatients response around its rows, as WCF writes it.
const std::string kHead = [] {
  const std::string whole = reliability::empty_result("GetPatients", "<Patients>@</Patients>");
  return whole.substr(0, whole.find('@'));
}();
const std::string kTail = [] {
  const std::string whole = reliability::empty_result("GetPatients", "<Patients>@</Patients>");
  return whole.substr(whole.find('@') + 1);
}();

// A synthetic patient row of about 650 bytes.
std::string patient_row(int id, const std::string& modified = "2024-03-01T10:00:00") {
  return "<PatientData><ID>" + std::to_string(id) + "</ID><FirstName>Test" + std::to_string(id) +
         "</FirstName><LastName>Patient</LastName><AddressLine1>" + std::to_string(id) +
         " Synthetic Street</AddressLine1><AddressLine2>" + std::string(250, 'x') +
         "</AddressLine2><City>Testville</City><State>CA</State><ZipCode>90000</ZipCode>"
         "<EmailAddress>patient" +
         std::to_string(id) +
         "@example.test</EmailAddress><HomePhone>555-0100</HomePhone><Gender>Female</Gender>"
         "<DOB>1980-01-01T00:00:00</DOB><LastModifiedDate>" +
         modified + "</LastModifiedDate><PracticeName>Testpractice Alpha</PracticeName></PatientData>";
}

// Writes one HTTP chunk.
bool chunk(RawConnection& c, const std::string& data) {
  if (data.empty()) return true;
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return c.send(size + data + "\r\n");
}

bool chunked_head(RawConnection& c) {
  return c.send("HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n");
}

// A GetPatients response of `rows` patients, written chunk by chunk as it is made (never held whole).
void stream_patients(RawConnection& c, int rows) {
  if (!chunked_head(c) || !chunk(c, kHead)) return;
  std::string batch;
  for (int i = 1; i <= rows; ++i) {
    batch += patient_row(i);
    if (batch.size() >= 64 * 1024) {
      if (!chunk(c, batch)) return;
      batch.clear();
    }
  }
  chunk(c, batch + kTail);
  c.send("0\r\n\r\n");
}

// The peak resident memory (kB) of a child process that reads `rows` patients row by row, counting them; the
// child exits with 0 when it saw every row. Run in a child so that the peak is the read's alone.
long peak_of_a_read(int rows) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    int code = 1;
    try {
      RawServer server([rows](RawConnection& c) { stream_patients(c, rows); });
      Client client(options_for(server.url()));
      long seen = 0;
      client.patients(practice_query()).for_each_row([&](PatientData& p) {
        if (p.ID && *p.ID == std::to_string(seen + 1)) ++seen;
      });
      code = seen == rows ? 0 : 2;
    } catch (...) {
      code = 3;
    }
    std::fflush(nullptr);
    ::_exit(code);
  }
  int status = 0;
  rusage usage{};
  if (pid < 0 || ::wait4(pid, &status, 0, &usage) != pid) return -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the child read failed: " << status;
  return usage.ru_maxrss;
}

TEST(RowsAsTheyArrive, PeakMemoryDoesNotGrowWithTheResponse) {
  if (reliability::kSanitized) GTEST_SKIP() << "the sanitizers' allocators keep freed memory resident";
  // 30,000 and 100,000 patients (a response of about 20 and 65 MB, both over the 16 MiB the transport keeps of a
  // response for the support capture; read whole, 100,000 rows take hundreds of megabytes): the peak is the same
  // within a few MiB, and small.
  const long small = peak_of_a_read(30'000);
  const long large = peak_of_a_read(100'000);
  ASSERT_GT(small, 0);
  ASSERT_GT(large, 0);
  EXPECT_LT(large - small, 8 * 1024) << "peak " << small << " kB at 30,000 rows, " << large << " kB at 100,000";
  EXPECT_LT(large, 64 * 1024) << "peak " << large << " kB at 100,000 rows";
}

// A response whose first rows go out, and whose rest waits until the reader says it has seen one row (or, if it
// never does, for a few seconds): the rows must reach the caller before the response ends.
TEST(RowsAsTheyArrive, RowsReachTheCallerBeforeTheResponseEnds) {
  std::mutex mu;
  std::condition_variable cv;
  bool first_row_seen = false;
  std::atomic<bool> seen_while_waiting{false};
  RawServer server([&](RawConnection& c) {
    chunked_head(c);
    chunk(c, kHead + patient_row(1) + patient_row(2));
    {
      std::unique_lock<std::mutex> lock(mu);
      seen_while_waiting = cv.wait_for(lock, std::chrono::seconds(5), [&] { return first_row_seen; });
    }
    chunk(c, patient_row(3) + kTail);
    c.send("0\r\n\r\n");
  });
  Client client(options_for(server.url()));
  std::vector<std::string> ids;
  client.patients(practice_query()).for_each_row([&](PatientData& p) {
    ids.push_back(p.ID.value_or(""));
    std::lock_guard<std::mutex> lock(mu);
    first_row_seen = true;
    cv.notify_all();
  });
  EXPECT_TRUE(seen_while_waiting.load()) << "no row reached the caller before the response was complete";
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "2", "3"}));
}

// The first response breaks off in the middle of row 6; the second is complete. The rows before the break are
// passed once, the failure is clear, and the read made again passes only the rows not passed yet.
TEST(RowsAsTheyArrive, TruncatedMidRowFailsAfterTheRowsPassedAndResumesWithoutRepeats) {
  std::atomic<int> calls{0};
  RawServer server([&](RawConnection& c) {
    std::string rows;
    for (int i = 1; i <= 10; ++i) rows += patient_row(i);
    if (calls++ == 0) {
      const std::string sixth = patient_row(6);
      const std::string before = kHead + rows.substr(0, rows.find(sixth) + sixth.size() / 2);
      c.send("HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: " +
             std::to_string(kHead.size() + rows.size() + kTail.size()) + "\r\n\r\n" + before);
      return;  // the connection closes part way through the body
    }
    chunked_head(c);
    chunk(c, kHead + rows + kTail);
    c.send("0\r\n\r\n");
  });
  Client client(options_for(server.url()));
  auto range = client.patients(practice_query());
  std::vector<std::string> ids;
  auto keep = [&](PatientData& p) { ids.push_back(p.ID.value_or("")); };
  try {
    range.for_each_row(keep);
    FAIL() << "a response cut in the middle of a row was read as complete";
  } catch (const MalformedResponse& e) {
    EXPECT_NE(std::string(e.what()).find("GetPatients"), std::string::npos) << e.what();
  } catch (const TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("GetPatients"), std::string::npos) << e.what();
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "2", "3", "4", "5"}));
  range.for_each_row(keep);
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}));
  EXPECT_EQ(calls.load(), 2);
}

// The retry layer resends the read after the response stalled part way (the receive timeout): the rows passed by
// the attempt that broke are not passed again, and a row the service now returns in a newer version is.
TEST(RowsAsTheyArrive, AResentReadSkipsTheRowsAlreadyPassed) {
  std::atomic<int> calls{0};
  std::mutex mu;
  std::condition_variable cv;
  int passed = 0;
  RawServer server([&](RawConnection& c) {
    const bool first = calls++ == 0;
    std::string rows;
    for (int i = 1; i <= 6; ++i)
      rows += patient_row(i, i == 2 && !first ? "2024-04-01T10:00:00" : "2024-03-01T10:00:00");
    if (first) {
      chunked_head(c);
      chunk(c, kHead + rows.substr(0, rows.find(patient_row(4)) + 20));
      std::unique_lock<std::mutex> lock(mu);
      cv.wait_for(lock, std::chrono::seconds(5), [&] { return passed >= 3; });
      lock.unlock();
      c.pause(std::chrono::seconds(10));  // stalls: the client's receive timeout ends the attempt
      return;
    }
    chunked_head(c);
    chunk(c, kHead + rows + kTail);
    c.send("0\r\n\r\n");
  });
  CallPolicies policies;
  policies.pace = false;
  policies.retry_policy.max_attempts = 2;
  policies.retry_policy.initial_backoff = std::chrono::milliseconds(1);
  policies.retry_policy.max_backoff = std::chrono::milliseconds(1);
  Client client(options_for(server.url(), policies, std::chrono::milliseconds(300)));
  std::vector<std::string> ids;
  client.patients(practice_query()).for_each_row([&](PatientData& p) {
    ids.push_back(p.ID.value_or("") + "@" + p.LastModifiedDate.value_or("").substr(5, 2));
    std::lock_guard<std::mutex> lock(mu);
    ++passed;
    cv.notify_all();
  });
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(ids, (std::vector<std::string>{"1@03", "2@03", "3@03", "2@04", "4@03", "5@03", "6@03"}));
}

TEST(RowsAsTheyArrive, CancellationStopsBetweenTwoRows) {
  RawServer server([](RawConnection& c) { stream_patients(c, 1000); });
  Client client(options_for(server.url()));
  CancellationToken token;
  PatientQuery query = practice_query();
  query.paging.cancel = token;
  int seen = 0;
  EXPECT_THROW(client.patients(query).for_each_row([&](PatientData&) {
    if (++seen == 3) token.cancel();
  }),
               Cancelled);
  EXPECT_EQ(seen, 3);
  // The client is still usable: its connection was dropped, not left half read.
  int all = 0;
  client.patients(practice_query()).for_each_row([&](PatientData&) { ++all; });
  EXPECT_EQ(all, 1000);
}

// An exception from the caller's function ends the read and comes out unchanged.
TEST(RowsAsTheyArrive, AnExceptionOfTheCallerComesOutUnchanged) {
  struct Stop {};
  RawServer server([](RawConnection& c) { stream_patients(c, 100); });
  Client client(options_for(server.url()));
  int seen = 0;
  EXPECT_THROW(client.patients(practice_query()).for_each_row([&](PatientData&) {
    if (++seen == 10) throw Stop{};
  }),
               Stop);
  EXPECT_EQ(seen, 10);
}

// Iterating and for_each_row() read the same rows, and may be mixed.
TEST(RowsAsTheyArrive, IterationAndRowByRowAgree) {
  RawServer server([](RawConnection& c) { stream_patients(c, 50); });
  Client client(options_for(server.url()));
  auto whole = client.patients(practice_query()).collect();
  std::vector<std::string> by_row;
  client.patients(practice_query()).for_each_row([&](PatientData& p) { by_row.push_back(*p.ID); });
  ASSERT_EQ(whole.size(), by_row.size());
  for (std::size_t i = 0; i < whole.size(); ++i) EXPECT_EQ(*whole[i].ID, by_row[i]);
}

}  // namespace
}  // namespace kareo
