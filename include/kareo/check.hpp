/// @file
/// @brief Offline diagnosis of a request someone else's code sent to the service (`kareo check-request`).
///
/// Most integrations are not written with this library: their authors send hand-built or stack-generated XML and
/// get an InternalServiceFault, `Authenticated=false` or a silently empty result. check_request() reads such a
/// request (a raw HTTP request as Fiddler, `curl -v` or a support ticket shows it, or the XML body alone) against
/// the contract the library is generated from (operations, member order, occurrence, namespaces) and the facts of
/// the operation table, and reports every mistake it finds, each with a stable code, where it is, what the service
/// does with it and the fix. Nothing is sent anywhere.
///
/// | code                         | what it catches                                                                  |
/// |------------------------------|----------------------------------------------------------------------------------|
/// | `not-well-formed`            | the XML does not parse (e.g. a password with an unescaped `<` or `&`)            |
/// | `soap-version`               | a SOAP 1.2 envelope or `application/soap+xml`, or no SOAP envelope at all        |
/// | `content-type`               | anything but `text/xml` with a charset                                           |
/// | `soap-action`                | missing, not `http://www.kareo.com/api/schemas/KareoServices/<Operation>`, or    |
/// |                              | naming another operation than the body                                           |
/// | `unknown-operation`          | a body element that is no operation of the contract                              |
/// | `namespace`                  | an element in another namespace than the contract's                              |
/// | `credentials-in-soap-header` | RequestHeader, CustomerKey, User or Password inside `soap:Header`                |
/// | `missing-member`             | a member the service needs is absent                                             |
/// | `wrapper`                    | `request` on UpdatePatient, a RequestHeader where the credentials go inline      |
/// | `member-order`               | a known member out of contract order (the service drops it silently)             |
/// | `unknown-member`             | an element the contract does not have at that place (ignored by the service)     |
/// | `date-range`                 | half a From/To pair, a date form the service does not read, a too-wide window    |
///
/// Credentials in the input never appear in a finding or in the corrected request (they are replaced by "***").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kareo/errors.hpp"

namespace kareo {

/// How bad a finding is.
enum class Severity {
  Error,    ///< The service refuses the request, faults, or silently loses part of it.
  Warning,  ///< The service accepts the request, but ignores part of it or may misread it.
};

/// "error" or "warning".
const char* severity_name(Severity severity) noexcept;

/// One problem of a checked request.
struct Finding {
  std::string code;                     ///< Stable code, e.g. "member-order" (see the table above).
  Severity severity = Severity::Error;  ///< Error: the request would not be accepted as sent.
  std::string message;                  ///< What is wrong and what the service does with it.
  int line = 0;                         ///< Line of the input (1-based; 0 when it has no place).
  std::string path;     ///< Element path by local names, e.g. "/Envelope/Body/UpdatePatientsExternalID/request".
  std::string fix;      ///< How to fix it.
  bool faults = false;  ///< The service is known to answer this mistake with a SOAP Fault (InternalServiceFault).
};

/// Options of check_request().
struct CheckOptions {
  /// The SOAPAction the request was sent with, for an input that is the XML body alone. A raw HTTP input's own
  /// SOAPAction header takes precedence. When neither is known, the SOAPAction is not checked.
  std::optional<std::string> soap_action;
};

/// What check_request() found.
struct RequestCheck {
  std::vector<Finding> findings;  ///< Every problem found, in the order of the input.
  std::string operation;          ///< The operation of the body element, when it is one of the contract's.
  /// The request as it should have been sent (Content-Type and SOAPAction headers, a blank line, the envelope), with
  /// credentials masked as "***"; empty when there is nothing to correct or no correction can be derived (the
  /// input does not parse, or its operation is unknown).
  std::string corrected_request;
  /// True when no finding is an error: the service would accept the request as sent.
  bool accepted() const noexcept;
};

/// Checks a captured request (raw HTTP request or XML body) against the contract.
RequestCheck check_request(std::string_view request, const CheckOptions& options);

/// Checks a captured request (raw HTTP request or XML body) against the contract and returns the findings; the
/// SOAPAction is checked only when the input has HTTP headers.
std::vector<Finding> check_request(std::string_view request);

/// What a captured response means, read the way the library reads it.
struct ResponseReading {
  bool ok = true;                   ///< The call succeeded (the library would return a result).
  std::optional<ErrorKind> kind;    ///< The class of failure the library reports, when not ok.
  std::string exception;            ///< The exception class thrown, e.g. "SoapFault"; empty when ok.
  int exit_code = 0;                ///< The `kareo` tool's exit code for it.
  bool retryable = false;           ///< Whether the library retries it (or trying again later can help).
  std::optional<int> http_status;   ///< The HTTP status, when the input has a status line.
  std::string server_message;       ///< The service's own words (fault string, ErrorMessage, SecurityResult).
  std::string meaning;              ///< What the response means, in plain words.
  std::vector<std::string> causes;  ///< Codes of the request's findings known to cause this answer.
};

/// Reads a captured response (raw HTTP response or XML body) to the request `request` was made from.
ResponseReading read_response(std::string_view response, const RequestCheck& request);

}  // namespace kareo
