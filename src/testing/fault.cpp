#include "kareo/testing/fault.hpp"

#include <cctype>
#include <stdexcept>
#include <string>
#include <vector>

namespace kareo::testing {
namespace {

struct KindName {
  Fault::Kind kind;
  const char* name;
};

const KindName kKinds[] = {
    {Fault::Kind::Internal, "internal"}, {Fault::Kind::Http, "http"},
    {Fault::Kind::Latency, "latency"},   {Fault::Kind::Drop, "drop"},
    {Fault::Kind::Truncate, "truncate"}, {Fault::Kind::Malformed, "malformed"},
    {Fault::Kind::Throttle, "throttle"}, {Fault::Kind::WideWindow, "wide-window"},
};

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t pos = s.find(sep, start);
    out.emplace_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

int to_int(const std::string& spec, const std::string& key, const std::string& value, int min) {
  std::size_t used = 0;
  int v = 0;
  try {
    v = std::stoi(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || value.empty() || v < min) {
    throw std::invalid_argument("fault \"" + spec + "\": " + key + " needs a whole number >= " + std::to_string(min) +
                                ", got \"" + value + "\"");
  }
  return v;
}

bool valid_operation(const std::string& op) {
  if (op.empty()) return false;
  for (char c : op) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

Fault Fault::parse(std::string_view text) {
  const std::string spec(text);
  auto parts = split(text, ':');
  Fault f;
  bool known = false;
  for (const auto& k : kKinds) {
    if (parts[0] == k.name) {
      f.kind = k.kind;
      known = true;
    }
  }
  if (!known) {
    throw std::invalid_argument("fault \"" + spec + "\": unknown kind \"" + parts[0] +
                                "\" (internal, http, latency, drop, truncate, malformed, throttle, wide-window)");
  }
  bool have_ms = false, have_days = false;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    auto eq = p.find('=');
    std::string key = p.substr(0, eq);
    std::string value = eq == std::string::npos ? std::string() : p.substr(eq + 1);
    bool flag = eq == std::string::npos;
    if (key == "op" && !flag) {
      if (!valid_operation(value)) throw std::invalid_argument("fault \"" + spec + "\": bad operation name");
      f.operation = value;
    } else if (key == "count" && !flag) {
      f.count = to_int(spec, key, value, 1);
    } else if (key == "skip" && !flag) {
      f.skip = to_int(spec, key, value, 0);
    } else if (key == "status" && !flag && f.kind == Kind::Http) {
      f.status = to_int(spec, key, value, 100);
      if (f.status > 599) throw std::invalid_argument("fault \"" + spec + "\": status must be 100..599");
    } else if (key == "ms" && !flag && f.kind == Kind::Latency) {
      f.latency_ms = to_int(spec, key, value, 0);
      have_ms = true;
    } else if (key == "days" && !flag && f.kind == Kind::WideWindow) {
      f.days = to_int(spec, key, value, 0);
      have_days = true;
    } else if (key == "empty" && flag && f.kind == Kind::WideWindow) {
      f.empty_result = true;
    } else if (key == "before-apply" && flag && f.kind == Kind::Drop) {
      f.drop = DropPoint::BeforeApply;
    } else if (key == "after-apply" && flag && f.kind == Kind::Drop) {
      f.drop = DropPoint::AfterApply;
    } else if (key == "rst" && flag && f.kind == Kind::Drop) {
      f.reset = true;
    } else if (key == "keep-open" && flag && (f.kind == Kind::Truncate || f.kind == Kind::Malformed)) {
      f.keep_open = true;
    } else if (key == "all" && flag && f.kind == Kind::Throttle) {
      f.operation.clear();
    } else {
      throw std::invalid_argument("fault \"" + spec + "\": unexpected parameter \"" + p + "\" for " + parts[0]);
    }
  }
  if (f.kind == Kind::Latency && !have_ms) throw std::invalid_argument("fault \"" + spec + "\": latency needs ms=N");
  if (f.kind == Kind::WideWindow && !have_days) {
    throw std::invalid_argument("fault \"" + spec + "\": wide-window needs days=N");
  }
  return f;
}

std::string Fault::spec() const {
  std::string s;
  for (const auto& k : kKinds) {
    if (k.kind == kind) s = k.name;
  }
  if (!operation.empty()) s += ":op=" + operation;
  switch (kind) {
    case Kind::Http:
      s += ":status=" + std::to_string(status);
      break;
    case Kind::Latency:
      s += ":ms=" + std::to_string(latency_ms);
      break;
    case Kind::WideWindow:
      s += ":days=" + std::to_string(days);
      if (empty_result) s += ":empty";
      break;
    case Kind::Drop:
      if (drop == DropPoint::BeforeApply) s += ":before-apply";
      if (drop == DropPoint::AfterApply) s += ":after-apply";
      if (reset) s += ":rst";
      break;
    case Kind::Throttle:
      if (operation.empty()) s += ":all";
      break;
    case Kind::Truncate:
    case Kind::Malformed:
      if (keep_open) s += ":keep-open";
      break;
    default:
      break;
  }
  if (skip) s += ":skip=" + std::to_string(skip);
  if (count) s += ":count=" + std::to_string(count);
  return s;
}

}  // namespace kareo::testing
