#include "kareo/change_feed.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <sstream>

#include "kareo/client.hpp"
#include "kareo/errors.hpp"

namespace kareo {

namespace {

// The query of one call for the rows last modified in `window` (the feed's own pager cuts and halves windows).
template <typename Query, typename Filter>
Query one_window(const Filter& filter, const TimeRange& window) {
  Query query;
  query.filter = filter;
  query.filter.FromLastModifiedDate.reset();
  query.filter.ToLastModifiedDate.reset();
  query.last_modified = window;
  const auto width =
      std::chrono::seconds(std::max(1LL, detail::to_seconds(window.to) - detail::to_seconds(window.from)));
  query.paging.window = query.paging.max_window = query.paging.min_window = width;
  return query;
}

constexpr const char* kMagic = "kareo-change-feed 1";

std::string errno_text() { return std::strerror(errno); }

const char* entity_name(FeedEntity e) { return feed_entity_name(e); }

constexpr FeedEntity kEntities[] = {FeedEntity::Patients, FeedEntity::Appointments, FeedEntity::Charges,
                                    FeedEntity::Payments, FeedEntity::Transactions};

// Percent-encodes blanks, control characters, '%' and non-ASCII bytes so that each field is one word.
std::string encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c <= 0x20 || c == '%' || c >= 0x7f) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out.empty() ? "%" : out;  // a lone "%" stands for the empty string
}

bool decode(const std::string& s, std::string& out) {
  out.clear();
  if (s == "%") return true;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return false;
    const std::string hex = s.substr(i + 1, 2);
    char* end = nullptr;
    const long v = std::strtol(hex.c_str(), &end, 16);
    if (hex.size() != 2 || end != hex.c_str() + 2) return false;
    out += static_cast<char>(v);
    i += 2;
  }
  return true;
}

std::string serialize(const Checkpoint& c) {
  std::ostringstream out;
  out << kMagic << "\n";
  out << "entity " << entity_name(c.entity) << "\n";
  out << "cursor " << (c.cursor ? c.cursor->iso() : std::string("-")) << "\n";
  for (const auto& [id, lmd] : c.delivered) out << "delivered " << encode(id) << " " << encode(lmd) << "\n";
  out << "end " << c.delivered.size() << "\n";
  return out.str();
}

Checkpoint parse(const std::string& text, const std::string& path) {
  auto damaged = [&](const std::string& why) {
    return InvalidArgument("the change feed checkpoint " + path + " is damaged (" + why + ")");
  };
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != kMagic) throw damaged("not a checkpoint file");
  Checkpoint c;
  bool ended = false;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key;
    words >> key;
    if (key == "entity") {
      std::string v;
      words >> v;
      const auto* found = std::find_if(std::begin(kEntities), std::end(kEntities),
                                       [&](FeedEntity e) { return v == feed_entity_name(e); });
      if (found == std::end(kEntities)) throw damaged("unknown entity " + v);
      c.entity = *found;
    } else if (key == "cursor") {
      std::string v;
      words >> v;
      if (v != "-") {
        c.cursor = DateTime::parse(v);
        if (!c.cursor) throw damaged("bad cursor " + v);
      }
    } else if (key == "delivered") {
      std::string a, b, id, lmd;
      if (!(words >> a >> b) || !decode(a, id) || !decode(b, lmd)) throw damaged("bad line: " + line);
      c.delivered.emplace(std::move(id), std::move(lmd));
    } else if (key == "end") {
      std::size_t n = 0;
      if (!(words >> n) || n != c.delivered.size()) throw damaged("incomplete");
      ended = true;
      break;
    } else if (!key.empty()) {
      throw damaged("unknown line: " + line);
    }
  }
  if (!ended) throw damaged("incomplete");
  return c;
}

// Closes a descriptor on every path.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

std::string checkpoint_to_text(const Checkpoint& checkpoint) { return serialize(checkpoint); }

Checkpoint checkpoint_from_text(const std::string& text, const std::string& where) { return parse(text, where); }

const char* feed_entity_name(FeedEntity entity) noexcept {
  switch (entity) {
    case FeedEntity::Patients:
      return "Patients";
    case FeedEntity::Appointments:
      return "Appointments";
    case FeedEntity::Charges:
      return "Charges";
    case FeedEntity::Payments:
      return "Payments";
    case FeedEntity::Transactions:
      return "Transactions";
  }
  return "?";
}

// -----------------------------------------------------------------------------------------------------------------
// FileCheckpointStore

