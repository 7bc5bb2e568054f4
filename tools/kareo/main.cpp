// kareo: the command-line tool of the Tebra (Kareo) client library. Diagnoses a connection (doctor), reads
// records as JSON lines, tables or CSV, writes records from JSON payloads, and follows changes (sync).
//
//   kareo [--endpoint URL] [--ca-file PATH] [--timeout SECONDS] [--stall-timeout SECONDS] [--credentials-file PATH]
//         [--format json|table|csv] [--wire-log FILE] [--progress] [--verbose] COMMAND [OPTIONS]
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "kareo/cancellation.hpp"
#include "kareo/version.hpp"

namespace {

const char* kFooter = R"(Credentials: KAREO_CUSTOMER_KEY, KAREO_USER and KAREO_PASSWORD, or --credentials-file.
Endpoint: --endpoint, else KAREO_ENDPOINT, else Tebra's production service.
Dates: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS. Payloads and records: JSON with the contract's member names
(kareo describe COMMAND shows them).

Exit codes: 0 success, 1 nothing found (check-request: errors found), 2 usage or invalid argument,
3 authentication failed, 4 not authorized, 5 throttled (retries exhausted), 6 service error, 7 SOAP fault,
8 network, timeout or TLS failure, 9 malformed response, 10 ambiguous write outcome (look the record up
before sending it again), 11 output error (standard output could not be written: a full disk, a closed
pipe; sync keeps its checkpoint before the records that were not written), 12 database error (mirror: the
database could not be opened or written; what was committed stays).)";

// The words that name `sub` on the command line ("export fhir"), up to the tool itself.
std::string command_path(const CLI::App* sub) {
  std::string path;
  for (const CLI::App* a = sub; a && a->get_parent(); a = a->get_parent())
    path = path.empty() ? a->get_name() : a->get_name() + " " + path;
  return path;
}

