// The global gSOAP callbacks for SOAP Headers and Faults (soap_getheader, soap_putheader, soap_getfault,
// soap_faultstring, ...). The generated serializers live in namespace kareo_wire and are compiled
// WITH_NOGLOBAL, so these come from soapcpp2 -penv over an empty header (generated into the build tree).
#include "envC.cpp"

// The same weak fallback table as namespaces.cpp, here too so that any program that links this object
// (every one that sends or receives) also gets the table from a static kareo_wire, whatever the link order.
__attribute__((weak)) SOAP_NMAC struct Namespace namespaces[] = {{nullptr, nullptr, nullptr, nullptr}};