FileCheckpointStore::FileCheckpointStore(std::string path, std::function<void(CheckpointStep)> after_step)
    : path_(std::move(path)), after_step_(std::move(after_step)) {
  if (path_.empty()) throw InvalidArgument("a change feed needs a checkpoint path");
  const std::string lock_path = path_ + ".lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) throw InvalidArgument("cannot open " + lock_path + ": " + errno_text());
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const bool busy = errno == EWOULDBLOCK;
    const std::string why = errno_text();
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw InvalidArgument(busy ? "the change feed checkpoint " + path_ + " is in use by another feed"
                               : "cannot lock " + lock_path + ": " + why);
  }
}

FileCheckpointStore::~FileCheckpointStore() {
  if (lock_fd_ >= 0) {
    ::flock(lock_fd_, LOCK_UN);
    ::close(lock_fd_);
  }
}

std::optional<Checkpoint> FileCheckpointStore::load() {
  Fd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw InvalidArgument("cannot read the change feed checkpoint " + path_ + ": " + errno_text());
  }
  std::string text;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw InvalidArgument("cannot read the change feed checkpoint " + path_ + ": " + errno_text());
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  return parse(text, path_);
}

void FileCheckpointStore::save(const Checkpoint& checkpoint) {
  const std::string text = serialize(checkpoint);
  const std::string tmp = path_ + ".tmp";
  auto step = [&](CheckpointStep s) {
    if (after_step_) after_step_(s);
  };
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (fd.fd < 0) throw InvalidArgument("cannot write " + tmp + ": " + errno_text());
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::write(fd.fd, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw InvalidArgument("cannot write " + tmp + ": " + errno_text());
      done += static_cast<std::size_t>(n);
    }
    step(CheckpointStep::TempWritten);
    if (::fsync(fd.fd) != 0) throw InvalidArgument("cannot flush " + tmp + ": " + errno_text());
    step(CheckpointStep::TempSynced);
  }
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    throw InvalidArgument("cannot replace " + path_ + ": " + errno_text());
  }
  step(CheckpointStep::Renamed);
  Fd dir(::open(directory_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.fd >= 0) ::fsync(dir.fd);  // best effort: some file systems refuse fsync on directories
  step(CheckpointStep::DirectorySynced);
}

// -----------------------------------------------------------------------------------------------------------------
// ChangeFeed

ChangeFeed::ChangeFeed(Client& client, ChangeFeedOptions options)
    : client_(detail::share_client(client)), options_(std::move(options)) {
  if (!options_.clock) options_.clock = SystemClock::instance();
  // Progress reports measure time on the feed's clock unless told otherwise.
  if (!options_.paging.clock || options_.paging.clock == SystemClock::instance()) {
    options_.paging.clock = options_.clock;
  }
  store_ = options_.checkpoint_store;
  if (!store_) {
    if (options_.checkpoint_path.empty()) {
      throw InvalidArgument("a change feed needs a checkpoint_path or a checkpoint_store");
    }
    store_ = std::make_shared<FileCheckpointStore>(options_.checkpoint_path);
  }
  if (auto saved = store_->load()) {
    if (saved->entity != options_.entity) {
      throw InvalidArgument(std::string("the change feed checkpoint belongs to a feed of ") +
                            entity_name(saved->entity) + ", not " + entity_name(options_.entity));
    }
    checkpoint_ = std::move(*saved);
  } else {
    checkpoint_.entity = options_.entity;
  }
}

PollResult ChangeFeed::poll_once(const Callback& callback) { return poll(callback, options_.paging.cancel); }

void ChangeFeed::run(const Callback& callback, const CancellationToken& stop) {
  for (;;) {
    if (stop.cancelled()) return;
    try {
      poll(callback, stop);
    } catch (const Cancelled&) {
      return;
    } catch (const std::exception& e) {
      if (stop.cancelled()) return;
      if (!options_.on_error || !options_.on_error(e)) throw;
    }
    if (!options_.clock->sleep_until(options_.clock->now() + options_.poll_interval, stop)) return;
  }
}

namespace {

// No service clock is further ahead of UTC than this (UTC+14, Kiribati).
constexpr long long kWidestZoneOffset = 14 * 3600;

std::string duration_text(long long seconds) {
  if (seconds >= 2 * 86400) return std::to_string(seconds / 86400) + " days";
  if (seconds >= 2 * 3600) return std::to_string(seconds / 3600) + " hours";
  return std::to_string(seconds / 60) + " minutes";
}

}  // namespace

