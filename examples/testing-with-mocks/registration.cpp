#include "registration.hpp"

namespace clinic {

Registration register_patient(kareo::Client& client, const NewPatient& patient) {
  kareo::PatientCreate record;
  record.FirstName = patient.first_name;
  record.LastName = patient.last_name;
  record.DateofBirth = patient.date_of_birth;
  record.PatientExternalID = patient.chart_number;
  record.Practice = std::make_shared<kareo::PracticeIdentifierReq>();
  record.Practice->PracticeName = patient.practice;

  Registration out;
  try {
    kareo::ModifyPatientResp created = client.create_patient(std::move(record));
    out.patient_id = created.PatientID;
    out.message = "registered";
  } catch (const kareo::AmbiguousOutcome& e) {
    out.needs_review = true;
    out.message =
        "Tebra may have created chart " + patient.chart_number + ": check before registering again (" + e.cause() + ")";
  }
  return out;
}

}  // namespace clinic
