// Responses written the way WCF writes them, for the loopback tests.
#pragma once

#include <string>

#include "scripted_server.hpp"

namespace kareo::test {

// `<s:Envelope xmlns:s=...><s:Body>` + body + `</s:Body></s:Envelope>`.
std::string envelope(const std::string& body);

// A successful `<Op>Response` with default namespace, `<Op>Result` declaring the i: prefix, an ErrorResponse
// with IsError=false, an authenticated SecurityResponse, then `payload`.
std::string ok_body(const std::string& op, const std::string& payload);
std::string ok_envelope(const std::string& op, const std::string& payload);

// The same response carrying `error_response` and `security_response` elements as given.
std::string result_envelope(const std::string& op, const std::string& error_response,
                            const std::string& security_response, const std::string& payload = "");

// HTTP 200 with the envelope.
HttpReply xml_reply(const std::string& xml);

// HTTP 500 with a WCF InternalServiceFault.
HttpReply internal_fault_reply();

// The SOAPAction operation name of a request ("GetPatients"), or "".
std::string action_of(const HttpRequest& request);

// A handler answering every operation with an empty successful response.
HttpReply empty_success(const HttpRequest& request);

}  // namespace kareo::test
