// `kareo mirror`: a practice's records in an SQLite or PostgreSQL database (kareo::Mirror), once or every
// --interval seconds until SIGINT/SIGTERM.
#include <cstdio>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "kareo/mirror.hpp"
#include "stop_on_signal.hpp"

namespace kareo_cli {

namespace {

struct MirrorArgs {
  std::string db = "sqlite:kareo-mirror.db";
  std::string practice;
  std::vector<std::string> entities;
  std::string since;
  bool once = false;
  double interval_seconds = 0;
  CLI::Option* interval_opt = nullptr;
  int reconcile_days = 0;
  CLI::Option* reconcile_opt = nullptr;
};

kareo::MirrorEntity entity_of(const std::string& name) {
  if (name == "patients") return kareo::MirrorEntity::Patients;
  if (name == "appointments") return kareo::MirrorEntity::Appointments;
  if (name == "charges") return kareo::MirrorEntity::Charges;
  if (name == "payments") return kareo::MirrorEntity::Payments;
  if (name == "transactions") return kareo::MirrorEntity::Transactions;
  if (name == "reference") return kareo::MirrorEntity::Reference;
  throw kareo::InvalidArgument("--entities: unknown entity " + name +
                               " (patients, appointments, charges, payments, transactions, reference)");
}

// The summary of a run: one line per table (JSON lines with --format json).
void print_summary(const kareo::MirrorSummary& summary, bool as_json) {
  if (!as_json) {
    char line[128];
    std::snprintf(line, sizeof line, "%-18s %9s %9s %9s %9s\n", "table", "inserted", "updated", "unchanged", "deleted");
    std::cout << line;
  }
  for (const auto& [table, c] : summary.tables) {
    if (as_json) {
      json j{{"table", kareo::mirror_table_name(table)},
             {"inserted", c.inserted},
             {"updated", c.updated},
             {"unchanged", c.unchanged},
             {"deleted", c.deleted}};
      std::cout << j.dump() << '\n';
    } else {
      char line[128];
      std::snprintf(line, sizeof line, "%-18s %9zu %9zu %9zu %9zu\n", kareo::mirror_table_name(table), c.inserted,
                    c.updated, c.unchanged, c.deleted);
      std::cout << line;
    }
  }
  std::cout.flush();
  check_output(std::cout);
}

// Copies once, or every --interval until stopped; returns the exit code.
int run_mirror(Session& s, const MirrorArgs& a) {
  kareo::MirrorOptions options;
  options.practice = a.practice;
  if (!a.entities.empty()) {
    options.entities.clear();
    for (const auto& e : a.entities) options.entities.push_back(entity_of(e));
  }
  if (!a.since.empty()) options.since = parse_date_option(a.since, "--since");
  if (a.reconcile_opt->count() > 0) options.reconcile_days = a.reconcile_days;
  options.paging = s.paging();  // adaptive windows, as for sync: the whole period unless --window-days caps them
  options.on_progress = [&s](const std::string& line) {
    s.progress().finish();
    std::cerr << "kareo: mirror: " << line << "\n";
  };
  options.on_warning = [&s](const std::string& message) {
    s.progress().finish();
    std::cerr << "kareo: warning: " << one_line(message) << "\n";
  };
  const bool as_json = s.globals().format == "json";
  try {
    auto store = kareo::open_mirror_store(a.db);
    kareo::Mirror mirror(s.client(), store, options);
    kareo::CancellationToken stop;
    StopOnSignal signals(stop, "kareo: stopping after the current transaction\n");
    if (a.interval_opt->count() == 0) {
      print_summary(mirror.run_once(stop), as_json);
      return 0;
    }
    const auto interval = std::chrono::milliseconds(static_cast<long long>(std::max(1.0, a.interval_seconds) * 1000));
    while (!stop.cancelled()) {
      try {
        print_summary(mirror.run_once(stop), as_json);
      } catch (const kareo::Cancelled&) {
        break;
      } catch (const kareo::MirrorDatabaseError&) {
        throw;
      } catch (const kareo::InvalidArgument&) {
        throw;
      } catch (const OutputError&) {
        throw;
      } catch (const std::exception& e) {
        s.progress().finish();
        std::cerr << "kareo: mirror run failed: " << one_line(e.what()) << "; trying again at the next run\n";
      }
      stop.wait_until(std::chrono::steady_clock::now() + interval);
    }
    std::cerr << "kareo: mirror stopped\n";
    return 0;
  } catch (const kareo::MirrorDatabaseError& e) {
    s.progress().finish();
    std::cerr << "kareo: database error: " << one_line(e.what()) << "\n"
              << "hint: check the --db URL, that the database is reachable and writable; what "
                 "was committed stays, and the next run goes on from there\n";
    return 12;
  }
}

}  // namespace

void add_mirror_command(CLI::App& app, Commands& commands) {
  add_command<MirrorArgs>(
      app, commands, "mirror",
      "Copy a practice's records into an SQLite or PostgreSQL database (one table per entity, kept up to date "
      "incrementally; see docs/mirror.md)",
      [](CLI::App& sub, MirrorArgs& a) {
        sub.add_option("--db", a.db,
                       "The database: sqlite:PATH (default sqlite:kareo-mirror.db) or a libpq URI postgresql://...");
        sub.add_option("--practice", a.practice, "Practice name (exactly as Tebra spells it)")->required();
        sub.add_option(
               "--entities", a.entities,
               "What to copy, comma-separated: patients, appointments, charges, payments, transactions, reference "
               "(default all)")
            ->delimiter(',');
        sub.add_option("--since", a.since,
                       "Without a checkpoint, start from records modified at this date (default 2000-01-01)");
        auto* once = sub.add_flag("--once", a.once, "Run once and exit (the default)");
        a.interval_opt =
            sub.add_option("--interval", a.interval_seconds,
                           "Run again every SECONDS until SIGINT or SIGTERM (Tebra asks for rare polls: 7200 is a good "
                           "value); stops cleanly between transactions")
                ->check(CLI::PositiveNumber);
        once->excludes(a.interval_opt);
        a.reconcile_opt =
            sub.add_option("--reconcile", a.reconcile_days,
                           "Re-read the appointments of the DAYS before and after today by service date and "
                           "mark those the service no longer returns (deleted_at; rows are never deleted)")
                ->check(CLI::Range(0, 3660));
      },
      run_mirror);
}

}  // namespace kareo_cli
