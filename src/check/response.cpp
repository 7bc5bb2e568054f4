// kareo::read_response: what a captured response means, read the way the library reads one (the table of
// include/kareo/errors.hpp), and which findings of the request are known to cause it.
#include <algorithm>

#include "check/check_internal.hpp"
#include "kareo/check.hpp"
#include "kareo/operations.hpp"
#include "kareo_optable.hpp"

namespace kareo {
namespace {

using namespace check_detail;

/// The first descendant element with this local name (depth first), or null.
xmlNode* find(xmlNode* n, std::string_view name) {
  if (!n) return nullptr;
  for (xmlNode* c : element_children(n)) {
    if (local_name(c) == name) return c;
    if (xmlNode* d = find(c, name)) return d;
  }
  return nullptr;
}

const char* exception_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidArgument:
      return "InvalidArgument";
    case ErrorKind::AuthenticationFailed:
      return "AuthenticationFailed";
    case ErrorKind::NotAuthorized:
      return "NotAuthorized";
    case ErrorKind::Throttled:
      return "Throttled";
    case ErrorKind::ServiceError:
      return "ServiceError";
    case ErrorKind::SoapFault:
      return "SoapFault";
    case ErrorKind::Transport:
      return "HttpError";
    case ErrorKind::MalformedResponse:
      return "MalformedResponse";
    case ErrorKind::AmbiguousOutcome:
      return "AmbiguousOutcome";
  }
  return "Error";
}

bool is_write_call(const std::string& operation) {
  auto op = operation_from_name(operation);
  return op && kareo::is_write(*op);
}

class Reader {
 public:
  Reader(const Message& in, const RequestCheck& request) : in_(in), request_(request) {
    if (in_.http) r_.http_status = in_.status;
  }

