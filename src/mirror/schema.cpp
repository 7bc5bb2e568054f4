// The mirror's tables and typed columns, and the conversion of a record's text members into column values.
#include "mirror/schema.hpp"

#include <cctype>
#include <cstdlib>

#include "kareo/datetime.hpp"

namespace kareo {

namespace {

using K = ColumnKind;

const std::vector<MirrorColumn> kPatients = {
    {"first_name", K::Text, "FirstName"},
    {"middle_name", K::Text, "MiddleName"},
    {"last_name", K::Text, "LastName"},
    {"full_name", K::Text, "PatientFullName"},
    {"date_of_birth", K::Date, "DOB"},
    {"gender", K::Text, "Gender"},
    {"medical_record_number", K::Text, "MedicalRecordNumber"},
    {"email", K::Text, "EmailAddress"},
    {"home_phone", K::Text, "HomePhone"},
    {"mobile_phone", K::Text, "MobilePhone"},
    {"work_phone", K::Text, "WorkPhone"},
    {"city", K::Text, "City"},
    {"state", K::Text, "State"},
    {"zip_code", K::Text, "ZipCode"},
    {"patient_balance", K::Numeric, "PatientBalance"},
    {"insurance_balance", K::Numeric, "InsuranceBalance"},
    {"total_balance", K::Numeric, "TotalBalance"},
    {"created", K::Timestamp, "CreatedDate"},
};

const std::vector<MirrorColumn> kAppointments = {
    {"patient_id", K::Text, "PatientID"},
    {"patient_full_name", K::Text, "PatientFullName"},
    {"start_time", K::Timestamp, "StartDate"},
    {"end_time", K::Timestamp, "EndDate"},
    {"confirmation_status", K::Text, "ConfirmationStatus"},
    {"type", K::Text, "Type"},
    {"service_location_id", K::Text, "ServiceLocationID"},
    {"service_location_name", K::Text, "ServiceLocationName"},
    {"reason", K::Text, "AppointmentReason1"},
    {"all_day", K::Boolean, "AllDay"},
    {"recurring", K::Boolean, "Recurring"},
    {"created", K::Timestamp, "CreatedDate"},
};

const std::vector<MirrorColumn> kCharges = {
    {"encounter_id", K::Text, "EncounterID"},
    {"encounter_status", K::Text, "EncounterStatus"},
    {"status", K::Text, "Status"},
    {"patient_id", K::Text, "PatientID"},
    {"patient_name", K::Text, "PatientName"},
    {"appointment_id", K::Text, "AppointmentID"},
    {"procedure_code", K::Text, "ProcedureCode"},
    {"service_start_date", K::Date, "ServiceStartDate"},
    {"posting_date", K::Date, "PostingDate"},
    {"units", K::Numeric, "Units"},
    {"total_charges", K::Numeric, "TotalCharges"},
    {"receipts", K::Numeric, "Receipts"},
    {"patient_balance", K::Numeric, "PatientBalance"},
    {"insurance_balance", K::Numeric, "InsuranceBalance"},
    {"total_balance", K::Numeric, "TotalBalance"},
    {"rendering_provider_id", K::Text, "RenderingProviderID"},
};

const std::vector<MirrorColumn> kPayments = {
    {"payer_name", K::Text, "PayerName"},
    {"payer_type", K::Text, "PayerType"},
    {"payment_method", K::Text, "PaymentMethod"},
    {"reference_number", K::Text, "ReferenceNumber"},
    {"appointment_id", K::Text, "AppointmentID"},
    {"post_date", K::Date, "PostDate"},
    {"amount", K::Numeric, "Amount"},
    {"applied", K::Numeric, "Applied"},
    {"unapplied", K::Numeric, "Unapplied"},
    {"adjustments", K::Numeric, "Adjustments"},
    {"refunds", K::Numeric, "Refunds"},
};

const std::vector<MirrorColumn> kTransactions = {
    {"patient_id", K::Text, "PatientID"},
    {"claim_id", K::Text, "ClaimID"},
    {"type", K::Text, "Type"},
    {"description", K::Text, "Description"},
    {"payer_type", K::Text, "PayerType"},
    {"procedure_code", K::Text, "ProcedureCode"},
    {"transaction_date", K::Date, "TransactionDate"},
    {"posting_date", K::Date, "PostingDate"},
    {"service_date", K::Date, "ServiceDate"},
    {"amount", K::Numeric, "Amount"},
};

const std::vector<MirrorColumn> kPractices = {
    {"name", K::Text, "PracticeName"}, {"active", K::Boolean, "Active"}, {"npi", K::Text, "NPI"},
    {"phone", K::Text, "Phone"},       {"email", K::Text, "Email"},
};

const std::vector<MirrorColumn> kProviders = {
    {"full_name", K::Text, "FullName"}, {"first_name", K::Text, "FirstName"},
    {"last_name", K::Text, "LastName"}, {"npi", K::Text, "NationalProviderIdentifier"},
    {"type", K::Text, "Type"},          {"active", K::Boolean, "Active"},
};

const std::vector<MirrorColumn> kServiceLocations = {
    {"name", K::Text, "Name"},
    {"npi", K::Text, "NPI"},
    {"phone", K::Text, "Phone"},
    {"place_of_service", K::Text, "PlaceOfService"},
};

std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// "$1,234.50", "(12.00)", "-3" -> "1234.50", "-12.00", "-3"; empty when it is not a number.
std::optional<std::string> numeric(const std::string& text) {
  std::string s = trim(text);
  bool negative = false;
  if (s.size() >= 2 && s.front() == '(' && s.back() == ')') {
    negative = true;
    s = s.substr(1, s.size() - 2);
  }
  std::string out;
  for (char c : s) {
    if (c == '$' || c == ',' || c == ' ') continue;
    out += c;
  }
  if (out.empty()) return std::nullopt;
  char* end = nullptr;
  std::strtod(out.c_str(), &end);
  if (end != out.c_str() + out.size()) return std::nullopt;
  for (char c : out)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+')) return std::nullopt;
  if (negative) out = out.front() == '-' ? out.substr(1) : "-" + out;
  return out;
}

}  // namespace

const std::vector<MirrorTable>& mirror_tables() {
  static const std::vector<MirrorTable> tables{
      MirrorTable::Practices,    MirrorTable::Providers, MirrorTable::ServiceLocations, MirrorTable::Patients,
      MirrorTable::Appointments, MirrorTable::Charges,   MirrorTable::Payments,         MirrorTable::Transactions};
  return tables;
}

const char* mirror_table_name(MirrorTable table) noexcept {
  switch (table) {
    case MirrorTable::Patients:
      return "patients";
    case MirrorTable::Appointments:
      return "appointments";
    case MirrorTable::Charges:
      return "charges";
    case MirrorTable::Payments:
      return "payments";
    case MirrorTable::Transactions:
      return "transactions";
    case MirrorTable::Practices:
      return "practices";
    case MirrorTable::Providers:
      return "providers";
    case MirrorTable::ServiceLocations:
      return "service_locations";
  }
  return "?";
}

const std::vector<MirrorColumn>& mirror_columns(MirrorTable table) {
  switch (table) {
    case MirrorTable::Patients:
      return kPatients;
    case MirrorTable::Appointments:
      return kAppointments;
    case MirrorTable::Charges:
      return kCharges;
    case MirrorTable::Payments:
      return kPayments;
    case MirrorTable::Transactions:
      return kTransactions;
    case MirrorTable::Practices:
      return kPractices;
    case MirrorTable::Providers:
      return kProviders;
    case MirrorTable::ServiceLocations:
      break;
  }
  return kServiceLocations;
}

namespace mirror {

std::string sql_timestamp(const DateTime& t) {
  std::string iso = t.iso();
  iso[10] = ' ';
  return iso;
}

std::optional<std::string> column_value(ColumnKind kind, const std::string& text) {
  if (trim(text).empty()) return std::nullopt;
  switch (kind) {
    case ColumnKind::Text:
      return text;
    case ColumnKind::Date: {
      const auto t = DateTime::parse(trim(text));
      if (!t) return std::nullopt;
      return t->date().iso();
    }
    case ColumnKind::Timestamp: {
      const auto t = DateTime::parse(trim(text));
      if (!t) return std::nullopt;
      return sql_timestamp(*t);
    }
    case ColumnKind::Numeric:
      return numeric(text);
    case ColumnKind::Boolean: {
      const auto b = parse_bool(trim(text));
      if (!b) return std::nullopt;
      return *b ? "1" : "0";
    }
  }
  return std::nullopt;
}

MirrorRow make_row(MirrorTable table, const std::string& practice_id, const nlohmann::json& record) {
  MirrorRow row;
  row.table = table;
  row.practice_id = practice_id;
  auto member = [&](const char* name) -> std::string {
    const auto it = record.find(name);
    if (it == record.end() || !it->is_string()) return {};
    return it->get<std::string>();
  };
  row.id = member("ID");
  row.record = record.dump();
  const std::string modified = member(table == MirrorTable::ServiceLocations ? "ModifiedDate" : "LastModifiedDate");
  row.last_modified = column_value(ColumnKind::Timestamp, modified);
  for (const MirrorColumn& column : mirror_columns(table))
    row.values.push_back(column_value(column.kind, member(column.member)));
  return row;
}

std::vector<std::string> create_table_sql(MirrorTable table, const SqlTypes& types) {
  const std::string name = mirror_table_name(table);
  std::string sql = "CREATE TABLE IF NOT EXISTS " + name + " (\n  practice_id " + types.text + " NOT NULL,\n  id " +
                    types.text + " NOT NULL,\n  record " + types.json + " NOT NULL,\n  last_modified " + types.local +
                    ",\n  mirrored_at " + types.utc + " NOT NULL,\n  deleted_at " + types.utc;
  for (const MirrorColumn& column : mirror_columns(table)) {
    const char* type = types.text;
    switch (column.kind) {
      case ColumnKind::Text:
        break;
      case ColumnKind::Date:
        type = types.date;
        break;
      case ColumnKind::Timestamp:
        type = types.utc;
        break;
      case ColumnKind::Numeric:
        type = types.numeric;
        break;
      case ColumnKind::Boolean:
        type = types.boolean;
        break;
    }
    sql += ",\n  " + std::string(column.name) + " " + type;
  }
  sql += ",\n  PRIMARY KEY (practice_id, id)\n)";
  std::vector<std::string> out{sql};
  out.push_back("CREATE INDEX IF NOT EXISTS " + name + "_last_modified ON " + name + " (practice_id, last_modified)");
  if (table == MirrorTable::Appointments)
    out.push_back("CREATE INDEX IF NOT EXISTS appointments_start_time ON appointments (practice_id, start_time)");
  if (table == MirrorTable::Charges || table == MirrorTable::Transactions || table == MirrorTable::Appointments)
    out.push_back("CREATE INDEX IF NOT EXISTS " + name + "_patient ON " + name + " (practice_id, patient_id)");
  return out;
}

}  // namespace mirror
}  // namespace kareo
