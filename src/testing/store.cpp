// The public Store API and the JSON data format.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kareo_optable.hpp"
#include "schema.hpp"
#include "store_impl.hpp"

namespace kareo::testing {

using namespace detail;

namespace {

void json_escape(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out.append(buf);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

/// The single repeated member of an ArrayOf type, or nullptr.
const MemberDef* array_item(int type) {
  const auto& m = schema::members(type);
  if (m.size() == 1 && m[0]->repeated) return m[0];
  return nullptr;
}

void node_to_json(std::string& out, const Node& n, int type) {
  if (n.kind == Node::Kind::Text || type < 0) {
    json_escape(out, n.text);
    return;
  }
  if (const MemberDef* item = array_item(type)) {
    out.push_back('[');
    bool first = true;
    for (const auto& [name, child] : n.fields) {
      if (name != item->element) continue;
      if (!first) out.push_back(',');
      first = false;
      node_to_json(out, child, item->type);
    }
    out.push_back(']');
    return;
  }
  out.push_back('{');
  bool first = true;
  for (const MemberDef* m : schema::members(type)) {
    auto children = n.all(m->element);
    if (children.empty()) continue;
    if (!first) out.push_back(',');
    first = false;
    json_escape(out, m->element);
    out.push_back(':');
    if (m->repeated) {
      out.push_back('[');
      for (std::size_t i = 0; i < children.size(); ++i) {
        if (i) out.push_back(',');
        node_to_json(out, *children[i], m->type);
      }
      out.push_back(']');
    } else {
      node_to_json(out, *children[0], m->type);
    }
  }
  out.push_back('}');
}

std::string json_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number()) return v.dump();
  throw std::invalid_argument("expected a string, got " + v.dump());
}

Node json_to_node(const nlohmann::json& v, int type) {
  if (type < 0) return Node(json_text(v));
  Node n = Node::object();
  if (const MemberDef* item = array_item(type)) {
    if (!v.is_array()) throw std::invalid_argument("expected a list for " + std::string(schema::type(type).xml_name));
    for (const auto& e : v) n.add(item->element, json_to_node(e, item->type));
    return n;
  }
  if (!v.is_object()) throw std::invalid_argument("expected an object for " + std::string(schema::type(type).xml_name));
  for (auto it = v.begin(); it != v.end(); ++it) {
    int idx = schema::member_index(type, it.key());
    if (idx < 0) {
      throw std::invalid_argument(std::string(schema::type(type).xml_name) + " has no member " + it.key());
    }
    const MemberDef* m = schema::members(type)[static_cast<std::size_t>(idx)];
    if (m->repeated && it->is_array()) {
      for (const auto& e : *it) n.add(m->element, json_to_node(e, m->type));
    } else {
      n.add(m->element, json_to_node(*it, m->type));
    }
  }
  return n;
}

int complex_type(const EntityDef& def, std::string_view member) {
  for (int t : def.row_types) {
    int idx = schema::member_index(t, member);
    if (idx >= 0) return schema::members(t)[static_cast<std::size_t>(idx)]->type;
  }
  return -1;
}

std::string modified_column(Entity e) {
  return e == Entity::ServiceLocation || e == Entity::ProcedureCode ? "ModifiedDate" : "LastModifiedDate";
}

}  // namespace

