// Plain generated gSOAP code, no facade: the generated proxy with a kept-alive context, results left in the
// generated types. Shows what the facade adds on top of the serializers.
//
//   kareo_bench_wire --endpoint URL [--ca-file PEM] [--ignore-ns 1] --scenario ... (see harness.hpp)
#include <memory>
#include <string>

#include "harness.hpp"
#include "kareo/operations.hpp"
#include "kareo_wireKareoServicesProxy.h"

namespace {

using namespace kareo_wire;
using kareo_bench::Workload;

std::shared_ptr<kareo__RequestHeader> header(const Workload& w) {
  auto h = std::make_shared<kareo__RequestHeader>();
  h->ClientVersion = "kareo-bench-wire";
  h->CustomerKey = w.customer_key;
  h->Password = w.password;
  h->User = w.user;
  return h;
}

[[noreturn]] void fail(KareoServicesProxy& proxy, const char* op) {
  char text[1024];
  soap_sprint_fault(proxy.soap, text, sizeof text);
  throw std::runtime_error(std::string(op) + ": " + text);
}

int run(const Workload& w, bool ignore_ns) {
  KareoServicesProxy proxy(SOAP_IO_KEEPALIVE | (ignore_ns ? SOAP_XML_IGNORENS : 0), SOAP_IO_KEEPALIVE);
  proxy.soap->recv_maxlength = 0x7fffffff;
  if (w.endpoint.rfind("https://", 0) == 0 &&
      soap_ssl_client_context(proxy.soap, SOAP_SSL_DEFAULT | SOAP_TLSv1_2 | SOAP_TLSv1_3, nullptr, nullptr,
                              w.ca_file.empty() ? nullptr : w.ca_file.c_str(), nullptr, nullptr) != SOAP_OK)
    fail(proxy, "TLS setup");
  const char* url = w.endpoint.c_str();
  kareo_bench::Stopwatch clock;
  long records = 0, calls = 0;
  if (w.scenario == "patients") {
    _kareo__GetPatients in;
    in.request = std::make_shared<kareo__GetPatientsReq>();
    in.request->RequestHeader = header(w);
    in.request->Fields = std::make_shared<kareo__PatientFieldsToReturn>();
    in.request->Filter = std::make_shared<kareo__PatientFilter>();
    if (w.practice_name.empty())
      in.request->Filter->PracticeID = std::to_string(w.practice_id);
    else
      in.request->Filter->PracticeName = w.practice_name;
    _kareo__GetPatientsResponse out;
    const std::string action = kareo::soap_action(kareo::Operation::GetPatients);
    if (proxy.GetPatients(url, action.c_str(), &in, out) != SOAP_OK) fail(proxy, "GetPatients");
    if (out.GetPatientsResult && out.GetPatientsResult->Patients)
      records = static_cast<long>(out.GetPatientsResult->Patients->PatientData.size());
    calls = 1;
  } else if (w.scenario == "allpatients") {
    const std::string action = kareo::soap_action(kareo::Operation::GetAllPatients);
    int key = 0;
    while (records < w.total) {
      _kareo__GetAllPatients in;
      in.request = std::make_shared<kareo__GetAllPatientsReq>();
      in.request->RequestHeader = header(w);
      in.request->Fields = std::make_shared<kareo__PatientBatchFieldsToReturn>();
      in.request->Filter = std::make_shared<kareo__PatientBatchGetFilter>();
      in.request->Filter->BatchSize = static_cast<int>(w.batch_size);
      in.request->Filter->PracticeID = static_cast<int>(w.practice_id);
      in.request->Filter->StartKey = key;
      _kareo__GetAllPatientsResponse out;
      if (proxy.GetAllPatients(url, action.c_str(), &in, out) != SOAP_OK) fail(proxy, "GetAllPatients");
      ++calls;
      const auto& r = out.GetAllPatientsResult;
      const long got = r && r->Patients ? static_cast<long>(r->Patients->PatientBatchData.size()) : 0;
      records += got;
      if (got == 0 || !r->Key || !r->Key->nextStartKey || *r->Key->nextStartKey == key) break;
      key = *r->Key->nextStartKey;
      proxy.destroy();
    }
  } else {
    const std::string action = kareo::soap_action(kareo::Operation::GetPractices);
    for (long i = 0; i < w.calls; ++i) {
      _kareo__GetPractices in;
      in.request = std::make_shared<kareo__GetPracticesReq>();
      in.request->RequestHeader = header(w);
      in.request->Fields = std::make_shared<kareo__PracticeFieldsToReturn>();
      in.request->Filter = std::make_shared<kareo__PracticeFilter>();
      _kareo__GetPracticesResponse out;
      if (proxy.GetPractices(url, action.c_str(), &in, out) != SOAP_OK) fail(proxy, "GetPractices");
      ++calls;
      if (out.GetPracticesResult && out.GetPracticesResult->Practices)
        records += static_cast<long>(out.GetPracticesResult->Practices->PracticeData.size());
      proxy.destroy();
    }
  }
  return kareo_bench::report(ignore_ns ? "gsoap-ignorens" : "gsoap", w, records, calls, clock);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const kareo_bench::Args args(argc, argv);
    return run(Workload(args), args.number("ignore-ns", 0) != 0);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kareo_bench_wire: %s\n", e.what());
    return 2;
  }
}
