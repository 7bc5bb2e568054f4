// Printing records: JSON lines, tables for people, CSV; and the progress bar.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "cli.hpp"

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

Output::Output(Format format, std::vector<std::string> columns, std::ostream& out)
    : format_(format), columns_(std::move(columns)), out_(out) {}

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

void Output::record(const json& record) {
  ++count_;
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

void Output::single(const json& object, const kareo::TypeDescription& type) {
  ++count_;
  switch (format_) {
    case Format::Json:
      out_ << json_line(object) << '\n';
      break;
    case Format::Csv: {
      type_ = &type;
      begin(type);
      --count_;
      record(object);
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
