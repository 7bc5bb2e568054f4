// Writes SOAP responses the way WCF's DataContractSerializer does: "s:" envelope, the body element with the
// contract's default namespace, xmlns:i on the result element, i:nil="true" for absent members, members in
// contract order, and a generated prefix (a, b, ...) declared where a value of another namespace starts.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "node.hpp"

namespace kareo::testing::detail {

/// Receives the serialized bytes in pieces.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write(const char* data, std::size_t size) = 0;
};

/// Collects everything in a string.
class StringSink : public Sink {
 public:
  void write(const char* data, std::size_t size) override { text.append(data, size); }
  std::string text;
};

/// An output buffer that hands full blocks to a sink.
class XmlOut {
 public:
  explicit XmlOut(Sink& sink, std::size_t block = 64 * 1024) : sink_(sink), block_(block) {
    buf_.reserve(block + 4096);
  }
  void raw(std::string_view s) {
    buf_.append(s.data(), s.size());
    if (buf_.size() >= block_) flush();
  }
  void raw(char c) { buf_.push_back(c); }
  /// Appends text with &, < and > escaped (and " too when in_attribute).
  void text(std::string_view s, bool in_attribute = false);
  void flush() {
    if (!buf_.empty()) sink_.write(buf_.data(), buf_.size());
    buf_.clear();
  }
  /// Scratch space for callers that format values without allocating.
  std::string& scratch() { return scratch_; }

 private:
  Sink& sink_;
  std::size_t block_;
  std::string buf_;
  std::string scratch_;
};

class WcfWriter {
 public:
  explicit WcfWriter(XmlOut& out) : out_(out) {}

  XmlOut& out() { return out_; }

  /// <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
  void begin_envelope();
  /// </s:Body></s:Envelope>, then flushes.
  void end_envelope();

  /// The operation's response element, declaring its namespace as the default: <GetPatientsResponse xmlns="...">.
  void begin_body_element(std::string_view local, int ns);
  void end_body_element();

  /// Opens an element in namespace `ns`; declares the namespaces in `contract_ns` that are not in scope
  /// (WCF does so where a value of a data contract starts), and xmlns:i when `declare_xsi`.
  void open(std::string_view local, int ns, const std::vector<int>& contract_ns = {}, bool declare_xsi = false);
  void close();
  /// <local>text</local> (an empty text gives <local/>).
  void leaf(std::string_view local, int ns, std::string_view text);
  /// <local i:nil="true"/>
  void nil(std::string_view local, int ns);

  /// Writes `node` as an element of schema type `type` (-1: a leaf), members in contract order,
  /// absent members as i:nil. `root` declares xmlns:i (the operation's result element).
  void value(std::string_view local, int ns, int type, const Node* node, bool root = false);

 private:
  struct Binding {
    char prefix;
    int ns;
  };
  struct Frame {
    std::string qname;
    std::size_t bindings;
  };

  /// The text of a value type's default (what .NET writes for a member it never set).
  static std::string_view default_text(std::string_view xml_type);
  /// Prefix bound to ns in scope: 0 when it is the default namespace, -1 when unbound.
  int lookup(int ns) const;
  char allocate() const;
  void start_tag(std::string_view local, int ns, const std::vector<int>& contract_ns, bool declare_xsi,
                 std::string& qname);

  XmlOut& out_;
  int default_ns_ = -1;
  std::vector<Binding> bindings_;
  std::vector<Frame> frames_;
  bool xsi_bound_ = false;
  std::string qname_;
};

}  // namespace kareo::testing::detail
