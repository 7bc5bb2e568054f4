// registration: code of your own that registers a new patient with Tebra (the code the test beside it tests).
#pragma once

#include <kareo/kareo.hpp>

#include <optional>
#include <string>

namespace clinic {

/// A patient as the clinic's own system knows them.
struct NewPatient {
  std::string first_name;
  std::string last_name;
  std::string date_of_birth;  ///< As the service takes it, e.g. "1980-05-01".
  std::string chart_number;   ///< The clinic's own ID, sent as the patient's external ID.
  std::string practice;       ///< The practice's name in Tebra.
};

/// What became of a registration.
struct Registration {
  std::optional<int> patient_id;  ///< Tebra's ID of the new patient, when the outcome is known.
  bool needs_review = false;      ///< The outcome is unknown: look the chart number up before trying again.
  std::string message;            ///< What to tell the front desk.
};

/// Creates the patient once. A write whose outcome is unknown is never sent again here: it is flagged for review.
/// Throttling and other failures propagate (the caller's job queue tries again later).
Registration register_patient(kareo::Client& client, const NewPatient& patient);

}  // namespace clinic
