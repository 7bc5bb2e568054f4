// Printing records: JSON lines, tables for people, CSV; and the progress bar.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "cli.hpp"
#include "kareo/values.hpp"

namespace kareo_cli {

namespace {

// A string as JSON. Plain printable ASCII (most of what the service returns) is written as it is; anything
// else goes through nlohmann::json, which escapes it and replaces invalid UTF-8.
struct PlainBytes {
  bool plain[256] = {};
  PlainBytes() {
    for (int c = 0x20; c <= 0x7e; ++c) plain[c] = c != '"' && c != '\\';
  }
};

void append_string(std::string& out, const std::string& s) {
  static const PlainBytes table;
  for (const char c : s) {
    if (!table.plain[static_cast<unsigned char>(c)]) {
      out += json(s).dump(-1, ' ', false, json::error_handler_t::replace);
      return;
    }
  }
  out.push_back('"');
  out.append(s);
  out.push_back('"');
}

void append_json(std::string& out, const json& v) {
  if (v.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [key, value] : v.get_ref<const json::object_t&>()) {
      if (!first) out += ',';
      first = false;
      append_string(out, key);
      out += ':';
      append_json(out, value);
    }
    out += '}';
  } else if (v.is_array()) {
    out += '[';
    bool first = true;
    for (const auto& value : v.get_ref<const json::array_t&>()) {
      if (!first) out += ',';
      first = false;
      append_json(out, value);
    }
    out += ']';
  } else if (v.is_string()) {
    append_string(out, v.get_ref<const std::string&>());
  } else {
    out += v.dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

std::string cell_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return {};
  return v.dump();
}

std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Display width of UTF-8 text (code points; good enough for names and addresses).
std::size_t width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string truncate(const std::string& s, std::size_t max) {
  if (width(s) <= max) return s;
  std::string out;
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) != 0x80) {
      if (n + 1 >= max) break;
      ++n;
    }
    out += s[i];
  }
  return out + "~";
}

void collect_leaves(const kareo::TypeDescription& type, const std::string& prefix, int depth,
                    std::vector<std::string>& out) {
  for (const auto& m : type.members) {
    std::string name = prefix + std::string(m.name);
    if (m.kind == kareo::MemberKind::Object && depth < 4) {
      if (const auto* nested = kareo::describe_type(m.type_name)) {
        collect_leaves(*nested, name + ".", depth + 1, out);
        continue;
      }
    }
    out.push_back(name);
  }
}

// The first UTC date-time member of `type` (an appointment's StartDate): what a table of such rows is sorted by.
std::string sort_member(const kareo::TypeDescription& type) {
  if (const auto* kinds = kareo::values::row_kinds(type.name))
    for (const auto& m : kinds->members)
      if (m.kind == kareo::values::Kind::UtcDateTime) return std::string(m.name);
  return {};
}

void make_typed(json& record, const kareo::TypeDescription& type, int depth) {
  if (!record.is_object() || depth > 8) return;
  const auto* kinds = kareo::values::row_kinds(type.name);
  std::size_t next = 0;  // the row kinds and the description list the members in the same (wire) order
  for (const auto& m : type.members) {
    kareo::values::Kind kind = kareo::values::Kind::Text;
    if (kinds && next < kinds->members.size() && kinds->members[next].name == m.name)
      kind = kinds->members[next++].kind;
    auto it = record.find(std::string(m.name));
    if (it == record.end()) continue;
    if (m.kind == kareo::MemberKind::Object) {
      if (const auto* nested = kareo::describe_type(m.type_name)) make_typed(*it, *nested, depth + 1);
    } else if (m.kind == kareo::MemberKind::Array && it->is_array()) {
      const auto* array = kareo::describe_type(m.type_name);
      const auto* item =
          array && array->members.size() == 1 ? kareo::describe_type(array->members[0].type_name) : nullptr;
      if (item)
        for (auto& element : *it) make_typed(element, *item, depth + 1);
    } else if (kind != kareo::values::Kind::Text && it->is_string()) {
      const std::string& text = it->get_ref<const std::string&>();
      if (text.empty()) {
        *it = nullptr;
      } else if (auto iso = kareo::values::iso_text(kind, text)) {
        if (kind == kareo::values::Kind::Boolean)
          *it = *iso == "true";
        else
          *it = std::move(*iso);
      }
    }
  }
}

// A large output file is written back to disk while it is being written (asynchronously, every 16 MiB): the
// fsync at the end (commit_output) then has little left to wait for, and the machine does not pile up hundreds
// of megabytes of unwritten pages. Nothing to do for terminals and pipes.
void start_writeback(std::size_t bytes) {
#ifdef __linux__
  constexpr std::size_t kEvery = std::size_t{16} << 20;
  static const bool regular = [] {
    struct stat st {};
    return ::fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode);
  }();
  static std::size_t since = 0;
  if (!regular) return;
  since += bytes;
  if (since < kEvery) return;
  since = 0;
  ::sync_file_range(STDOUT_FILENO, 0, 0, SYNC_FILE_RANGE_WRITE);  // a hint: its failure changes nothing