int usage_error(const std::string& message, const std::string& command) {
  std::cerr << "kareo: usage: " << kareo_cli::one_line(message) << "\n"
            << "hint: run 'kareo " << (command.empty() ? "" : command + " ") << "--help'\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace kareo_cli;
  // A reader that goes away (`kareo patients | head`) makes writes fail with EPIPE, reported as an output
  // error, instead of ending the tool silently with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  // Records go out in large writes when standard output is a file or a pipe (a 10,000-patient read is about
  // 100 MB of JSON lines: two system calls per record with the default buffer); a terminal stays line-buffered.
  // Every checkpoint and the end of the command flush it (commit_output).
  static char stdout_buffer[1 << 20];
  if (!::isatty(STDOUT_FILENO)) std::setvbuf(stdout, stdout_buffer, _IOFBF, sizeof stdout_buffer);
  CLI::App app{std::string("kareo ") + kareo::version() +
               ": the Tebra (Kareo) Web Services API 2.1 from the command line"};
  app.footer(kFooter);
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the command
  app.set_version_flag("--version", std::string(kareo::version()));
  app.option_defaults()->always_capture_default(false);

  Globals g;
  app.add_option("--endpoint", g.endpoint, "Service URL (default: KAREO_ENDPOINT, else production)");
  app.add_option("--ca-file", g.ca_file, "Trust the CA certificates in this PEM file instead of the system store");
  app.add_option("--timeout", g.timeout_seconds,
                 "Longest time one call to the service may take, in seconds, retries and the waits between them "
                 "included (default 900); a call still running then fails with exit code 8")
      ->check(CLI::PositiveNumber);
  app.add_option("--stall-timeout", g.stall_timeout_seconds,
                 "Longest time connecting, sending or receiving may stall, in seconds, before the attempt is retried "
                 "(default: a third of --timeout, at most 30 s connecting, 60 s sending, 120 s receiving)")
      ->check(CLI::PositiveNumber);
  app.add_option("--credentials-file", g.credentials_file,
                 "File of customer_key=, user= and password= lines (chmod 600) instead of the KAREO_* variables");
  app.add_option("--format", g.format,
                 "Output: json (one object per line), table or csv (default: table on a "
                 "terminal, else json)")
      ->check(CLI::IsMember({"json", "table", "csv"}));
  app.add_flag("--raw", g.raw,
               "Print every member exactly as Tebra sent it (default: dates and times as ISO 8601, booleans as "
               "true/false, money with two decimals)");
  app.add_option("--columns", g.columns, "Comma-separated columns for table and csv output (nested: Outer.Inner)");
  app.add_option("--wire-log", g.wire_log,
                 "Append the request and response XML of every call to FILE, credentials and patient data masked "
                 "(what Tebra support asks for)");
  app.add_flag("--wire-log-patient-data", g.wire_log_patient_data,
               "Keep patient data in the wire log and in --verbose failure reports (credentials are still masked)");
  app.add_flag("--progress", g.progress, "Show progress on stderr (default when stderr is a terminal)");
  app.add_flag("--verbose", g.verbose, "Report every call (operation, attempt, status, time, size) on stderr");
  app.add_option("--max-response-mb", g.max_response_mb,
                 "Largest response accepted, in MiB (default 512); raise it to read a very large practice in one "
                 "call")
      ->check(CLI::Range(0.01, 1048576.0));
  app.add_option("--max-retries", g.max_retries,
                 "Retries of a read that failed transiently, or of a throttled call (default 4; writes that may "
                 "have reached the server are never resent)")
      ->check(CLI::Range(0, 20));
  app.add_option("--pacing-dir", g.pacing_dir,
                 "Directory of the rate-limit schedule shared by kareo processes (default $TMPDIR/kareo-pacing-UID)");
  auto* pacing_db =
      app.add_option("--pacing-db", g.pacing_db,
                     "PostgreSQL URI (postgresql://...) of a rate-limit schedule shared by every worker of the "
                     "account, on any machine (or $KAREO_PACING_DB; keeps a password out of the process list)")
          ->envname("KAREO_PACING_DB");
  app.add_option("--window-days", g.window_days,
                 "The widest date window ranged reads and sync send (default: the widest the service allows, the "
                 "whole range where it has no limit; windows narrow after a failure or a large answer and widen "
                 "again, never past this)")
      ->check(CLI::Range(1, 3660));
  auto* no_pacing = app.add_flag(
      "--no-pacing", g.no_pacing,
      "Do not space calls to the published rate limits (local test servers only: Tebra refuses calls beyond "
      "them)");
  pacing_db->excludes(no_pacing);

  Commands commands;
  add_doctor_command(app, commands);
  add_read_commands(app, commands);
  add_write_commands(app, commands);
  add_sync_command(app, commands);
#ifdef KAREO_CLI_WITH_MIRROR
  add_mirror_command(app, commands);
#endif
  add_describe_command(app, commands);
  add_check_request_command(app, commands);
  add_export_command(app, commands);

  std::string command_name;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    for (const auto& c : commands)
      if (c.app->parsed()) command_name = command_path(c.app);
    return usage_error(e.what(), command_name);
  }

  const Command* chosen = nullptr;
  for (const auto& c : commands)
    if (c.app->parsed()) chosen = &c;
  if (!chosen) return usage_error("no command given", "");
  command_name = command_path(chosen->app);

  std::unique_ptr<Session> session;
  try {
    session = std::make_unique<Session>(g);
    const int code = chosen->run(*session);
    commit_output();  // what was printed must have been written: otherwise the command failed
    return code;
  } catch (const OutputError& e) {
    if (session) session->progress().finish();
    std::cerr << "kareo: output error: " << one_line(e.what()) << "\n"
              << "hint: the output was not completely written (is the disk full, or did the program reading it "
                 "exit?); kareo sync did not move its checkpoint past what was not written, so run it again\n";
    return 11;
  } catch (const kareo::Error& e) {
    if (session) session->progress().finish();
    std::cout.flush();
    std::cerr << "kareo: " << kareo::error_kind_name(e.kind()) << ": " << one_line(e.what()) << "\n"
              << "hint: " << one_line(e.hint()) << "\n";
    if (g.verbose && !e.support_capture().empty())
      std::cerr << "---- request (credentials masked)\n"
                << e.support_capture().request_xml << "\n---- response\n"
                << e.support_capture().response_xml << "\n";
    return e.exit_code();
  } catch (const kareo::Cancelled& e) {
    if (session) session->progress().finish();
    std::cerr << "kareo: cancelled: " << one_line(e.what()) << "\n";
    return 130;
  } catch (const std::exception& e) {
    if (session) session->progress().finish();
    std::cerr << "kareo: internal error: " << one_line(e.what()) << "\n"
              << "hint: run again with --verbose and --wire-log FILE, and report the output\n";
    return 1;
  }
}
