#include "kareo/client.hpp"

#include <cctype>
#include <string>
#include <type_traits>
#include <utility>

#include "client/facade_internal.hpp"
#include "kareo/policies.hpp"
#include "kareo/retry.hpp"
#include "kareo/wire.hpp"
#include "wire_helpers.hpp"

namespace kareo {
namespace {

template <typename P, typename = void>
struct HasFields : std::false_type {};
template <typename P>
struct HasFields<P, std::void_t<decltype(std::declval<P&>().Fields)>> : std::true_type {};
template <typename P, typename = void>
struct HasFilter : std::false_type {};
template <typename P>
struct HasFilter<P, std::void_t<decltype(std::declval<P&>().Filter)>> : std::true_type {};

// A new shared object holding `value`'s members.
template <typename T>
std::shared_ptr<T> share(T& value) {
  return std::make_shared<T>(std::move(value));
}

bool blank(const std::optional<std::string>& s) {
  if (!s) return true;
  for (char c : *s) {
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}
bool blank(const std::optional<int>& v) { return !v.has_value(); }

// Rows of a list result, moved out; placeholder rows (empty ID) dropped. Each row lets go of its storage as
// soon as it has moved: rows read by the streaming reader share blocks that are unmapped when their last row
// goes (src/transport/fast_reader.hpp), so the result and the returned rows are never both resident in full.
template <typename Row, typename IdOf>
std::vector<Row> take_rows(std::vector<std::shared_ptr<Row>>& in, IdOf id_of) {
  std::vector<Row> out;
  out.reserve(in.size());
  for (auto& p : in) {
    if (p && !blank(id_of(*p))) out.push_back(std::move(*p));
    p.reset();
  }
  in.clear();
  return out;
}

template <typename Array, typename Member, typename IdOf>
auto rows_of(std::shared_ptr<Array>& array, Member member, IdOf id_of) {
  using Vec = std::remove_reference_t<decltype((*array).*member)>;
  using Row = typename Vec::value_type::element_type;
  if (!array) return std::vector<Row>();
  return take_rows(((*array).*member), id_of);
}

const auto kById = [](const auto& row) -> const auto& { return row.ID; };

template <Operation Op>
using ResultOf = typename wire::Traits<Op>::Result;

void require_pair(Operation op, const std::optional<std::string>& from, const std::optional<std::string>& to,
                  const char* from_name, const char* to_name) {
  if (blank(from) != blank(to)) {
    throw InvalidArgument(std::string(operation_name(op)) + ": a date range needs both ends; give " + from_name +
                              " and " + to_name + " together",
                          op);
  }
}

#define KAREO_PAIR(op, f, X) require_pair(op, f.From##X, f.To##X, "From" #X, "To" #X)

template <typename Filter>
void require_some(Operation op, const Filter& f) {
  if (!detail::any_set(f)) {
    throw InvalidArgument(std::string(operation_name(op)) +
                              ": give at least one filter member (the service refuses unfiltered calls); "
                              "PracticeName is the usual one",
                          op);
  }
}

}  // namespace

struct Client::Impl {
  Options options;
  std::shared_ptr<Connection> stack;

  void credentials_or_throw(Operation op) const {
    const Credentials& c = options.credentials();
    if (c.complete()) return;
    std::string missing;
    auto add = [&](bool empty, const char* name) {
      if (!empty) return;
      if (!missing.empty()) missing += ", ";
      missing += name;
    };
    add(c.customer_key().empty(), "customer key");
    add(c.user().empty(), "user");
    add(c.password().empty(), "password");
    throw InvalidArgument(std::string(operation_name(op)) + ": credentials incomplete: missing " + missing, op);
  }