Store::Store(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

std::size_t Store::count(Entity entity) const {
  std::shared_lock lock(impl_->mutex);
  return impl_->table(entity).rows.size();
}

std::vector<std::int64_t> Store::ids(Entity entity) const {
  std::shared_lock lock(impl_->mutex);
  std::vector<std::int64_t> out;
  for (const auto& [id, row] : impl_->table(entity).rows) out.push_back(id);
  return out;
}

namespace {

// The list operation whose filter rules apply to `entity` (the operation table's store_entity column); "" for an
// entity no operation lists.
const char* list_operation(Entity entity) {
  switch (entity) {
#define KAREO_STORE_OP_(StoreEntity, Name) \
  case Entity::StoreEntity:                \
    return #Name;
    KAREO_STORE_ENTITY_OPERATIONS(KAREO_STORE_OP_)
#undef KAREO_STORE_OP_
    default:
      return "";
  }
}

}  // namespace

std::vector<std::int64_t> Store::ids(Entity entity, const Filter& filter) const {
  std::shared_lock lock(impl_->mutex);
  auto rows = impl_->select(entity, filter, Visibility{}, list_operation(entity));
  std::vector<std::int64_t> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(r->id);
  return out;
}

std::optional<Record> Store::get(Entity entity, std::int64_t id) const {
  std::shared_lock lock(impl_->mutex);
  auto row = impl_->find(entity, id);
  if (!row) return std::nullopt;
  return impl_->record(entity, *row);
}

std::optional<std::int64_t> Store::find_by_external_id(Entity entity, std::string_view external_id,
                                                       std::optional<int> vendor_id) const {
  std::shared_lock lock(impl_->mutex);
  const EntityDef& def = entity_def(entity);
  int ext_col = def.col(entity == Entity::Encounter ? "EncounterExternalID" : "");
  for (const auto& [id, row] : impl_->table(entity).rows) {
    for (const auto& [vendor, ext] : row->external_ids) {
      if (ext == external_id && (!vendor_id || *vendor_id == vendor)) return id;
    }
    if (ext_col >= 0) {
      const std::string* v = row->find(ext_col);
      if (v && *v == external_id) return id;
    }
  }
  return std::nullopt;
}

std::map<int, std::string> Store::external_ids(Entity entity, std::int64_t id) const {
  std::shared_lock lock(impl_->mutex);
  std::map<int, std::string> out;
  if (auto row = impl_->find(entity, id)) {
    for (const auto& [vendor, ext] : row->external_ids) out[vendor] = ext;
  }
  return out;
}

std::int64_t Store::insert(Entity entity, Record record) {
  std::unique_lock lock(impl_->mutex);
  Row row = impl_->row_from_record(entity, record);
  const EntityDef& def = entity_def(entity);
  std::string now = format_net(impl_->now());
  for (const std::string& c : {std::string("CreatedDate"), modified_column(entity)}) {
    int col = def.col(c);
    if (col >= 0 && !row.find(col)) row.set(col, now);
  }
  return impl_->insert_locked(entity, std::move(row));
}

bool Store::update(Entity entity, std::int64_t id, const Record& changes) {
  std::unique_lock lock(impl_->mutex);
  auto old = impl_->find(entity, id);
  if (!old) return false;
  Row row = *old;
  const EntityDef& def = entity_def(entity);
  for (const auto& [k, v] : changes) {
    if (k == def.id_column) continue;
    int col = def.col(k);
    if (col < 0) throw std::invalid_argument(std::string(entity_name(entity)) + " has no member " + k);
    row.set(col, v);
  }
  int mod = def.col(modified_column(entity));
  if (mod >= 0 && !changes.count(modified_column(entity))) row.set(mod, format_net(impl_->now()));
  impl_->table(entity).rows[id] = std::make_shared<const Row>(std::move(row));
  return true;
}

bool Store::remove(Entity entity, std::int64_t id) {
  std::unique_lock lock(impl_->mutex);
  return impl_->table(entity).rows.erase(id) > 0;
}

std::string Store::to_json() const {
  std::shared_lock lock(impl_->mutex);
  return impl_->dump_json();
}

void Store::save_json(const std::string& path) const {
  std::string text = to_json();
  // Records, synthetic or loaded from a file, are patient data: readable by the owner only (0600, whatever the
  // umask), and an existing file open to others is restricted first.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
  struct stat st {};
  const bool open_to_others = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0;
  const bool restricted = !open_to_others || ::fchmod(fd, 0600) == 0;
  ::close(fd);
  if (!restricted) throw std::runtime_error("cannot restrict " + path + " to its owner (chmod 600)");
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw std::runtime_error("cannot write " + path);
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!f) throw std::runtime_error("cannot write " + path);
}

std::int64_t Store::Impl::insert_locked(Entity e, Row row) {
  Table& t = table(e);
  if (row.id <= 0) row.id = t.next_id;
  if (t.rows.count(row.id)) {
    throw std::invalid_argument(std::string(entity_name(e)) + " " + std::to_string(row.id) + " exists already");
  }
  t.next_id = std::max(t.next_id, row.id + 1);
  std::int64_t id = row.id;
  t.rows.emplace(id, std::make_shared<const Row>(std::move(row)));
  return id;
}

Record Store::Impl::record(Entity e, const Row& row) const {
  const EntityDef& def = entity_def(e);
  Record r;
  std::string v;
  for (std::size_t c = 0; c < def.columns.size(); ++c) {
    if (row_value(def, row, static_cast<int>(c), synth, v)) r.emplace(def.columns[c], v);
  }
  return r;
}

