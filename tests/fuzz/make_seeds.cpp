// Writes the fuzzers' seed corpus: responses of the fake server (written the way WCF writes them) for every
// operation, successful and failed (authentication, permissions, validation errors, throttling, SOAP faults,
// HTML error pages), in the harnesses' input format. Run by hand after the contract or the fake server changes:
//   cmake --build build --target kareo_fuzz_seeds && build/tests/fuzz/kareo_fuzz_seeds tests/fuzz/corpus
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "kareo/client.hpp"
#include "kareo/policies.hpp"
#include "kareo/testing/fake_server.hpp"
#include "kareo/wire.hpp"

namespace {

struct Seed {
  std::string operation;
  int status;
  std::string body;
};

std::string gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string http(int status, const std::string& body, const std::string& content_type, int variant) {
  std::string head = "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Error") +
                     "\r\nContent-Type: " + content_type + "\r\nServer: Microsoft-IIS/10.0\r\n";
  if (variant == 1) {  // chunked
    std::string chunked;
    for (std::size_t at = 0; at < body.size(); at += 700) {
      const std::string part = body.substr(at, 700);
      char size[32];
      std::snprintf(size, sizeof size, "%zx\r\n", part.size());
      chunked += size + part + "\r\n";
    }
    return head + "Transfer-Encoding: chunked\r\n\r\n" + chunked + "0\r\n\r\n";
  }
  if (variant == 2) {  // gzip
    const std::string gz = gzip(body);
    return head + "Content-Encoding: gzip\r\nContent-Length: " + std::to_string(gz.size()) + "\r\n\r\n" + gz;
  }
  return head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

template <kareo::Operation Op>
void empty_call(kareo::Client& client, const kareo::testing::Credentials& c) {
  using T = kareo::wire::Traits<Op>;
  typename T::Body body;
  auto payload = std::make_shared<typename T::Payload>();
  if constexpr (std::is_base_of_v<kareo_wire::kareo__RequestBase, typename T::Payload>) {
    payload->RequestHeader = std::make_shared<kareo_wire::kareo__RequestHeader>();
    payload->RequestHeader->CustomerKey = c.customer_key;
    payload->RequestHeader->User = c.user;
    payload->RequestHeader->Password = c.password;
  }
  T::payload(body) = payload;
  typename T::Response response;
  kareo::Exchange exchange{body, response};
  client.connection()->call(exchange);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: kareo_fuzz_seeds OUTPUT_DIR\n";
    return 2;
  }
  const std::string out_dir = argv[1];
  std::filesystem::create_directories(out_dir);

  kareo::testing::FakeServerOptions so;
  so.throttle = false;
  so.today = "2025-03-14";
  so.sizes.patients = 6;
  so.sizes.appointments = 8;
  so.sizes.encounters = 4;
  so.sizes.charges = 6;
  so.sizes.payments = 4;
  so.sizes.transactions = 6;
  kareo::testing::FakeServer server(so);
  server.start();
  const auto& c = server.options().credentials;

  std::vector<Seed> seeds;
  auto sink = [&](const kareo::CallEvent& e) {
    if (e.response_xml.empty()) return;
    seeds.push_back({std::string(kareo::operation_name(e.operation)), e.http_status.value_or(200), e.response_xml});
  };
  kareo::Client client(kareo::Options{}
                           .endpoint(server.endpoint())
                           .credentials(kareo::Credentials(c.customer_key, c.user, c.password))
                           .policies(kareo::CallPolicies::none())
                           .event_sink(sink)
                           .wire_trace(kareo::WireTrace::WithPatientData));
  auto attempt = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const kareo::Error&) {
    }
  };

  // Every operation with nothing but the RequestHeader: mostly the service's validation failures.
#define KAREO_SEED_EMPTY_(Name, M, P, R) attempt([&] { empty_call<kareo::Operation::Name>(client, c); });
  KAREO_OPERATION_LIST(KAREO_SEED_EMPTY_)
#undef KAREO_SEED_EMPTY_

  // Successful reads with data.
  attempt([&] { client.practices().collect(); });
  attempt([&] { client.providers().collect(); });
  attempt([&] { client.service_locations().collect(); });
  attempt([&] { client.procedure_codes().collect(); });
  attempt([&] { client.external_vendors().collect(); });
  attempt([&] { client.throttles().collect(); });
  attempt([&] { client.get_customer_id_from_key(); });
  attempt([&] {
    kareo::PatientFilter f;
    f.PracticeName = "Testpractice Alpha";
    client.patients({f}).collect();
  });
  attempt([&] {
    kareo::AllPatientsQuery q;
    q.paging.batch_size = 3;
    q.practice_id = 1;
    client.all_patients(q).begin();
  });
  attempt([&] { client.get_patient(1); });
  attempt([&] { client.get_appointment(1); });
  attempt([&] {
    kareo::AppointmentQuery q;
    q.service_date = kareo::TimeRange{kareo::Date(2025, 2, 1), kareo::Date(2025, 3, 14)};
    q.paging.window = std::chrono::hours(24 * 59);
    client.appointments(q).collect();
  });
  attempt([&] {
    kareo::ChargeQuery q;
    q.posting_date = kareo::TimeRange{kareo::Date(2025, 2, 1), kareo::Date(2025, 3, 14)};
    q.paging.window = std::chrono::hours(24 * 59);
    client.charges(q).collect();
  });
  attempt([&] {
    kareo::PaymentFilter f;
    f.PracticeName = "Testpractice Alpha";
    client.payments({f}).collect();
  });
  attempt([&] {
    kareo::TransactionFilter f;
    f.PracticeName = "Testpractice Alpha";
    client.transactions({f}).collect();
  });
  attempt([&] {
    kareo::EncounterDetailsFilter f;
    f.EncounterID = "1";
    client.encounter_details({f}).collect();
  });
  attempt([&] {
    kareo::PatientCreate p;
    p.FirstName = "Seed";
    p.LastName = "Testpatient";
    p.PatientExternalID = "SEED-1";
    p.ExternalVendorID = 1;
    p.Practice = std::make_shared<kareo_wire::kareo__PracticeIdentifierReq>();
    p.Practice->PracticeID = 1;
    client.create_patient(p);
  });
  attempt([&] { client.delete_appointment(std::int64_t{999999}); });

  // Failures the service reports: denied, throttled, faults, gateway pages.
  for (const char* fault :
       {"internal:count=1", "throttle:count=1", "http:status=503:count=1", "http:status=500:count=1"}) {
    server.add_fault(fault);
    attempt([&] { client.practices().collect(); });
  }
  kareo::Client wrong(kareo::Options{}
                          .endpoint(server.endpoint())
                          .credentials(kareo::Credentials(c.customer_key, c.user, "wrong-secret"))
                          .policies(kareo::CallPolicies::none())
                          .event_sink(sink)
                          .wire_trace(kareo::WireTrace::WithPatientData));
  attempt([&] { wrong.practices().collect(); });
  server.stop();

  std::map<std::string, int> counts;
  for (const Seed& s : seeds) {
    const bool html = s.body.find("<html") != std::string::npos || s.body.find("<HTML") != std::string::npos;
    const int n = counts[s.operation]++;
    const int variant = n % 3;
    const std::string file = out_dir + "/" + s.operation + "-" + std::to_string(n) + ".seed";
    std::ofstream(file, std::ios::binary)
        << s.operation << "\n"
        << http(s.status, s.body, html ? "text/html" : "text/xml; charset=utf-8", html ? 0 : variant);
  }
  std::cout << "wrote " << seeds.size() << " seeds to " << out_dir << "\n";
  return 0;
}
