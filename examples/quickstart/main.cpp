// Quick start (the program in README.md): every patient of a practice changed in the first half of 2026,
// read in date windows within Tebra's rate limits, and a failure reported with what to do about it.
//
//   KAREO_CUSTOMER_KEY=... KAREO_USER=... KAREO_PASSWORD=... ./quickstart "Main Street Clinic"
#include <kareo/kareo.hpp>

#include <iostream>

int main(int argc, char** argv) try {
  // Paced within the account's rate limits, reads retried, writes never resent: the defaults.
  kareo::Client client{kareo::Options{}.credentials(kareo::Credentials::from_environment())};
  kareo::PatientQuery query;
  query.filter.PracticeName = argc > 1 ? argv[1] : "Main Street Clinic";
  query.last_modified = kareo::TimeRange{kareo::Date(2026, 1, 1), kareo::Date(2026, 6, 30)};
  for (const kareo::PatientData& p : client.patients(query))
    std::cout << p.ID.value_or("?") << "  " << p.LastName.value_or("") << ", " << p.FirstName.value_or("") << "\n";
} catch (const kareo::Error& e) {
  std::cerr << "kareo: " << e.what() << "\n" << e.hint() << "\n";
  return e.exit_code();
}
