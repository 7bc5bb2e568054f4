// The libxml2 helpers the request checker and the response reader share: parsing without network access or entity
// expansion, and the element, namespace and xsi:nil accessors.
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <memory>
#include <string>

#include "check/check_internal.hpp"

namespace kareo::check_detail {

std::string local_name(const xmlNode* n) { return n && n->name ? reinterpret_cast<const char*>(n->name) : ""; }

std::string ns_uri(const xmlNode* n) {
  return n && n->ns && n->ns->href ? reinterpret_cast<const char*>(n->ns->href) : "";
}

std::vector<xmlNode*> element_children(const xmlNode* n) {
  std::vector<xmlNode*> out;
  if (!n) return out;
  for (xmlNode* c = n->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) out.push_back(c);
  }
  return out;
}

xmlNode* first_child(const xmlNode* n, std::string_view name) {
  for (xmlNode* c : element_children(n)) {
    if (local_name(c) == name) return c;
  }
  return nullptr;
}

std::string text_of(const xmlNode* n) {
  xmlChar* t = xmlNodeGetContent(n);
  std::string out = t ? reinterpret_cast<const char*>(t) : "";
  xmlFree(t);
  return out;
}

bool is_nil(const xmlNode* n) {
  for (xmlAttr* a = n->properties; a; a = a->next) {
    if (!a->name || std::string_view(reinterpret_cast<const char*>(a->name)) != "nil" || !a->ns || !a->ns->href ||
        kXsi != reinterpret_cast<const char*>(a->ns->href)) {
      continue;
    }
    xmlChar* v = xmlNodeListGetString(n->doc, a->children, 1);
    const std::string value = v ? lower(trim(reinterpret_cast<const char*>(v))) : "";
    xmlFree(v);
    return value == "true" || value == "1";
  }
  return false;
}

std::string path_of(const xmlNode* n) {
  std::vector<std::string> parts;
  for (; n && n->type == XML_ELEMENT_NODE; n = n->parent) parts.push_back(local_name(n));
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) out += "/" + *it;
  return out;
}

XmlDoc parse_xml(const std::string& body, XmlError& error) {
  std::unique_ptr<xmlParserCtxt, void (*)(xmlParserCtxtPtr)> ctxt(xmlNewParserCtxt(), xmlFreeParserCtxt);
  if (!ctxt) return XmlDoc(nullptr, xmlFreeDoc);
  // No network, no entity substitution (no external entities), big line numbers; errors are not printed.
  const int flags = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES;
  xmlDocPtr doc =
      xmlCtxtReadMemory(ctxt.get(), body.data(), static_cast<int>(body.size()), "request.xml", nullptr, flags);
  if (!doc) {
    const xmlError* e = xmlCtxtGetLastError(ctxt.get());
    error.line = e ? e->line : 0;
    error.column = e ? e->int2 : 0;
    error.code = e ? e->code : 0;
  }
  return XmlDoc(doc, xmlFreeDoc);
}

}  // namespace kareo::check_detail
