// The gSOAP runtime (libgsoapssl++) refers to one global `namespaces` table. The generated code of this
// library lives in namespace kareo_wire and sets its own table on every context it creates, so this
// definition is only a fallback. It is weak: an application that embeds gSOAP for other services and
// defines its own global table keeps it, and the two link together.
#include "kareo_wireH.h"

__attribute__((weak)) SOAP_NMAC struct Namespace namespaces[] = {{nullptr, nullptr, nullptr, nullptr}};