#else
  (void)bytes;
#endif
}

[[noreturn]] void output_failed(int error) {
  throw OutputError(std::string("cannot write the output") +
                    (error != 0 ? std::string(": ") + std::strerror(error) : ""));
}

}  // namespace

void check_output(const std::ostream& out) {
  const int error = errno;
  if (!out) output_failed(error);
}

void commit_output() {
  errno = 0;
  std::cout.flush();
  check_output(std::cout);
  // Records on a disk are durable before a checkpoint moves past them. Special files (terminals, pipes,
  // /dev/null) have nothing to flush.
  struct stat st {};
  if (::fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) && ::fsync(STDOUT_FILENO) != 0 && errno != EINVAL &&
      errno != EROFS)
    output_failed(errno);
}

std::string json_line(const json& value) {
  std::string out;
  out.reserve(16384);
  append_json(out, value);
  return out;
}

void flatten(const json& value, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& out) {
  if (value.is_object()) {
    for (const auto& item : value.items())
      flatten(item.value(), prefix.empty() ? item.key() : prefix + "." + item.key(), out);
    return;
  }
  out.emplace_back(prefix, cell_text(value));
}

std::vector<std::string> leaf_columns(const kareo::TypeDescription& type) {
  std::vector<std::string> out;
  collect_leaves(type, "", 0, out);
  return out;
}

json typed_record(const json& record, const kareo::TypeDescription& type) {
  json out = record;
  make_typed(out, type, 0);
  return out;
}

Output::Output(Format format, std::vector<std::string> columns, std::ostream& out, bool raw)
    : format_(format), columns_(std::move(columns)), out_(out), raw_(raw) {}

json Output::typed(const json& record) const {
  if (raw_ || !type_) return record;
  return typed_record(record, *type_);
}

void Output::write_line() {
  ++count_;
  out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
  check_output(out_);  // stop at once when the reader has gone or the disk is full
  if (&out_ == &std::cout) start_writeback(line_.size());
}

void Output::begin(const kareo::TypeDescription& type, std::vector<std::string> table_columns) {
  type_ = &type;
  table_columns_ = std::move(table_columns);
  buffered_.clear();
  if (format_ == Format::Csv) {
    active_csv_columns_ = csv_columns();
    for (std::size_t i = 0; i < active_csv_columns_.size(); ++i)
      out_ << (i ? "," : "") << csv_escape(active_csv_columns_[i]);
    out_ << '\n';
    check_output(out_);
  }
}

std::vector<std::string> Output::csv_columns() const {
  if (!columns_.empty()) return columns_;
  return type_ ? leaf_columns(*type_) : std::vector<std::string>{};
}

void Output::record(const json& original) {
  ++count_;
  const json record = typed(original);
  switch (format_) {
    case Format::Json:
      out_ << json_line(record) << '\n';
      break;
    case Format::Csv: {
      std::vector<std::pair<std::string, std::string>> cells;
      flatten(record, "", cells);
      for (std::size_t i = 0; i < active_csv_columns_.size(); ++i) {
        std::string text;
        for (const auto& c : cells)
          if (c.first == active_csv_columns_[i]) text = c.second;
        out_ << (i ? "," : "") << csv_escape(text);
      }
      out_ << '\n';
      break;
    }
    case Format::Table:
      buffered_.push_back(record);
      break;
  }
  check_output(out_);  // stop at once when the reader has gone or the disk is full
}

