/// @file
/// @brief The contract's types under their contract names: the typed requests and results of kareo::Client.
///
/// Each name is the generated class (or enumeration) of the KareoServices 2.1 contract, e.g. kareo::PatientData
/// is the complex type `PatientData` of namespace "http://www.kareo.com/api/schemas/". Members follow the
/// contract: optional strings and numbers are `std::optional`, nested types `std::shared_ptr`, lists
/// `std::vector` inside an `ArrayOf...` type, `xs:dateTime` the wire text (see kareo/datetime.hpp). Objects
/// returned by kareo::Client own everything they hold; their `soap` member is always null.
///
/// Written by scripts/generate_wire_helpers.py from the generated header; do not edit by hand.
#pragma once

#include "kareo_wireH.h"

namespace kareo {

/// The contract's type `AppointmentCreate` (namespace "http://www.kareo.com/api/schemas/").
using AppointmentCreate = kareo_wire::kareo__AppointmentCreate;
/// The contract's type `AppointmentData` (namespace "http://www.kareo.com/api/schemas/").
using AppointmentData = kareo_wire::kareo__AppointmentData;
/// The contract's type `AppointmentDelete` (namespace "http://www.kareo.com/api/schemas/").
using AppointmentDelete = kareo_wire::kareo__AppointmentDelete;
/// The contract's type `AppointmentFieldsToReturn` (namespace "http://www.kareo.com/api/schemas/").
using AppointmentFieldsToReturn = kareo_wire::kareo__AppointmentFieldsToReturn;
/// The contract's type `AppointmentFilter` (namespace "http://www.kareo.com/api/schemas/").
using AppointmentFilter = kareo_wire::kareo__AppointmentFilter;
/// The contract's type `AppointmentIdentifierReq` (namespace "http://www.kareo.com/api/schemas/").
using AppointmentIdentifierReq = kareo_wire::kareo__AppointmentIdentifierReq;
/// The contract's type `AppointmentRead` (namespace "http://www.kareo.com/api/schemas/").
using AppointmentRead = kareo_wire::kareo__AppointmentRead;
/// The contract's type `AppointmentUpdate` (namespace "http://www.kareo.com/api/schemas/").
using AppointmentUpdate = kareo_wire::kareo__AppointmentUpdate;
/// The contract's type `ArrayOfAppointmentData` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfAppointmentData = kareo_wire::kareo__ArrayOfAppointmentData;
/// The contract's type `ArrayOfChargeData` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfChargeData = kareo_wire::kareo__ArrayOfChargeData;
/// The contract's type `ArrayOfEncounterDetailsData` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfEncounterDetailsData = kareo_wire::kareo__ArrayOfEncounterDetailsData;
/// The contract's type `ArrayOfExternalVendorData` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfExternalVendorData = kareo_wire::kareo__ArrayOfExternalVendorData;
/// The contract's type `ArrayOfGroupPatientSummary` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfGroupPatientSummary = kareo_wire::kareo__ArrayOfGroupPatientSummary;
/// The contract's type `ArrayOfHealthCodeReq` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfHealthCodeReq = kareo_wire::kareo__ArrayOfHealthCodeReq;
/// The contract's type `ArrayOfInsurancePolicyAuthorizationCreateReq` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfInsurancePolicyAuthorizationCreateReq = kareo_wire::kareo__ArrayOfInsurancePolicyAuthorizationCreateReq;
/// The contract's type `ArrayOfInsurancePolicyAuthorizationRes` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfInsurancePolicyAuthorizationRes = kareo_wire::kareo__ArrayOfInsurancePolicyAuthorizationRes;
/// The contract's type `ArrayOfInsurancePolicyAuthorizationUpdateReq` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfInsurancePolicyAuthorizationUpdateReq = kareo_wire::kareo__ArrayOfInsurancePolicyAuthorizationUpdateReq;
/// The contract's type `ArrayOfInsurancePolicyCreateReq` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfInsurancePolicyCreateReq = kareo_wire::kareo__ArrayOfInsurancePolicyCreateReq;
/// The contract's type `ArrayOfInsurancePolicyRes` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfInsurancePolicyRes = kareo_wire::kareo__ArrayOfInsurancePolicyRes;
/// The contract's type `ArrayOfInsurancePolicyUpdateReq` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfInsurancePolicyUpdateReq = kareo_wire::kareo__ArrayOfInsurancePolicyUpdateReq;
/// The contract's type `ArrayOfOrdinal` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfOrdinal = kareo_wire::kareo__ArrayOfOrdinal;
/// The contract's type `ArrayOfPatientBatchData` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfPatientBatchData = kareo_wire::kareo__ArrayOfPatientBatchData;
/// The contract's type `ArrayOfPatientCaseCreateReq` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfPatientCaseCreateReq = kareo_wire::kareo__ArrayOfPatientCaseCreateReq;
/// The contract's type `ArrayOfPatientCaseData` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfPatientCaseData = kareo_wire::kareo__ArrayOfPatientCaseData;
/// The contract's type `ArrayOfPatientCaseRes` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfPatientCaseRes = kareo_wire::kareo__ArrayOfPatientCaseRes;
/// The contract's type `ArrayOfPatientCaseUpdateReq` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfPatientCaseUpdateReq = kareo_wire::kareo__ArrayOfPatientCaseUpdateReq;
/// The contract's type `ArrayOfPatientData` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfPatientData = kareo_wire::kareo__ArrayOfPatientData;
/// The contract's type `ArrayOfPatientExternalIDSetting` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfPatientExternalIDSetting = kareo_wire::kareo__ArrayOfPatientExternalIDSetting;
/// The contract's type `ArrayOfPatientInsurancePolicyAuthorizationData` (namespace
/// "http://www.kareo.com/api/schemas/").
using ArrayOfPatientInsurancePolicyAuthorizationData =
    kareo_wire::kareo__ArrayOfPatientInsurancePolicyAuthorizationData;
/// The contract's type `ArrayOfPatientInsurancePolicyData` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfPatientInsurancePolicyData = kareo_wire::kareo__ArrayOfPatientInsurancePolicyData;
/// The contract's type `ArrayOfPaymentData` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfPaymentData = kareo_wire::kareo__ArrayOfPaymentData;
/// The contract's type `ArrayOfPracticeData` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfPracticeData = kareo_wire::kareo__ArrayOfPracticeData;
/// The contract's type `ArrayOfProviderData` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfProviderData = kareo_wire::kareo__ArrayOfProviderData;
/// The contract's type `ArrayOfServiceLineReq` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfServiceLineReq = kareo_wire::kareo__ArrayOfServiceLineReq;
/// The contract's type `ArrayOfServiceLineRes` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfServiceLineRes = kareo_wire::kareo__ArrayOfServiceLineRes;
/// The contract's type `ArrayOfThrottleDetail` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfThrottleDetail = kareo_wire::kareo__ArrayOfThrottleDetail;
/// The contract's type `ArrayOfTransactionData` (namespace "http://www.kareo.com/api/schemas/").
using ArrayOfTransactionData = kareo_wire::kareo__ArrayOfTransactionData;
/// The contract's type `ChargeData` (namespace "http://www.kareo.com/api/schemas/").
using ChargeData = kareo_wire::kareo__ChargeData;
/// The contract's type `ChargeFieldsToReturn` (namespace "http://www.kareo.com/api/schemas/").
using ChargeFieldsToReturn = kareo_wire::kareo__ChargeFieldsToReturn;
/// The contract's type `ChargeFilter` (namespace "http://www.kareo.com/api/schemas/").
using ChargeFilter = kareo_wire::kareo__ChargeFilter;
/// The contract's type `Document` (namespace "http://www.kareo.com/api/schemas/").
using Document = kareo_wire::kareo__Document;
/// The contract's type `DocumentCreateRequest` (namespace "http://www.kareo.com/api/schemas/").
using DocumentCreateRequest = kareo_wire::kareo__DocumentCreateRequest;
/// The contract's type `EmployerReq` (namespace "http://www.kareo.com/api/schemas/").
using EmployerReq = kareo_wire::kareo__EmployerReq;
/// The contract's type `EncounterCreate` (namespace "http://www.kareo.com/api/schemas/").
using EncounterCreate = kareo_wire::kareo__EncounterCreate;
/// The contract's type `EncounterDetailsData` (namespace "http://www.kareo.com/api/schemas/").
using EncounterDetailsData = kareo_wire::kareo__EncounterDetailsData;
/// The contract's type `EncounterDetailsFieldsToReturn` (namespace "http://www.kareo.com/api/schemas/").
using EncounterDetailsFieldsToReturn = kareo_wire::kareo__EncounterDetailsFieldsToReturn;
/// The contract's type `EncounterDetailsFilter` (namespace "http://www.kareo.com/api/schemas/").
using EncounterDetailsFilter = kareo_wire::kareo__EncounterDetailsFilter;
/// The contract's type `EncounterDetailsPractice` (namespace "http://www.kareo.com/api/schemas/").
using EncounterDetailsPractice = kareo_wire::kareo__EncounterDetailsPractice;
/// The contract's type `EncounterHospitalization` (namespace "http://www.kareo.com/api/schemas/").
using EncounterHospitalization = kareo_wire::kareo__EncounterHospitalization;
/// The contract's type `EncounterMiscellaneous` (namespace "http://www.kareo.com/api/schemas/").
using EncounterMiscellaneous = kareo_wire::kareo__EncounterMiscellaneous;
/// The contract's type `EncounterPayment` (namespace "http://www.kareo.com/api/schemas/").
using EncounterPayment = kareo_wire::kareo__EncounterPayment;
/// The contract's type `EncounterPlaceOfService` (namespace "http://www.kareo.com/api/schemas/").
using EncounterPlaceOfService = kareo_wire::kareo__EncounterPlaceOfService;
/// The contract's type `EncounterServiceLocation` (namespace "http://www.kareo.com/api/schemas/").
using EncounterServiceLocation = kareo_wire::kareo__EncounterServiceLocation;
/// The contract's type `EncounterUpdateStatus` (namespace "http://www.kareo.com/api/schemas/").
using EncounterUpdateStatus = kareo_wire::kareo__EncounterUpdateStatus;
/// The contract's type `EncounterUpdateStatusPractice` (namespace "http://www.kareo.com/api/schemas/").
using EncounterUpdateStatusPractice = kareo_wire::kareo__EncounterUpdateStatusPractice;
/// The contract's type `ErrorResponse` (namespace "http://www.kareo.com/api/schemas/").
using ErrorResponse = kareo_wire::kareo__ErrorResponse;
/// The contract's type `ExternalVendorData` (namespace "http://www.kareo.com/api/schemas/").
using ExternalVendorData = kareo_wire::kareo__ExternalVendorData;
/// The contract's type `ExternalVendorReq` (namespace "http://www.kareo.com/api/schemas/").
using ExternalVendorReq = kareo_wire::kareo__ExternalVendorReq;
/// The contract's type `GetCustomerIdFromKeyRequest` (namespace "http://www.kareo.com/api/schemas/").
using GetCustomerIdFromKeyRequest = kareo_wire::kareo__GetCustomerIdFromKeyRequest;
/// The contract's type `GetCustomerIdFromKeyResp` (namespace "http://www.kareo.com/api/schemas/").
using GetCustomerIdFromKeyResp = kareo_wire::kareo__GetCustomerIdFromKeyResp;
/// The contract's type `HealthCodeReq` (namespace "http://www.kareo.com/api/schemas/").
using HealthCodeReq = kareo_wire::kareo__HealthCodeReq;
/// The contract's type `InsurancePolicyAdjusterReq` (namespace "http://www.kareo.com/api/schemas/").
using InsurancePolicyAdjusterReq = kareo_wire::kareo__InsurancePolicyAdjusterReq;
/// The contract's type `InsurancePolicyAuthorizationCreateReq` (namespace "http://www.kareo.com/api/schemas/").
using InsurancePolicyAuthorizationCreateReq = kareo_wire::kareo__InsurancePolicyAuthorizationCreateReq;
/// The contract's type `InsurancePolicyAuthorizationRes` (namespace "http://www.kareo.com/api/schemas/").
using InsurancePolicyAuthorizationRes = kareo_wire::kareo__InsurancePolicyAuthorizationRes;
/// The contract's type `InsurancePolicyAuthorizationUpdateReq` (namespace "http://www.kareo.com/api/schemas/").
using InsurancePolicyAuthorizationUpdateReq = kareo_wire::kareo__InsurancePolicyAuthorizationUpdateReq;
/// The contract's type `InsurancePolicyCreateReq` (namespace "http://www.kareo.com/api/schemas/").
using InsurancePolicyCreateReq = kareo_wire::kareo__InsurancePolicyCreateReq;
/// The contract's type `InsurancePolicyInsuredReq` (namespace "http://www.kareo.com/api/schemas/").
using InsurancePolicyInsuredReq = kareo_wire::kareo__InsurancePolicyInsuredReq;
/// The contract's type `InsurancePolicyRes` (namespace "http://www.kareo.com/api/schemas/").
using InsurancePolicyRes = kareo_wire::kareo__InsurancePolicyRes;
/// The contract's type `InsurancePolicyUpdateReq` (namespace "http://www.kareo.com/api/schemas/").
using InsurancePolicyUpdateReq = kareo_wire::kareo__InsurancePolicyUpdateReq;
/// The contract's type `OrphanDiagnosisCodes` (namespace "http://www.kareo.com/api/schemas/").
using OrphanDiagnosisCodes = kareo_wire::kareo__OrphanDiagnosisCodes;
/// The contract's type `PatientAlertReq` (namespace "http://www.kareo.com/api/schemas/").
using PatientAlertReq = kareo_wire::kareo__PatientAlertReq;
/// The contract's type `PatientBatchData` (namespace "http://www.kareo.com/api/schemas/").
using PatientBatchData = kareo_wire::kareo__PatientBatchData;
/// The contract's type `PatientBatchFieldsToReturn` (namespace "http://www.kareo.com/api/schemas/").
using PatientBatchFieldsToReturn = kareo_wire::kareo__PatientBatchFieldsToReturn;
/// The contract's type `PatientBatchGetFilter` (namespace "http://www.kareo.com/api/schemas/").
using PatientBatchGetFilter = kareo_wire::kareo__PatientBatchGetFilter;
/// The contract's type `PatientBatchKey` (namespace "http://www.kareo.com/api/schemas/").
using PatientBatchKey = kareo_wire::kareo__PatientBatchKey;
/// The contract's type `PatientCaseConditionReq` (namespace "http://www.kareo.com/api/schemas/").
using PatientCaseConditionReq = kareo_wire::kareo__PatientCaseConditionReq;
/// The contract's type `PatientCaseCreateReq` (namespace "http://www.kareo.com/api/schemas/").
using PatientCaseCreateReq = kareo_wire::kareo__PatientCaseCreateReq;
/// The contract's type `PatientCaseData` (namespace "http://www.kareo.com/api/schemas/").
using PatientCaseData = kareo_wire::kareo__PatientCaseData;
/// The contract's type `PatientCaseDatesReq` (namespace "http://www.kareo.com/api/schemas/").
using PatientCaseDatesReq = kareo_wire::kareo__PatientCaseDatesReq;
/// The contract's type `PatientCaseIdentifierReq` (namespace "http://www.kareo.com/api/schemas/").
using PatientCaseIdentifierReq = kareo_wire::kareo__PatientCaseIdentifierReq;
/// The contract's type `PatientCaseRes` (namespace "http://www.kareo.com/api/schemas/").
using PatientCaseRes = kareo_wire::kareo__PatientCaseRes;
/// The contract's type `PatientCaseUpdateReq` (namespace "http://www.kareo.com/api/schemas/").
using PatientCaseUpdateReq = kareo_wire::kareo__PatientCaseUpdateReq;
/// The contract's type `PatientCreate` (namespace "http://www.kareo.com/api/schemas/").
using PatientCreate = kareo_wire::kareo__PatientCreate;
/// The contract's type `PatientData` (namespace "http://www.kareo.com/api/schemas/").
using PatientData = kareo_wire::kareo__PatientData;
/// The contract's type `PatientExternalIDSetting` (namespace "http://www.kareo.com/api/schemas/").
using PatientExternalIDSetting = kareo_wire::kareo__PatientExternalIDSetting;
/// The contract's type `PatientExternalIDSettingBatch` (namespace "http://www.kareo.com/api/schemas/").
using PatientExternalIDSettingBatch = kareo_wire::kareo__PatientExternalIDSettingBatch;
/// The contract's type `PatientFieldsToReturn` (namespace "http://www.kareo.com/api/schemas/").
using PatientFieldsToReturn = kareo_wire::kareo__PatientFieldsToReturn;
/// The contract's type `PatientFilter` (namespace "http://www.kareo.com/api/schemas/").
using PatientFilter = kareo_wire::kareo__PatientFilter;
/// The contract's type `PatientGuarantorReq` (namespace "http://www.kareo.com/api/schemas/").
using PatientGuarantorReq = kareo_wire::kareo__PatientGuarantorReq;
/// The contract's type `PatientIdentifierReq` (namespace "http://www.kareo.com/api/schemas/").
using PatientIdentifierReq = kareo_wire::kareo__PatientIdentifierReq;
/// The contract's type `PatientInsurancePolicyAuthorizationData` (namespace "http://www.kareo.com/api/schemas/").
using PatientInsurancePolicyAuthorizationData = kareo_wire::kareo__PatientInsurancePolicyAuthorizationData;
/// The contract's type `PatientInsurancePolicyData` (namespace "http://www.kareo.com/api/schemas/").
using PatientInsurancePolicyData = kareo_wire::kareo__PatientInsurancePolicyData;
/// The contract's type `PatientSummary` (namespace "http://www.kareo.com/api/schemas/").
using PatientSummary = kareo_wire::kareo__PatientSummary;
/// The contract's type `PatientUpdate` (namespace "http://www.kareo.com/api/schemas/").
using PatientUpdate = kareo_wire::kareo__PatientUpdate;
/// The contract's type `PaymentAppointmentCreate` (namespace "http://www.kareo.com/api/schemas/").
using PaymentAppointmentCreate = kareo_wire::kareo__PaymentAppointmentCreate;
/// The contract's type `PaymentCreate` (namespace "http://www.kareo.com/api/schemas/").
using PaymentCreate = kareo_wire::kareo__PaymentCreate;
/// The contract's type `PaymentData` (namespace "http://www.kareo.com/api/schemas/").
using PaymentData = kareo_wire::kareo__PaymentData;
/// The contract's type `PaymentFieldsToReturn` (namespace "http://www.kareo.com/api/schemas/").
using PaymentFieldsToReturn = kareo_wire::kareo__PaymentFieldsToReturn;
/// The contract's type `PaymentFilter` (namespace "http://www.kareo.com/api/schemas/").
using PaymentFilter = kareo_wire::kareo__PaymentFilter;
/// The contract's type `PaymentInsuranceCreate` (namespace "http://www.kareo.com/api/schemas/").
using PaymentInsuranceCreate = kareo_wire::kareo__PaymentInsuranceCreate;
/// The contract's type `PaymentPatientCreate` (namespace "http://www.kareo.com/api/schemas/").
using PaymentPatientCreate = kareo_wire::kareo__PaymentPatientCreate;
/// The contract's type `PaymentPaymentCreate` (namespace "http://www.kareo.com/api/schemas/").
using PaymentPaymentCreate = kareo_wire::kareo__PaymentPaymentCreate;
/// The contract's type `PaymentPracticeCreate` (namespace "http://www.kareo.com/api/schemas/").
using PaymentPracticeCreate = kareo_wire::kareo__PaymentPracticeCreate;
/// The contract's type `PermissionsMissing` (namespace "http://www.kareo.com/api/schemas/").
using PermissionsMissing = kareo_wire::kareo__PermissionsMissing;
/// The contract's type `PhysicianIdentifierReq` (namespace "http://www.kareo.com/api/schemas/").
using PhysicianIdentifierReq = kareo_wire::kareo__PhysicianIdentifierReq;
/// The contract's type `PracticeData` (namespace "http://www.kareo.com/api/schemas/").
using PracticeData = kareo_wire::kareo__PracticeData;
/// The contract's type `PracticeFieldsToReturn` (namespace "http://www.kareo.com/api/schemas/").
using PracticeFieldsToReturn = kareo_wire::kareo__PracticeFieldsToReturn;
/// The contract's type `PracticeFilter` (namespace "http://www.kareo.com/api/schemas/").
using PracticeFilter = kareo_wire::kareo__PracticeFilter;
/// The contract's type `PracticeIdentifierReq` (namespace "http://www.kareo.com/api/schemas/").
using PracticeIdentifierReq = kareo_wire::kareo__PracticeIdentifierReq;
/// The contract's type `PracticiesAuthorized` (namespace "http://www.kareo.com/api/schemas/").
using PracticiesAuthorized = kareo_wire::kareo__PracticiesAuthorized;
/// The contract's type `ProviderData` (namespace "http://www.kareo.com/api/schemas/").
using ProviderData = kareo_wire::kareo__ProviderData;
/// The contract's type `ProviderFieldsToReturn` (namespace "http://www.kareo.com/api/schemas/").
using ProviderFieldsToReturn = kareo_wire::kareo__ProviderFieldsToReturn;
/// The contract's type `ProviderFilter` (namespace "http://www.kareo.com/api/schemas/").
using ProviderFilter = kareo_wire::kareo__ProviderFilter;
/// The contract's type `ProviderIdentifierDetailedReq` (namespace "http://www.kareo.com/api/schemas/").
using ProviderIdentifierDetailedReq = kareo_wire::kareo__ProviderIdentifierDetailedReq;
/// The contract's type `ProviderIdentifierReq` (namespace "http://www.kareo.com/api/schemas/").
using ProviderIdentifierReq = kareo_wire::kareo__ProviderIdentifierReq;
/// The contract's type `RecurrenceRule` (namespace "http://www.kareo.com/api/schemas/").
using RecurrenceRule = kareo_wire::kareo__RecurrenceRule;
/// The contract's type `RequestBase` (namespace "http://www.kareo.com/api/schemas/").
using RequestBase = kareo_wire::kareo__RequestBase;
/// The contract's type `RequestHeader` (namespace "http://www.kareo.com/api/schemas/").
using RequestHeader = kareo_wire::kareo__RequestHeader;
/// The contract's type `ResponseBase` (namespace "http://www.kareo.com/api/schemas/").
using ResponseBase = kareo_wire::kareo__ResponseBase;
/// The contract's type `SecurityResponse` (namespace "http://www.kareo.com/api/schemas/").
using SecurityResponse = kareo_wire::kareo__SecurityResponse;
/// The contract's type `ServiceLineReq` (namespace "http://www.kareo.com/api/schemas/").
using ServiceLineReq = kareo_wire::kareo__ServiceLineReq;
/// The contract's type `ServiceLineRes` (namespace "http://www.kareo.com/api/schemas/").
using ServiceLineRes = kareo_wire::kareo__ServiceLineRes;
/// The contract's type `ServiceLocationReq` (namespace "http://www.kareo.com/api/schemas/").
using ServiceLocationReq = kareo_wire::kareo__ServiceLocationReq;
/// The contract's type `SinglePatientFilter` (namespace "http://www.kareo.com/api/schemas/").
using SinglePatientFilter = kareo_wire::kareo__SinglePatientFilter;
/// The contract's type `ThrottleDetail` (namespace "http://www.kareo.com/api/schemas/").
using ThrottleDetail = kareo_wire::kareo__ThrottleDetail;
/// The contract's type `TransactionData` (namespace "http://www.kareo.com/api/schemas/").
using TransactionData = kareo_wire::kareo__TransactionData;
/// The contract's type `TransactionFieldsToReturn` (namespace "http://www.kareo.com/api/schemas/").
using TransactionFieldsToReturn = kareo_wire::kareo__TransactionFieldsToReturn;
/// The contract's type `TransactionFilter` (namespace "http://www.kareo.com/api/schemas/").
using TransactionFilter = kareo_wire::kareo__TransactionFilter;
/// The contract's type `UB04Req` (namespace "http://www.kareo.com/api/schemas/").
using UB04Req = kareo_wire::kareo__UB04Req;
/// The contract's type `ArrayOfProcedureCodeData` (namespace "http://www.kareo.com/api/schemas").
using ArrayOfProcedureCodeData = kareo_wire::kareons__ArrayOfProcedureCodeData;
/// The contract's type `ArrayOfServiceLocationData` (namespace "http://www.kareo.com/api/schemas").
using ArrayOfServiceLocationData = kareo_wire::kareons__ArrayOfServiceLocationData;
/// The contract's type `ProcedureCodeData` (namespace "http://www.kareo.com/api/schemas").
using ProcedureCodeData = kareo_wire::kareons__ProcedureCodeData;
/// The contract's type `ProcedureCodeFieldsToReturn` (namespace "http://www.kareo.com/api/schemas").
using ProcedureCodeFieldsToReturn = kareo_wire::kareons__ProcedureCodeFieldsToReturn;
/// The contract's type `ProcedureCodeFilter` (namespace "http://www.kareo.com/api/schemas").
using ProcedureCodeFilter = kareo_wire::kareons__ProcedureCodeFilter;
/// The contract's type `ServiceLocationData` (namespace "http://www.kareo.com/api/schemas").
using ServiceLocationData = kareo_wire::kareons__ServiceLocationData;
/// The contract's type `ServiceLocationFieldsToReturn` (namespace "http://www.kareo.com/api/schemas").
using ServiceLocationFieldsToReturn = kareo_wire::kareons__ServiceLocationFieldsToReturn;
/// The contract's type `ServiceLocationFilter` (namespace "http://www.kareo.com/api/schemas").
using ServiceLocationFilter = kareo_wire::kareons__ServiceLocationFilter;
/// The contract's type `ArrayOfint` (namespace "http://schemas.microsoft.com/2003/10/Serialization/Arrays").
using ArrayOfint = kareo_wire::arr__ArrayOfint;
/// The contract's type `ArrayOflong` (namespace "http://schemas.microsoft.com/2003/10/Serialization/Arrays").
using ArrayOflong = kareo_wire::arr__ArrayOflong;
/// The contract's type `ArrayOfstring` (namespace "http://schemas.microsoft.com/2003/10/Serialization/Arrays").
using ArrayOfstring = kareo_wire::arr__ArrayOfstring;
/// The contract's type `ArrayOfDayOfWeek` (namespace "http://schemas.datacontract.org/2004/07/System").
using ArrayOfDayOfWeek = kareo_wire::sys__ArrayOfDayOfWeek;
/// The contract's type `CreateAppointmentReq` (namespace "http://www.kareo.com/api/schemas/").
using CreateAppointmentReq = kareo_wire::kareo__CreateAppointmentReq;
/// The contract's type `CreateAppointmentResp` (namespace "http://www.kareo.com/api/schemas/").
using CreateAppointmentResp = kareo_wire::kareo__CreateAppointmentResp;
/// The contract's type `CreateDocumentReq` (namespace "http://www.kareo.com/api/schemas/").
using CreateDocumentReq = kareo_wire::kareo__CreateDocumentReq;
/// The contract's type `CreateDocumentResp` (namespace "http://www.kareo.com/api/schemas/").
using CreateDocumentResp = kareo_wire::kareo__CreateDocumentResp;
/// The contract's type `CreateEncounterReq` (namespace "http://www.kareo.com/api/schemas/").
using CreateEncounterReq = kareo_wire::kareo__CreateEncounterReq;
/// The contract's type `CreateEncounterResp` (namespace "http://www.kareo.com/api/schemas/").
using CreateEncounterResp = kareo_wire::kareo__CreateEncounterResp;
/// The contract's type `CreatePatientReq` (namespace "http://www.kareo.com/api/schemas/").
using CreatePatientReq = kareo_wire::kareo__CreatePatientReq;
/// The contract's type `CreatePaymentRequest` (namespace "http://www.kareo.com/api/schemas/").
using CreatePaymentRequest = kareo_wire::kareo__CreatePaymentRequest;
/// The contract's type `CreatePaymentResp` (namespace "http://www.kareo.com/api/schemas/").
using CreatePaymentResp = kareo_wire::kareo__CreatePaymentResp;
/// The contract's type `DeleteAppointmentReq` (namespace "http://www.kareo.com/api/schemas/").
using DeleteAppointmentReq = kareo_wire::kareo__DeleteAppointmentReq;
/// The contract's type `DeleteAppointmentResp` (namespace "http://www.kareo.com/api/schemas/").
using DeleteAppointmentResp = kareo_wire::kareo__DeleteAppointmentResp;
/// The contract's type `DeleteDocumentReq` (namespace "http://www.kareo.com/api/schemas/").
using DeleteDocumentReq = kareo_wire::kareo__DeleteDocumentReq;
/// The contract's type `DeleteDocumentResp` (namespace "http://www.kareo.com/api/schemas/").
using DeleteDocumentResp = kareo_wire::kareo__DeleteDocumentResp;
/// The contract's type `GetAllPatientsReq` (namespace "http://www.kareo.com/api/schemas/").
using GetAllPatientsReq = kareo_wire::kareo__GetAllPatientsReq;
/// The contract's type `GetAllPatientsResp` (namespace "http://www.kareo.com/api/schemas/").
using GetAllPatientsResp = kareo_wire::kareo__GetAllPatientsResp;
/// The contract's type `GetAppointmentReq` (namespace "http://www.kareo.com/api/schemas/").
using GetAppointmentReq = kareo_wire::kareo__GetAppointmentReq;
/// The contract's type `GetAppointmentResp` (namespace "http://www.kareo.com/api/schemas/").
using GetAppointmentResp = kareo_wire::kareo__GetAppointmentResp;
/// The contract's type `GetAppointmentsReq` (namespace "http://www.kareo.com/api/schemas/").
using GetAppointmentsReq = kareo_wire::kareo__GetAppointmentsReq;
/// The contract's type `GetAppointmentsResp` (namespace "http://www.kareo.com/api/schemas/").
using GetAppointmentsResp = kareo_wire::kareo__GetAppointmentsResp;
/// The contract's type `GetChargesReq` (namespace "http://www.kareo.com/api/schemas/").
using GetChargesReq = kareo_wire::kareo__GetChargesReq;
/// The contract's type `GetChargesResp` (namespace "http://www.kareo.com/api/schemas/").
using GetChargesResp = kareo_wire::kareo__GetChargesResp;
/// The contract's type `GetEncounterDetailsReq` (namespace "http://www.kareo.com/api/schemas/").
using GetEncounterDetailsReq = kareo_wire::kareo__GetEncounterDetailsReq;
/// The contract's type `GetEncounterDetailsResp` (namespace "http://www.kareo.com/api/schemas/").
using GetEncounterDetailsResp = kareo_wire::kareo__GetEncounterDetailsResp;
/// The contract's type `GetExternalVendorsReq` (namespace "http://www.kareo.com/api/schemas/").
using GetExternalVendorsReq = kareo_wire::kareo__GetExternalVendorsReq;
/// The contract's type `GetExternalVendorsResp` (namespace "http://www.kareo.com/api/schemas/").
using GetExternalVendorsResp = kareo_wire::kareo__GetExternalVendorsResp;
/// The contract's type `GetPatientReq` (namespace "http://www.kareo.com/api/schemas/").
using GetPatientReq = kareo_wire::kareo__GetPatientReq;
/// The contract's type `GetPatientResp` (namespace "http://www.kareo.com/api/schemas/").
using GetPatientResp = kareo_wire::kareo__GetPatientResp;
/// The contract's type `GetPatientsReq` (namespace "http://www.kareo.com/api/schemas/").
using GetPatientsReq = kareo_wire::kareo__GetPatientsReq;
/// The contract's type `GetPatientsResp` (namespace "http://www.kareo.com/api/schemas/").
using GetPatientsResp = kareo_wire::kareo__GetPatientsResp;
/// The contract's type `GetPaymentsReq` (namespace "http://www.kareo.com/api/schemas/").
using GetPaymentsReq = kareo_wire::kareo__GetPaymentsReq;
/// The contract's type `GetPaymentsResp` (namespace "http://www.kareo.com/api/schemas/").
using GetPaymentsResp = kareo_wire::kareo__GetPaymentsResp;
/// The contract's type `GetPracticesReq` (namespace "http://www.kareo.com/api/schemas/").
using GetPracticesReq = kareo_wire::kareo__GetPracticesReq;
/// The contract's type `GetPracticesResp` (namespace "http://www.kareo.com/api/schemas/").
using GetPracticesResp = kareo_wire::kareo__GetPracticesResp;
/// The contract's type `GetProvidersReq` (namespace "http://www.kareo.com/api/schemas/").
using GetProvidersReq = kareo_wire::kareo__GetProvidersReq;
/// The contract's type `GetProvidersResp` (namespace "http://www.kareo.com/api/schemas/").
using GetProvidersResp = kareo_wire::kareo__GetProvidersResp;
/// The contract's type `GetThrottlesReq` (namespace "http://www.kareo.com/api/schemas/").
using GetThrottlesReq = kareo_wire::kareo__GetThrottlesReq;
/// The contract's type `GetThrottlesResp` (namespace "http://www.kareo.com/api/schemas/").
using GetThrottlesResp = kareo_wire::kareo__GetThrottlesResp;
/// The contract's type `GetTransactionsReq` (namespace "http://www.kareo.com/api/schemas/").
using GetTransactionsReq = kareo_wire::kareo__GetTransactionsReq;
/// The contract's type `GetTransactionsResp` (namespace "http://www.kareo.com/api/schemas/").
using GetTransactionsResp = kareo_wire::kareo__GetTransactionsResp;
/// The contract's type `GroupPatientSummary` (namespace "http://www.kareo.com/api/schemas/").
using GroupPatientSummary = kareo_wire::kareo__GroupPatientSummary;
/// The contract's type `ModifyPatientResp` (namespace "http://www.kareo.com/api/schemas/").
using ModifyPatientResp = kareo_wire::kareo__ModifyPatientResp;
/// The contract's type `PatientEmployerReq` (namespace "http://www.kareo.com/api/schemas/").
using PatientEmployerReq = kareo_wire::kareo__PatientEmployerReq;
/// The contract's type `RegisterExternalVendorReq` (namespace "http://www.kareo.com/api/schemas/").
using RegisterExternalVendorReq = kareo_wire::kareo__RegisterExternalVendorReq;
/// The contract's type `RegisterExternalVendorResp` (namespace "http://www.kareo.com/api/schemas/").
using RegisterExternalVendorResp = kareo_wire::kareo__RegisterExternalVendorResp;
/// The contract's type `UpdateAppointmentReq` (namespace "http://www.kareo.com/api/schemas/").
using UpdateAppointmentReq = kareo_wire::kareo__UpdateAppointmentReq;
/// The contract's type `UpdateAppointmentResp` (namespace "http://www.kareo.com/api/schemas/").
using UpdateAppointmentResp = kareo_wire::kareo__UpdateAppointmentResp;
/// The contract's type `UpdateEncounterStatusReq` (namespace "http://www.kareo.com/api/schemas/").
using UpdateEncounterStatusReq = kareo_wire::kareo__UpdateEncounterStatusReq;
/// The contract's type `UpdatePatientReq` (namespace "http://www.kareo.com/api/schemas/").
using UpdatePatientReq = kareo_wire::kareo__UpdatePatientReq;
/// The contract's type `UpdatePatientsExternalIDReq` (namespace "http://www.kareo.com/api/schemas/").
using UpdatePatientsExternalIDReq = kareo_wire::kareo__UpdatePatientsExternalIDReq;
/// The contract's type `UpdatePatientsExternalIDResp` (namespace "http://www.kareo.com/api/schemas/").
using UpdatePatientsExternalIDResp = kareo_wire::kareo__UpdatePatientsExternalIDResp;
/// The contract's type `GetProcedureCodesReq` (namespace "http://www.kareo.com/api/schemas").
using GetProcedureCodesReq = kareo_wire::kareons__GetProcedureCodesReq;
/// The contract's type `GetProcedureCodesResp` (namespace "http://www.kareo.com/api/schemas").
using GetProcedureCodesResp = kareo_wire::kareons__GetProcedureCodesResp;
/// The contract's type `GetServiceLocationsReq` (namespace "http://www.kareo.com/api/schemas").
using GetServiceLocationsReq = kareo_wire::kareons__GetServiceLocationsReq;
/// The contract's type `GetServiceLocationsResp` (namespace "http://www.kareo.com/api/schemas").
using GetServiceLocationsResp = kareo_wire::kareons__GetServiceLocationsResp;
/// The contract's enumeration `AppointmentStatus` (namespace "http://www.kareo.com/api/schemas/").
using AppointmentStatus = kareo_wire::kareo__AppointmentStatus;
/// The contract's enumeration `AppointmentType` (namespace "http://www.kareo.com/api/schemas/").
using AppointmentType = kareo_wire::kareo__AppointmentType;
/// The contract's enumeration `AttendeeStatus` (namespace "http://www.kareo.com/api/schemas/").
using AttendeeStatus = kareo_wire::kareo__AttendeeStatus;
/// The contract's enumeration `DocumentLabel` (namespace "http://www.kareo.com/api/schemas/").
using DocumentLabel = kareo_wire::kareo__DocumentLabel;
/// The contract's enumeration `DocumentStatus` (namespace "http://www.kareo.com/api/schemas/").
using DocumentStatus = kareo_wire::kareo__DocumentStatus;
/// The contract's enumeration `DocumentType` (namespace "http://www.kareo.com/api/schemas/").
using DocumentType = kareo_wire::kareo__DocumentType;
/// The contract's enumeration `Ordinal` (namespace "http://www.kareo.com/api/schemas/").
using Ordinal = kareo_wire::kareo__Ordinal;
/// The contract's enumeration `TypeOfDay` (namespace "http://www.kareo.com/api/schemas/").
using TypeOfDay = kareo_wire::kareo__TypeOfDay;
/// The contract's enumeration `EPSDTReasonCode` (namespace "http://schemas.datacontract.org/2004/07/KareoServicesWCF").
using EPSDTReasonCode = kareo_wire::wcf__EPSDTReasonCode;
/// The contract's enumeration `EmploymentStatusCode` (namespace
/// "http://schemas.datacontract.org/2004/07/KareoServicesWCF").
using EmploymentStatusCode = kareo_wire::wcf__EmploymentStatusCode;
/// The contract's enumeration `EncounterStatusCode` (namespace
/// "http://schemas.datacontract.org/2004/07/KareoServicesWCF").
using EncounterStatusCode = kareo_wire::wcf__EncounterStatusCode;
/// The contract's enumeration `GenderCode` (namespace "http://schemas.datacontract.org/2004/07/KareoServicesWCF").
using GenderCode = kareo_wire::wcf__GenderCode;
/// The contract's enumeration `PaymentMethodCode` (namespace
/// "http://schemas.datacontract.org/2004/07/KareoServicesWCF").
using PaymentMethodCode = kareo_wire::wcf__PaymentMethodCode;
/// The contract's enumeration `Relationship` (namespace "http://schemas.datacontract.org/2004/07/KareoServicesWCF").
using Relationship = kareo_wire::wcf__Relationship;
/// The contract's enumeration `AppointmentMode` (namespace
/// "http://schemas.datacontract.org/2004/07/AppointmentDomain_.Model").
using AppointmentMode = kareo_wire::appt__AppointmentMode;
/// The contract's enumeration `DayOfWeek` (namespace "http://schemas.datacontract.org/2004/07/System").
using DayOfWeek = kareo_wire::sys__DayOfWeek;

}  // namespace kareo
