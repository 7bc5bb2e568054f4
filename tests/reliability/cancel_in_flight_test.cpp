// CallOptions::cancel ends an attempt already on the wire: a read waiting for its response ends with
// kareo::Cancelled, a write (which may have been applied) with kareo::AmbiguousOutcome; nothing is sent again.
// The server reads the request and then answers nothing for 30 s (the receive timeout): only the cancellation
// can end the call within the bounds below.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>

#include "kareo/client.hpp"
#include "raw_server.hpp"

namespace kareo {
namespace {

using reliability::RawConnection;
using reliability::RawServer;
using namespace std::chrono_literals;

// A server that signals when a request is in, then keeps the caller waiting.
struct SilentServer {
  std::shared_ptr<std::promise<void>> request_in = std::make_shared<std::promise<void>>();
  std::future<void> arrived = request_in->get_future();
  RawServer server{[in = request_in](RawConnection& c) {
    in->set_value();
    c.pause(30s);  // returns early when the server stops
  }};
};

Options options_for(const std::string& url) {
  return Options{}
      .endpoint(url)
      .credentials(Credentials("test-customer-key", "test-user@example.test", "test-password"))
      .receive_timeout(30s)
      .policies(CallPolicies{});
}

// Runs `call` with a cancellable CallOptions and cancels it once the server has the request; rethrows what the
// call threw.
template <class Call>
void cancel_in_flight(SilentServer& s, Call call) {
  CancellationToken stop;
  auto running = std::async(std::launch::async, [&] { call(CallOptions{}.with_cancel(stop)); });
  ASSERT_EQ(s.arrived.wait_for(10s), std::future_status::ready);
  stop.cancel();
  ASSERT_EQ(running.wait_for(10s), std::future_status::ready);
  running.get();
}

TEST(CancelInFlight, AReadWaitingForItsResponseEndsWithCancelled) {
  SilentServer s;
  Client client(options_for(s.server.url()));
  const auto start = std::chrono::steady_clock::now();
  try {
    cancel_in_flight(s, [&](const CallOptions& o) { client.get_patient(101, o); });
    FAIL() << "expected Cancelled";
  } catch (const Cancelled& e) {
    EXPECT_NE(std::string(e.what()).find("GetPatient: cancelled while waiting for the response"), std::string::npos)
        << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);  // the server would have kept it 30 s
  EXPECT_EQ(s.server.requests().size(), 1u);
}

TEST(CancelInFlight, AWriteWaitingForItsResponseEndsAsAmbiguousOutcome) {
  SilentServer s;
  Client client(options_for(s.server.url()));
  const auto start = std::chrono::steady_clock::now();
  try {
    cancel_in_flight(s, [&](const CallOptions& o) { client.delete_document(66, o); });
    FAIL() << "expected AmbiguousOutcome";
  } catch (const AmbiguousOutcome& e) {
    EXPECT_NE(std::string(e.what()).find("may or may not have been applied"), std::string::npos) << e.what();
    EXPECT_NE(e.cause().find("cancelled after the request was sent"), std::string::npos) << e.cause();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_EQ(s.server.requests().size(), 1u);  // not sent again
}

}  // namespace
}  // namespace kareo
