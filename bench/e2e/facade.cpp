// The whole path a user sees: kareo::Client over the built-in gSOAP transport (one kept-alive connection),
// results returned as owned values (std::vector<kareo::PatientData>, the all_patients range).
//
//   kareo_bench_client --endpoint URL [--ca-file PEM] [--gzip 1] --scenario ... (see harness.hpp)
#include <cstdint>
#include <string>

#include "harness.hpp"
#include "kareo/client.hpp"
#include "kareo/paging.hpp"

namespace {

using kareo_bench::Workload;

int run(const Workload& w, bool gzip) {
  kareo::Options options;
  options.endpoint(w.endpoint)
      .credentials(kareo::Credentials(w.customer_key, w.user, w.password))
      .gzip(gzip)
      .max_response_bytes(std::uint64_t{16} << 30)
      .max_idle_connections(1)
      // The fake server runs with throttling off, and no other stack paces: measure the calls, not the waits.
      .policies(kareo::CallPolicies::none())
      .client_version("kareo-bench-client");
  if (!w.ca_file.empty()) options.ca_file(w.ca_file);
  kareo::Client client(std::move(options));
  kareo_bench::Stopwatch clock;
  long records = 0, calls = 0;
  if (w.scenario == "patients") {
    kareo::PatientQuery query;
    if (w.practice_name.empty())
      query.filter.PracticeID = std::to_string(w.practice_id);
    else
      query.filter.PracticeName = w.practice_name;
    const std::vector<kareo::PatientData> patients = client.patients(query).collect();
    records = static_cast<long>(patients.size());
    calls = 1;
    // Measured while the results are still held, as an application holds them.
    return kareo_bench::report(gzip ? "kareo-gzip" : "kareo", w, records, calls, clock);
  }
  if (w.scenario == "allpatients") {
    kareo::AllPatientsQuery query;
    query.practice_id = static_cast<int>(w.practice_id);
    query.paging.batch_size = static_cast<int>(w.batch_size);
    query.paging.on_progress = [&calls](const kareo::PagingProgress& p) { calls = static_cast<long>(p.windows_done); };
    for (const kareo::PatientBatchData& patient : client.all_patients(query)) {
      (void)patient;
      if (++records >= w.total) break;
    }
  } else {
    for (long i = 0; i < w.calls; ++i) {
      records += static_cast<long>(client.practices().collect().size());
      ++calls;
    }
  }
  return kareo_bench::report(gzip ? "kareo-gzip" : "kareo", w, records, calls, clock);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const kareo_bench::Args args(argc, argv);
    return run(Workload(args), args.number("gzip", 0) != 0);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kareo_bench_client: %s\n", e.what());
    return 2;
  }
}
