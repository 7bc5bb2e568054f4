// kareo::check_request: reads a captured request against the contract (src/check/contract.hpp) and the operation
// table (kareo_optable.hpp) and says what the service does with each mistake. What the service does is documented
// in docs/cli.md (kareo check-request) and docs/reliability.md.
#include "kareo/check.hpp"

#include <libxml/tree.h>

#include <algorithm>
#include <string>

#include "check/check_internal.hpp"
#include "kareo_optable.hpp"

namespace kareo {

const char* severity_name(Severity severity) noexcept { return severity == Severity::Error ? "error" : "warning"; }

bool RequestCheck::accepted() const noexcept {
  return std::none_of(findings.begin(), findings.end(), [](const Finding& f) { return f.severity == Severity::Error; });
}

namespace check_detail {

bool is_credential(std::string_view local_name) {
  return local_name == "CustomerKey" || local_name == "Password" || local_name == "User";
}

/// The operation table's row of an operation name, or -1.
int operation_row(std::string_view name) {
  for (std::size_t i = 0; i < optable::kRows; ++i) {
    if (name == optable::kTable[i].name) return static_cast<int>(i);
  }
  return -1;
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

RequestCheck Checker::run() {
  check_http();
  XmlError error;
  auto doc = parse_xml(in_.body, error);
  if (!doc) {
    not_well_formed(error);
    return finish();
  }
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!check_envelope(root)) return finish();
  check_body();
  return finish();
}

int Checker::line_of(const xmlNode* n) const {
  long l = xmlGetLineNo(n);
  return l > 0 ? in_.body_line - 1 + static_cast<int>(l) : in_.body_line;
}

Finding& Checker::add(std::string code, Severity severity, std::string message, int line, std::string path,
                      std::string fix, bool faults) {
  Finding f;
  f.code = std::move(code);
  f.severity = severity;
  f.message = std::move(message);
  f.line = line;
  f.path = std::move(path);
  f.fix = std::move(fix);
  f.faults = faults;
  out_.findings.push_back(std::move(f));
  return out_.findings.back();
}

RequestCheck Checker::finish() {
  std::stable_sort(out_.findings.begin(), out_.findings.end(),
                   [](const Finding& a, const Finding& b) { return a.line < b.line; });
  return std::move(out_);
}

}  // namespace check_detail

RequestCheck check_request(std::string_view request, const CheckOptions& options) {
  const auto message = check_detail::split_message(request);
  return check_detail::Checker(message, options).run();
}

std::vector<Finding> check_request(std::string_view request) { return check_request(request, CheckOptions{}).findings; }

}  // namespace kareo
