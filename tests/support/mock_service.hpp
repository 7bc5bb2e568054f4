// A tiny in-memory Tebra service at the Connection level for the change feed and write tests: patients and
// appointments with last-modified dates, GetPatients/GetAppointments by last-modified range (inclusive, like the
// service), GetPatient by external ID, and CreatePatient with injectable failures.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kareo/clock.hpp"
#include "kareo/datetime.hpp"
#include "kareo/errors.hpp"
#include "kareo/paging.hpp"
#include "mock_connection.hpp"

namespace kareo::policy_test {

struct MockRecord {
  DateTime last_modified;
  std::string external_id;
  int vendor = 0;
  std::string name;
};

class MockService : public Connection {
 public:
  /// What CreatePatient does on the next calls: succeed, apply then fail (the response is lost), fail before
  /// applying (the request was lost after it left), or fail while the create is still running: the patient
  /// appears only at the `visible_after_lookups`-th GetPatient after it (a slow create, or a look-up that lags).
  enum class CreateMode { Succeed, FailAfterApply, FailBeforeApply, FailStillRunning };

  std::map<int, MockRecord> patients;
  std::map<int, MockRecord> appointments;
  std::vector<CreateMode> create_script;  // consumed front to back; Succeed when empty
  int next_id = 5000;
  int visible_after_lookups = 3;  // CreateMode::FailStillRunning
  std::map<Operation, int> calls;
  std::vector<std::pair<std::string, std::string>> windows;  // From/To of every list call

  void call(Exchange& ex) override {
    std::lock_guard<std::mutex> lock(mutex_);
    ++calls[ex.operation];
    switch (ex.operation) {
      case Operation::GetPatients: {
        const auto* body = &ex.request<Operation::GetPatients>();
        const auto& f = *body->request->Filter;
        auto* out = &ex.response<Operation::GetPatients>();
        out->GetPatientsResult = std::make_shared<kareo_wire::kareo__GetPatientsResp>();
        out->GetPatientsResult->Patients = std::make_shared<kareo_wire::kareo__ArrayOfPatientData>();
        // Newest first: the service promises no order, and nothing may depend on one.
        const auto selected = select(patients, f.FromLastModifiedDate, f.ToLastModifiedDate);
        for (auto it = selected.rbegin(); it != selected.rend(); ++it) {
          const auto& [id, rec] = *it;
          auto row = std::make_shared<kareo_wire::kareo__PatientData>();
          row->ID = std::to_string(id);
          row->LastModifiedDate = net_text(rec.last_modified);
          row->FirstName = rec.name;
          out->GetPatientsResult->Patients->PatientData.push_back(row);
        }
        // The service's placeholder row.
        out->GetPatientsResult->Patients->PatientData.push_back(std::make_shared<kareo_wire::kareo__PatientData>());
        return;
      }
      case Operation::GetAppointments: {
        const auto* body = &ex.request<Operation::GetAppointments>();
        const auto& f = *body->request->Filter;
        auto* out = &ex.response<Operation::GetAppointments>();
        out->GetAppointmentsResult = std::make_shared<kareo_wire::kareo__GetAppointmentsResp>();
        out->GetAppointmentsResult->Appointments = std::make_shared<kareo_wire::kareo__ArrayOfAppointmentData>();
        for (const auto& [id, rec] : select(appointments, f.FromLastModifiedDate, f.ToLastModifiedDate)) {
          auto row = std::make_shared<kareo_wire::kareo__AppointmentData>();
          row->ID = std::to_string(id);
          row->LastModifiedDate = net_text(rec.last_modified);
          out->GetAppointmentsResult->Appointments->AppointmentData.push_back(row);
        }
        return;
      }
      case Operation::GetPatient: {
        for (auto it = running_.begin(); it != running_.end();) {
          if (--it->lookups_left > 0) {
            ++it;
            continue;
          }
          patients[it->id] = it->record;
          it = running_.erase(it);
        }
        const auto* body = &ex.request<Operation::GetPatient>();
        const auto& f = *body->request->Filter;
        auto* out = &ex.response<Operation::GetPatient>();
        out->GetPatientResult = std::make_shared<kareo_wire::kareo__GetPatientResp>();
        for (const auto& [id, rec] : patients) {
          if (f.ExternalID && rec.external_id == *f.ExternalID && f.ExternalVendorID == rec.vendor) {
            out->GetPatientResult->Patient = std::make_shared<kareo_wire::kareo__PatientData>();
            out->GetPatientResult->Patient->ID = std::to_string(id);
          }
        }
        return;
      }
      case Operation::CreatePatient: {
        const auto* body = &ex.request<Operation::CreatePatient>();
        const auto& p = *body->request->Patient;
        CreateMode mode = CreateMode::Succeed;
        if (!create_script.empty()) {
          mode = create_script.front();
          create_script.erase(create_script.begin());
        }
        if (mode == CreateMode::FailBeforeApply) throw timeout_error(ex.operation);
        const int id = next_id++;
        const MockRecord record{DateTime(Date(2024, 6, 1)), p.PatientExternalID.value_or(""),
                                p.ExternalVendorID.value_or(0), p.FirstName.value_or("")};
        if (mode == CreateMode::FailStillRunning) {
          running_.push_back({id, record, visible_after_lookups});
          throw timeout_error(ex.operation);
        }
        patients[id] = record;
        if (mode == CreateMode::FailAfterApply) throw timeout_error(ex.operation);
        auto* out = &ex.response<Operation::CreatePatient>();
        out->CreatePatientResult = std::make_shared<kareo_wire::kareo__ModifyPatientResp>();
        out->CreatePatientResult->PatientID = id;
        return;
      }
      default:
        succeed(ex);
    }
  }

  /// "6/1/2024 4:05:09 PM", the .NET text the service writes in rows.
  static std::string net_text(const DateTime& t) {
    const int h12 = t.hour() % 12 == 0 ? 12 : t.hour() % 12;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%d/%d/%04d %d:%02d:%02d %s", t.date().month(), t.date().day(), t.date().year(), h12,
                  t.minute(), t.second(), t.hour() < 12 ? "AM" : "PM");
    return buf;
  }

 private:
  std::map<int, MockRecord> select(const std::map<int, MockRecord>& table, const std::optional<std::string>& from,
                                   const std::optional<std::string>& to) {
    windows.emplace_back(from.value_or(""), to.value_or(""));
    const auto a = from ? DateTime::parse(*from) : std::nullopt;
    const auto b = to ? DateTime::parse(*to) : std::nullopt;
    if (!a || !b)
      throw ServiceError("String was not recognized as a valid DateTime.",
                         details(Operation::GetPatients, ErrorKind::ServiceError));
    std::map<int, MockRecord> out;
    for (const auto& [id, rec] : table) {
      if (!(rec.last_modified < *a) && !(*b < rec.last_modified)) out.emplace(id, rec);
    }
    return out;
  }
  struct Running {
    int id;
    MockRecord record;
    int lookups_left;
  };
  std::vector<Running> running_;  // creates still being applied
  std::mutex mutex_;
};

}  // namespace kareo::policy_test
