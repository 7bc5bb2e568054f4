/// @file
/// @brief Fault injection for the fake Tebra server: what can go wrong, and the `--fault SPEC` grammar.
#pragma once

#include <string>
#include <string_view>

namespace kareo::testing {

/// One injected misbehaviour of the fake server.
///
/// A fault applies to the calls it matches (every operation, or only `operation`), after letting `skip`
/// matching calls through, for `count` calls (0: for every matching call until removed). Latency faults add
/// to whatever else happens; of the other kinds, the first matching fault in the order they were added
/// decides the call.
///
/// ## SPEC grammar
/// `KIND[:PARAM]...`, parameters separated by `:`, each `key=value` or a bare flag.
///
/// Kinds, with the parameters each accepts:
/// - `internal`: SOAP Fault `a:InternalServiceFault`, HTTP 500, the WCF text.
/// - `http`: an HTTP error from the front door with an HTML body (not SOAP). `status=N` (default 503).
/// - `latency`: the response is delayed. `ms=N` (required).
/// - `drop`: the connection is closed mid-response (headers and half of the body sent). `before-apply`: closed
///   before the operation runs, nothing sent; `after-apply`: the operation runs (a write is applied), then closed
///   without a response; `rst`: close with a TCP reset.
/// - `truncate`: a complete HTTP response (its Content-Length right) whose XML stops half way; the connection is
///   then closed. `keep-open`: the connection stays open afterwards, as a server that keeps connections alive
///   leaves it (until the client closes it, or the idle timeout), so only the response's length tells the client
///   where it ends.
/// - `malformed`: a complete HTTP response whose XML is not well-formed; the connection is then closed.
///   `keep-open`: as for `truncate`.
/// - `throttle`: the service's "429: ..." ErrorResponse (HTTP 200). `all`: the same as giving no `op`.
/// - `wide-window`: InternalServiceFault when a date window of the request (any From/To pair, StartDate/EndDate)
///   is wider than `days`. `days=N` (required); `empty`: answer an empty result instead.
///
/// Parameters every kind accepts: `op=NAME` (an operation's name as the contract spells it), `count=N`, `skip=N`.
///
/// Examples: `internal:count=3` (the next three calls), `internal:op=DeleteDocument`, `http:status=503`,
/// `latency:ms=200`, `drop:op=CreateDocument:after-apply`, `truncate`, `truncate:keep-open`, `malformed`,
/// `throttle:all`, `wide-window:days=30`, `internal:op=DeleteDocument:skip=1:count=1` (only the second such
/// call).
struct Fault {
  /// What happens.
  enum class Kind {
    Internal,    ///< SOAP Fault InternalServiceFault (HTTP 500).
    Http,        ///< HTTP error status with an HTML body.
    Latency,     ///< Added delay before the response.
    Drop,        ///< Connection closed (see DropPoint).
    Truncate,    ///< XML cut off half way.
    Malformed,   ///< XML that is not well-formed.
    Throttle,    ///< The service's rate-limit ErrorResponse.
    WideWindow,  ///< Fault (or empty result) when a date window is wider than `days`.
  };
  /// When a Drop fault closes the connection.
  enum class DropPoint {
    MidResponse,  ///< After the operation ran and part of the response was sent.
    BeforeApply,  ///< Before the operation runs: nothing is applied, nothing is sent.
    AfterApply,   ///< After the operation ran (a write is applied), before anything is sent.
  };

  Kind kind = Kind::Internal;               ///< What happens.
  std::string operation;                    ///< Operation name it applies to; empty: every operation.
  int count = 0;                            ///< Calls it applies to; 0: unlimited.
  int skip = 0;                             ///< Matching calls let through before it applies.
  int status = 503;                         ///< Kind::Http: the HTTP status.
  int latency_ms = 0;                       ///< Kind::Latency: the delay in milliseconds.
  int days = 0;                             ///< Kind::WideWindow: the widest window allowed, in days.
  bool empty_result = false;                ///< Kind::WideWindow: answer an empty result instead of faulting.
  DropPoint drop = DropPoint::MidResponse;  ///< Kind::Drop: when the connection is closed.
  bool reset = false;                       ///< Kind::Drop: close with a TCP reset instead of an orderly close.
  bool keep_open = false;                   ///< Kind::Truncate, Kind::Malformed: keep the connection open after.

  /// Parses a SPEC (grammar above). Throws std::invalid_argument naming what is wrong.
  static Fault parse(std::string_view spec);
  /// The SPEC that parses back to this fault.
  std::string spec() const;
};

}  // namespace kareo::testing