void ChangeFeed::check_start(const DateTime& position, long long now_utc) {
  const long long ahead = detail::to_seconds(position) - now_utc;
  if (ahead <= kWidestZoneOffset) return;
  const bool cursor = checkpoint_.cursor.has_value();
  const std::string what =
      cursor ? "the change feed checkpoint's cursor " + position.iso() : "the change feed's start " + position.iso();
  const std::string message =
      what + " is " + duration_text(ahead) + " ahead of this machine's clock (" + detail::from_seconds(now_utc).iso() +
      " UTC), more than any time zone explains: " +
      (cursor ? "the checkpoint was written while a clock was wrong, or belongs to another feed, and " : "") +
      "every change made until then is skipped";
  const long long lookahead = std::max<long long>(0, options_.lookahead.count());
  if (ahead > lookahead && !options_.accept_future_cursor) {
    throw InvalidArgument(message + ". Refused: a poll reads at most " + duration_text(lookahead) +
                          " ahead of the clock. Check this machine's clock and the checkpoint" +
                          (cursor ? " (remove it to start again from ChangeFeedOptions::start)" : "") +
                          "; to poll from it anyway set ChangeFeedOptions::accept_future_cursor (kareo sync: "
                          "--accept-future-checkpoint)");
  }
  if (options_.on_warning) options_.on_warning(message);
}

PollResult ChangeFeed::poll(const Callback& callback, const CancellationToken& cancel) {
  // A poll that fails leaves the feed at its last saved checkpoint: what was delivered since (and perhaps not
  // committed by the consumer) is delivered again by the next poll.
  Checkpoint last_saved = checkpoint_;
  try {
    return read(callback, cancel, last_saved);
  } catch (...) {
    checkpoint_ = std::move(last_saved);
    throw;
  }
}

