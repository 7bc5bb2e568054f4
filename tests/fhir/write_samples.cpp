// Writes what the FHIR validator test checks (tests/fhir/validator/validate.js):
//   DIR/mapping/<Type>.ndjson  the mapping of the sample records: every member, every member absent, odd codes
//   DIR/export/                `kareo export fhir` of both practices of a fake server (KAREO_CLI_PATH)
// Usage: kareo_fhir_write_samples DIR
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli_support.hpp"
#include "kareo/fhir.hpp"
#include "samples.hpp"

namespace {

using nlohmann::json;
using namespace kareo::fhir;

void write_lines(const std::filesystem::path& file, const std::vector<Mapped>& resources) {
  std::ofstream out(file);
  for (const auto& m : resources) {
    if (!m) throw std::runtime_error("a sample does not map: " + m.problem);
    out << m.resource.dump() << "\n";
  }
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: kareo_fhir_write_samples DIR\n";
    return 2;
  }
  try {
    const std::filesystem::path dir = argv[1];
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir / "mapping");

    auto odd_patient = fhir_samples::full_patient();
    odd_patient.Gender = "Unrecognised";
    odd_patient.DOB = "not a date";
    odd_patient.ID = "43";
    auto odd_appointment = fhir_samples::full_appointment();
    odd_appointment.ConfirmationStatus = "Reminder Sent";
    odd_appointment.StartDate = "2025-06-01T09:00:00-05:00";
    odd_appointment.EndDate = "garbage";
    odd_appointment.AppointmentDuration = "0";
    auto minimal_appointment = kareo::AppointmentData();
    minimal_appointment.ConfirmationStatus = "Cancelled";
    minimal_appointment.PatientID = "42";
    auto text_location = fhir_samples::full_location();
    text_location.PlaceOfService = "Office";

    write_lines(dir / "mapping/Organization.ndjson",
                {to_organization(fhir_samples::full_practice()), to_organization(kareo::PracticeData())});
    write_lines(dir / "mapping/Practitioner.ndjson",
                {to_practitioner(fhir_samples::full_provider()), to_practitioner(kareo::ProviderData())});
    write_lines(dir / "mapping/Location.ndjson",
                {to_location(fhir_samples::full_location()), to_location(text_location),
                 to_location(kareo::ServiceLocationData())});
    write_lines(dir / "mapping/Patient.ndjson",
                {to_patient(fhir_samples::full_patient()), to_patient(odd_patient), to_patient(kareo::PatientData())});
    write_lines(dir / "mapping/Appointment.ndjson",
                {to_appointment(fhir_samples::full_appointment()), to_appointment(odd_appointment),
                 to_appointment(minimal_appointment)});

    auto options = cli_test::small_server();
    options.today = "2025-06-01";
    kareo::testing::FakeServer server(options);
    server.start();
    cli_test::TempDir tmp;
    for (const char* practice : {"Testpractice Alpha", "Testpractice Bravo"}) {
      const std::string out = (dir / "export" / (practice[13] == 'A' ? "alpha" : "bravo")).string();
      auto r =
          cli_test::run_program(KAREO_CLI_PATH, {"--no-pacing", "export", "fhir", "--practice", practice, "--out", out},
                                cli_test::server_env(server, tmp), {}, tmp.path(), std::chrono::seconds(120));
      if (r.exit_code != 0) {
        std::cerr << "kareo export fhir failed (" << r.exit_code << "): " << r.err;
        return 1;
      }
    }
    std::cout << "wrote the FHIR samples to " << dir.string() << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "kareo_fhir_write_samples: " << e.what() << "\n";
    return 1;
  }
}
