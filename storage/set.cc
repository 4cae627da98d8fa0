// Set value in intset and hashtable forms (see set.h).
#include "storage/set.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace respd::storage {

std::unique_ptr<Set> Set::New(std::string_view first_member) {
  std::unique_ptr<Set> s(new Set());
  s->is_intset_ = ParseInt64(first_member).has_value();
  return s;
}

std::unique_ptr<Set> Set::NewIntset() { return std::unique_ptr<Set>(new Set()); }

Set::~Set() {
  table_.ForEach([](Node* n) { FreeNode(n); });
}

void Set::FreeNode(Node* node) { std::free(node); }

size_t Set::MemoryUsage() const {
  return sizeof(Set) + ints_.capacity() * sizeof(int64_t) + table_.BucketMemory() + node_bytes_;
}

std::unique_ptr<Object> Set::Clone() const {
  std::unique_ptr<Set> s(new Set());
  s->is_intset_ = is_intset_;
  s->ints_ = ints_;
  table_.ForEach([&](const Node* n) { s->InsertNode(n->member()); });
  return s;
}

void Set::InsertNode(std::string_view member) {
  void* mem = std::malloc(sizeof(Node) + member.size());
  if (mem == nullptr) throw std::bad_alloc();
  auto* n = static_cast<Node*>(mem);
  n->hash_next = nullptr;
  n->len = static_cast<uint32_t>(member.size());
  if (!member.empty()) std::memcpy(n + 1, member.data(), member.size());
  node_bytes_ += sizeof(Node) + member.size();
  table_.Insert(n);
}

void Set::ConvertToHashtable() {
  is_intset_ = false;
  char buf[24];
  for (int64_t v : ints_) InsertNode(std::string_view(buf, FormatInt64(v, buf)));
  std::vector<int64_t>().swap(ints_);
}

bool Set::Add(std::string_view member, size_t max_intset_entries) {
  if (is_intset_) {
    auto v = ParseInt64(member);
    if (v) {
      auto it = std::lower_bound(ints_.begin(), ints_.end(), *v);
      if (it != ints_.end() && *it == *v) return false;
      ints_.insert(it, *v);
      if (ints_.size() > max_intset_entries) ConvertToHashtable();
      return true;
    }
    ConvertToHashtable();
  }
  if (table_.Find(member) != nullptr) return false;
  InsertNode(member);
  return true;
}

bool Set::Remove(std::string_view member) {
  if (is_intset_) {
    auto v = ParseInt64(member);
    if (!v) return false;
    auto it = std::lower_bound(ints_.begin(), ints_.end(), *v);
    if (it == ints_.end() || *it != *v) return false;
    ints_.erase(it);
    return true;
  }
  Node* n = table_.Remove(member);
  if (n == nullptr) return false;
  node_bytes_ -= sizeof(Node) + n->len;
  FreeNode(n);
  return true;
}

void Set::ReencodeAsBuilt(size_t max_intset_entries) {
  if (is_intset_ || table_.size() > max_intset_entries) return;
  std::vector<int64_t> ints;
  ints.reserve(table_.size());
  bool all_ints = true;
  table_.ForEach([&](const Node* n) {
    if (!all_ints) return;
    auto v = ParseInt64(n->member());
    all_ints = v.has_value();
    if (all_ints) ints.push_back(*v);
  });
  if (!all_ints) return;
  std::sort(ints.begin(), ints.end());
  table_.ForEach([](Node* n) { FreeNode(n); });
  table_.Reset();
  node_bytes_ = 0;
  ints_ = std::move(ints);
  is_intset_ = true;
}

bool Set::Contains(std::string_view member) const {
  if (is_intset_) {
    auto v = ParseInt64(member);
    return v && std::binary_search(ints_.begin(), ints_.end(), *v);
  }
  return table_.Find(member) != nullptr;
}

std::string Set::Random(std::mt19937_64& rng) const {
  if (is_intset_) {
    return FormatInt64(ints_[std::uniform_int_distribution<size_t>(0, ints_.size() - 1)(rng)]);
  }
  return std::string(table_.Random(rng)->member());
}

}  // namespace respd::storage
