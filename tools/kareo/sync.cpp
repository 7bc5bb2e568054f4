// `kareo sync patients|appointments`: the change feed, printing each changed record as a JSON line and keeping
// its checkpoint in --state FILE.
#include <iostream>

#include "cli.hpp"
#include "kareo/change_feed.hpp"
#include "stop_on_signal.hpp"

namespace kareo_cli {

namespace {

struct SyncArgs {
  std::string what;
  std::string practice;
  int practice_id = 0;
  CLI::Option* practice_id_opt = nullptr;
  std::string state;
  bool once = false;
  double interval_seconds = 7200;
  std::string since;
  bool accept_future = false;
};

// The checkpoints of a poll kept in memory, written to the file only when the records they cover were
// printed: a table is printed at the end of the poll, so its checkpoint must wait for it.
class DeferredStore final : public kareo::CheckpointStore {
 public:
  explicit DeferredStore(const std::string& path) : file_(path) {}
  std::optional<kareo::Checkpoint> load() override { return file_.load(); }
  void save(const kareo::Checkpoint& checkpoint) override { pending_ = checkpoint; }
  /// Writes the last checkpoint saved, if any.
  void write() {
    if (pending_) file_.save(*pending_);
    pending_.reset();
  }

 private:
  kareo::FileCheckpointStore file_;
  std::optional<kareo::Checkpoint> pending_;
};

}  // namespace

void add_sync_command(CLI::App& app, Commands& commands) {
  auto a = std::make_shared<SyncArgs>();
  CLI::App* sub = app.add_subcommand(
      "sync",
      "Follow the changes of a practice's patients or appointments: print each changed record as a JSON line, "
      "keeping a checkpoint so the next run continues where this one stopped");
  sub->add_option("what", a->what, "patients or appointments")
      ->required()
      ->check(CLI::IsMember({"patients", "appointments"}));
  sub->add_option("--practice", a->practice, "Practice name (exactly as Tebra spells it)");
  a->practice_id_opt = sub->add_option("--practice-id", a->practice_id, "Practice ID (patients only)");
  sub->add_option("--state", a->state, "The checkpoint file (created on the first run)")->required();
  sub->add_flag("--once", a->once, "Poll once and exit (for cron); default: poll every --interval until stopped");
  sub->add_option("--interval", a->interval_seconds, "Seconds between polls (default 7200: Tebra asks for rare polls)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--since", a->since,
                  "Without a checkpoint, start from records modified at this date (default 2000-01-01)");
  sub->add_flag("--accept-future-checkpoint", a->accept_future,
                "Poll even from a checkpoint (or --since) more than 36 hours ahead of this machine's clock, which "
                "is refused otherwise (it skips every change until then)");
  commands.push_back(
      {sub, [a](Session& s) {
         kareo::ChangeFeedOptions options;
         const bool patients = a->what == "patients";
         options.entity = patients ? kareo::FeedEntity::Patients : kareo::FeedEntity::Appointments;
         bool by_id = a->practice_id_opt->count() > 0;
         if (a->practice.empty() && !by_id)
           throw kareo::InvalidArgument("sync needs --practice NAME" +
                                        std::string(patients ? " or --practice-id N" : ""));
         if (by_id && !patients)
           throw kareo::InvalidArgument("sync appointments takes --practice NAME, not --practice-id");
         if (patients) {
           if (!a->practice.empty()) options.patient_filter.PracticeName = a->practice;
           if (by_id) options.patient_filter.PracticeID = std::to_string(a->practice_id);
         } else {
           options.appointment_filter.PracticeName = a->practice;
         }
         options.checkpoint_path = a->state;
         options.accept_future_cursor = a->accept_future;
         options.on_warning = [&s](const std::string& message) {
           s.progress().finish();
           std::cerr << "kareo: warning: " << one_line(message) << "\n";
         };
         options.poll_interval = std::chrono::seconds(static_cast<long long>(std::max(1.0, a->interval_seconds)));
         if (!a->since.empty()) options.start = parse_date_option(a->since, "--since");
         options.paging = s.paging();  // adaptive windows: the whole period unless --window-days caps them

         // JSON lines unless --format says otherwise; a table only for --once (it is printed at the end).
         Output& out = s.output();
         const std::string& format = s.globals().format;
         const bool csv = format == "csv", table = format == "table" && a->once;
         const kareo::TypeDescription& type =
             patients ? kareo::describe<kareo::PatientData>() : kareo::describe<kareo::AppointmentData>();
         const std::vector<std::string> table_columns =
             patients ? std::vector<std::string>{"ID", "FirstName", "LastName", "DOB", "LastModifiedDate"}
                      : std::vector<std::string>{"ID", "StartDate", "PatientFullName", "ConfirmationStatus",
                                                 "LastModifiedDate"};
         if (csv || table) out.begin(type, table_columns);
         std::string line;
         auto deliver = [&](const kareo::Change& change) {
           if (csv || table) {
             if (patients)
               out.row(*change.patient);
             else
               out.row(*change.appointment);
           } else {
             line.clear();
             const kareo::JsonTextOptions text{!s.globals().raw};
             if (patients)
               kareo::append_json(line, *change.patient, text);
             else
               kareo::append_json(line, *change.appointment, text);
             line.push_back('\n');
             std::cout << line;
           }
           std::cout.flush();  // each record reaches a reader at once (a table waits for the end)
           check_output(std::cout);
         };
         // The checkpoint moves past records only once they were written: JSON lines and CSV are flushed (and
         // synced to disk when stdout is a file) before each checkpoint; a table is printed at the end of the
         // poll, and its checkpoint is written only then.
         std::shared_ptr<DeferredStore> deferred;
         if (table) {
           deferred = std::make_shared<DeferredStore>(a->state);
           options.checkpoint_store = deferred;
         } else {
           options.commit = [] { commit_output(); };
         }

         if (!a->once)
           options.on_error = [](const std::exception& e) {
             // An output that cannot be written, or a checkpoint that is refused, will not mend by waiting.
             if (dynamic_cast<const OutputError*>(&e) || dynamic_cast<const kareo::InvalidArgument*>(&e)) return false;
             std::cerr << "kareo: poll failed: " << one_line(e.what()) << "; trying again at the next poll\n";
             return true;
           };
         kareo::ChangeFeed feed(s.client(), options);
         auto report = [&](const kareo::PollResult& r) {
           s.progress().finish();
           std::cerr << "kareo: sync " << a->what << ": " << r.delivered << " changed, " << r.skipped
                     << " seen before, " << r.windows << " windows read"
                     << (r.cursor ? "; checkpoint at " + r.cursor->iso() : std::string()) << " (" << a->state << ")\n";
         };
         if (a->once) {
           kareo::PollResult result = feed.poll_once(deliver);
           if (table) {
             out.end();
             commit_output();
             deferred->write();
           }
           report(result);
           return 0;
         }
         kareo::CancellationToken stop;
         StopOnSignal signals(stop, "kareo: stopping (the checkpoint keeps what was delivered)\n");
         feed.run(deliver, stop);
         return 0;
       }});
}

}  // namespace kareo_cli
