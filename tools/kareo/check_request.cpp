// `kareo check-request`: diagnoses a request someone else's code sent (kareo::check_request), offline.
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli.hpp"
#include "kareo/check.hpp"

namespace kareo_cli {

namespace {

struct CheckArgs {
  std::string format;  // empty: the global --format when it is json, else text
  std::string soap_action;
  std::string response;
  std::string input;
};

/// The text of a file, or of standard input for "-"; nullopt (and a message) when it cannot be read.
std::optional<std::string> read_all(const std::string& path) {
  if (path == "-") {
    std::ostringstream s;
    s << std::cin.rdbuf();
    return s.str();
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

void print_text(const kareo::RequestCheck& check, const std::string& name,
                const std::optional<kareo::ResponseReading>& response) {
  std::ostream& out = std::cout;
  int errors = 0;
  int warnings = 0;
  for (const auto& f : check.findings) {
    (f.severity == kareo::Severity::Error ? errors : warnings)++;
    out << name << ":" << f.line << ": " << kareo::severity_name(f.severity) << " [" << f.code << "] " << f.message
        << "\n";
    if (!f.path.empty()) out << "  at:  " << f.path << "\n";
    if (!f.fix.empty()) out << "  fix: " << f.fix << "\n";
  }
  if (check.findings.empty()) {
    out << name << ": no findings: the service would accept this request"
        << (check.operation.empty() ? "" : " (" + check.operation + ")") << " as sent.\n";
  } else {
    out << name << ": " << errors << " error(s), " << warnings << " warning(s): the service would "
        << (errors ? "not accept this request as sent" : "accept this request, but not all of it as meant") << ".\n";
  }
  if (!check.corrected_request.empty()) {
    out << "\nCorrected request (credentials masked):\n" << check.corrected_request;
  }
  if (response) {
    out << "\nResponse: " << response->meaning << "\n";
    if (!response->ok) {
      out << "  the library throws kareo::" << response->exception << " (kareo exit code " << response->exit_code
          << "), " << (response->retryable ? "retried" : "not retried") << "\n";
    }
    if (!response->server_message.empty()) out << "  the service says: " << one_line(response->server_message) << "\n";
    if (!response->causes.empty()) {
      out << "  caused by the request's findings: ";
      for (std::size_t i = 0; i < response->causes.size(); ++i) out << (i ? ", " : "") << response->causes[i];
      out << "\n";
    } else if (!response->ok && !check.findings.empty()) {
      out << "  none of the request's findings is known to cause this answer\n";
    }
  }
  check_output(out);
}

void print_json(const kareo::RequestCheck& check, const std::optional<kareo::ResponseReading>& response) {
  for (const auto& f : check.findings) {
    nlohmann::ordered_json j;  // the members in the documented order
    j["code"] = f.code;
    j["severity"] = kareo::severity_name(f.severity);
    j["message"] = f.message;
    j["line"] = f.line;
    j["path"] = f.path;
    j["fix"] = f.fix;
    std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  if (response) {
    json r = {{"ok", response->ok},
              {"exception", response->exception},
              {"exit_code", response->exit_code},
              {"retried", response->retryable},
              {"server_message", response->server_message},
              {"meaning", response->meaning},
              {"causes", response->causes}};
    if (response->http_status) r["http_status"] = *response->http_status;
    std::cout << json_line(json{{"response", r}}) << "\n";
  }
  check_output(std::cout);
}

}  // namespace

void add_check_request_command(CLI::App& app, Commands& commands) {
  auto args = std::make_shared<CheckArgs>();
  auto* cmd = app.add_subcommand(
      "check-request",
      "Check a request someone else's code sent (raw HTTP request or XML body) against the contract, offline: one "
      "finding per mistake, with what the service does with it and the fix. Exit 0: accepted as sent; 1: errors");
  cmd->add_option("--format", args->format, "Output: text (default) or json (one object per finding)")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--soap-action", args->soap_action,
                  "The SOAPAction the request was sent with, when FILE holds the XML body alone");
  cmd->add_option("--response", args->response,
                  "A captured response to the request: say what it means the way the library reads it");
  cmd->add_option("FILE", args->input, "The captured request (- for standard input)")->required();
  commands.push_back({cmd, [args](Session& session) -> int {
                        auto text = read_all(args->input);
                        if (!text) {
                          std::cerr << "kareo: usage: cannot read " << args->input << "\n";
                          return 2;
                        }
                        std::optional<std::string> response_text;
                        if (!args->response.empty()) {
                          response_text = read_all(args->response);
                          if (!response_text) {
                            std::cerr << "kareo: usage: cannot read " << args->response << "\n";
                            return 2;
                          }
                        }
                        kareo::CheckOptions options;
                        if (!args->soap_action.empty()) options.soap_action = args->soap_action;
                        const auto check = kareo::check_request(*text, options);
                        std::optional<kareo::ResponseReading> response;
                        if (response_text) response = kareo::read_response(*response_text, check);
                        const std::string format = !args->format.empty()
                                                       ? args->format
                                                       : (session.globals().format == "json" ? "json" : "text");
                        if (format == "json") {
                          print_json(check, response);
                        } else {
                          print_text(check, args->input == "-" ? "<stdin>" : args->input, response);
                        }
                        return check.accepted() ? 0 : 1;
                      }});
}

}  // namespace kareo_cli
