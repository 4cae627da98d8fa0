// Hash value in listpack and hashtable forms (see hash_object.h).
#include "storage/hash_object.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

namespace respd::storage {

Hash::~Hash() {
  table_.ForEach([this](Node* n) { FreeNode(n); });
}

size_t Hash::MemoryUsage() const {
  return sizeof(Hash) + pack_.MemoryUsage() + table_.BucketMemory() + node_bytes_;
}

std::unique_ptr<Object> Hash::Clone() const {
  auto copy = std::make_unique<Hash>();
  copy->listpack_ = listpack_;
  copy->pack_ = pack_;
  table_.ForEach([&](const Node* n) { copy->InsertNode(n->member(), n->value()); });
  return copy;
}

size_t Hash::FindInPack(std::string_view field) const {
  for (size_t pos = pack_.Begin(); pos < pack_.End(); pos = pack_.Next(pack_.Next(pos))) {
    if (pack_.Get(pos) == field) return pos;
  }
  return pack_.End();
}

std::optional<std::string_view> Hash::Get(std::string_view field) const {
  if (listpack_) {
    size_t pos = FindInPack(field);
    if (pos == pack_.End()) return std::nullopt;
    return pack_.Get(pack_.Next(pos));
  }
  const Node* n = table_.Find(field);
  if (n == nullptr) return std::nullopt;
  return n->value();
}

void Hash::InsertNode(std::string_view field, std::string_view value) {
  size_t bytes = sizeof(Node) + field.size() + value.size();
  void* mem = std::malloc(bytes);
  if (mem == nullptr) throw std::bad_alloc();
  auto* n = static_cast<Node*>(mem);
  n->hash_next = nullptr;
  n->field_len = static_cast<uint32_t>(field.size());
  n->value_len = static_cast<uint32_t>(value.size());
  char* data = reinterpret_cast<char*>(n + 1);
  if (!field.empty()) std::memcpy(data, field.data(), field.size());
  if (!value.empty()) std::memcpy(data + field.size(), value.data(), value.size());
  node_bytes_ += bytes;
  table_.Insert(n);
}

void Hash::FreeNode(Node* node) {
  node_bytes_ -= sizeof(Node) + node->field_len + node->value_len;
  std::free(node);
}

void Hash::ConvertToHashtable() {
  ForEach([this](std::string_view field, std::string_view value) { InsertNode(field, value); });
  pack_ = ListPack();
  listpack_ = false;
}

bool Hash::Set(std::string_view field, std::string_view value, const HashLimits& limits) {
  if (listpack_ &&
      (field.size() > limits.max_listpack_value || value.size() > limits.max_listpack_value)) {
    ConvertToHashtable();
  }
  if (listpack_) {
    size_t pos = FindInPack(field);
    if (pos != pack_.End()) {
      pack_.Replace(pack_.Next(pos), value);
      return false;
    }
    pack_.PushBack(field);
    pack_.PushBack(value);
    if (Length() > limits.max_listpack_entries) ConvertToHashtable();
    return true;
  }
  Node* old = table_.Remove(field);
  if (old != nullptr) FreeNode(old);
  InsertNode(field, value);
  return old == nullptr;
}

bool Hash::Delete(std::string_view field) {
  if (listpack_) {
    size_t pos = FindInPack(field);
    if (pos == pack_.End()) return false;
    pack_.EraseRange(pos, pack_.Next(pack_.Next(pos)), 2);
    return true;
  }
  Node* n = table_.Remove(field);
  if (n == nullptr) return false;
  FreeNode(n);
  return true;
}

std::pair<std::string_view, std::string_view> Hash::Random(std::mt19937_64& rng) const {
  if (listpack_) {
    size_t index = std::uniform_int_distribution<size_t>(0, Length() - 1)(rng);
    size_t pos = pack_.Seek(index * 2);
    return {pack_.Get(pos), pack_.Get(pack_.Next(pos))};
  }
  const Node* n = table_.Random(rng);
  return {n->member(), n->value()};
}

}  // namespace respd::storage
