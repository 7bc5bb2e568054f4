#include "wcf_xml.hpp"

#include <cstdio>
#include <cstring>

namespace kareo_bench {
namespace {

// Member names in the contract's wire order (base-first, ordinal), from generated/KareoServices.h.
const char* const kPatientColumns[] = {
    "AddressLine1",
    "AddressLine2",
    "Adjustments",
    "Age",
    "AlertMessage",
    "AlertShowWhenDisplayingPatientDetails",
    "AlertShowWhenEnteringEncounters",
    "AlertShowWhenPostingPayments",
    "AlertShowWhenPreparingPatientStatements",
    "AlertShowWhenSchedulingAppointments",
    "AlertShowWhenViewingClaimDetails",
    "Cases",
    "Charges",
    "City",
    "CollectionCategoryName",
    "Country",
    "CreatedDate",
    "DOB",
    "DefaultCaseConditionRelatedToAbuse",
    "DefaultCaseConditionRelatedToAutoAccident",
    "DefaultCaseConditionRelatedToAutoAccidentState",
    "DefaultCaseConditionRelatedToEPSDT",
    "DefaultCaseConditionRelatedToEmergency",
    "DefaultCaseConditionRelatedToEmployment",
    "DefaultCaseConditionRelatedToFamilyPlanning",
    "DefaultCaseConditionRelatedToOther",
    "DefaultCaseConditionRelatedToPregnancy",
    "DefaultCaseDatesAccidentDate",
    "DefaultCaseDatesAcuteManifestationDate",
    "DefaultCaseDatesInjuryEndDate",
    "DefaultCaseDatesInjuryStartDate",
    "DefaultCaseDatesLastMenstrualPeriodDate",
    "DefaultCaseDatesLastSeenDate",
    "DefaultCaseDatesLastXRayDate",
    "DefaultCaseDatesReferralDate",
    "DefaultCaseDatesRelatedDisabilityEndDate",
    "DefaultCaseDatesRelatedDisabilityStartDate",
    "DefaultCaseDatesRelatedHospitalizationEndDate",
    "DefaultCaseDatesRelatedHospitalizationStartDate",
    "DefaultCaseDatesSameOrSimilarIllnessEndDate",
    "DefaultCaseDatesSameOrSimilarIllnessStartDate",
    "DefaultCaseDatesUnableToWorkEndDate",
    "DefaultCaseDatesUnableToWorkStartDate",
    "DefaultCaseDescription",
    "DefaultCaseID",
    "DefaultCaseName",
    "DefaultCasePayerScenario",
    "DefaultCaseReferringProviderFullName",
    "DefaultCaseReferringProviderID",
    "DefaultCaseSendPatientStatements",
    "DefaultRenderingProviderFullName",
    "DefaultRenderingProviderId",
    "DefaultServiceLocationBillingName",
    "DefaultServiceLocationFaxPhone",
    "DefaultServiceLocationFaxPhoneExt",
    "DefaultServiceLocationId",
    "DefaultServiceLocationName",
    "DefaultServiceLocationNameAddressLine1",
    "DefaultServiceLocationNameAddressLine2",
    "DefaultServiceLocationNameCity",
    "DefaultServiceLocationNameCountry",
    "DefaultServiceLocationNameState",
    "DefaultServiceLocationNameZipCode",
    "DefaultServiceLocationPhone",
    "DefaultServiceLocationPhoneExt",
    "EmailAddress",
    "EmergencyName",
    "EmergencyPhone",
    "EmergencyPhoneExt",
    "EmployerName",
    "EmploymentStatus",
    "FirstName",
    "Gender",
    "GuarantorDifferentThanPatient",
    "GuarantorFirstName",
    "GuarantorLastName",
    "GuarantorMiddleName",
    "GuarantorPrefix",
    "GuarantorSuffix",
    "HomePhone",
    "HomePhoneExt",
    "ID",
    "InsuranceBalance",
    "InsurancePayments",
    "LastAppointmentDate",
    "LastDiagnosis",
    "LastEncounterDate",
    "LastModifiedDate",
    "LastName",
    "LastPaymentDate",
    "LastStatementDate",
    "MaritalStatus",
    "MedicalRecordNumber",
    "MiddleName",
    "MobilePhone",
    "MobilePhoneExt",
    "MostRecentNote1Date",
    "MostRecentNote1Message",
    "MostRecentNote1User",
    "MostRecentNote2Date",
    "MostRecentNote2Message",
    "MostRecentNote2User",
    "MostRecentNote3Date",
    "MostRecentNote3Message",
    "MostRecentNote3User",
    "MostRecentNote4Date",
    "MostRecentNote4Message",
    "MostRecentNote4User",
    "PatientBalance",
    "PatientFullName",
    "PatientPayments",
    "PracticeId",
    "PracticeName",
    "Prefix",
    "PrimaryCarePhysicianFullName",
    "PrimaryCarePhysicianId",
    "PrimaryInsurancePolicyCompanyID",
    "PrimaryInsurancePolicyCompanyName",
    "PrimaryInsurancePolicyCopay",
    "PrimaryInsurancePolicyDeductible",
    "PrimaryInsurancePolicyEffectiveEndDate",
    "PrimaryInsurancePolicyEffectiveStartDate",
    "PrimaryInsurancePolicyGroupNumber",
    "PrimaryInsurancePolicyInsuredAddressLine1",
    "PrimaryInsurancePolicyInsuredAddressLine2",
    "PrimaryInsurancePolicyInsuredCity",
    "PrimaryInsurancePolicyInsuredCountry",
    "PrimaryInsurancePolicyInsuredDateOfBirth",
    "PrimaryInsurancePolicyInsuredFullName",
    "PrimaryInsurancePolicyInsuredGender",
    "PrimaryInsurancePolicyInsuredIDNumber",
    "PrimaryInsurancePolicyInsuredNotes",
    "PrimaryInsurancePolicyInsuredSocialSecurityNumber",
    "PrimaryInsurancePolicyInsuredState",
    "PrimaryInsurancePolicyInsuredZipCode",
    "PrimaryInsurancePolicyNumber",
    "PrimaryInsurancePolicyPatientRelationshipToInsured",
    "PrimaryInsurancePolicyPlanAddressLine1",
    "PrimaryInsurancePolicyPlanAddressLine2",
    "PrimaryInsurancePolicyPlanAdjusterFullName",
    "PrimaryInsurancePolicyPlanCity",
    "PrimaryInsurancePolicyPlanCountry",
    "PrimaryInsurancePolicyPlanFaxNumber",
    "PrimaryInsurancePolicyPlanFaxNumberExt",
    "PrimaryInsurancePolicyPlanID",
    "PrimaryInsurancePolicyPlanName",
    "PrimaryInsurancePolicyPlanPhoneNumber",
    "PrimaryInsurancePolicyPlanPhoneNumberExt",
    "PrimaryInsurancePolicyPlanState",
    "PrimaryInsurancePolicyPlanZipCode",
    "ReferralSource",
    "ReferringProviderFullName",
    "ReferringProviderId",
    "SSN",
    "SecondaryInsurancePolicyCompanyID",
    "SecondaryInsurancePolicyCompanyName",
    "SecondaryInsurancePolicyCopay",
    "SecondaryInsurancePolicyDeductible",
    "SecondaryInsurancePolicyEffectiveEndDate",
    "SecondaryInsurancePolicyEffectiveStartDate",
    "SecondaryInsurancePolicyGroupNumber",
    "SecondaryInsurancePolicyInsuredAddressLine1",
    "SecondaryInsurancePolicyInsuredAddressLine2",
    "SecondaryInsurancePolicyInsuredCity",
    "SecondaryInsurancePolicyInsuredCountry",
    "SecondaryInsurancePolicyInsuredDateOfBirth",
    "SecondaryInsurancePolicyInsuredFullName",
    "SecondaryInsurancePolicyInsuredGender",
    "SecondaryInsurancePolicyInsuredIDNumber",
    "SecondaryInsurancePolicyInsuredNotes",
    "SecondaryInsurancePolicyInsuredSocialSecurityNumber",
    "SecondaryInsurancePolicyInsuredState",
    "SecondaryInsurancePolicyInsuredZipCode",
    "SecondaryInsurancePolicyNumber",
    "SecondaryInsurancePolicyPatientRelationshipToInsured",
    "SecondaryInsurancePolicyPlanAddressLine1",
    "SecondaryInsurancePolicyPlanAddressLine2",
    "SecondaryInsurancePolicyPlanAdjusterFullName",
    "SecondaryInsurancePolicyPlanCity",
    "SecondaryInsurancePolicyPlanCountry",
    "SecondaryInsurancePolicyPlanFaxNumber",
    "SecondaryInsurancePolicyPlanFaxNumberExt",
    "SecondaryInsurancePolicyPlanID",
    "SecondaryInsurancePolicyPlanName",
    "SecondaryInsurancePolicyPlanPhoneNumber",
    "SecondaryInsurancePolicyPlanPhoneNumberExt",
    "SecondaryInsurancePolicyPlanState",
    "SecondaryInsurancePolicyPlanZipCode",
    "State",
    "StatementNote",
    "Suffix",
    "TotalBalance",
    "WorkPhone",
    "WorkPhoneExt",
    "ZipCode",
};
const char* const kCaseColumns[] = {
    "ConditionRelatedToAbuse",
    "ConditionRelatedToAutoAccident",
    "ConditionRelatedToAutoAccidentState",
    "ConditionRelatedToEPSDT",
    "ConditionRelatedToEmergency",
    "ConditionRelatedToEmployment",
    "ConditionRelatedToFamilyPlanning",
    "ConditionRelatedToOther",
    "ConditionRelatedToPregnancy",
    "DatesAccidentDate",
    "DatesAcuteManifestationDate",
    "DatesInjuryEndDate",
    "DatesInjuryStartDate",
    "DatesLastMenstrualPeriodDate",
    "DatesLastSeenDate",
    "DatesLastXRayDate",
    "DatesReferralDate",
    "DatesRelatedDisabilityEndDate",
    "DatesRelatedDisabilityStartDate",
    "DatesRelatedHospitalizationEndDate",
    "DatesRelatedHospitalizationStartDate",
    "DatesSameOrSimilarIllnessEndDate",
    "DatesSameOrSimilarIllnessStartDate",
    "DatesUnableToWorkEndDate",
    "DatesUnableToWorkStartDate",
    "Description",
    "InsurancePolicies",
    "IsPrimaryCase",
    "Name",
    "PatientCaseID",
    "PayerScenario",
    "ReferringProviderFullName",
    "ReferringProviderID",
    "SendPatientStatements",
};
const char* const kPolicyColumns[] = {
    "Authorizations",
    "CompanyID",
    "CompanyName",
    "Copay",
    "Deductible",
    "EffectiveEndDate",
    "EffectiveStartDate",
    "GroupNumber",
    "InsurancePolicyID",
    "InsuredAddressLine1",
    "InsuredAddressLine2",
    "InsuredCity",
    "InsuredCountry",
    "InsuredDateOfBirth",
    "InsuredFullName",
    "InsuredGender",
    "InsuredIDNumber",
    "InsuredNotes",
    "InsuredSocialSecurityNumber",
    "InsuredState",
    "InsuredZipCode",
    "Number",
    "PatientCaseID",
    "PatientRelationshipToInsured",
    "PlanAddressLine1",
    "PlanAddressLine2",
    "PlanAdjusterFullName",
    "PlanCity",
    "PlanCountry",
    "PlanFaxNumber",
    "PlanFaxNumberExt",
    "PlanID",
    "PlanName",
    "PlanPhoneNumber",
    "PlanPhoneNumberExt",
    "PlanState",
    "PlanZipCode",
    "SyncWithEHR",
};
const char* const kPracticeColumns[] = {
    "Active",
    "AdministratorAddressLine1",
    "AdministratorAddressLine2",
    "AdministratorCity",
    "AdministratorCountry",
    "AdministratorEmail",
    "AdministratorFax",
    "AdministratorFaxExt",
    "AdministratorFullName",
    "AdministratorPhone",
    "AdministratorPhoneExt",
    "AdministratorState",
    "AdministratorZipCode",
    "BillingContactAddressLine1",
    "BillingContactAddressLine2",
    "BillingContactCity",
    "BillingContactCountry",
    "BillingContactEmail",
    "BillingContactFax",
    "BillingContactFaxExt",
    "BillingContactFullName",
    "BillingContactPhone",
    "BillingContactPhoneExt",
    "BillingContactState",
    "BillingContactZipCode",
    "CreatedDate",
    "Email",
    "Fax",
    "FaxExt",
    "ID",
    "LastModifiedDate",
    "NPI",
    "Notes",
    "Phone",
    "PhoneExt",
    "PracticeAddressLine1",
    "PracticeAddressLine2",
    "PracticeCity",
    "PracticeCountry",
    "PracticeName",
    "PracticeState",
    "PracticeZipCode",
    "SubscriptionEdition",
    "TaxID",
    "WebSite",
    "kFaxNumber",
};
template <std::size_t N>
constexpr std::size_t count(const char* const (&)[N]) {
  return N;
}

bool contains(const char* s, const char* part) { return std::strstr(s, part) != nullptr; }
bool ends_with(const char* s, const char* tail) {
  const std::size_t n = std::strlen(s), m = std::strlen(tail);
  return n >= m && std::strcmp(s + n - m, tail) == 0;
}

// A value in the text format the service uses for a column of this name.
void value_for(const char* column, std::size_t row, std::string& out) {
  char buf[96];
  if (std::strncmp(column, "Alert", 5) == 0 && std::strcmp(column, "AlertMessage") != 0) {
    out += (row % 3 == 0) ? "True" : "False";
  } else if (contains(column, "Date") || std::strcmp(column, "DOB") == 0) {
    std::snprintf(buf, sizeof buf, "%zu/%zu/%zu %zu:%02zu:00 %s", row % 12 + 1, row % 28 + 1, 1950 + row % 60,
                  row % 12 + 1, row % 60, (row & 1) ? "PM" : "AM");
    out += buf;
  } else if (ends_with(column, "ID") || ends_with(column, "Id")) {
    std::snprintf(buf, sizeof buf, "%zu", 100000 + row);
    out += buf;
  } else if (contains(column, "Phone") || contains(column, "Fax")) {
    std::snprintf(buf, sizeof buf, "(555) 01%zu-%04zu", row % 10, row % 10000);
    out += buf;
  } else if (contains(column, "Charges") || contains(column, "Balance") || contains(column, "Payments") ||
             contains(column, "Adjustments") || contains(column, "Copay") || contains(column, "Deductible")) {
    std::snprintf(buf, sizeof buf, "%zu.%02zu", row % 5000, row % 100);
    out += buf;
  } else if (contains(column, "ZipCode")) {
    std::snprintf(buf, sizeof buf, "%05zu", row % 100000);
    out += buf;
  } else if (contains(column, "Email")) {
    std::snprintf(buf, sizeof buf, "testpatient%zu@example.test", row);
    out += buf;
  } else if (std::strcmp(column, "Gender") == 0) {
    out += (row & 1) ? "Female" : "Male";
  } else if (contains(column, "State")) {
    out += "CA";
  } else if (contains(column, "Name")) {
    std::snprintf(buf, sizeof buf, "Testpatient %zu &amp; Co", row);
    out += buf;
  } else {
    std::snprintf(buf, sizeof buf, "Synthetic %s %zu", column, row);
    out += buf;
  }
}

// One element per column; every 13th (by position, never the ID) absent and sent as i:nil, the way WCF
// marks nulls.
template <std::size_t N>
void columns(const char* const (&names)[N], std::size_t row, std::string& out, const char* nested = nullptr,
             void (*nested_writer)(std::size_t, std::string&) = nullptr) {
  for (std::size_t i = 0; i < N; ++i) {
    const char* name = names[i];
    out += '<';
    out += name;
    if (nested && std::strcmp(name, nested) == 0) {
      out += '>';
      nested_writer(row, out);
    } else if ((i + row) % 13 == 0 && std::strcmp(name, "ID") != 0) {
      out += " i:nil=\"true\"/>";
      continue;
    } else {
      out += '>';
      value_for(name, row, out);
    }
    out += "</";
    out += name;
    out += '>';
  }
}

void policy(std::size_t row, std::string& out) {
  out += "<PatientInsurancePolicyData>";
  for (std::size_t i = 0; i < count(kPolicyColumns); ++i) {
    const char* name = kPolicyColumns[i];
    if (std::strcmp(name, "Authorizations") == 0) {
      out += "<Authorizations/>";
    } else if (std::strcmp(name, "SyncWithEHR") == 0) {
      out += "<SyncWithEHR>false</SyncWithEHR>";
    } else {
      out += '<';
      out += name;
      out += '>';
      value_for(name, row, out);
      out += "</";
      out += name;
      out += '>';
    }
  }
  out += "</PatientInsurancePolicyData>";
}

void one_case(std::size_t row, std::string& out) {
  out += "<PatientCaseData>";
  for (std::size_t i = 0; i < count(kCaseColumns); ++i) {
    const char* name = kCaseColumns[i];
    if (std::strcmp(name, "InsurancePolicies") == 0) {
      out += "<InsurancePolicies>";
      policy(row, out);
      out += "</InsurancePolicies>";
    } else if (std::strcmp(name, "IsPrimaryCase") == 0) {
      out += "<IsPrimaryCase>true</IsPrimaryCase>";
    } else {
      out += '<';
      out += name;
      out += '>';
      value_for(name, row, out);
      out += "</";
      out += name;
      out += '>';
    }
  }
  out += "</PatientCaseData>";
}

const char kEnvelopeOpen[] = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>";
const char kEnvelopeClose[] = "</s:Body></s:Envelope>";
const char kResultHead[] =
    "<ErrorResponse><ErrorMessage i:nil=\"true\"/><IsError>false</IsError><StackTrace i:nil=\"true\"/>"
    "</ErrorResponse><SecurityResponse><Authenticated>true</Authenticated><Authorized>true</Authorized>"
    "<CustomerId>1</CustomerId><CustomerKeyValid>true</CustomerKeyValid><PermissionsMissing i:nil=\"true\"/>"
    "<PracticesAuthorized i:nil=\"true\"/><SecurityResult>Success</SecurityResult>"
    "<SecurityResultSuccess>true</SecurityResultSuccess></SecurityResponse>";

void open_response(const char* op, std::string& out) {
  out += kEnvelopeOpen;
  out += '<';
  out += op;
  out += "Response xmlns=\"http://www.kareo.com/api/schemas/\"><";
  out += op;
  out += "Result xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">";
}

void close_response(const char* op, std::string& out) {
  out += "</";
  out += op;
  out += "Result></";
  out += op;
  out += "Response>";
  out += kEnvelopeClose;
}

std::string http(int status, const std::string& body) {
  std::string out = status == 200 ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 500 Internal Server Error\r\n";
  out += "Content-Type: text/xml; charset=utf-8\r\nContent-Length: ";
  out += std::to_string(body.size());
  out += "\r\n\r\n";
  out += body;
  return out;
}

}  // namespace

std::string wcf_get_patients_envelope(std::size_t rows, unsigned seed) {
  std::string out;
  out.reserve(1024 + rows * 14000);
  open_response("GetPatients", out);
  out += kResultHead;
  out += "<Patients>";
  for (std::size_t r = 0; r < rows; ++r) {
    out += "<PatientData>";
    columns(kPatientColumns, r + seed, out, "Cases", [](std::size_t row, std::string& o) { one_case(row, o); });
    out += "</PatientData>";
  }
  out += "</Patients>";
  close_response("GetPatients", out);
  return out;
}

std::string wcf_get_patients_http(std::size_t rows, unsigned seed) {
  return http(200, wcf_get_patients_envelope(rows, seed));
}

std::string wcf_get_practices_http(std::size_t rows) {
  std::string out;
  open_response("GetPractices", out);
  out += kResultHead;
  out += "<Practices>";
  for (std::size_t r = 0; r < rows; ++r) {
    out += "<PracticeData>";
    columns(kPracticeColumns, r, out);
    out += "</PracticeData>";
  }
  out += "</Practices>";
  close_response("GetPractices", out);
  return http(200, out);
}

std::string wcf_error_response_http(const std::string& operation, const std::string& message) {
  std::string out;
  open_response(operation.c_str(), out);
  out += "<ErrorResponse><ErrorMessage>";
  out += message;
  out += "</ErrorMessage><IsError>true</IsError><StackTrace i:nil=\"true\"/></ErrorResponse>";
  out += "<SecurityResponse i:nil=\"true\"/>";
  close_response(operation.c_str(), out);
  return http(200, out);
}

std::string wcf_not_authorized_http(const std::string& operation) {
  std::string out;
  open_response(operation.c_str(), out);
  out +=
      "<ErrorResponse><ErrorMessage i:nil=\"true\"/><IsError>false</IsError><StackTrace i:nil=\"true\"/>"
      "</ErrorResponse><SecurityResponse><Authenticated>true</Authenticated><Authorized>false</Authorized>"
      "<CustomerId>1</CustomerId><CustomerKeyValid>true</CustomerKeyValid>"
      "<PermissionsMissing><Permission xmlns:a=\"http://schemas.microsoft.com/2003/10/Serialization/Arrays\">"
      "<a:string>Patient.Read</a:string></Permission></PermissionsMissing>"
      "<PracticesAuthorized><PracticeID xmlns:a=\"http://schemas.microsoft.com/2003/10/Serialization/Arrays\">"
      "<a:int>1</a:int></PracticeID></PracticesAuthorized>"
      "<SecurityResult>Permission denied</SecurityResult><SecurityResultSuccess>false</SecurityResultSuccess>"
      "</SecurityResponse>";
  close_response(operation.c_str(), out);
  return http(200, out);
}

std::string wcf_internal_fault_http() {
  std::string out = kEnvelopeOpen;
  out +=
      "<s:Fault><faultcode xmlns:a=\"http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/"
      "dispatcher\">a:InternalServiceFault</faultcode><faultstring xml:lang=\"en-US\">The server was unable to "
      "process the request due to an internal error.</faultstring></s:Fault>";
  out += kEnvelopeClose;
  return http(500, out);
}

}  // namespace kareo_bench
