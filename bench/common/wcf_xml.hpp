// WCF-style response documents for the benchmarks, generated in memory: the shape Tebra's service sends
// (default namespace on the response element, i:nil for absent values, .NET text formats for every column).
#pragma once

#include <cstddef>
#include <string>

namespace kareo_bench {

/// Appends a complete HTTP/1.1 200 response (headers, Content-Length, SOAP 1.1 envelope) whose body is a
/// GetPatientsResponse with `rows` PatientData rows, every column filled (one case with one policy each).
/// The same `seed` gives the same bytes.
std::string wcf_get_patients_http(std::size_t rows, unsigned seed = 1);

/// The SOAP envelope alone (no HTTP headers) of wcf_get_patients_http.
std::string wcf_get_patients_envelope(std::size_t rows, unsigned seed = 1);

/// A GetPracticesResponse envelope with `rows` practices, wrapped in an HTTP/1.1 200 response.
std::string wcf_get_practices_http(std::size_t rows);

/// An HTTP 200 response carrying ErrorResponse IsError=true with `message` (e.g. the throttle text).
std::string wcf_error_response_http(const std::string& operation, const std::string& message);

/// An HTTP 200 response whose SecurityResponse says the user is not authorized.
std::string wcf_not_authorized_http(const std::string& operation);

/// An HTTP 500 response carrying WCF's InternalServiceFault.
std::string wcf_internal_fault_http();

}  // namespace kareo_bench
