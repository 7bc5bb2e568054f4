// The mirror's tables and typed columns, and the conversion of a record's text members into column values.
#include "mirror/schema.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "kareo/datetime.hpp"

namespace kareo {

namespace {

// The typed columns: which members a table shows as columns. Their kinds come from the contract.
struct Named {
  const char* name;
  const char* member;
};

const std::vector<Named> kPatients = {
    {"first_name", "FirstName"},
    {"middle_name", "MiddleName"},
    {"last_name", "LastName"},
    {"full_name", "PatientFullName"},
    {"date_of_birth", "DOB"},
    {"gender", "Gender"},
    {"medical_record_number", "MedicalRecordNumber"},
    {"email", "EmailAddress"},
    {"home_phone", "HomePhone"},
    {"mobile_phone", "MobilePhone"},
    {"work_phone", "WorkPhone"},
    {"city", "City"},
    {"state", "State"},
    {"zip_code", "ZipCode"},
    {"patient_balance", "PatientBalance"},
    {"insurance_balance", "InsuranceBalance"},
    {"total_balance", "TotalBalance"},
    {"created", "CreatedDate"},
};

const std::vector<Named> kAppointments = {
    {"patient_id", "PatientID"},
    {"patient_full_name", "PatientFullName"},
    {"start_time", "StartDate"},
    {"end_time", "EndDate"},
    {"confirmation_status", "ConfirmationStatus"},
    {"type", "Type"},
    {"service_location_id", "ServiceLocationID"},
    {"service_location_name", "ServiceLocationName"},
    {"reason", "AppointmentReason1"},
    {"all_day", "AllDay"},
    {"recurring", "Recurring"},
    {"created", "CreatedDate"},
};

const std::vector<Named> kCharges = {
    {"encounter_id", "EncounterID"},
    {"encounter_status", "EncounterStatus"},
    {"status", "Status"},
    {"patient_id", "PatientID"},
    {"patient_name", "PatientName"},
    {"appointment_id", "AppointmentID"},
    {"procedure_code", "ProcedureCode"},
    {"service_start_date", "ServiceStartDate"},
    {"posting_date", "PostingDate"},
    {"units", "Units"},
    {"total_charges", "TotalCharges"},
    {"receipts", "Receipts"},
    {"patient_balance", "PatientBalance"},
    {"insurance_balance", "InsuranceBalance"},
    {"total_balance", "TotalBalance"},
    {"rendering_provider_id", "RenderingProviderID"},
};

const std::vector<Named> kPayments = {
    {"payer_name", "PayerName"},
    {"payer_type", "PayerType"},
    {"payment_method", "PaymentMethod"},
    {"reference_number", "ReferenceNumber"},
    {"appointment_id", "AppointmentID"},
    {"post_date", "PostDate"},
    {"amount", "Amount"},
    {"applied", "Applied"},
    {"unapplied", "Unapplied"},
    {"adjustments", "Adjustments"},
    {"refunds", "Refunds"},
};

const std::vector<Named> kTransactions = {
    {"patient_id", "PatientID"},
    {"claim_id", "ClaimID"},
    {"type", "Type"},
    {"description", "Description"},
    {"payer_type", "PayerType"},
    {"procedure_code", "ProcedureCode"},
    {"transaction_date", "TransactionDate"},
    {"posting_date", "PostingDate"},
    {"service_date", "ServiceDate"},
    {"amount", "Amount"},
};

const std::vector<Named> kPractices = {
    {"name", "PracticeName"}, {"active", "Active"}, {"npi", "NPI"}, {"phone", "Phone"}, {"email", "Email"},
};

const std::vector<Named> kProviders = {
    {"full_name", "FullName"}, {"first_name", "FirstName"},
    {"last_name", "LastName"}, {"npi", "NationalProviderIdentifier"},
    {"type", "Type"},          {"active", "Active"},
};

const std::vector<Named> kServiceLocations = {
    {"name", "Name"},
    {"npi", "NPI"},
    {"phone", "Phone"},
    {"place_of_service", "PlaceOfService"},
};

std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

}  // namespace

const std::vector<MirrorTable>& mirror_tables() {
  static const std::vector<MirrorTable> tables{
      MirrorTable::Practices,    MirrorTable::Providers, MirrorTable::ServiceLocations, MirrorTable::Patients,
      MirrorTable::Appointments, MirrorTable::Charges,   MirrorTable::Payments,         MirrorTable::Transactions};
  return tables;
}

namespace {

// One row per table: its SQL name, the row type its records are, and its typed columns.
struct TableRow {
  MirrorTable table;
  const char* name;
  const char* row_type;
  const std::vector<Named>* columns;
};

const TableRow kTables[] = {
    {MirrorTable::Patients, "patients", "PatientData", &kPatients},
    {MirrorTable::Appointments, "appointments", "AppointmentData", &kAppointments},
    {MirrorTable::Charges, "charges", "ChargeData", &kCharges},
    {MirrorTable::Payments, "payments", "PaymentData", &kPayments},
    {MirrorTable::Transactions, "transactions", "TransactionData", &kTransactions},
    {MirrorTable::Practices, "practices", "PracticeData", &kPractices},
    {MirrorTable::Providers, "providers", "ProviderData", &kProviders},
    {MirrorTable::ServiceLocations, "service_locations", "ServiceLocationData", &kServiceLocations},
};

const TableRow& table_row(MirrorTable table) noexcept {
  for (const TableRow& row : kTables)
    if (row.table == table) return row;
  return kTables[0];
}

const std::vector<Named>& named_columns(MirrorTable table) { return *table_row(table).columns; }

// Each column with its member's kind from the contract's row type.
std::vector<MirrorColumn> typed_columns(MirrorTable table) {
  const values::RowKinds* kinds = values::row_kinds(mirror_row_type(table));
  if (kinds == nullptr)
    throw std::logic_error(std::string("the mirror table ") + mirror_table_name(table) + " names the row type " +
                           mirror_row_type(table) + ", which the contract does not have");
  std::vector<MirrorColumn> out;
  for (const Named& named : named_columns(table)) {
    const auto it = std::find_if(kinds->members.begin(), kinds->members.end(),
                                 [&](const values::NamedKind& m) { return m.name == named.member; });
    if (it == kinds->members.end())
      throw std::logic_error(std::string("the mirror column ") + mirror_table_name(table) + "." + named.name +
                             " reads the member " + named.member + ", which " + mirror_row_type(table) +
                             " does not have");
    out.push_back(MirrorColumn{named.name, named.member, it->kind});
  }
  return out;
}

}  // namespace

const char* mirror_table_name(MirrorTable table) noexcept { return table_row(table).name; }

const char* mirror_row_type(MirrorTable table) noexcept { return table_row(table).row_type; }

const std::vector<MirrorColumn>& mirror_columns(MirrorTable table) {
  static const std::vector<std::vector<MirrorColumn>> all = [] {
    std::vector<std::vector<MirrorColumn>> tables(8);
    for (MirrorTable t : mirror_tables()) tables[static_cast<std::size_t>(t)] = typed_columns(t);
    return tables;
  }();
  return all[static_cast<std::size_t>(table)];
}

namespace mirror {

std::string sql_timestamp(const DateTime& t) {
  std::string iso = t.iso();
  iso[10] = ' ';
  return iso;
}

std::optional<std::string> column_value(values::Kind kind, const std::string& text) {
  if (trim(text).empty()) return std::nullopt;
  switch (kind) {
    case values::Kind::Text:
      return text;
    case values::Kind::Date: {
      const auto d = values::to_date(text);
      if (!d) return std::nullopt;
      return d->iso();
    }
    case values::Kind::DateTime: {
      const auto t = values::to_datetime(text);
      if (!t) return std::nullopt;
      return sql_timestamp(*t);
    }
    case values::Kind::UtcDateTime: {
      const auto t = values::to_utc_datetime(text);
      if (!t) return std::nullopt;
      return sql_timestamp(*t);
    }
    case values::Kind::Money: {
      const auto m = values::to_money(text);
      if (!m) return std::nullopt;
      return m->text();
    }
    case values::Kind::Boolean: {
      const auto b = values::to_bool(text);
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
  row.last_modified = column_value(values::Kind::DateTime, modified);
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
      case values::Kind::Text:
        break;
      case values::Kind::Date:
        type = types.date;
        break;
      case values::Kind::DateTime:
        type = types.local;
        break;
      case values::Kind::UtcDateTime:
        type = types.utc;
        break;
      case values::Kind::Money:
        type = types.numeric;
        break;
      case values::Kind::Boolean:
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

std::vector<std::string> migration_sql(int version, const SqlTypes& types) {
  std::vector<std::string> out;
  // One step per version, from `version` up to kSchemaVersion.
  if (version < 1) {
    out.push_back(std::string("CREATE TABLE IF NOT EXISTS kareo_mirror_checkpoints (feed ") + types.text +
                  " PRIMARY KEY, state " + types.text + " NOT NULL, saved_at " + types.utc + " NOT NULL)");
    for (MirrorTable table : mirror_tables())
      for (std::string& sql : create_table_sql(table, types)) out.push_back(std::move(sql));
  }
  if (version != kSchemaVersion) {
    out.emplace_back("DELETE FROM kareo_mirror_schema");
    out.push_back("INSERT INTO kareo_mirror_schema (version) VALUES (" + std::to_string(kSchemaVersion) + ")");
  }
  return out;
}

MirrorDatabaseError newer_schema(const std::string& where, int version) {
  return MirrorDatabaseError("the database " + where + " has mirror schema version " + std::to_string(version) +
                             ", newer than this program's " + std::to_string(kSchemaVersion) + ": use a newer kareo");
}

namespace {
std::string parameter(const SqlDialect& dialect, std::size_t n) { return dialect.parameter + std::to_string(n); }
}  // namespace

std::string insert_sql(MirrorTable table, const SqlDialect& d) {
  std::string sql =
      std::string("INSERT INTO ") + mirror_table_name(table) + " (practice_id, id, record, last_modified, mirrored_at";
  std::string marks = parameter(d, 1) + ", " + parameter(d, 2) + ", " + parameter(d, 3) + d.json_cast + ", " +
                      parameter(d, 4) + ", " + parameter(d, 5);
  std::size_t n = 5;
  for (const MirrorColumn& c : mirror_columns(table)) {
    sql += std::string(", ") + c.name;
    marks += ", " + parameter(d, ++n);
  }
  return sql + ") VALUES (" + marks + ")";
}

std::string update_sql(MirrorTable table, const SqlDialect& d) {
  std::string sql = std::string("UPDATE ") + mirror_table_name(table) + " SET record = " + parameter(d, 3) +
                    d.json_cast + ", last_modified = " + parameter(d, 4) + ", mirrored_at = " + parameter(d, 5) +
                    ", deleted_at = NULL";
  std::size_t n = 5;
  for (const MirrorColumn& c : mirror_columns(table)) sql += std::string(", ") + c.name + " = " + parameter(d, ++n);
  return sql + " WHERE practice_id = " + parameter(d, 1) + " AND id = " + parameter(d, 2);
}

std::vector<std::optional<std::string>> upsert_parameters(const MirrorRow& row, const std::string& mirrored_at) {
  std::vector<std::optional<std::string>> params{row.practice_id, row.id, row.record, row.last_modified, mirrored_at};
  params.insert(params.end(), row.values.begin(), row.values.end());
  return params;
}

}  // namespace mirror
}  // namespace kareo
