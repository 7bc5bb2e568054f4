/// @file
/// @brief kareo::Client: the 28 operations of KareoServices 2.1 as typed methods.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "kareo/connection.hpp"
#include "kareo/errors.hpp"
#include "kareo/options.hpp"
#include "kareo/pacing.hpp"
#include "kareo/types.hpp"

namespace kareo {

class Client;

namespace detail {
/// A Client sharing `client`'s state (options, connection stack): what ranges and change feeds keep, so that
/// they outlive the object they were made from. Throws kareo::InvalidArgument for a moved-from client.
std::shared_ptr<Client> share_client(const Client& client);
}  // namespace detail

/// A client of the Tebra (Kareo) Web Services API 2.1.
///
/// Every method sends one request (or more, when a retry decorator is configured) and returns owned values:
/// nothing returned points into the SOAP engine's memory or needs freeing. Requests are the contract's own
/// types (see kareo/types.hpp) without credentials: the client adds the RequestHeader (ClientVersion,
/// CustomerKey, Password, User). Every failure is thrown as a subclass of kareo::Error (see kareo/errors.hpp);
/// the service's own failure reports (SecurityResponse, ErrorResponse, SOAP faults) are checked on every
/// response.
///
/// List methods send an empty `Fields` element by default, which returns every column, and drop placeholder
/// rows whose ID is empty. Each operation also has a `..._raw` method that takes the whole request payload and
/// returns the whole response payload (for example the GetAllPatients cursor `Key`).
///
/// A Client is safe to use from several threads at once; it keeps a pool of connections.
///
/// Lifetime: the ranges of kareo/paging.hpp and kareo::ChangeFeed share the client's state (its options and
/// connections) instead of pointing at the Client object, so they keep working after the Client they were made
/// from is moved from or destroyed. A moved-from Client has no state: every call on it, options() and
/// connection() included, throws kareo::InvalidArgument ("this kareo::Client was moved from") instead of
/// crashing; assign a Client to it to use it again.
/// @code
/// kareo::Client client{kareo::Options{}.credentials(kareo::Credentials::from_environment())};
/// kareo::PatientFilter filter;
/// filter.PracticeName = "Main Street Clinic";
/// for (const kareo::PatientData& p : client.get_patients(filter)) { ... }
/// @endcode
class Client {
 public:
  /// Builds the connection stack from `options`. Nothing is sent until the first call.
  explicit Client(Options options = Options{});
  ~Client();
  /// Clients move; they do not copy. `other` is left without state (see the class description).
  Client(Client&& other) noexcept;
  /// Clients move; they do not copy. `other` is left without state; ranges and feeds made from this client before
  /// keep the state they share.
  Client& operator=(Client&& other) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// The options the client was built with.
  /// @throws kareo::InvalidArgument for a moved-from client.
  const Options& options() const;
  /// The top of the connection stack (decorators, observability, transport). Calls made through it get no
  /// credentials and no defaults: the Exchange must carry a complete request.
  /// @throws kareo::InvalidArgument for a moved-from client.
  std::shared_ptr<Connection> connection() const;

  /// @name Reads
  /// @{

