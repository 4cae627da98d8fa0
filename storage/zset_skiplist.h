// The ordered index of large sorted sets: a skiplist of (score, member) nodes ordered by score then
// member bytes, whose forward links carry spans (how many nodes they jump) so rank lookups and
// range-by-rank are O(log n), as in Redis's zskiplist. Each node is one allocation holding its
// levels and member bytes, and doubles as the node of the member index (hash_next).
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string_view>

namespace respd::storage {

// A score interval with optional exclusive ends ("(1.5").
struct ScoreRange {
  double min = 0;
  double max = 0;
  bool min_exclusive = false;
  bool max_exclusive = false;

  bool AboveMin(double v) const { return min_exclusive ? v > min : v >= min; }
  bool BelowMax(double v) const { return max_exclusive ? v < max : v <= max; }
  bool Empty() const { return min > max || (min == max && (min_exclusive || max_exclusive)); }
};

// A member interval in byte order: "-" and "+" are the open ends, "[" inclusive, "(" exclusive.
struct LexRange {
  std::string_view min;
  std::string_view max;
  bool min_exclusive = false;
  bool max_exclusive = false;
  bool min_is_minus_inf = false;  // "-"
  bool min_is_plus_inf = false;   // "+": nothing is above it
  bool max_is_plus_inf = false;   // "+"
  bool max_is_minus_inf = false;  // "-": nothing is below it

  bool AboveMin(std::string_view v) const {
    if (min_is_minus_inf) return true;
    if (min_is_plus_inf) return false;
    return min_exclusive ? v > min : v >= min;
  }
  bool BelowMax(std::string_view v) const {
    if (max_is_plus_inf) return true;
    if (max_is_minus_inf) return false;
    return max_exclusive ? v < max : v <= max;
  }
  bool Empty() const;
};

class ZSkiplist {
 public:
  static constexpr int kMaxHeight = 32;

  struct Node;
  struct Level {
    Node* forward;
    size_t span;  // nodes between this one and `forward`, counting `forward`
  };
  struct Node {
    Node* hash_next;
    Node* backward;
    double score;
    uint32_t member_len;
    uint32_t height;

    Level* levels() { return reinterpret_cast<Level*>(this + 1); }
    const Level* levels() const { return reinterpret_cast<const Level*>(this + 1); }
    std::string_view member() const {
      return {reinterpret_cast<const char*>(levels() + height), member_len};
    }
    Node* next() const { return levels()[0].forward; }
    Node* prev() const { return backward; }
  };

  ZSkiplist();
  ZSkiplist(const ZSkiplist&) = delete;
  ZSkiplist& operator=(const ZSkiplist&) = delete;
  ~ZSkiplist();

  size_t size() const { return length_; }
  Node* first() const { return head_->levels()[0].forward; }
  Node* last() const { return tail_; }

  // Inserts a member that is not in the list yet.
  Node* Insert(double score, std::string_view member);
  // Unlinks and frees the node with this score and member; false if there is none.
  bool Delete(double score, std::string_view member);
  // Moves `node` to `new_score`, reusing the node; returns it.
  Node* UpdateScore(Node* node, double new_score);
  // 1-based rank of the node with this score and member, 0 if absent.
  size_t Rank(double score, std::string_view member) const;
  // The node at 1-based `rank`, nullptr if out of range.
  Node* ByRank(size_t rank) const;
  // How many nodes sort before the first node inside the lower end of `range`, i.e. the 0-based
  // rank where the range starts; and how many nodes are within the upper end.
  size_t CountBelowMin(const ScoreRange& range) const;
  size_t CountUpToMax(const ScoreRange& range) const;
  size_t CountBelowMin(const LexRange& range) const;
  size_t CountUpToMax(const LexRange& range) const;
  // Unlinks the nodes at 1-based ranks [start, end] and calls fn(node) for each before freeing it.
  template <typename Fn>
  void DeleteRankRange(size_t start, size_t end, Fn&& fn);

  size_t MemoryUsage() const { return memory_; }

 private:
  static Node* NewNode(int height, double score, std::string_view member);
  void FreeNode(Node* node);
  int RandomHeight();
  void Unlink(Node* node, Node** update);
  // Fills update[] with the last node before (score, member) at each level.
  void FindPath(double score, std::string_view member, Node** update, size_t* rank) const;
  void Link(Node* node, Node** update, size_t* rank);
  template <typename Pred>
  size_t CountWhile(Pred&& pred) const;

  Node* head_;
  Node* tail_ = nullptr;
  size_t length_ = 0;
  int height_ = 1;
  size_t memory_ = 0;
  std::minstd_rand rng_{0x5eed};
};

// True when `node` sorts strictly before (score, member).
inline bool NodeBefore(const ZSkiplist::Node* node, double score, std::string_view member) {
  return node->score < score || (node->score == score && node->member() < member);
}

template <typename Fn>
void ZSkiplist::DeleteRankRange(size_t start, size_t end, Fn&& fn) {
  Node* update[kMaxHeight];
  Node* x = head_;
  size_t traversed = 0;
  for (int i = height_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && traversed + x->levels()[i].span < start) {
      traversed += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
  ++traversed;
  x = x->levels()[0].forward;
  while (x != nullptr && traversed <= end) {
    Node* next = x->levels()[0].forward;
    Unlink(x, update);
    fn(x);
    FreeNode(x);
    ++traversed;
    x = next;
  }
}

}  // namespace respd::storage