  template <Operation Op>
  typename wire::Traits<Op>::Result call(typename wire::Traits<Op>::Payload& payload) {
    using T = wire::Traits<Op>;
    using P = typename T::Payload;
    credentials_or_throw(Op);
    const Credentials& c = options.credentials();
    if constexpr (std::is_base_of_v<kareo_wire::kareo__RequestBase, P>) {
      auto header = std::make_shared<kareo_wire::kareo__RequestHeader>();
      header->ClientVersion = options.client_version();
      header->CustomerKey = c.customer_key();
      header->Password = c.password();
      header->User = c.user();
      payload.RequestHeader = std::move(header);
    } else {
      payload.CustomerKey = c.customer_key();
      payload.Password = c.password();
      payload.User = c.user();
    }
    // The service faults on a missing Fields or Filter; empty ones ask for every column and no narrowing.
    if constexpr (HasFields<P>::value) {
      if (!payload.Fields) payload.Fields = std::make_shared<typename decltype(payload.Fields)::element_type>();
    }
    if constexpr (HasFilter<P>::value) {
      if (!payload.Filter) payload.Filter = std::make_shared<typename decltype(payload.Filter)::element_type>();
    }
    typename T::Body body;
    T::payload(body) = share(payload);
    typename T::Response response;
    Exchange exchange{body, response};
    // A write that may have reached the server is reported as kareo::AmbiguousOutcome by the retry layer, which
    // every stack has (kareo/policies.hpp).
    stack->call(exchange);
    // A user-supplied transport may fill a failure report without throwing.
    detail::Secrets secrets;
    secrets.add(c.customer_key());
    secrets.add(c.user());
    secrets.add(c.password());
    detail::check_response(Op, &response, {}, secrets.scrubber());
    typename T::Result out;
    detail::take(out, *T::result(response));
    detail::detach(out);
    return out;
  }