PollResult ChangeFeed::read(const Callback& callback, const CancellationToken& cancel, Checkpoint& last_saved) {
  using detail::from_seconds;
  using detail::to_seconds;
  const long long overlap = options_.overlap.count() > 0 ? options_.overlap.count() : 0;
  const long long now_utc =
      std::chrono::duration_cast<std::chrono::seconds>(options_.clock->wall_now().time_since_epoch()).count();
  check_start(checkpoint_.cursor ? *checkpoint_.cursor : options_.start, now_utc);
  const DateTime from = checkpoint_.cursor ? from_seconds(to_seconds(*checkpoint_.cursor) - overlap) : options_.start;
  DateTime to = from_seconds(now_utc + std::max<long long>(0, options_.lookahead.count()));
  if (to < from) to = from;

  const FeedEntity entity = options_.entity;
  Operation op = PatientQuery::operation;
  switch (entity) {
    case FeedEntity::Patients:
      op = PatientQuery::operation;
      break;
    case FeedEntity::Appointments:
      op = AppointmentQuery::operation;
      break;
    case FeedEntity::Charges:
      op = ChargeQuery::operation;
      break;
    case FeedEntity::Payments:
      op = PaymentQuery::operation;
      break;
    case FeedEntity::Transactions:
      op = TransactionQuery::operation;
      break;
  }
  PagingOptions paging = options_.paging;
  paging.cancel = cancel;
  // The same adaptive windows as a ranged read (kareo/paging.hpp): LastModified pairs have no window limit, so
  // a poll starts with the whole period, narrows on a fault or an over-budget window and widens again.
  detail::WindowPager pager(std::string(operation_name(op)), TimeRange{from, to}, paging, kUnlimitedWindow);
  std::uint64_t window_bytes = 0;
  CallOptions call_options;
  call_options.on_received = [&window_bytes](std::uint64_t n) { window_bytes = n; };

  PollResult result;
  std::size_t since_save = 0;

  // Moves the cursor forward to `t` and forgets the deliveries that fell out of the overlap before it.
  auto advance = [&](const DateTime& t) {
    if (checkpoint_.cursor && !(*checkpoint_.cursor < t)) return;
    checkpoint_.cursor = t;
    const long long keep_from = to_seconds(t) - overlap;
    for (auto it = checkpoint_.delivered.begin(); it != checkpoint_.delivered.end();) {
      const auto when = DateTime::parse(it->second);
      if (when && to_seconds(*when) < keep_from) {
        it = checkpoint_.delivered.erase(it);
      } else {
        ++it;
      }
    }
  };
  // The consumer makes what it received durable, then the checkpoint moves.
  auto save = [&] {
    if (options_.commit) options_.commit();
    store_->save(checkpoint_);
    last_saved = checkpoint_;
    since_save = 0;
  };

  // One row of a window, in the order of delivery.
  struct Pending {
    std::optional<DateTime> modified;
    const std::string* id;
    const std::optional<std::string>* modified_text;
    std::size_t index;
  };

  while (const std::optional<TimeRange> window = pager.next_window()) {
    // Fetch the window (a failure narrows it, or ends the poll)...
    std::vector<PatientData> patient_rows;
    std::vector<AppointmentData> appointment_rows;
    std::vector<ChargeData> charge_rows;
    std::vector<PaymentData> payment_rows;
    std::vector<TransactionData> transaction_rows;
    window_bytes = 0;
    try {
      switch (entity) {
        case FeedEntity::Patients:
          patient_rows =
              client_->patients(one_window<PatientQuery>(options_.patient_filter, *window), call_options).collect();
          break;
        case FeedEntity::Appointments:
          appointment_rows =
              client_->appointments(one_window<AppointmentQuery>(options_.appointment_filter, *window), call_options)
                  .collect();
          break;
        case FeedEntity::Charges:
          charge_rows =
              client_->charges(one_window<ChargeQuery>(options_.charge_filter, *window), call_options).collect();
          break;
        case FeedEntity::Payments:
          payment_rows =
              client_->payments(one_window<PaymentQuery>(options_.payment_filter, *window), call_options).collect();
          break;
        case FeedEntity::Transactions:
          transaction_rows =
              client_->transactions(one_window<TransactionQuery>(options_.transaction_filter, *window), call_options)
                  .collect();
          break;
      }
    } catch (...) {
      pager.failed(std::current_exception());
      continue;
    }

    // ...order its rows by (LastModifiedDate, ID), those without a readable date first (they never move the
    // cursor)...
    std::vector<Pending> order;
    auto add = [&](const std::optional<std::string>& id, const std::optional<std::string>& modified,
                   std::size_t index) {
      if (!id || id->empty()) return;  // a placeholder row
      order.push_back({modified ? DateTime::parse(*modified) : std::nullopt, &*id, &modified, index});
    };
    auto add_all = [&](const auto& rows) {
      for (std::size_t i = 0; i < rows.size(); ++i) add(rows[i].ID, rows[i].LastModifiedDate, i);
    };
    add_all(patient_rows);
    add_all(appointment_rows);
    add_all(charge_rows);
    add_all(payment_rows);
    add_all(transaction_rows);
    std::sort(order.begin(), order.end(), [](const Pending& a, const Pending& b) {
      if (a.modified.has_value() != b.modified.has_value()) return !a.modified.has_value();
      if (a.modified && *a.modified != *b.modified) return *a.modified < *b.modified;
      return *a.id < *b.id;
    });

    // ...and deliver them. The cursor follows the rows handed over (every row before it in this order is
    // done), but never past the window: a date beyond it (a service error) must not skip what was not read. An
    // exception from the callback or the commit ends the poll with the checkpoint as last saved.
    std::optional<DateTime> reached;
    std::size_t kept = 0;
    for (const Pending& p : order) {
      const std::string lmd = p.modified_text->value_or("");
      if (p.modified && !(window->to < *p.modified)) reached = p.modified;
      std::pair<std::string, std::string> key{*p.id, p.modified ? p.modified->iso() : lmd};
      if (checkpoint_.delivered.count(key) != 0) {
        ++result.skipped;
        continue;
      }
      Change change;
      change.entity = options_.entity;
      change.id = *p.id;
      change.last_modified = lmd;
      change.last_modified_time = p.modified;
      switch (entity) {
        case FeedEntity::Patients:
          change.patient = std::make_shared<const PatientData>(std::move(patient_rows[p.index]));
          break;
        case FeedEntity::Appointments:
          change.appointment = std::make_shared<const AppointmentData>(std::move(appointment_rows[p.index]));
          break;
        case FeedEntity::Charges:
          change.charge = std::make_shared<const ChargeData>(std::move(charge_rows[p.index]));
          break;
        case FeedEntity::Payments:
          change.payment = std::make_shared<const PaymentData>(std::move(payment_rows[p.index]));
          break;
        case FeedEntity::Transactions:
          change.transaction = std::make_shared<const TransactionData>(std::move(transaction_rows[p.index]));
          break;
      }
      callback(change);
      checkpoint_.delivered.insert(std::move(key));
      ++result.delivered;
      ++kept;
      if (++since_save >= std::max<std::size_t>(1, options_.checkpoint_every)) {
        if (reached) advance(*reached);
        save();
      }
    }
    ++result.windows;
    pager.completed(kept,
                    patient_rows.size() + appointment_rows.size() + charge_rows.size() + payment_rows.size() +
                        transaction_rows.size(),
                    window_bytes);
    if (reached) advance(*reached);
    save();
  }
  result.cursor = checkpoint_.cursor;
  return result;
}

}  // namespace kareo
