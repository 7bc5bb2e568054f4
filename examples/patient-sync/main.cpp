// patient-sync: keeps a local copy of a practice's patients up to date, incrementally.
//
// What it shows:
// - kareo::ChangeFeed: each run reads only the patients modified since the last one (GetPatients by
//   FromLastModifiedDate/ToLastModifiedDate, in date windows) and resumes from a checkpoint file that is
//   replaced atomically, so a crash never loses or corrupts the position;
// - a consumer that is safe with that checkpoint: each record is appended to the local file (and flushed)
//   before the callback returns, because the feed advances its checkpoint only after the callback returned;
//   records are upserted by ID (later lines win), so a record delivered twice after a crash does no harm;
// - converting records to JSON with kareo::to_json() (the contract's member names as keys);
// - keeping patient data private: the local copy is created readable by its owner only (mode 0600, whatever
//   the umask), as the feed's checkpoint file is.
//
// The local copy is a file of JSON lines, one patient per line, compacted after each run. Run it from cron
// (the vendor asks for polls every couple of hours, not every few minutes):
//   ./patient-sync "Practice Name" patients.checkpoint patients.jsonl [FIRST-RUN-START-DATE]
// (credentials in KAREO_CUSTOMER_KEY, KAREO_USER, KAREO_PASSWORD; KAREO_ENDPOINT optional)
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>

#include "kareo/change_feed.hpp"
#include "kareo/json.hpp"
#include "kareo/kareo.hpp"

namespace {

// Creates `path` if needed so that only its owner can read it (it holds patient data), and restricts an existing
// file that others may read. std::ofstream would create it with mode 0666 minus the umask (usually 0644).
void make_private(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
  struct stat st {};
  const bool open_to_others = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0;
  const bool restricted = !open_to_others || ::fchmod(fd, 0600) == 0;
  ::close(fd);
  if (!restricted) throw std::runtime_error(path + " is readable by others and cannot be restricted (chmod 600 it)");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: patient-sync PRACTICE_NAME CHECKPOINT_FILE STORE_FILE [START_DATE]\n";
    return 2;
  }
  const std::string practice = argv[1], checkpoint = argv[2], store_path = argv[3];
  try {
    // The local copy: patient ID -> record.
    std::map<std::string, nlohmann::json> store;
    {
      std::ifstream in(store_path);
      std::string line;
      while (std::getline(in, line))
        if (!line.empty()) {
          auto record = nlohmann::json::parse(line);
          store[record.at("ID").get<std::string>()] = record;
        }
    }

    kareo::Options options;
    options.credentials(kareo::Credentials::from_environment());
    kareo::Client client(options);

    kareo::ChangeFeedOptions feed_options;
    feed_options.entity = kareo::FeedEntity::Patients;
    feed_options.patient_filter.PracticeName = practice;
    feed_options.checkpoint_path = checkpoint;
    // GetPatients has no documented window limit: read wide windows (the feed halves one that faults or times
    // out), so a first run needs few calls at one per second. Later runs read from the checkpoint on.
    feed_options.paging.window = std::chrono::hours(24 * 365 * 5);
    feed_options.paging.max_window = feed_options.paging.window;
    if (argc > 4) {
      auto since = kareo::DateTime::parse(argv[4]);
      if (!since) throw kareo::InvalidArgument(std::string("not a date: ") + argv[4]);
      feed_options.start = *since;  // the first run skips records last modified before this
    }
    kareo::ChangeFeed feed(client, feed_options);

    std::size_t added = 0, updated = 0;
    make_private(store_path);
    std::ofstream log(store_path, std::ios::app);
    kareo::PollResult result = feed.poll_once([&](const kareo::Change& change) {
      nlohmann::json record = kareo::to_json(*change.patient);
      log << record.dump() << '\n' << std::flush;  // durable before the feed may checkpoint past it
      if (!log) throw std::runtime_error("cannot append to " + store_path);
      auto [it, inserted] = store.insert_or_assign(change.id, std::move(record));
      (void)it;
      ++(inserted ? added : updated);
    });
    log.close();

    // Compact: one line per patient (written aside, then renamed over the log).
    make_private(store_path + ".tmp");
    std::ofstream out(store_path + ".tmp", std::ios::trunc);
    for (const auto& entry : store) out << entry.second.dump() << '\n';
    out.close();
    if (!out || std::rename((store_path + ".tmp").c_str(), store_path.c_str()) != 0) {
      std::cerr << "patient-sync: cannot write " << store_path << '\n';
      return 1;
    }

    std::cout << "patient-sync: " << result.delivered << " changed patients (" << added << " new, " << updated
              << " updated), " << store.size() << " in " << store_path << "; checkpoint "
              << (result.cursor ? result.cursor->iso() : std::string("not set yet")) << '\n';
    return 0;
  } catch (const kareo::Error& e) {
    std::cerr << "patient-sync: " << e.what() << "\n" << e.hint() << '\n';
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "patient-sync: " << e.what() << '\n';
    return 1;
  }
}