  /// GetAllPatients: one batch of every patient of a practice. `filter` needs BatchSize (1..1000) and
  /// PracticeID; StartKey is the previous batch's Key/nextStartKey (see get_all_patients_raw()).
  std::vector<PatientBatchData> get_all_patients(PatientBatchGetFilter filter, PatientBatchFieldsToReturn fields = {});
  /// GetAppointment: one appointment by ID; empty when the service returned none.
  std::optional<AppointmentCreate> get_appointment(std::int64_t appointment_id);
  /// GetAppointments: appointments matching `filter` (give at least one member; both ends of a date range).
  std::vector<AppointmentData> get_appointments(AppointmentFilter filter, AppointmentFieldsToReturn fields = {});
  /// GetCharges: charges matching `filter` (give at least one member; both ends of a date range).
  ///
  /// The service leaves out the charges of unapproved encounters unless `filter.IncludeUnapprovedCharges` is
  /// "T": ask for them with include_unapproved_charges(filter). The member is sent as the service expects it:
  /// "T" (also given as "true", "1" or "yes", any case) includes them; "F", "false", "0", "no" or an empty text
  /// are sent as no member (approved encounters only); any other text is refused (kareo::InvalidArgument), so
  /// that a value the service would not understand cannot silently leave charges out.
  std::vector<ChargeData> get_charges(ChargeFilter filter, ChargeFieldsToReturn fields = {});
  /// GetCustomerIdFromKey: the numeric customer ID of the credentials' customer key. Throws
  /// AuthenticationFailed when the service does not authorize the credentials.
  int get_customer_id_from_key();
  /// GetEncounterDetails: the encounter `filter.EncounterID` (required) with its service lines.
  std::vector<EncounterDetailsData> get_encounter_details(EncounterDetailsFilter filter,
                                                          EncounterDetailsFieldsToReturn fields = {});
  /// GetExternalVendors: the external vendors registered for the customer.
  std::vector<ExternalVendorData> get_external_vendors();
  /// GetPatient: one patient by `filter` (PatientID, or ExternalID with ExternalVendorID); empty when the service
  /// returned none.
  std::optional<PatientData> get_patient(SinglePatientFilter filter);
  /// GetPatient by patient ID.
  std::optional<PatientData> get_patient(int patient_id);
  /// GetPatients: patients matching `filter` (give PracticeName or PracticeID; both ends of a date range).
  std::vector<PatientData> get_patients(PatientFilter filter, PatientFieldsToReturn fields = {});
  /// GetPayments: payments matching `filter` (give at least one member; both ends of a date range).
  std::vector<PaymentData> get_payments(PaymentFilter filter, PaymentFieldsToReturn fields = {});
  /// GetPractices: the practices matching `filter` (all practices by default).
  std::vector<PracticeData> get_practices(PracticeFilter filter = {}, PracticeFieldsToReturn fields = {});
  /// GetProcedureCodes: the procedure codes matching `filter` (all by default).
  std::vector<ProcedureCodeData> get_procedure_codes(ProcedureCodeFilter filter = {},
                                                     ProcedureCodeFieldsToReturn fields = {});
  /// GetProviders: the providers matching `filter` (all by default).
  std::vector<ProviderData> get_providers(ProviderFilter filter = {}, ProviderFieldsToReturn fields = {});
  /// GetServiceLocations: the service locations matching `filter` (all by default).
  std::vector<ServiceLocationData> get_service_locations(ServiceLocationFilter filter = {},
                                                         ServiceLocationFieldsToReturn fields = {});
  /// GetThrottles: the live rate limits of the account.
  std::vector<ThrottleDetail> get_throttles();
  /// GetTransactions: transactions matching `filter` (give at least one member; both ends of a date range).
  std::vector<TransactionData> get_transactions(TransactionFilter filter, TransactionFieldsToReturn fields = {});
  /// @}

  /// @name Writes (never resent automatically once the request may have reached the server)
  /// @{

  /// CreateAppointment.
  CreateAppointmentResp create_appointment(AppointmentCreate appointment);
  /// CreateDocument.
  CreateDocumentResp create_document(DocumentCreateRequest document);
  /// CreateEncounter.
  CreateEncounterResp create_encounter(EncounterCreate encounter);
  /// CreatePatient.
  ModifyPatientResp create_patient(PatientCreate patient);
  /// CreatePayment.
  CreatePaymentResp create_payment(PaymentCreate payment);
  /// DeleteAppointment.
  DeleteAppointmentResp delete_appointment(AppointmentDelete appointment);
  /// DeleteAppointment by appointment ID.
  DeleteAppointmentResp delete_appointment(std::int64_t appointment_id);
  /// DeleteDocument.
  DeleteDocumentResp delete_document(std::int64_t document_id);
  /// RegisterExternalVendor.
  RegisterExternalVendorResp register_external_vendor(ExternalVendorReq vendor);
  /// UpdateAppointment.
  UpdateAppointmentResp update_appointment(AppointmentUpdate appointment);
  /// UpdateEncounterStatus (its response has the shape of CreateEncounter's).
  CreateEncounterResp update_encounter_status(EncounterUpdateStatus status);
  /// UpdatePatient (sent in the `UpdatePatientReq` wrapper the service expects).
  ModifyPatientResp update_patient(PatientUpdate patient);
  /// UpdatePatientsExternalID.
  UpdatePatientsExternalIDResp update_patients_external_id(PatientExternalIDSettingBatch updates);
  /// @}

  /// @name Raw calls: the whole request payload in (the client sets its RequestHeader and supplies empty
  /// Fields/Filter elements the service requires when they are null), the whole response payload out.
  /// @{