  ResponseReading run() {
    if (in_.http && in_.status == 415) {
      fail(ErrorKind::Transport, false,
           "HTTP 415 Unsupported Media Type: the service refused the request's SOAP version or content type before "
           "reading it.");
      cause_codes({"soap-version", "content-type"});
      return r_;
    }
    if (in_.http && in_.status == 429) {
      fail(ErrorKind::Throttled, true, "HTTP 429: over the account's rate limit; the library waits and retries.");
      return r_;
    }
    XmlError error;
    auto doc = parse_xml(in_.body, error);
    if (!doc) {
      if (in_.http && in_.status >= 400) {
        fail(ErrorKind::Transport, !is_write_call(request_.operation),
             "HTTP " + std::to_string(in_.status) +
                 " with a body that is no SOAP message: a failure of the service's front door, not an answer to "
                 "the request's content.");
      } else {
        fail(ErrorKind::MalformedResponse, false, "The response is not XML the library can read.");
      }
      return r_;
    }
    xmlNode* root = xmlDocGetRootElement(doc.get());
    if (xmlNode* fault = find(root, "Fault")) {
      std::string code = trim(text_of(first_child(fault, "faultcode")));
      r_.server_message = trim(text_of(first_child(fault, "faultstring")));
      const std::string code_local = code.substr(code.find(':') == std::string::npos ? 0 : code.find(':') + 1);
      fail(ErrorKind::SoapFault, !is_write_call(request_.operation),
           "A SOAP Fault (" + code +
               "): the service could not process the request. The library retries a read "
               "once; a write is never resent.");
      if (code_local == "ActionNotSupported" || r_.server_message.find("ContractFilter") != std::string::npos) {
        r_.meaning += " The fault says the SOAPAction matched no operation.";
        cause_codes({"soap-action", "soap-version"});
      } else {
        for (const auto& f : request_.findings) {
          if (f.faults && std::find(r_.causes.begin(), r_.causes.end(), f.code) == r_.causes.end()) {
            r_.causes.push_back(f.code);
          }
        }
      }
      return r_;
    }
    xmlNode* result = request_.operation.empty() ? nullptr : find(root, request_.operation + "Result");
    xmlNode* scope = result ? result : root;
    xmlNode* error_response = find(scope, "ErrorResponse");
    if (error_response && lower(trim(text_of(first_child(error_response, "IsError")))) == "true") {
      r_.server_message = trim(text_of(first_child(error_response, "ErrorMessage")));
      if (r_.server_message.rfind("429", 0) == 0) {
        fail(ErrorKind::Throttled, true,
             "ErrorResponse IsError=true with \"429: ...\": over the account's rate limit; the library waits the "
             "interval named and retries.");
      } else {
        fail(ErrorKind::ServiceError, false,
             "ErrorResponse IsError=true: the service read the request and refused it (see its message).");
      }
      return r_;
    }
    if (xmlNode* security = find(scope, "SecurityResponse")) {
      auto flag = [&](const char* name) {
        xmlNode* n = first_child(security, name);
        return n ? std::optional<bool>(lower(trim(text_of(n))) == "true") : std::nullopt;
      };
      r_.server_message = trim(text_of(first_child(security, "SecurityResult")));
      if (flag("Authenticated") == false || flag("CustomerKeyValid") == false) {
        fail(ErrorKind::AuthenticationFailed, false,
             "SecurityResponse Authenticated=false: the service did not accept the credentials it read.");
        for (const auto& f : request_.findings) {
          const bool credential =
              f.path.find("RequestHeader") != std::string::npos || f.path.find("CustomerKey") != std::string::npos ||
              f.path.find("Password") != std::string::npos || f.path.find("/User") != std::string::npos;
          if ((f.code == "credentials-in-soap-header" || f.code == "namespace" || f.code == "not-well-formed" ||
               ((f.code == "member-order" || f.code == "missing-member" || f.code == "wrapper") && credential)) &&
              std::find(r_.causes.begin(), r_.causes.end(), f.code) == r_.causes.end()) {
            r_.causes.push_back(f.code);
          }
        }
        return r_;
      }
      if (flag("Authorized") == false) {
        fail(ErrorKind::NotAuthorized, false,
             "SecurityResponse Authorized=false: the user lacks a permission or access to the practice named.");
        return r_;
      }
    }
    // An operation with its credentials inline in the request (the table's credentials = "inline") answers an
    // unread key with CustomerId = -1 instead of a SecurityResponse.
    if (const int row = operation_row(request_.operation); row >= 0 && optable::kTable[row].inline_credentials) {
      if (xmlNode* id = find(scope, "CustomerId"); id && trim(text_of(id)) == "-1") {
        r_.meaning = "CustomerId = -1: the service did not read the key (the library reports a customer ID of -1).";
        cause_codes({"wrapper", "member-order", "missing-member", "namespace"});
        return r_;
      }
    }
    r_.meaning = "A successful response: the library returns its result.";
    for (const auto& f : request_.findings) {
      if ((f.code == "member-order" || f.code == "unknown-member" || f.code == "date-range") &&
          f.path.find("Filter") != std::string::npos) {
        r_.meaning +=
            " Some filter members of the request were not applied, so the result may hold more records "
            "than asked for (or none).";
        cause_codes({"member-order", "unknown-member", "date-range"});
        break;
      }
    }
    return r_;
  }

 private:
  void fail(ErrorKind kind, bool retryable, std::string meaning) {
    r_.ok = false;
    r_.kind = kind;
    r_.exception = exception_name(kind);
    r_.retryable = retryable;
    Error::Details d;
    d.kind = kind;
    d.retryable = retryable;
    r_.exit_code = Error("", d).exit_code();
    r_.meaning = std::move(meaning);
  }

  void cause_codes(std::initializer_list<const char*> codes) {
    for (const auto& f : request_.findings) {
      for (const char* c : codes) {
        if (f.code == c && std::find(r_.causes.begin(), r_.causes.end(), f.code) == r_.causes.end()) {
          r_.causes.push_back(f.code);
        }
      }
    }
  }

  const Message& in_;
  const RequestCheck& request_;
  ResponseReading r_;
};

}  // namespace

ResponseReading read_response(std::string_view response, const RequestCheck& request) {
  const auto message = split_message(response);
  return Reader(message, request).run();
}

}  // namespace kareo
