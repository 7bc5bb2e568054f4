// Micro benchmarks: WCF-style GetPatients responses held in memory, read two ways:
//   BM_ClientGetPatients    the whole path a user sees: kareo::Client::patients() over the canned transport
//                           (the built-in transport's HTTP handling, its streaming reader and response checks),
//                           returning owned kareo::PatientData rows; only the network is missing;
//   BM_ParseGetPatients     the generated deserializer alone (soapcpp2's recv_GetPatients), for comparison.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kareo/client.hpp"
#include "kareo/wire.hpp"
#include "kareo_wireKareoServicesProxy.h"
#include "memory_soap.hpp"
#include "wcf_xml.hpp"

namespace {

using namespace kareo_wire;

const std::string& patients_response(std::size_t rows) {
  static std::map<std::size_t, std::string> cache;
  auto it = cache.find(rows);
  if (it == cache.end()) it = cache.emplace(rows, kareo_bench::wcf_get_patients_http(rows)).first;
  return it->second;
}

std::size_t count_rows(const _kareo__GetPatientsResponse& out) {
  if (!out.GetPatientsResult || !out.GetPatientsResult->Patients) return 0;
  return out.GetPatientsResult->Patients->PatientData.size();
}

// mode: extra gSOAP input flags (0, or SOAP_XML_IGNORENS as the connection may set).
void parse_patients(benchmark::State& state, soap_mode mode) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  const std::string& input = patients_response(rows);
  KareoServicesProxy proxy(mode);
  kareo_bench::MemoryIo io;
  io.input = &input;
  kareo_bench::attach_memory_io(proxy.soap, io);
  for (auto _ : state) {
    io.rewind();
    _kareo__GetPatientsResponse out;
    if (proxy.recv_GetPatients(out) != SOAP_OK) {
      state.SkipWithError("parse failed");
      break;
    }
    if (count_rows(out) != rows) {
      state.SkipWithError("wrong row count");
      break;
    }
    benchmark::DoNotOptimize(out);
    proxy.destroy();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows));
  state.counters["response_bytes"] = static_cast<double>(input.size());
}

void BM_ParseGetPatients(benchmark::State& state) { parse_patients(state, SOAP_IO_DEFAULT); }
void BM_ParseGetPatientsIgnoreNs(benchmark::State& state) {
  parse_patients(state, SOAP_IO_DEFAULT | SOAP_XML_IGNORENS);
}

// The response a canned transport hands out next: filled (a copy of the document) while the timer is paused,
// moved out by the transport, so the copy is not counted.
void BM_ClientGetPatients(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  const std::string envelope = kareo_bench::wcf_get_patients_envelope(rows);
  auto next = std::make_shared<std::string>();
  const auto limits = kareo::Options{}.max_response_bytes(std::uint64_t{8} << 30);
  kareo::Client client{kareo::Options{}
                           .credentials(kareo::Credentials("bench-customer-key", "bench-user", "bench-password"))
                           .policies(kareo::CallPolicies::none())
                           .connection(kareo::wire::make_canned_connection(
                               [next](const kareo::wire::CannedRequest&) {
                                 kareo::wire::CannedResponse response;
                                 response.body = std::move(*next);
                                 return response;
                               },
                               limits))};
  kareo::PatientQuery query;
  query.filter.PracticeName = "Bench Practice";
  for (auto _ : state) {
    state.PauseTiming();
    *next = envelope;
    state.ResumeTiming();
    const std::vector<kareo::PatientData> patients = client.patients(query).collect();
    if (patients.size() != rows) {
      state.SkipWithError("wrong row count");
      break;
    }
    benchmark::DoNotOptimize(patients.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * envelope.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows));
  state.counters["response_bytes"] = static_cast<double>(envelope.size());
}

// 1, 100, 10,000 and 100,000 rows; the large ones run a single iteration each (seconds per pass).
BENCHMARK(BM_ClientGetPatients)->Arg(1)->Arg(100)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ClientGetPatients)->Arg(10000)->Arg(100000)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseGetPatients)->Arg(1)->Arg(100)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseGetPatients)->Arg(10000)->Arg(100000)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseGetPatientsIgnoreNs)->Arg(1)->Arg(100)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseGetPatientsIgnoreNs)->Arg(10000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
