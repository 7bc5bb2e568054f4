// The streaming reader of list results: the response of a bulk list read (the operation table's `streamed`
// rows) is read with libxml2's SAX2 push parser as it arrives, and its rows are built directly in the generated
// classes from member tables generated from the soapcpp2 output (scripts/generate_wire_helpers.py fastparse). It reads
// what gSOAP's generated deserializer reads, in about half its time, and never holds the response body.
//
// It only takes the expected path: an Envelope whose Body holds the operation's response element. Anything
// else (a SOAP fault, another element, a document type declaration, markup it cannot parse before that
// element) makes it step aside: the caller reads the body to its end and hands the captured bytes to the
// generated deserializer, which reports them exactly as it always has.
#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <typeindex>
#include <typeinfo>

namespace kareo::detail::fast {

/// What a member holds and how its text is read.
enum class Kind : unsigned char {
  String,      ///< std::optional<std::string>: the text as it is
  Bool,        ///< std::optional<bool>: "true", "false", "1", "0"
  Int,         ///< std::optional<int>
  Object,      ///< std::shared_ptr<class>: created on its element
  ObjectList,  ///< std::vector<std::shared_ptr<class>>: one more per element
  StringList,  ///< std::vector<std::string>
  IntList,     ///< std::vector<int>
};

struct ClassTable;

/// Where the objects of list elements live: blocks of consecutive objects of one class in memory mapped for
/// them alone, each object handed out as a std::shared_ptr that shares its block's ownership. Rows moved out
/// of a result (kareo::Client does) let go of their block, and the block's memory goes back to the system at
/// once, so a caller's copy of the rows and the parsed rows are never both resident in full.
class Arena {
 public:
  /// From now on, objects are made one by one (std::make_shared), each owning itself: for rows handed over as
  /// they are read (Reader::hand_rows), let go one at a time, whose memory is then reused at once.
  void make_individually() noexcept { individual_ = true; }
  bool individual() const noexcept { return individual_; }

  template <typename T>
  std::shared_ptr<T> make() {
    if (individual_) return std::make_shared<T>();
    auto& slot = blocks_[std::type_index(typeid(T))];
    auto* block = static_cast<Block<T>*>(slot.get());
    if (!block || block->used == block->capacity) {
      const std::size_t previous = block ? block->capacity : 0;
      slot = std::make_shared<Block<T>>(next_capacity<T>(previous));
      block = static_cast<Block<T>*>(slot.get());
    }
    T* object = new (block->items + block->used) T();
    ++block->used;
    return std::shared_ptr<T>(slot, object);
  }

 private:
  // Blocks smaller than this come from the heap: a response of a few rows costs no system call.
  static constexpr std::size_t kMappedFrom = std::size_t{64} << 10;
  struct BlockBase {
    virtual ~BlockBase() = default;
  };
  template <typename T>
  struct Block final : BlockBase {
    explicit Block(std::size_t n) : capacity(n) {
      bytes = n * sizeof(T);
      if (bytes < kMappedFrom) {
        items = static_cast<T*>(::operator new(bytes, std::align_val_t(alignof(T))));
        return;
      }
      void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) throw std::bad_alloc();
      items = static_cast<T*>(p);
    }
    ~Block() override {
      for (std::size_t i = 0; i < used; ++i) items[i].~T();
      if (bytes < kMappedFrom) {
        ::operator delete(items, std::align_val_t(alignof(T)));
      } else {
        ::munmap(items, bytes);
      }
    }
    Block(const Block&) = delete;
    Block& operator=(const Block&) = delete;
    T* items = nullptr;
    std::size_t used = 0;
    std::size_t capacity = 0;
    std::size_t bytes = 0;
  };
  // Blocks start small (a response of one row maps a few pages) and double up to about 2 MiB.
  template <typename T>
  static std::size_t next_capacity(std::size_t previous) {
    const std::size_t most = std::max<std::size_t>(1, (std::size_t{2} << 20) / sizeof(T));
    return std::min(most, previous ? previous * 2 : std::size_t{4});
  }
  std::map<std::type_index, std::shared_ptr<BlockBase>> blocks_;
  bool individual_ = false;
};

/// One member of a generated class.
struct Member {
  const char* name;  ///< The element's local name.
  Kind kind;         ///< What it holds.
  /// The member of `object` (Object: a new object in it; ObjectList: a new element, made in `arena`).
  void* (*slot)(void* object, Arena& arena);
  const ClassTable* type;  ///< The class of an Object or ObjectList member.
  /// ObjectList: appends an empty element (a nil one) to the member of `object`.
  void (*append_nil)(void* object);
  /// ObjectList: removes the last element of the member of `object` and returns it (a row handed over).
  std::shared_ptr<void> (*take_last)(void* object);
};

/// A generated class: its child elements' namespace and its members (those of its bases first).
struct ClassTable {
  const char* name;
  const char* ns;
  const Member* members;
  std::size_t count;
};

/// How many responses the streaming reader read, stepped aside from, and found malformed (in this process).
struct Stats {
  std::size_t read = 0;
  std::size_t aside = 0;
  std::size_t failed = 0;
};
Stats stats() noexcept;
/// Counts one response's outcome.
void count(int outcome) noexcept;

/// The table of a list result class (generated for the six list operations' results).
template <typename T>
const ClassTable* table_of();

/// Reads one response. Feed it the body as it arrives; it fills `result` (an object of class `table`), the
/// content of the `<response_element><result_element>` pair inside the SOAP Body.
class Reader {
 public:
  enum class State {
    Reading,  ///< Wants more bytes.
    Done,     ///< The Envelope is complete and `result` filled.
    Aside,    ///< Not the expected shape: the generated deserializer must read the response.
    Failed,   ///< The expected response, but malformed (error() says how).
  };

  Reader(const ClassTable& table, void* result, const char* response_element, const char* result_element);
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  /// Parses the next bytes of the body.
  State feed(const char* data, std::size_t size);
  /// The body ended (the connection or the message): Done if the Envelope was complete.
  State finish();
  State state() const noexcept;
  /// Whether the response turned out not to be the expected one (it is then only followed to its end).
  bool aside() const noexcept;
  /// What was wrong with a Failed response.
  const std::string& error() const noexcept;
  /// Whether the response element named the result nil (or had none): the result is then absent.
  bool result_absent() const noexcept;

  /// Hands the rows over as they are read: each `item` element of the result's `array` member is passed to
  /// `sink` (as the shared pointer the result would have held) as soon as its end tag is read, and is not kept
  /// in the result. Call before the first feed(). An exception from `sink` stops the reading: the state
  /// becomes Failed and sink_error() holds the exception.
  void hand_rows(const char* array, const char* item, std::function<void(std::shared_ptr<void>)> sink);
  /// The exception a row sink threw (null when none did).
  std::exception_ptr sink_error() const noexcept;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kareo::detail::fast