void Output::end() {
  if (format_ == Format::Table) {
    // Rows with a UTC start (appointments) in chronological order; rows without one last.
    if (const std::string key = type_ ? sort_member(*type_) : std::string(); !key.empty()) {
      auto when = [&](const json& row) -> std::optional<kareo::DateTime> {
        auto it = row.find(key);
        if (it == row.end() || !it->is_string()) return std::nullopt;
        return kareo::values::to_utc_datetime(it->get_ref<const std::string&>());
      };
      std::vector<std::pair<std::optional<kareo::DateTime>, std::size_t>> order;
      for (std::size_t i = 0; i < buffered_.size(); ++i) order.emplace_back(when(buffered_[i]), i);
      std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
        if (a.first.has_value() != b.first.has_value()) return a.first.has_value();
        return a.first && *a.first < *b.first;
      });
      std::vector<json> sorted;
      sorted.reserve(buffered_.size());
      for (const auto& o : order) sorted.push_back(std::move(buffered_[o.second]));
      buffered_ = std::move(sorted);
    }
    std::vector<std::vector<std::pair<std::string, std::string>>> flat(buffered_.size());
    for (std::size_t i = 0; i < buffered_.size(); ++i) flatten(buffered_[i], "", flat[i]);
    auto filled = [&](const std::string& column) {
      for (const auto& row : flat)
        for (const auto& c : row)
          if (c.first == column && !c.second.empty()) return true;
      return false;
    };
    std::vector<std::string> columns = columns_;
    if (columns.empty()) {
      std::vector<std::string> all = type_ ? leaf_columns(*type_) : std::vector<std::string>{};
      for (const auto& c : table_columns_)
        if (std::find(all.begin(), all.end(), c) != all.end() && filled(c)) columns.push_back(c);
      if (columns.empty())
        for (const auto& c : all)
          if (filled(c)) columns.push_back(c);
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& row : flat) {
      std::vector<std::string> cells;
      for (const auto& column : columns) {
        std::string text;
        for (const auto& c : row)
          if (c.first == column) text = c.second;
        cells.push_back(text);
      }
      rows.push_back(std::move(cells));
    }
    print_table(columns, rows);
    if (buffered_.empty()) std::cerr << "(no records)\n";
    buffered_.clear();
  }
  out_.flush();
  check_output(out_);
}

void Output::print_table(const std::vector<std::string>& columns, const std::vector<std::vector<std::string>>& rows) {
  const std::size_t max_cell = 40;
  std::vector<std::size_t> widths;
  for (const auto& c : columns) widths.push_back(std::min(width(c), max_cell));
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], std::min(width(row[i]), max_cell));
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      std::string cell = truncate(cells[i], max_cell);
      if (i) text += "  ";
      text += cell;
      if (i + 1 < cells.size()) text += std::string(widths[i] - std::min(widths[i], width(cell)), ' ');
    }
    out_ << text << '\n';
  };
  if (columns.empty()) return;
  line(columns);
  std::vector<std::string> rule;
  for (std::size_t w : widths) rule.push_back(std::string(w, '-'));
  line(rule);
  for (const auto& row : rows) line(row);
}

void Output::single(const json& original, const kareo::TypeDescription& type) {
  ++count_;
  const json object = raw_ ? original : typed_record(original, type);
  switch (format_) {
    case Format::Json:
      out_ << json_line(object) << '\n';
      break;
    case Format::Csv: {
      type_ = &type;
      begin(type);
      --count_;
      record(original);
      break;
    }
    case Format::Table: {
      std::vector<std::pair<std::string, std::string>> cells;
      flatten(object, "", cells);
      std::vector<std::vector<std::string>> rows;
      for (const auto& c : cells)
        if (!c.second.empty()) rows.push_back({c.first, c.second});
      std::size_t w = 0;
      for (const auto& r : rows) w = std::max(w, width(r[0]));
      for (const auto& r : rows) out_ << r[0] << std::string(w - width(r[0]) + 2, ' ') << r[1] << '\n';
      break;
    }
  }
  out_.flush();
  check_output(out_);
}

Progress::Progress(bool enabled) : enabled_(enabled), tty_(isatty(STDERR_FILENO) != 0) {}

Progress::~Progress() { finish(); }

void Progress::update(const kareo::PagingProgress& p) {
  if (!enabled_) return;
  auto seconds = [](std::chrono::steady_clock::duration d) {
    long s = static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(d).count());
    char buf[32];
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return std::string(buf);
  };
  std::string text;
  if (p.windows_total > 0) {
    const int width = 24;
    int filled = static_cast<int>(width * p.windows_done / std::max<std::size_t>(p.windows_total, 1));
    text = p.operation + " [" + std::string(static_cast<std::size_t>(filled), '#') +
           std::string(static_cast<std::size_t>(width - filled), '.') + "] " + std::to_string(p.windows_done) + "/" +
           std::to_string(p.windows_total) + " windows, " + std::to_string(p.rows) + " records";
  } else {
    text = p.operation + ": " + std::to_string(p.windows_done) + " batches, " + std::to_string(p.rows) + " records";
  }
  text += ", " + seconds(p.elapsed) + " elapsed";
  if (p.remaining) text += ", about " + seconds(*p.remaining) + " left";
  if (p.splits) text += ", " + std::to_string(p.splits) + " windows halved";
  if (tty_) {
    std::cerr << "\r\033[K" << text << std::flush;
    drawn_ = true;
  } else if (p.windows_done != last_windows_) {
    std::cerr << text << '\n';
  }
  last_windows_ = p.windows_done;
}

void Progress::finish() {
  if (drawn_) std::cerr << '\n';
  drawn_ = false;
}

}  // namespace kareo_cli
