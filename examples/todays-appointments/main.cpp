// todays-appointments: prints today's appointments of one practice, in time order.
//
// What it shows:
// - a ranged read: Client::appointments() with a service-date range pages GetAppointments by service date
// (StartDate/EndDate),
//   never wider than the 60 days the service tolerates, and drops placeholder and duplicate rows;
// - civil dates (kareo::Date, kareo::DateTime): no time zone is ever applied, so "today" is the clinic's day;
// - reading AppointmentData rows, whose members are all strings as the service sends them.
//
// Run:  ./todays-appointments "Practice Name" [YYYY-MM-DD]
//       (credentials in KAREO_CUSTOMER_KEY, KAREO_USER, KAREO_PASSWORD; KAREO_ENDPOINT optional)
#include <algorithm>
#include <ctime>
#include <iostream>
#include <vector>

#include "kareo/kareo.hpp"
#include "kareo/paging.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: todays-appointments PRACTICE_NAME [YYYY-MM-DD]\n";
    return 2;
  }
  try {
    kareo::Date day;
    if (argc > 2) {
      auto parsed = kareo::Date::parse(argv[2]);
      if (!parsed) throw kareo::InvalidArgument(std::string("not a date: ") + argv[2]);
      day = *parsed;
    } else {
      std::time_t now = std::time(nullptr);
      std::tm local{};
      localtime_r(&now, &local);
      day = kareo::Date(local.tm_year + 1900, local.tm_mon + 1, local.tm_mday);
    }

    kareo::Options options;
    options.credentials(kareo::Credentials::from_environment());
    kareo::Client client(options);

    kareo::AppointmentQuery query;
    query.filter.PracticeName = argv[1];
    query.service_date = kareo::TimeRange{kareo::DateTime(day), kareo::DateTime(day, 23, 59, 59)};
    std::vector<kareo::AppointmentData> appointments = client.appointments(query).collect();

    // StartDate is text ("5/1/2025 9:30:00 AM" or ISO): sort by its parsed value.
    auto start = [](const kareo::AppointmentData& a) {
      return kareo::DateTime::parse(a.StartDate.value_or("")).value_or(kareo::DateTime());
    };
    std::sort(appointments.begin(), appointments.end(),
              [&](const auto& a, const auto& b) { return start(a) < start(b); });

    std::cout << appointments.size() << " appointments on " << day.iso() << " at " << argv[1] << '\n';
    for (const auto& a : appointments) {
      kareo::DateTime at = start(a);
      char time[8];
      std::snprintf(time, sizeof time, "%02d:%02d", at.hour(), at.minute());
      std::cout << time << "  " << a.PatientFullName.value_or("(no patient)") << "  with "
                << a.ResourceName1.value_or("(no provider)") << "  at " << a.ServiceLocationName.value_or("?");
      if (a.AppointmentReason1 && !a.AppointmentReason1->empty()) std::cout << "  (" << *a.AppointmentReason1 << ")";
      if (a.ConfirmationStatus) std::cout << "  [" << *a.ConfirmationStatus << "]";
      std::cout << '\n';
    }
    return 0;
  } catch (const kareo::Error& e) {
    std::cerr << "todays-appointments: " << e.what() << "\n" << e.hint() << '\n';
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "todays-appointments: " << e.what() << '\n';
    return 1;
  }
}
