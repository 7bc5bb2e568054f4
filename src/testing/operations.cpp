// The 28 operations of KareoServices 2.1 against the fake server's store: the security replies and the dispatch.
// Each operation's handler lives in operations_<concern>.cpp, declared in operations_support.hpp.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <mutex>

#include "kareo_optable.hpp"
#include "operations_support.hpp"
#include "schema.hpp"
#include "service.hpp"

namespace kareo::testing::detail {

Node no_error() {
  Node e = Node::object();
  e.add("IsError", "false");
  return e;
}

Node security_ok(ServerCore& core, const std::vector<std::int64_t>& authorized) {
  Node s = Node::object();
  s.add("Authenticated", "true");
  s.add("Authorized", "true");
  s.add("CustomerId", std::to_string(core.data->customer_id));
  s.add("CustomerKeyValid", "true");
  Node& practices = s.add("PracticesAuthorized", Node::object());
  practices.add("PracticeID", ops::int_list(authorized));
  s.add("SecurityResult", "Success");
  s.add("SecurityResultSuccess", "true");
  return s;
}

Reply security_failure(ServerCore& core, const std::vector<std::int64_t>& authorized, bool key_valid,
                       bool authenticated, const std::string& missing_permission, const std::string& text) {
  Reply r;
  r.result.add("ErrorResponse", no_error());
  Node& s = r.result.add("SecurityResponse", Node::object());
  s.add("Authenticated", authenticated ? "true" : "false");
  s.add("Authorized", "false");
  if (key_valid) s.add("CustomerId", std::to_string(core.data->customer_id));
  s.add("CustomerKeyValid", key_valid ? "true" : "false");
  if (!missing_permission.empty()) {
    Node& missing = s.add("PermissionsMissing", Node::object());
    Node& list = missing.add("Permission", Node::object());
    list.add("string", missing_permission);
  }
  if (authenticated) {
    Node& practices = s.add("PracticesAuthorized", Node::object());
    practices.add("PracticeID", ops::int_list(authorized));
  }
  s.add("SecurityResult", text);
  s.add("SecurityResultSuccess", "false");
  r.outcome = CallRecord::Outcome::Denied;
  return r;
}

Reply customer_id_from_key(ServerCore& core, const Node* request) {
  const auto& creds = core.options.credentials;
  bool ok = request && request->str("CustomerKey").value_or("") == creds.customer_key &&
            request->str("User").value_or("") == creds.user && request->str("Password").value_or("") == creds.password;
  Reply r;
  r.result.add("CustomerId", ok ? std::to_string(core.data->customer_id) : "-1");
  r.result.add("IsAuthorized", ok ? "true" : "false");
  if (!ok) r.outcome = CallRecord::Outcome::Denied;
  return r;
}

namespace {

using Handler = Reply (*)(CallContext&, const Node&);

// Every operation of the operation table has its handler above, named like the table's method column: an
// operation added to the table without one does not compile.
const std::map<std::string_view, Handler>& handlers() {
  static const std::map<std::string_view, Handler> table = {
#define KAREO_FAKE_HANDLER_(Name, method) {#Name, &ops::method},
      KAREO_EVERY_OPERATION(KAREO_FAKE_HANDLER_)
#undef KAREO_FAKE_HANDLER_
  };
  return table;
}

}  // namespace

Reply run_operation(CallContext& ctx, const Node* request) {
  if (!request) return internal_fault();
  const auto& table = handlers();
  const auto handler = table.find(ctx.operation);
  if (handler == table.end()) return internal_fault();
  return handler->second(ctx, *request);
}

}  // namespace kareo::testing::detail
