// The kareo command-line tool: what its parts share.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <functional>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "kareo/client.hpp"
#include "kareo/json.hpp"
#include "kareo/paging.hpp"

namespace kareo::optable {
struct CommandRow;  // kareo_optable.hpp
}  // namespace kareo::optable

namespace kareo_cli {

using nlohmann::json;

/// How records are printed.
enum class Format { Json, Table, Csv };

/// The tool's output could not be written (a full disk, a closed pipe): exit code 11.
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Throws OutputError when a write to `out` failed (naming errno's reason when there is one).
void check_output(const std::ostream& out);
/// Flushes standard output and, when it is a regular file, flushes it to disk (fsync); throws OutputError when
/// either fails. What was printed before has then reached the reader (or the disk): sync calls it before its
/// checkpoint moves, every command before it exits.
void commit_output();

/// The options every command takes (before the command name).
struct Globals {
  std::string endpoint;
  std::string ca_file;
  double timeout_seconds = 0;        // the whole of each call, retries included (0: the library's default)
  double stall_timeout_seconds = 0;  // connecting, sending or receiving stalled (0: derived from the above)
  std::string credentials_file;
  std::string format;
  std::string columns;
  std::string wire_log;
  bool wire_log_patient_data = false;
  bool progress = false;
  bool verbose = false;
  bool raw = false;  // print the service's text exactly, not the typed values (ISO dates, booleans)
  int max_retries = 4;
  std::string pacing_dir;
  std::string pacing_db;  // a PostgreSQL URI: the schedule shared across machines
  bool no_pacing = false;
  int window_days = 0;
  double max_response_mb = 0;
};

/// Prints records (one JSON object per line, a table, or CSV) and single results.
class Output {
 public:
  /// `raw`: print every member as the service sent it; else the row types' dates, times, booleans and money in
  /// their typed form (kareo/values.hpp, kareo::JsonTextOptions).
  Output(Format format, std::vector<std::string> columns, std::ostream& out, bool raw = false);

  /// Starts a list of records of `type`; `table_columns` are the columns a table shows by default (those the
  /// type does not have are ignored; none at all: every column some record fills).
  void begin(const kareo::TypeDescription& type, std::vector<std::string> table_columns = {});
  /// One record (the JSON form of a `type` object, as kareo::to_json writes it).
  void record(const json& record);
  /// One record of a contract type: JSON lines are written straight from `value` (no JSON tree), the other
  /// formats go through record().
  template <class T>
  void row(const T& value) {
    if (format_ != Format::Json) return record(kareo::to_json(value));
    line_.clear();
    kareo::append_json(line_, value, kareo::JsonTextOptions{!raw_});
    line_.push_back('\n');
    write_line();
  }
  /// Ends the list (a table is printed here).
  void end();
  /// Prints one result object (a write's result, a single record).
  void single(const json& object, const kareo::TypeDescription& type);
  /// Records printed so far. Every method throws OutputError when its output cannot be written.
  std::size_t count() const noexcept { return count_; }
  /// The format in use.
  Format format() const noexcept { return format_; }

 private:
  std::vector<std::string> csv_columns() const;
  void write_line();
  json typed(const json& record) const;
  void print_table(const std::vector<std::string>& columns, const std::vector<std::vector<std::string>>& rows);
  Format format_;
  std::vector<std::string> columns_;
  std::ostream& out_;
  const kareo::TypeDescription* type_ = nullptr;
  std::vector<std::string> table_columns_;
  std::vector<std::string> active_csv_columns_;
  std::vector<json> buffered_;
  std::size_t count_ = 0;
  bool raw_ = false;
  std::string line_;
};

/// The typed form of `record`, a JSON object of contract type `type` as kareo::to_json writes it: the row types'
/// date, time, boolean and money members as kareo::append_json writes them (kareo::JsonTextOptions).
json typed_record(const json& record, const kareo::TypeDescription& type);

/// Flattens a record into column → text: nested objects as "Outer.Inner", arrays as compact JSON text.
void flatten(const json& value, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& out);
/// Every leaf column of a type, in contract order (nested objects expanded, arrays as one column).
std::vector<std::string> leaf_columns(const kareo::TypeDescription& type);

/// A progress bar (or, when stderr is not a terminal, progress lines) on stderr.
class Progress {
 public:
  explicit Progress(bool enabled);
  ~Progress();
  void update(const kareo::PagingProgress& progress);
  void finish();

 private:
  bool enabled_;
  bool tty_;
  bool drawn_ = false;
  std::size_t last_windows_ = static_cast<std::size_t>(-1);
};

/// Everything a command needs: the parsed global options, the client (built on first use), the output.
class Session {
 public:
  explicit Session(const Globals& globals);
  ~Session();

  /// The client, built on first use from the global options and the credentials.
  kareo::Client& client();
  /// The client's options (endpoint, credentials, timeouts, TLS, wire log, pacing, retries).
  kareo::Options options(bool with_credentials = true);
  /// The credentials from --credentials-file or the KAREO_* environment variables.
  kareo::Credentials credentials() const;
  /// Where the credentials came from, for messages.
  std::string credentials_source() const;
  /// The endpoint calls go to.
  std::string endpoint() const;
  /// The RequestHeader's ClientVersion the tool sends.
  std::string client_version() const;
  /// How long connecting, sending or receiving may stall: --stall-timeout, else a third of --timeout (at most
  /// `fallback`), else `fallback`.
  std::chrono::milliseconds stall_timeout(std::chrono::milliseconds fallback) const;
  const Globals& globals() const noexcept { return globals_; }

  Output& output();
  /// Paging options whose progress reports drive the progress bar; windows of at most --window-days, else
  /// `default_window_days` (0: the library's default, the widest window the operation allows).
  kareo::PagingOptions paging(int default_window_days = 0);
  /// The progress bar (enabled by --progress, or when stderr is a terminal).
  Progress& progress() { return *progress_; }

 private:
  void log_event(const kareo::CallEvent& event);
  Globals globals_;
  std::unique_ptr<kareo::Client> client_;
  std::unique_ptr<Output> output_;
  std::unique_ptr<Progress> progress_;
  std::shared_ptr<std::ostream> wire_log_;
  std::shared_ptr<std::mutex> log_mutex_;
};

/// One subcommand: its parser and what it does once parsed (returns the exit code).
struct Command {
  CLI::App* app = nullptr;
  std::function<int(Session&)> run;
};
using Commands = std::vector<Command>;

/// Adds the subcommand `name` (described by `help`) to `parent`: `options(sub, args)` declares its options on `sub`
/// (CLI::App&), the parser fills them into `args` (an Args, kept for `run`), and `run(session, args)` does the
/// command once parsed and returns its exit code. Returns the subcommand.
template <class Args, class DeclareOptions, class Run>
CLI::App* add_command(CLI::App& parent, Commands& commands, const std::string& name, const std::string& help,
                      DeclareOptions options, Run run) {
  auto args = std::make_shared<Args>();
  CLI::App* sub = parent.add_subcommand(name, help);
  options(*sub, *args);
  commands.push_back({sub, [args, run](Session& session) { return run(session, *args); }});
  return sub;
}

void add_read_commands(CLI::App& app, Commands& commands);
void add_write_commands(CLI::App& app, Commands& commands);
void add_doctor_command(CLI::App& app, Commands& commands);
void add_sync_command(CLI::App& app, Commands& commands);
/// `kareo mirror` (built when Kareo::mirror is: KAREO_WITH_MIRROR).
void add_mirror_command(CLI::App& app, Commands& commands);
void add_describe_command(CLI::App& app, Commands& commands);
void add_check_request_command(CLI::App& app, Commands& commands);
void add_export_command(CLI::App& app, Commands& commands);

/// The operation table's row of `command` (its operation, description, types and filter options); the table is
/// src/operations/operations.toml. Throws std::logic_error for a command the table does not list.
const kareo::optable::CommandRow& command_row(const std::string& command);

/// The payload and result types of the write commands, for `describe`.
struct WriteCommandInfo {
  const char* command;
  const char* payload_type;  // empty: takes --id instead of a payload
  const char* result_type;
};
const std::vector<WriteCommandInfo>& write_commands();
/// The row types of the read commands, for `describe`.
const std::vector<std::pair<const char*, const char*>>& read_commands();

/// Parses a command-line date: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]. `end_of_day` makes a bare date mean
/// 23:59:59 of that day (the end of a --to range). Throws kareo::InvalidArgument naming `option`.
kareo::DateTime parse_date_option(const std::string& text, const std::string& option, bool end_of_day = false);

/// The current civil time of this machine.
kareo::DateTime now_local();

/// Reads a JSON document from a file, or from standard input for "-". Throws kareo::InvalidArgument.
json read_json_input(const std::string& path);

/// Converts `value` to text on one line (newlines become spaces).
std::string one_line(std::string text);
/// `value` as compact JSON on one line (the same text as nlohmann::json::dump with invalid UTF-8 replaced).
std::string json_line(const json& value);

}  // namespace kareo_cli