Row Store::Impl::row_from_record(Entity e, const Record& record) const {
  const EntityDef& def = entity_def(e);
  Row row;
  for (const auto& [k, v] : record) {
    if (k == def.id_column) {
      char* end = nullptr;
      long long id = std::strtoll(v.c_str(), &end, 10);
      if (v.empty() || *end || id <= 0) {
        throw std::invalid_argument(std::string(entity_name(e)) + " has an invalid " + k + ": " + v);
      }
      row.id = id;
      continue;
    }
    int col = def.col(k);
    if (col < 0) throw std::invalid_argument(std::string(entity_name(e)) + " has no member " + k);
    row.set(col, v);
  }
  return row;
}

void Store::Impl::load_json(const std::string& text) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("the data file is not JSON: ") + e.what());
  }
  if (!doc.is_object()) throw std::invalid_argument("the data file must hold a JSON object");
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const std::string& key = it.key();
    if (key == "format") {
      if (!it->is_string() || it->get<std::string>() != kJsonFormat) {
        throw std::invalid_argument(std::string("unknown data format (expected \"") + kJsonFormat + "\")");
      }
      continue;
    }
    if (key == "customer_id") {
      customer_id = it->get<int>();
      continue;
    }
    auto entity = entity_from_json_key(key);
    if (!entity) throw std::invalid_argument("unknown list \"" + key + "\" in the data file");
    if (!it->is_array()) throw std::invalid_argument("\"" + key + "\" must be a list");
    const EntityDef& def = entity_def(*entity);
    std::size_t n = 0;
    for (const auto& obj : *it) {
      ++n;
      std::string where = key + "[" + std::to_string(n - 1) + "]";
      if (!obj.is_object()) throw std::invalid_argument(where + " must be an object");
      try {
        Record leafs;
        Row extra;
        for (auto m = obj.begin(); m != obj.end(); ++m) {
          if (m.key() == "@external_ids") {
            for (auto x = m->begin(); x != m->end(); ++x) {
              extra.external_ids.emplace_back(std::stoi(x.key()), json_text(*x));
            }
            continue;
          }
          if (m->is_object() || m->is_array()) {
            int type = complex_type(def, m.key());
            if (type < 0) throw std::invalid_argument("no complex member " + m.key());
            extra.set_complex(m.key(), json_to_node(*m, type));
            continue;
          }
          if (m->is_null()) continue;
          leafs[m.key()] = json_text(*m);
        }
        Row row = row_from_record(*entity, leafs);
        row.external_ids = std::move(extra.external_ids);
        row.complex = std::move(extra.complex);
        insert_locked(*entity, std::move(row));
      } catch (const std::exception& e) {
        throw std::invalid_argument(where + ": " + e.what());
      }
    }
  }
}

std::string Store::Impl::dump_json() const {
  std::string out;
  out.append("{\n  \"format\": ");
  json_escape(out, kJsonFormat);
  out.append(",\n  \"customer_id\": " + std::to_string(customer_id));
  std::string v;
  for (Entity e : all_entities()) {
    const EntityDef& def = entity_def(e);
    out.append(",\n  ");
    json_escape(out, entity_json_key(e));
    out.append(": [");
    bool first_row = true;
    for (const auto& [id, row] : table(e).rows) {
      out.append(first_row ? "\n    {" : ",\n    {");
      first_row = false;
      bool first = true;
      for (std::size_t c = 0; c < def.columns.size(); ++c) {
        if (!row_value(def, *row, static_cast<int>(c), synth, v)) continue;
        if (!first) out.append(", ");
        first = false;
        json_escape(out, def.columns[c]);
        out.append(": ");
        json_escape(out, v);
      }
      for (const auto& member : def.complex_members) {
        auto node = row_complex(def, *row, member, synth);
        int type = complex_type(def, member);
        if (!node || type < 0) continue;
        out.append(", ");
        json_escape(out, member);
        out.append(": ");
        node_to_json(out, *node, type);
      }
      if (!row->external_ids.empty()) {
        out.append(", \"@external_ids\": {");
        for (std::size_t i = 0; i < row->external_ids.size(); ++i) {
          if (i) out.append(", ");
          json_escape(out, std::to_string(row->external_ids[i].first));
          out.append(": ");
          json_escape(out, row->external_ids[i].second);
        }
        out.push_back('}');
      }
      out.push_back('}');
    }
    out.append(first_row ? "]" : "\n  ]");
  }
  out.append("\n}\n");
  return out;
}

}  // namespace kareo::testing