  // A list call: the filter and the columns asked for; the result's rows moved out, placeholder rows dropped.
  template <Operation Op, typename Filter, typename Fields, typename ArrayMember, typename RowsMember, typename IdOf>
  auto list(Filter& filter, Fields& fields, ArrayMember array, RowsMember rows, IdOf id_of) {
    typename wire::Traits<Op>::Payload request;
    request.Fields = share(fields);
    request.Filter = share(filter);
    auto result = call<Op>(request);
    return rows_of(result.*array, rows, id_of);
  }
};

namespace detail {

void deliver_event(const EventSink& sink, const CallEvent& event, WireTrace mode) {
  (void)mode;  // what the event's XML was redacted for; read by the test suite's secrets scan
  sink(event);
}

}  // namespace detail

Client::Client(Options options) : impl_(std::make_shared<Impl>()) {
  impl_->options = std::move(options);
  const Options& o = impl_->options;
  std::shared_ptr<Connection> transport = o.connection();
  if (!transport) transport = detail::make_gsoap_connection(o);
  std::shared_ptr<Connection> stack = transport;
  if (o.event_sink()) stack = detail::make_observed_connection(std::move(stack), o.event_sink(), o.wire_trace());
  stack = apply_policies(std::move(stack), o.policies());  // pacing, then retries (kareo/policies.hpp)
  for (const auto& decorate : o.decorators()) {
    stack = decorate(std::move(stack));
    if (!stack) throw InvalidArgument("a decorator returned no connection");
  }
  impl_->stack = std::move(stack);
}

Client::Client(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

Client::Impl& Client::impl() const {
  if (!impl_) {
    throw InvalidArgument(
        "this kareo::Client was moved from and has no connections or options left; use the Client it was moved "
        "to (ranges and change feeds made before the move keep working)");
  }
  return *impl_;
}

namespace detail {
std::shared_ptr<Client> share_client(const Client& client) {
  client.impl();  // throws for a moved-from client
  return std::shared_ptr<Client>(new Client(client.impl_));
}
}  // namespace detail

const Options& Client::options() const { return impl().options; }
std::shared_ptr<Connection> Client::connection() const { return impl().stack; }

// ---- raw calls -------------------------------------------------------------------------------------------

#define KAREO_RAW_(method, Name)                                                                         \
  wire::Traits<Operation::Name>::Result Client::method(wire::Traits<Operation::Name>::Payload request) { \
    return impl().call<Operation::Name>(request);                                                        \
  }
KAREO_RAW_(create_appointment_raw, CreateAppointment)
KAREO_RAW_(create_document_raw, CreateDocument)
KAREO_RAW_(create_encounter_raw, CreateEncounter)
KAREO_RAW_(create_patient_raw, CreatePatient)
KAREO_RAW_(create_payment_raw, CreatePayment)
KAREO_RAW_(delete_appointment_raw, DeleteAppointment)
KAREO_RAW_(delete_document_raw, DeleteDocument)
KAREO_RAW_(get_all_patients_raw, GetAllPatients)
KAREO_RAW_(get_appointment_raw, GetAppointment)
KAREO_RAW_(get_appointments_raw, GetAppointments)
KAREO_RAW_(get_charges_raw, GetCharges)
KAREO_RAW_(get_encounter_details_raw, GetEncounterDetails)
KAREO_RAW_(get_external_vendors_raw, GetExternalVendors)
KAREO_RAW_(get_patient_raw, GetPatient)
KAREO_RAW_(get_patients_raw, GetPatients)
KAREO_RAW_(get_payments_raw, GetPayments)
KAREO_RAW_(get_practices_raw, GetPractices)
KAREO_RAW_(get_procedure_codes_raw, GetProcedureCodes)
KAREO_RAW_(get_providers_raw, GetProviders)
KAREO_RAW_(get_service_locations_raw, GetServiceLocations)
KAREO_RAW_(get_throttles_raw, GetThrottles)
KAREO_RAW_(get_transactions_raw, GetTransactions)
KAREO_RAW_(register_external_vendor_raw, RegisterExternalVendor)
KAREO_RAW_(update_appointment_raw, UpdateAppointment)
KAREO_RAW_(update_encounter_status_raw, UpdateEncounterStatus)
KAREO_RAW_(update_patient_raw, UpdatePatient)
KAREO_RAW_(update_patients_external_id_raw, UpdatePatientsExternalID)
#undef KAREO_RAW_

GetCustomerIdFromKeyResp Client::get_customer_id_from_key_raw() {
  GetCustomerIdFromKeyRequest request;
  return impl().call<Operation::GetCustomerIdFromKey>(request);
}

// ---- reads -----------------------------------------------------------------------------------------------

std::vector<PatientBatchData> Client::get_all_patients(PatientBatchGetFilter filter,
                                                       PatientBatchFieldsToReturn fields) {
  constexpr Operation op = Operation::GetAllPatients;
  if (!filter.BatchSize) filter.BatchSize = 1000;
  if (*filter.BatchSize < 1 || *filter.BatchSize > 1000) {
    throw InvalidArgument("GetAllPatients: BatchSize must be 1..1000, not " + std::to_string(*filter.BatchSize), op);
  }
  return impl().list<op>(filter, fields, &ResultOf<op>::Patients,
                         &kareo_wire::kareo__ArrayOfPatientBatchData::PatientBatchData, kById);
}

std::optional<AppointmentCreate> Client::get_appointment(std::int64_t appointment_id) {
  GetAppointmentReq request;
  request.Appointment = std::make_shared<AppointmentRead>();
  request.Appointment->AppointmentId = appointment_id;
  auto result = get_appointment_raw(std::move(request));
  if (!result.Appointment) return std::nullopt;
  std::optional<AppointmentCreate> out(std::in_place);
  detail::take(*out, *result.Appointment);
  return out;
}

std::vector<AppointmentData> Client::get_appointments(AppointmentFilter filter, AppointmentFieldsToReturn fields) {
  constexpr Operation op = Operation::GetAppointments;
  require_some(op, filter);
  require_pair(op, filter.StartDate, filter.EndDate, "StartDate", "EndDate");
  KAREO_PAIR(op, filter, CreatedDate);
  KAREO_PAIR(op, filter, LastModifiedDate);
  return impl().list<op>(filter, fields, &ResultOf<op>::Appointments,
                         &kareo_wire::kareo__ArrayOfAppointmentData::AppointmentData, kById);
}

ChargeFilter& include_unapproved_charges(ChargeFilter& filter, bool include) {
  if (include) {
    filter.IncludeUnapprovedCharges = kIncludeUnapprovedCharges;
  } else {
    filter.IncludeUnapprovedCharges.reset();
  }
  return filter;
}

std::vector<ChargeData> Client::get_charges(ChargeFilter filter, ChargeFieldsToReturn fields) {
  constexpr Operation op = Operation::GetCharges;
  // The service knows "T" only: a boolean spelled otherwise would silently leave unapproved charges out.
  if (filter.IncludeUnapprovedCharges) {
    std::string v;
    for (char ch : *filter.IncludeUnapprovedCharges) {
      if (!std::isspace(static_cast<unsigned char>(ch)))
        v += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    if (v == "t" || v == "true" || v == "1" || v == "yes") {
      include_unapproved_charges(filter, true);
    } else if (v.empty() || v == "f" || v == "false" || v == "0" || v == "no") {
      include_unapproved_charges(filter, false);
    } else {
      throw InvalidArgument(
          "GetCharges: IncludeUnapprovedCharges must be \"T\" (include the charges of unapproved "
          "encounters) or absent, not \"" +
              *filter.IncludeUnapprovedCharges +
              "\"; use "
              "kareo::include_unapproved_charges()",
          op);
    }
  }
  require_some(op, filter);
  KAREO_PAIR(op, filter, CreatedDate);
  KAREO_PAIR(op, filter, LastModifiedDate);
  KAREO_PAIR(op, filter, PostingDate);
  KAREO_PAIR(op, filter, ServiceDate);
  return impl().list<op>(filter, fields, &ResultOf<op>::Charges, &kareo_wire::kareo__ArrayOfChargeData::ChargeData,
                         kById);
}

int Client::get_customer_id_from_key() {
  auto result = get_customer_id_from_key_raw();
  if (!result.CustomerId) {
    Error::Details d;
    d.operation = Operation::GetCustomerIdFromKey;
    throw MalformedResponse("GetCustomerIdFromKey: the response has no CustomerId", d);
  }
  return *result.CustomerId;
}

std::vector<EncounterDetailsData> Client::get_encounter_details(EncounterDetailsFilter filter,
                                                                EncounterDetailsFieldsToReturn fields) {
  constexpr Operation op = Operation::GetEncounterDetails;
  if (blank(filter.EncounterID)) throw InvalidArgument("GetEncounterDetails: give the EncounterID", op);
  return impl().list<op>(
      filter, fields, &ResultOf<op>::EncounterDetails,
      &kareo_wire::kareo__ArrayOfEncounterDetailsData::EncounterDetailsData,
      [](const EncounterDetailsData& r) -> const auto& { return r.EncounterID; });
}

std::vector<ExternalVendorData> Client::get_external_vendors() {
  auto result = get_external_vendors_raw();
  return rows_of(
      result.ExternalVendors, &kareo_wire::kareo__ArrayOfExternalVendorData::ExternalVendorData,
      [](const ExternalVendorData& r) -> const auto& { return r.ExternalVendorID; });
}

std::optional<PatientData> Client::get_patient(SinglePatientFilter filter) {
  constexpr Operation op = Operation::GetPatient;
  if (!filter.PatientID && blank(filter.ExternalID)) {
    throw InvalidArgument("GetPatient: give PatientID, or ExternalID with ExternalVendorID", op);
  }
  GetPatientReq request;
  request.Filter = share(filter);
  auto result = get_patient_raw(std::move(request));
  if (!result.Patient || blank(result.Patient->ID)) return std::nullopt;
  std::optional<PatientData> out(std::in_place);
  detail::take(*out, *result.Patient);
  return out;
}

std::optional<PatientData> Client::get_patient(int patient_id) {
  SinglePatientFilter filter;
  filter.PatientID = patient_id;
  return get_patient(std::move(filter));
}

std::vector<PatientData> Client::get_patients(PatientFilter filter, PatientFieldsToReturn fields) {
  constexpr Operation op = Operation::GetPatients;
  if (blank(filter.PracticeName) && blank(filter.PracticeID)) {
    throw InvalidArgument("GetPatients: give PracticeName or PracticeID in the filter", op);
  }
  KAREO_PAIR(op, filter, CreatedDate);
  KAREO_PAIR(op, filter, DateOfBirth);
  KAREO_PAIR(op, filter, LastEncounterDate);
  KAREO_PAIR(op, filter, LastModifiedDate);
  return impl().list<op>(filter, fields, &ResultOf<op>::Patients, &kareo_wire::kareo__ArrayOfPatientData::PatientData,
                         kById);
}

std::vector<PaymentData> Client::get_payments(PaymentFilter filter, PaymentFieldsToReturn fields) {
  constexpr Operation op = Operation::GetPayments;
  require_some(op, filter);
  KAREO_PAIR(op, filter, CreatedDate);
  KAREO_PAIR(op, filter, LastModifiedDate);
  KAREO_PAIR(op, filter, PostDate);
  return impl().list<op>(filter, fields, &ResultOf<op>::Payments, &kareo_wire::kareo__ArrayOfPaymentData::PaymentData,
                         kById);
}

std::vector<PracticeData> Client::get_practices(PracticeFilter filter, PracticeFieldsToReturn fields) {
  constexpr Operation op = Operation::GetPractices;
  KAREO_PAIR(op, filter, CreatedDate);
  KAREO_PAIR(op, filter, LastModifiedDate);
  return impl().list<op>(filter, fields, &ResultOf<op>::Practices,
                         &kareo_wire::kareo__ArrayOfPracticeData::PracticeData, kById);
}

std::vector<ProcedureCodeData> Client::get_procedure_codes(ProcedureCodeFilter filter,
                                                           ProcedureCodeFieldsToReturn fields) {
  constexpr Operation op = Operation::GetProcedureCodes;
  KAREO_PAIR(op, filter, CreatedDate);
  KAREO_PAIR(op, filter, LastModifiedDate);
  return impl().list<op>(filter, fields, &ResultOf<op>::ProcedureCodes,
                         &kareo_wire::kareons__ArrayOfProcedureCodeData::ProcedureCodeData, kById);
}

std::vector<ProviderData> Client::get_providers(ProviderFilter filter, ProviderFieldsToReturn fields) {
  constexpr Operation op = Operation::GetProviders;
  KAREO_PAIR(op, filter, CreatedDate);
  KAREO_PAIR(op, filter, LastModifiedDate);
  return impl().list<op>(filter, fields, &ResultOf<op>::Providers,
                         &kareo_wire::kareo__ArrayOfProviderData::ProviderData, kById);
}

std::vector<ServiceLocationData> Client::get_service_locations(ServiceLocationFilter filter,
                                                               ServiceLocationFieldsToReturn fields) {
  constexpr Operation op = Operation::GetServiceLocations;
  KAREO_PAIR(op, filter, CreatedDate);
  KAREO_PAIR(op, filter, LastModifiedDate);
  return impl().list<op>(filter, fields, &ResultOf<op>::ServiceLocations,
                         &kareo_wire::kareons__ArrayOfServiceLocationData::ServiceLocationData, kById);
}

std::vector<ThrottleDetail> Client::get_throttles() {
  auto result = get_throttles_raw();
  std::vector<ThrottleDetail> out;
  if (!result.ThrottleDetails) return out;
  for (auto& p : result.ThrottleDetails->ThrottleDetail) {
    if (!p || blank(p->Endpoint)) continue;
    out.emplace_back();
    detail::take(out.back(), *p);
  }
  return out;
}

std::vector<TransactionData> Client::get_transactions(TransactionFilter filter, TransactionFieldsToReturn fields) {
  constexpr Operation op = Operation::GetTransactions;
  require_some(op, filter);
  KAREO_PAIR(op, filter, LastModifiedDate);
  KAREO_PAIR(op, filter, PostingDate);
  KAREO_PAIR(op, filter, ServiceDate);
  KAREO_PAIR(op, filter, TransactionDate);
  return impl().list<op>(filter, fields, &ResultOf<op>::Transactions,
                         &kareo_wire::kareo__ArrayOfTransactionData::TransactionData, kById);
}

// ---- writes ----------------------------------------------------------------------------------------------

CreateAppointmentResp Client::create_appointment(AppointmentCreate appointment) {
  // A default-constructed AppointmentType (0) is not one of the contract's values: the service would refuse it.
  const auto type = appointment.AppointmentType;
  if (type != AppointmentType::P && type != AppointmentType::O && type != AppointmentType::U) {
    throw InvalidArgument(
        "CreateAppointment: set AppointmentType (P: patient appointment, O: other, U: unavailable time)",
        Operation::CreateAppointment);
  }
  CreateAppointmentReq request;
  request.Appointment = share(appointment);
  return create_appointment_raw(std::move(request));
}

CreateDocumentResp Client::create_document(DocumentCreateRequest document) {
  CreateDocumentReq request;
  request.DocumentToCreate = share(document);
  return create_document_raw(std::move(request));
}

CreateEncounterResp Client::create_encounter(EncounterCreate encounter) {
  CreateEncounterReq request;
  request.Encounter = share(encounter);
  return create_encounter_raw(std::move(request));
}

ModifyPatientResp Client::create_patient(PatientCreate patient) {
  CreatePatientReq request;
  request.Patient = share(patient);
  return create_patient_raw(std::move(request));
}

CreatePaymentResp Client::create_payment(PaymentCreate payment) {
  CreatePaymentRequest request;
  request.Payment = share(payment);
  return create_payment_raw(std::move(request));
}

DeleteAppointmentResp Client::delete_appointment(AppointmentDelete appointment) {
  DeleteAppointmentReq request;
  request.Appointment = share(appointment);
  return delete_appointment_raw(std::move(request));
}

DeleteAppointmentResp Client::delete_appointment(std::int64_t appointment_id) {
  AppointmentDelete appointment;
  appointment.AppointmentId = appointment_id;
  return delete_appointment(std::move(appointment));
}

DeleteDocumentResp Client::delete_document(std::int64_t document_id) {
  DeleteDocumentReq request;
  request.DocumentId = document_id;
  return delete_document_raw(std::move(request));
}

RegisterExternalVendorResp Client::register_external_vendor(ExternalVendorReq vendor) {
  if (blank(vendor.ExternalVendorName)) {
    throw InvalidArgument("RegisterExternalVendor: give the ExternalVendorName", Operation::RegisterExternalVendor);
  }
  RegisterExternalVendorReq request;
  request.ExternalVendor = share(vendor);
  return register_external_vendor_raw(std::move(request));
}

UpdateAppointmentResp Client::update_appointment(AppointmentUpdate appointment) {
  UpdateAppointmentReq request;
  request.Appointment = share(appointment);
  return update_appointment_raw(std::move(request));
}

CreateEncounterResp Client::update_encounter_status(EncounterUpdateStatus status) {
  UpdateEncounterStatusReq request;
  request.EncounterUpdateStatus = share(status);
  return update_encounter_status_raw(std::move(request));
}

ModifyPatientResp Client::update_patient(PatientUpdate patient) {
  UpdatePatientReq request;
  request.Patient = share(patient);
  return update_patient_raw(std::move(request));
}

UpdatePatientsExternalIDResp Client::update_patients_external_id(PatientExternalIDSettingBatch updates) {
  UpdatePatientsExternalIDReq request;
  request.Updates = share(updates);
  return update_patients_external_id_raw(std::move(request));
}

std::vector<ThrottleLimit> refresh_limits(Client& client, RateLimiter& limiter) {
  auto limits = throttle_limits(client.get_throttles());
  ThrottleTable table = limiter.limits();
  table.apply(limits);
  limiter.update_limits(table);
  return limits;
}

}  // namespace kareo
