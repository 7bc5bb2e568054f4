// Micro benchmarks: turning the service's failure reports into kareo exceptions. Each response is parsed
// once up front; the loop runs kareo::wire::check_response (the check every response gets) and catches
// what it throws. The success case shows the cost every call pays.
#include <benchmark/benchmark.h>

#include <string>

#include "kareo/errors.hpp"
#include "kareo/wire.hpp"
#include "kareo_wireKareoServicesProxy.h"
#include "memory_soap.hpp"
#include "wcf_xml.hpp"

namespace {

using namespace kareo_wire;

// Parses `http` (an HTTP response) as a GetPatients response.
_kareo__GetPatientsResponse parse(const std::string& http) {
  KareoServicesProxy proxy;
  kareo_bench::MemoryIo io;
  io.input = &http;
  kareo_bench::attach_memory_io(proxy.soap, io);
  _kareo__GetPatientsResponse out;
  if (proxy.recv_GetPatients(out) != SOAP_OK) throw std::runtime_error("cannot parse the canned response");
  return out;
}

template <class Expected>
void map_response(benchmark::State& state, const std::string& http) {
  const _kareo__GetPatientsResponse response = parse(http);
  long mapped = 0;
  for (auto _ : state) {
    try {
      kareo::wire::check_response(kareo::Operation::GetPatients, &response);
    } catch (const Expected& e) {
      benchmark::DoNotOptimize(e.exit_code());
      ++mapped;
    }
  }
  if (mapped != static_cast<long>(state.iterations())) state.SkipWithError("not mapped to the expected exception");
}

void BM_MapSuccess(benchmark::State& state) {
  const _kareo__GetPatientsResponse response = parse(kareo_bench::wcf_get_patients_http(1));
  for (auto _ : state) {
    kareo::wire::check_response(kareo::Operation::GetPatients, &response);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_MapSuccess);

void BM_MapThrottled(benchmark::State& state) {
  map_response<kareo::Throttled>(
      state, kareo_bench::wcf_error_response_http(
                 "GetPatients",
                 "429: GetPatients endpoint requested more than allowed over time interval 1000 milliseconds. "
                 "Please wait to try again."));
}
BENCHMARK(BM_MapThrottled);

void BM_MapServiceError(benchmark::State& state) {
  map_response<kareo::ServiceError>(state, kareo_bench::wcf_error_response_http("GetPatients", "Practice not found."));
}
BENCHMARK(BM_MapServiceError);

void BM_MapNotAuthorized(benchmark::State& state) {
  map_response<kareo::NotAuthorized>(state, kareo_bench::wcf_not_authorized_http("GetPatients"));
}
BENCHMARK(BM_MapNotAuthorized);

void BM_ParseThrottleText(benchmark::State& state) {
  const std::string text =
      "429: GetPatients endpoint requested more than allowed over time interval 1000 milliseconds. Please wait to "
      "try again.";
  for (auto _ : state) benchmark::DoNotOptimize(kareo::wire::parse_throttle_message(text));
}
BENCHMARK(BM_ParseThrottleText);

// A WCF InternalServiceFault (HTTP 500) read by the generated proxy: the fault parse the connection does
// before mapping it to kareo::SoapFault.
void BM_ParseInternalFault(benchmark::State& state) {
  const std::string http = kareo_bench::wcf_internal_fault_http();
  KareoServicesProxy proxy;
  kareo_bench::MemoryIo io;
  io.input = &http;
  kareo_bench::attach_memory_io(proxy.soap, io);
  for (auto _ : state) {
    io.rewind();
    _kareo__GetPatientsResponse out;
    if (proxy.recv_GetPatients(out) != SOAP_FAULT) {
      state.SkipWithError("expected a SOAP fault");
      break;
    }
    const char* const* code = soap_faultcode(proxy.soap);
    kareo::SoapFault fault("GetPatients: SOAP fault", {}, code && *code ? *code : "",
                           proxy.soap_fault_string() ? proxy.soap_fault_string() : "");
    benchmark::DoNotOptimize(fault.internal_service_fault());
    proxy.destroy();
  }
}
BENCHMARK(BM_ParseInternalFault);

}  // namespace
