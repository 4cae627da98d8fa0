// Skiplist with spans for sorted sets (see zset_skiplist.h).
#include "storage/zset_skiplist.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace respd::storage {
namespace {

// A node rises one more level with probability 1/4, as in Redis (ZSKIPLIST_P).
constexpr uint32_t kLevelChanceQuarter = 4;

size_t NodeBytes(int height, size_t member_len) {
  return sizeof(ZSkiplist::Node) + height * sizeof(ZSkiplist::Level) + member_len;
}

}  // namespace

bool LexRange::Empty() const {
  if (min_is_plus_inf || max_is_minus_inf) return true;
  if (min_is_minus_inf || max_is_plus_inf) return false;
  return min > max || (min == max && (min_exclusive || max_exclusive));
}

ZSkiplist::ZSkiplist() : head_(NewNode(kMaxHeight, 0, {})) { memory_ = NodeBytes(kMaxHeight, 0); }

ZSkiplist::~ZSkiplist() {
  Node* x = head_;
  while (x != nullptr) {
    Node* next = x->levels()[0].forward;
    std::free(x);
    x = next;
  }
}

ZSkiplist::Node* ZSkiplist::NewNode(int height, double score, std::string_view member) {
  void* mem = std::malloc(NodeBytes(height, member.size()));
  if (mem == nullptr) throw std::bad_alloc();
  Node* n = static_cast<Node*>(mem);
  n->hash_next = nullptr;
  n->backward = nullptr;
  n->score = score;
  n->member_len = static_cast<uint32_t>(member.size());
  n->height = static_cast<uint32_t>(height);
  for (int i = 0; i < height; ++i) n->levels()[i] = {nullptr, 0};
  if (!member.empty()) {
    std::memcpy(reinterpret_cast<char*>(n->levels() + height), member.data(), member.size());
  }
  return n;
}

void ZSkiplist::FreeNode(Node* node) {
  memory_ -= NodeBytes(node->height, node->member_len);
  std::free(node);
}

int ZSkiplist::RandomHeight() {
  int height = 1;
  while (height < kMaxHeight && rng_() % kLevelChanceQuarter == 0) ++height;
  return height;
}

void ZSkiplist::FindPath(double score, std::string_view member, Node** update, size_t* rank) const {
  Node* x = head_;
  for (int i = height_ - 1; i >= 0; --i) {
    rank[i] = i == height_ - 1 ? 0 : rank[i + 1];
    while (x->levels()[i].forward != nullptr && NodeBefore(x->levels()[i].forward, score, member)) {
      rank[i] += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
}

void ZSkiplist::Link(Node* node, Node** update, size_t* rank) {
  int height = static_cast<int>(node->height);
  if (height > height_) {
    for (int i = height_; i < height; ++i) {
      rank[i] = 0;
      update[i] = head_;
      head_->levels()[i].span = length_;
    }
    height_ = height;
  }
  for (int i = 0; i < height; ++i) {
    Level& up = update[i]->levels()[i];
    node->levels()[i].forward = up.forward;
    node->levels()[i].span = up.span - (rank[0] - rank[i]);
    up.forward = node;
    up.span = rank[0] - rank[i] + 1;
  }
  for (int i = height; i < height_; ++i) ++update[i]->levels()[i].span;
  node->backward = update[0] == head_ ? nullptr : update[0];
  if (node->levels()[0].forward != nullptr) {
    node->levels()[0].forward->backward = node;
  } else {
    tail_ = node;
  }
  ++length_;
}

ZSkiplist::Node* ZSkiplist::Insert(double score, std::string_view member) {
  Node* update[kMaxHeight];
  size_t rank[kMaxHeight];
  FindPath(score, member, update, rank);
  Node* node = NewNode(RandomHeight(), score, member);
  memory_ += NodeBytes(node->height, node->member_len);
  Link(node, update, rank);
  return node;
}

void ZSkiplist::Unlink(Node* node, Node** update) {
  for (int i = 0; i < height_; ++i) {
    Level& up = update[i]->levels()[i];
    if (up.forward == node) {
      up.span += node->levels()[i].span - 1;
      up.forward = node->levels()[i].forward;
    } else {
      --up.span;
    }
  }
  if (node->levels()[0].forward != nullptr) {
    node->levels()[0].forward->backward = node->backward;
  } else {
    tail_ = node->backward;
  }
  while (height_ > 1 && head_->levels()[height_ - 1].forward == nullptr) --height_;
  --length_;
}

bool ZSkiplist::Delete(double score, std::string_view member) {
  Node* update[kMaxHeight];
  size_t rank[kMaxHeight];
  FindPath(score, member, update, rank);
  Node* x = update[0]->levels()[0].forward;
  if (x == nullptr || x->score != score || x->member() != member) return false;
  Unlink(x, update);
  FreeNode(x);
  return true;
}

ZSkiplist::Node* ZSkiplist::UpdateScore(Node* node, double new_score) {
  Node* prev = node->backward;
  Node* next = node->levels()[0].forward;
  // Staying between its neighbours: no relinking needed.
  if ((prev == nullptr || prev->score < new_score ||
       (prev->score == new_score && prev->member() < node->member())) &&
      (next == nullptr || new_score < next->score ||
       (new_score == next->score && node->member() < next->member()))) {
    node->score = new_score;
    return node;
  }
  Node* update[kMaxHeight];
  size_t rank[kMaxHeight];
  FindPath(node->score, node->member(), update, rank);
  Unlink(node, update);
  for (uint32_t i = 0; i < node->height; ++i) node->levels()[i] = {nullptr, 0};
  node->score = new_score;
  FindPath(new_score, node->member(), update, rank);
  Link(node, update, rank);
  return node;
}

size_t ZSkiplist::Rank(double score, std::string_view member) const {
  Node* x = head_;
  size_t rank = 0;
  for (int i = height_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr) {
      Node* f = x->levels()[i].forward;
      if (!(f->score < score || (f->score == score && f->member() <= member))) break;
      rank += x->levels()[i].span;
      x = f;
    }
    if (x != head_ && x->score == score && x->member() == member) return rank;
  }
  return 0;
}

ZSkiplist::Node* ZSkiplist::ByRank(size_t rank) const {
  if (rank == 0 || rank > length_) return nullptr;
  Node* x = head_;
  size_t traversed = 0;
  for (int i = height_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && traversed + x->levels()[i].span <= rank) {
      traversed += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    if (traversed == rank) return x;
  }
  return nullptr;
}

template <typename Pred>
size_t ZSkiplist::CountWhile(Pred&& pred) const {
  Node* x = head_;
  size_t count = 0;
  for (int i = height_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && pred(x->levels()[i].forward)) {
      count += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
  }
  return count;
}

size_t ZSkiplist::CountBelowMin(const ScoreRange& range) const {
  return CountWhile([&](const Node* n) { return !range.AboveMin(n->score); });
}

size_t ZSkiplist::CountUpToMax(const ScoreRange& range) const {
  return CountWhile([&](const Node* n) { return range.BelowMax(n->score); });
}

size_t ZSkiplist::CountBelowMin(const LexRange& range) const {
  return CountWhile([&](const Node* n) { return !range.AboveMin(n->member()); });
}

size_t ZSkiplist::CountUpToMax(const LexRange& range) const {
  return CountWhile([&](const Node* n) { return range.BelowMax(n->member()); });
}

}  // namespace respd::storage
