/// @file
/// @brief kareo::Client: the 28 operations of KareoServices 2.1 as typed methods.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "kareo/call_options.hpp"
#include "kareo/connection.hpp"
#include "kareo/errors.hpp"
#include "kareo/options.hpp"
#include "kareo/pacing.hpp"
#include "kareo/paging.hpp"
#include "kareo/queries.hpp"
#include "kareo/types.hpp"
#include "kareo/wire.hpp"

namespace kareo {

class Client;

namespace detail {
/// A Client sharing `client`'s state (options, connection stack): what ranges and change feeds keep, so that
/// they outlive the object they were made from. Throws kareo::InvalidArgument for a moved-from client.
std::shared_ptr<Client> share_client(const Client& client);
/// A call whose rows are passed on as they are read (Exchange::row_sink): what the ranges' for_each_row() uses.
struct RowCall;
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
/// Reads of many rows return lazy ranges over a query (Client::patients(), ...); every method takes a last,
/// defaulted kareo::CallOptions (timeout, cancellation, retry policy of that call). List reads send an empty
/// `Fields` element by default, which returns every column, and drop placeholder rows whose ID is empty.
/// call<Operation>() takes the whole request payload of any operation and returns the whole result.
///
/// A Client is safe to use from several threads at once; it keeps a pool of connections.
///
/// Lifetime: the ranges it returns and kareo::ChangeFeed share the client's state (its options and
/// connections) instead of pointing at the Client object, so they keep working after the Client they were made
/// from is moved from or destroyed. A moved-from Client has no state: every call on it, options() and
/// connection() included, throws kareo::InvalidArgument ("this kareo::Client was moved from") instead of
/// crashing; assign a Client to it to use it again.
/// @code
/// kareo::Client client{kareo::Options{}.credentials(kareo::Credentials::from_environment())};
/// kareo::PatientQuery query;
/// query.filter.PracticeName = "Main Street Clinic";
/// query.last_modified = kareo::TimeRange{kareo::Date(2026, 1, 1), kareo::Date(2026, 6, 30)};
/// for (const kareo::PatientData& p : client.patients(query)) { ... }
/// std::vector<kareo::PatientData> all = client.patients(query).collect();
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
  /// Every list read returns a lazy kareo::PagedRange: nothing is sent before its begin(); one call when the query
  /// sets no date range, one call per date window when it does (see kareo/paging.hpp and kareo/queries.hpp). A
  /// range shares the client's state and outlives the Client object. `options` apply to every call the range
  /// makes. Placeholder rows (empty ID) are dropped; `range.collect()` gathers the rest into a std::vector.
  /// @{

  /// GetAllPatients: every patient of `query.practice_id`, batch after batch along the StartKey cursor.
  /// @throws kareo::InvalidArgument for a batch size outside 1..1000 or a practice ID below 1.
  PagedRange<PatientBatchData> all_patients(AllPatientsQuery query, const CallOptions& options = {});
  /// GetAppointments: the appointments of `query` (give at least one filter member or date range).
  PagedRange<AppointmentData> appointments(AppointmentQuery query, const CallOptions& options = {});
  /// GetCharges: the charges of `query` (give at least one filter member or date range).
  ///
  /// The service leaves out the charges of unapproved encounters unless `filter.IncludeUnapprovedCharges` is
  /// "T": ask for them with include_unapproved_charges(query.filter). The member is sent as the service expects
  /// it: "T" (also given as "true", "1" or "yes", any case) includes them; "F", "false", "0", "no" or an empty
  /// text are sent as no member (approved encounters only); any other text is refused (kareo::InvalidArgument),
  /// so that a value the service would not understand cannot silently leave charges out.
  PagedRange<ChargeData> charges(ChargeQuery query, const CallOptions& options = {});
  /// GetEncounterDetails: the encounter `query.filter.EncounterID` (required) with its service lines.
  PagedRange<EncounterDetailsData> encounter_details(EncounterDetailsQuery query, const CallOptions& options = {});
  /// GetExternalVendors: the external vendors registered for the customer.
  PagedRange<ExternalVendorData> external_vendors(const CallOptions& options = {});
  /// GetPatients: the patients of `query` (give PracticeName or PracticeID in the filter).
  PagedRange<PatientData> patients(PatientQuery query, const CallOptions& options = {});
  /// GetPayments: the payments of `query` (give at least one filter member or date range).
  PagedRange<PaymentData> payments(PaymentQuery query, const CallOptions& options = {});
  /// GetPractices: the practices of `query` (all practices by default).
  PagedRange<PracticeData> practices(PracticeQuery query = {}, const CallOptions& options = {});
  /// GetProcedureCodes: the procedure codes of `query` (all by default).
  PagedRange<ProcedureCodeData> procedure_codes(ProcedureCodeQuery query = {}, const CallOptions& options = {});
  /// GetProviders: the providers of `query` (all by default).
  PagedRange<ProviderData> providers(ProviderQuery query = {}, const CallOptions& options = {});
  /// GetServiceLocations: the service locations of `query` (all by default).
  PagedRange<ServiceLocationData> service_locations(ServiceLocationQuery query = {}, const CallOptions& options = {});
  /// GetThrottles: the live rate limits of the account.
  PagedRange<ThrottleDetail> throttles(const CallOptions& options = {});
  /// GetTransactions: the transactions of `query` (give at least one filter member or date range).
  PagedRange<TransactionData> transactions(TransactionQuery query, const CallOptions& options = {});