  /// CreateAppointment.
  CreateAppointmentResp create_appointment_raw(CreateAppointmentReq request);
  /// CreateDocument.
  CreateDocumentResp create_document_raw(CreateDocumentReq request);
  /// CreateEncounter.
  CreateEncounterResp create_encounter_raw(CreateEncounterReq request);
  /// CreatePatient.
  ModifyPatientResp create_patient_raw(CreatePatientReq request);
  /// CreatePayment.
  CreatePaymentResp create_payment_raw(CreatePaymentRequest request);
  /// DeleteAppointment.
  DeleteAppointmentResp delete_appointment_raw(DeleteAppointmentReq request);
  /// DeleteDocument.
  DeleteDocumentResp delete_document_raw(DeleteDocumentReq request);
  /// GetAllPatients (the response's Key/nextStartKey is the next batch's StartKey).
  GetAllPatientsResp get_all_patients_raw(GetAllPatientsReq request);
  /// GetAppointment.
  GetAppointmentResp get_appointment_raw(GetAppointmentReq request);
  /// GetAppointments.
  GetAppointmentsResp get_appointments_raw(GetAppointmentsReq request);
  /// GetCharges.
  GetChargesResp get_charges_raw(GetChargesReq request);
  /// GetCustomerIdFromKey (the credentials go directly into the request, not into a RequestHeader).
  GetCustomerIdFromKeyResp get_customer_id_from_key_raw();
  /// GetEncounterDetails.
  GetEncounterDetailsResp get_encounter_details_raw(GetEncounterDetailsReq request);
  /// GetExternalVendors.
  GetExternalVendorsResp get_external_vendors_raw(GetExternalVendorsReq request = {});
  /// GetPatient.
  GetPatientResp get_patient_raw(GetPatientReq request);
  /// GetPatients.
  GetPatientsResp get_patients_raw(GetPatientsReq request);
  /// GetPayments.
  GetPaymentsResp get_payments_raw(GetPaymentsReq request);
  /// GetPractices.
  GetPracticesResp get_practices_raw(GetPracticesReq request);
  /// GetProcedureCodes.
  GetProcedureCodesResp get_procedure_codes_raw(GetProcedureCodesReq request);
  /// GetProviders.
  GetProvidersResp get_providers_raw(GetProvidersReq request);
  /// GetServiceLocations.
  GetServiceLocationsResp get_service_locations_raw(GetServiceLocationsReq request);
  /// GetThrottles.
  GetThrottlesResp get_throttles_raw(GetThrottlesReq request = {});
  /// GetTransactions.
  GetTransactionsResp get_transactions_raw(GetTransactionsReq request);
  /// RegisterExternalVendor.
  RegisterExternalVendorResp register_external_vendor_raw(RegisterExternalVendorReq request);
  /// UpdateAppointment.
  UpdateAppointmentResp update_appointment_raw(UpdateAppointmentReq request);
  /// UpdateEncounterStatus.
  CreateEncounterResp update_encounter_status_raw(UpdateEncounterStatusReq request);
  /// UpdatePatient.
  ModifyPatientResp update_patient_raw(UpdatePatientReq request);
  /// UpdatePatientsExternalID.
  UpdatePatientsExternalIDResp update_patients_external_id_raw(UpdatePatientsExternalIDReq request);
  /// @}

 private:
  struct Impl;
  friend std::shared_ptr<Client> detail::share_client(const Client& client);
  explicit Client(std::shared_ptr<Impl> impl);
  // The state, or InvalidArgument when this client was moved from.
  Impl& impl() const;
  std::shared_ptr<Impl> impl_;
};

/// The value of ChargeFilter::IncludeUnapprovedCharges that asks GetCharges for the charges of unapproved
/// encounters too ("T", as the vendor's guide documents). Without it the service answers approved ones only.
inline constexpr const char kIncludeUnapprovedCharges[] = "T";

/// Makes `filter` ask for the charges of unapproved encounters too (`include`), or for approved ones only (the
/// service's default); returns `filter`. Works for Client::get_charges() and kareo::charges_by_date().
/// @code
/// kareo::ChargeFilter filter;
/// filter.PracticeName = "Main Street Clinic";
/// auto charges = client.get_charges(kareo::include_unapproved_charges(filter));
/// @endcode
ChargeFilter& include_unapproved_charges(ChargeFilter& filter, bool include = true);

/// Calls GetThrottles with `client` and replaces the limiter's intervals with the live values (operations the
/// answer does not mention keep theirs). GetThrottles is itself limited to one call per five seconds.
/// @return the limits the service sent.
std::vector<ThrottleLimit> refresh_limits(Client& client, RateLimiter& limiter);

}  // namespace kareo
