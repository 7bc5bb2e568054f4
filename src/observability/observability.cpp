#include "kareo/observability.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <utility>
#include <vector>

#include "client/facade_internal.hpp"
#include "kareo/datetime.hpp"

namespace kareo {
namespace {

constexpr std::string_view kMask = "***";

bool is_credential(std::string_view name) noexcept {
  return name == "CustomerKey" || name == "Password" || name == "User";
}

bool ends_with(std::string_view s, std::string_view suffix) noexcept {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool contains(std::string_view s, std::string_view part) noexcept { return s.find(part) != std::string_view::npos; }

std::string_view local_name(std::string_view qname) noexcept {
  const auto colon = qname.find(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

bool whitespace_only(std::string_view s) noexcept {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

enum class Policy {
  CredentialsOnly,  // mask credentials, keep all other text
  AllowList,        // mask credentials and all text not allow-listed
};

// Decides the fate of the text directly inside `name` (whose parent is `parent`).
bool keep_text(Policy policy, std::string_view name, std::string_view parent, std::string_view text) {
  if (is_credential(name)) return false;
  if (policy == Policy::CredentialsOnly) return true;
  if (trace_allows(name)) return true;
  // Items of the Arrays-namespace lists of permissions (PermissionsMissing/Permission/string).
  if (name == "string" && parent == "Permission") return true;
  // Flags carry no patient data whatever the element.
  return parse_bool(text).has_value() &&
         !std::all_of(text.begin(), text.end(), [](char c) { return c == '0' || c == '1'; });
}

// One pass over the markup: tags, comments, processing instructions and CDATA sections are copied; the text
// between them is kept or masked per `policy`. Not a validating parser: it only needs to find element boundaries
// in well-formed (or truncated) XML.
std::string redact(std::string_view xml, Policy policy, const std::vector<std::string_view>* only = nullptr) {
  std::string out;
  out.reserve(xml.size());
  std::vector<std::string_view> stack;
  std::size_t i = 0;
  auto current = [&]() -> std::string_view { return stack.empty() ? std::string_view() : stack.back(); };
  auto parent = [&]() -> std::string_view { return stack.size() < 2 ? std::string_view() : stack[stack.size() - 2]; };
  auto emit_text = [&](std::string_view text) {
    if (text.empty() || whitespace_only(text)) {
      out.append(text);
      return;
    }
    bool keep;
    if (only) {
      keep = std::find(only->begin(), only->end(), current()) == only->end();
    } else {
      keep = keep_text(policy, current(), parent(), text);
    }
    if (keep) {
      out.append(text);
    } else {
      out.append(kMask);
    }
  };
  while (i < xml.size()) {
    const auto lt = xml.find('<', i);
    if (lt == std::string_view::npos) {
      emit_text(xml.substr(i));
      break;
    }
    emit_text(xml.substr(i, lt - i));
    const std::string_view rest = xml.substr(lt);
    if (rest.rfind("<![CDATA[", 0) == 0) {
      const auto end = xml.find("]]>", lt);
      const std::size_t stop = end == std::string_view::npos ? xml.size() : end + 3;
      const std::string_view body = xml.substr(lt + 9, (end == std::string_view::npos ? xml.size() : end) - lt - 9);
      bool keep = only ? std::find(only->begin(), only->end(), current()) == only->end()
                       : keep_text(policy, current(), parent(), body);
      if (keep) {
        out.append(xml.substr(lt, stop - lt));
      } else {
        out.append("<![CDATA[***]]>");
      }
      i = stop;
      continue;
    }
    std::string_view terminator = ">";
    if (rest.rfind("<!--", 0) == 0) terminator = "-->";
    if (rest.rfind("<?", 0) == 0) terminator = "?>";
    const auto gt = xml.find(terminator, lt + 1);
    const std::size_t stop = gt == std::string_view::npos ? xml.size() : gt + terminator.size();
    const std::string_view tag = xml.substr(lt, stop - lt);
    out.append(tag);
    i = stop;
    if (terminator != ">" || tag.size() < 2) continue;
    if (tag[1] == '/') {
      if (!stack.empty()) stack.pop_back();
      continue;
    }
    if (tag[1] == '!') continue;
    std::size_t n = 1;
    while (n < tag.size() && !std::isspace(static_cast<unsigned char>(tag[n])) && tag[n] != '>' && tag[n] != '/') ++n;
    const std::string_view name = local_name(tag.substr(1, n - 1));
    const bool self_closing = tag.size() >= 2 && tag[tag.size() - 2] == '/';
    if (!self_closing) stack.push_back(name);
  }
  return out;
}

}  // namespace

bool trace_allows(std::string_view name) noexcept {
  if (name.empty() || is_credential(name)) return false;
  static constexpr std::string_view kNames[] = {
      // SOAP structure and faults
      "Envelope",
      "Body",
      "Header",
      "Fault",
      "faultcode",
      "faultstring",
      "faultactor",
      "Code",
      "Reason",
      "Value",
      "Text",
      // the service's own reports
      "ErrorMessage",
      "IsError",
      "StackTrace",
      "SecurityResult",
      "SecurityResultSuccess",
      "Authenticated",
      "Authorized",
      "CustomerKeyValid",
      "CustomerId",
      "IsAuthorized",
      "Permission",
      // Arrays-namespace ID lists
      "int",
      "long",
      // paging, counts, versions, throttles
      "ClientVersion",
      "BatchSize",
      "StartKey",
      "nextStartKey",
      "Endpoint",
      "ThrottleTimeMs",
      "Deleted",
      "Active",
      // names of the business, not of patients
      "PracticeName",
      "ExternalVendorName",
  };
  for (auto n : kNames) {
    if (n == name) return true;
  }
  // IDs and keys (not the customer key, handled above)
  if (ends_with(name, "ID") || ends_with(name, "Id") || ends_with(name, "IDs") || ends_with(name, "Ids") ||
      ends_with(name, "Guid") || ends_with(name, "UUID")) {
    return true;
  }
  // Dates, except those that describe the patient
  if (contains(name, "Date") && !contains(name, "Birth") && !contains(name, "Death") && !contains(name, "Deceased")) {
    return true;
  }
  // Flags
  if ((name.size() > 2 && name.substr(0, 2) == "Is" && std::isupper(static_cast<unsigned char>(name[2]))) ||
      (name.size() > 3 && name.substr(0, 3) == "Has" && std::isupper(static_cast<unsigned char>(name[3])))) {
    return true;
  }
  return false;
}

std::string mask_credentials(std::string_view xml) { return redact(xml, Policy::CredentialsOnly); }

std::string redact_xml(std::string_view xml, bool include_patient_data) {
  return redact(xml, include_patient_data ? Policy::CredentialsOnly : Policy::AllowList);
}

namespace detail {

std::string mask_elements(std::string_view xml, std::initializer_list<std::string_view> names) {
  const std::vector<std::string_view> list(names);
  return redact(xml, Policy::CredentialsOnly, &list);
}

namespace {

class ObservedConnection final : public Connection {
 public:
  ObservedConnection(std::shared_ptr<Connection> inner, EventSink sink, WireTrace mode)
      : inner_(std::move(inner)), sink_(std::move(sink)), mode_(mode) {}

  void call(Exchange& exchange) override {
    if (!sink_) {
      inner_->call(exchange);
      return;
    }
    // Whatever transport is below fills the attempt's record (the built-in one always does).
    WireRecord& record = exchange.wire();
    record = WireRecord{};
    record.want_xml = mode_ != WireTrace::Off;
    const auto start = std::chrono::steady_clock::now();
    try {
      inner_->call(exchange);
    } catch (const Error& e) {
      report(exchange, record, start, &e, nullptr);
      throw;
    } catch (const std::exception& e) {
      report(exchange, record, start, nullptr, &e);
      throw;
    }
    report(exchange, record, start, nullptr, nullptr);
  }

 private:
  void report(const Exchange& exchange, const WireRecord& record, std::chrono::steady_clock::time_point start,
              const Error* error, const std::exception* other) const noexcept {
    try {
      CallEvent event;
      event.operation = exchange.operation;
      event.attempt = exchange.attempt;
      event.endpoint = record.endpoint;
      event.duration = std::chrono::steady_clock::now() - start;
      event.bytes_sent = record.bytes_sent;
      event.bytes_received = record.bytes_received;
      event.http_status = record.http_status;
      if (error) {
        event.ok = false;
        event.error = error->kind();
        event.message = error->what();
        if (!event.http_status) event.http_status = error->http_status();
      } else if (other) {
        event.ok = false;
        event.error = ErrorKind::Transport;
        event.message = other->what();
      }
      if (mode_ != WireTrace::Off) {
        const bool patient_data = mode_ == WireTrace::WithPatientData;
        event.request_xml = redact_xml(record.request_xml, patient_data);
        event.response_xml = redact_xml(record.response_xml, patient_data);
      }
      deliver_event(sink_, event, mode_);
    } catch (...) {
      // A failing sink must not change the outcome of the call.
    }
  }

  std::shared_ptr<Connection> inner_;
  EventSink sink_;
  WireTrace mode_;
};

}  // namespace

std::shared_ptr<Connection> make_observed_connection(std::shared_ptr<Connection> inner, EventSink sink,
                                                     WireTrace mode) {
  return std::make_shared<ObservedConnection>(std::move(inner), std::move(sink), mode);
}

}  // namespace detail
}  // namespace kareo
