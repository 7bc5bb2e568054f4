// list-practices: lists the practices the API user can see, and the providers of each.
//
// What it shows:
// - building a kareo::Client from the environment: KAREO_CUSTOMER_KEY, KAREO_USER and KAREO_PASSWORD hold the
//   credentials, KAREO_ENDPOINT (optional) the service URL;
// - pacing every call to the account's rate limits (one GetProviders per half second, ...) and retrying
//   failed reads (the default Options::policies()), so a loop of calls is never refused as
//   throttled;
// - GetPractices and GetProviders with a filter, and reading the rows' optional members.
//
// Run:  KAREO_CUSTOMER_KEY=... KAREO_USER=... KAREO_PASSWORD=... ./list-practices
#include <iostream>

#include "kareo/kareo.hpp"

int main() {
  try {
    kareo::Options options;
    options.credentials(kareo::Credentials::from_environment());
    kareo::Client client(options);

    for (const kareo::PracticeData& practice : client.practices()) {
      std::cout << "Practice " << practice.ID.value_or("?") << ": " << practice.PracticeName.value_or("(no name)")
                << '\n';
      kareo::ProviderQuery query;
      query.filter.PracticeName = practice.PracticeName;
      for (const kareo::ProviderData& provider : client.providers(query)) {
        std::cout << "  provider " << provider.ID.value_or("?") << ": " << provider.FullName.value_or("(no name)");
        if (provider.NationalProviderIdentifier) std::cout << ", NPI " << *provider.NationalProviderIdentifier;
        std::cout << '\n';
      }
    }
    return 0;
  } catch (const kareo::Error& e) {
    std::cerr << "list-practices: " << e.what() << "\n" << e.hint() << '\n';
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "list-practices: " << e.what() << '\n';
    return 1;
  }
}
