// The write commands: the payload is read as JSON (the contract's member names), the result printed as JSON.
// Writes are never resent automatically once they may have reached the server (exit code 10).
#include <fstream>
#include <iostream>
#include <iterator>

#include "cli.hpp"
#include "kareo_optable.hpp"

namespace kareo_cli {

namespace {

// The result without ErrorResponse/SecurityResponse: those were checked already (a failure would have been
// reported as an error), so on success they carry nothing.
template <class Result>
int print_result(Session& s, const Result& result) {
  json j = kareo::to_json(result);
  j.erase("ErrorResponse");
  j.erase("SecurityResponse");
  if (s.globals().format.empty())  // results are JSON unless --format asks for a table or CSV
    std::cout << j.dump(-1, ' ', false, json::error_handler_t::replace) << std::endl;
  else
    s.output().single(j, kareo::describe<Result>());
  return 0;
}

struct WriteArgs {
  std::string json_path;
  long long id = 0;
  std::string file;
};

template <class Payload>
Payload read_payload(const WriteArgs& a) {
  json payload = read_json_input(a.json_path);
  return kareo::from_json<Payload>(payload);
}

std::string base64(const std::string& bytes) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? table[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Its description: the table's, and the payload's type.
std::string payload_help(const char* name) {
  const auto& row = command_row(name);
  return std::string(row.help) + "; payload: " + row.type + " as JSON (kareo describe " + name + ")";
}

// A command taking a JSON payload of type Payload.
template <class Payload, class Call>
void payload_command(CLI::App& app, Commands& commands, const char* name, Call call) {
  auto a = std::make_shared<WriteArgs>();
  CLI::App* sub = app.add_subcommand(name, payload_help(name));
  sub->add_option("--json", a->json_path, "The payload as a JSON file, or - for standard input")->required();
  commands.push_back({sub, [a, call](Session& s) { return call(s, read_payload<Payload>(*a)); }});
}

}  // namespace

const std::vector<WriteCommandInfo>& write_commands() {
  static const std::vector<WriteCommandInfo> list = [] {
    std::vector<WriteCommandInfo> out;
    for (const char* name : {"create-patient", "update-patient", "create-appointment", "update-appointment",
                             "delete-appointment", "create-encounter", "update-encounter-status", "create-payment",
                             "create-document", "delete-document", "register-vendor", "update-external-ids"}) {
      const auto& row = command_row(name);
      out.push_back({row.command, row.type, row.result});
    }
    return out;
  }();
  return list;
}

void add_write_commands(CLI::App& app, Commands& commands) {
  payload_command<kareo::PatientCreate>(app, commands, "create-patient", [](Session& s, kareo::PatientCreate p) {
    return print_result(s, s.client().create_patient(std::move(p)));
  });
  payload_command<kareo::PatientUpdate>(app, commands, "update-patient", [](Session& s, kareo::PatientUpdate p) {
    return print_result(s, s.client().update_patient(std::move(p)));
  });
  payload_command<kareo::AppointmentCreate>(app, commands, "create-appointment",
                                            [](Session& s, kareo::AppointmentCreate p) {
                                              return print_result(s, s.client().create_appointment(std::move(p)));
                                            });
  payload_command<kareo::AppointmentUpdate>(app, commands, "update-appointment",
                                            [](Session& s, kareo::AppointmentUpdate p) {
                                              return print_result(s, s.client().update_appointment(std::move(p)));
                                            });
  payload_command<kareo::EncounterCreate>(app, commands, "create-encounter", [](Session& s, kareo::EncounterCreate p) {
    return print_result(s, s.client().create_encounter(std::move(p)));
  });
  payload_command<kareo::EncounterUpdateStatus>(
      app, commands, "update-encounter-status", [](Session& s, kareo::EncounterUpdateStatus p) {
        return print_result(s, s.client().update_encounter_status(std::move(p)));
      });
  payload_command<kareo::PaymentCreate>(app, commands, "create-payment", [](Session& s, kareo::PaymentCreate p) {
    return print_result(s, s.client().create_payment(std::move(p)));
  });
  payload_command<kareo::ExternalVendorReq>(app, commands, "register-vendor",
                                            [](Session& s, kareo::ExternalVendorReq p) {
                                              return print_result(s, s.client().register_external_vendor(std::move(p)));
                                            });
  payload_command<kareo::PatientExternalIDSettingBatch>(
      app, commands, "update-external-ids", [](Session& s, kareo::PatientExternalIDSettingBatch p) {
        return print_result(s, s.client().update_patients_external_id(std::move(p)));
      });

  {
    auto a = std::make_shared<WriteArgs>();
    CLI::App* sub = app.add_subcommand("create-document", payload_help("create-document"));
    sub->add_option("--json", a->json_path, "The payload as a JSON file, or - for standard input")->required();
    sub->add_option("--file", a->file, "Read FileContent (and FileName, when absent) from this file");
    commands.push_back({sub, [a](Session& s) {
                          auto document = read_payload<kareo::DocumentCreateRequest>(*a);
                          if (!a->file.empty()) {
                            std::ifstream in(a->file, std::ios::binary);
                            if (!in) throw kareo::InvalidArgument("--file " + a->file + ": cannot read the file");
                            std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
                            document.FileContent = std::make_shared<std::string>(base64(bytes));
                            if (!document.FileName) document.FileName = a->file.substr(a->file.find_last_of('/') + 1);
                          }
                          return print_result(s, s.client().create_document(std::move(document)));
                        }});
  }
  {
    auto a = std::make_shared<WriteArgs>();
    CLI::App* sub = app.add_subcommand("delete-appointment", command_row("delete-appointment").help);
    sub->add_option("--id", a->id, "The appointment's ID")->required()->check(CLI::PositiveNumber);
    commands.push_back({sub, [a](Session& s) { return print_result(s, s.client().delete_appointment(a->id)); }});
  }
  {
    auto a = std::make_shared<WriteArgs>();
    CLI::App* sub = app.add_subcommand("delete-document", command_row("delete-document").help);
    sub->add_option("--id", a->id, "The document's ID")->required()->check(CLI::PositiveNumber);
    commands.push_back({sub, [a](Session& s) { return print_result(s, s.client().delete_document(a->id)); }});
  }
}

}  // namespace kareo_cli