  /// GetAppointment: one appointment by ID; empty when the service returned none.
  std::optional<AppointmentCreate> get_appointment(std::int64_t appointment_id, const CallOptions& options = {});
  /// GetCustomerIdFromKey: the numeric customer ID of the credentials' customer key. Throws
  /// AuthenticationFailed when the service does not authorize the credentials.
  int get_customer_id_from_key(const CallOptions& options = {});
  /// GetPatient: one patient by `filter` (PatientID, or ExternalID with ExternalVendorID); empty when the service
  /// returned none.
  std::optional<PatientData> get_patient(SinglePatientFilter filter, const CallOptions& options = {});
  /// GetPatient by patient ID.
  std::optional<PatientData> get_patient(int patient_id, const CallOptions& options = {});
  /// @}

  /// @name Writes (never resent automatically once the request may have reached the server)
  /// @{

  /// CreateAppointment.
  CreateAppointmentResp create_appointment(AppointmentCreate appointment, const CallOptions& options = {});
  /// CreateDocument.
  CreateDocumentResp create_document(DocumentCreateRequest document, const CallOptions& options = {});
  /// CreateEncounter.
  CreateEncounterResp create_encounter(EncounterCreate encounter, const CallOptions& options = {});
  /// CreatePatient.
  ModifyPatientResp create_patient(PatientCreate patient, const CallOptions& options = {});
  /// CreatePayment.
  CreatePaymentResp create_payment(PaymentCreate payment, const CallOptions& options = {});
  /// DeleteAppointment.
  DeleteAppointmentResp delete_appointment(AppointmentDelete appointment, const CallOptions& options = {});
  /// DeleteAppointment by appointment ID.
  DeleteAppointmentResp delete_appointment(std::int64_t appointment_id, const CallOptions& options = {});
  /// DeleteDocument.
  DeleteDocumentResp delete_document(std::int64_t document_id, const CallOptions& options = {});
  /// RegisterExternalVendor.
  RegisterExternalVendorResp register_external_vendor(ExternalVendorReq vendor, const CallOptions& options = {});
  /// UpdateAppointment.
  UpdateAppointmentResp update_appointment(AppointmentUpdate appointment, const CallOptions& options = {});
  /// UpdateEncounterStatus (its response has the shape of CreateEncounter's).
  CreateEncounterResp update_encounter_status(EncounterUpdateStatus status, const CallOptions& options = {});
  /// UpdatePatient (sent in the `UpdatePatientReq` wrapper the service expects).
  ModifyPatientResp update_patient(PatientUpdate patient, const CallOptions& options = {});
  /// UpdatePatientsExternalID.
  UpdatePatientsExternalIDResp update_patients_external_id(PatientExternalIDSettingBatch updates,
                                                           const CallOptions& options = {});
  /// @}

  /// @name Any operation, whole payload in and out
  /// @{

  /// Sends `request`, the whole payload of operation `Op` (the client sets its RequestHeader, or the inline
  /// credentials of GetCustomerIdFromKey, and supplies the empty Fields/Filter elements the service requires when
  /// they are null), and returns the whole result: e.g. the GetAllPatients cursor `Key`.
  /// @code
  /// kareo::GetAllPatientsReq request;  // ... Filter with BatchSize, PracticeID, StartKey
  /// kareo::GetAllPatientsResp page = client.call<kareo::Operation::GetAllPatients>(std::move(request));
  /// @endcode
  template <Operation Op>
  typename wire::Traits<Op>::Result call(typename wire::Traits<Op>::Payload request, const CallOptions& options = {});
  /// @}

 private:
  struct Impl;
  friend std::shared_ptr<Client> detail::share_client(const Client& client);
  friend struct detail::RowCall;
  explicit Client(std::shared_ptr<Impl> impl);
  // The state, or InvalidArgument when this client was moved from.
  Impl& impl() const;
  std::shared_ptr<Impl> impl_;
};

/// The value of ChargeFilter::IncludeUnapprovedCharges that asks GetCharges for the charges of unapproved
/// encounters too ("T", as the vendor's guide documents). Without it the service answers approved ones only.
inline constexpr const char kIncludeUnapprovedCharges[] = "T";

/// Makes `filter` ask for the charges of unapproved encounters too (`include`), or for approved ones only (the
/// service's default); returns `filter`. See Client::charges().
/// @code
/// kareo::ChargeQuery query;
/// query.filter.PracticeName = "Main Street Clinic";
/// kareo::include_unapproved_charges(query.filter);
/// auto charges = client.charges(query).collect();
/// @endcode
ChargeFilter& include_unapproved_charges(ChargeFilter& filter, bool include = true);

/// Calls GetThrottles with `client` and replaces the limiter's intervals with the live values (operations the
/// answer does not mention keep theirs). GetThrottles is itself limited to one call per five seconds.
/// @return the limits the service sent.
std::vector<ThrottleLimit> refresh_limits(Client& client, RateLimiter& limiter);

}  // namespace kareo
