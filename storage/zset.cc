// Sorted set value in listpack and skiplist forms (see zset.h).
#include "storage/zset.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace respd::storage {
namespace {

constexpr size_t kNpos = static_cast<size_t>(-1);

void AppendRecord(std::string& out, size_t at, double score, std::string_view member) {
  char buf[8 + 10];
  std::memcpy(buf, &score, 8);
  size_t n = 8;
  size_t len = member.size();
  while (len >= 0x80) {
    buf[n++] = static_cast<char>((len & 0x7f) | 0x80);
    len >>= 7;
  }
  buf[n++] = static_cast<char>(len);
  out.insert(at, buf, n);
  out.insert(at + n, member.data(), member.size());
}

// A listpack stores an integral score as an integer, so Redis gives -0 back as 0 there.
double ListpackScore(double score) { return score == 0 ? 0.0 : score; }

bool RecordBefore(double score, std::string_view member, double other_score,
                  std::string_view other_member) {
  return score < other_score || (score == other_score && member < other_member);
}

}  // namespace

std::unique_ptr<ZSet> ZSet::New(const ZSetLimits& limits, size_t first_member_len) {
  std::unique_ptr<ZSet> z(new ZSet());
  if (limits.max_listpack_entries == 0 || first_member_len > limits.max_listpack_value) {
    z->skiplist_ = std::make_unique<ZSkiplist>();
  }
  return z;
}

std::unique_ptr<ZSet> ZSet::Build(std::vector<std::pair<std::string, double>> elements,
                                  const ZSetLimits& limits) {
  std::unique_ptr<ZSet> z(new ZSet());
  size_t max_len = 0;
  for (const auto& e : elements) max_len = std::max(max_len, e.first.size());
  if (elements.size() > limits.max_listpack_entries || max_len > limits.max_listpack_value) {
    z->skiplist_ = std::make_unique<ZSkiplist>();
    for (const auto& [member, score] : elements) z->SlInsert(score, member);
    return z;
  }
  std::sort(elements.begin(), elements.end(), [](const auto& a, const auto& b) {
    return RecordBefore(a.second, a.first, b.second, b.first);
  });
  for (const auto& [member, score] : elements) {
    AppendRecord(z->lp_, z->lp_.size(), ListpackScore(score), member);
  }
  z->lp_count_ = elements.size();
  return z;
}

ZSet::~ZSet() = default;

size_t ZSet::MemoryUsage() const {
  if (!skiplist_) return sizeof(ZSet) + lp_.capacity();
  return sizeof(ZSet) + skiplist_->MemoryUsage() + index_.BucketMemory();
}

std::unique_ptr<Object> ZSet::Clone() const {
  std::unique_ptr<ZSet> z(new ZSet());
  if (!skiplist_) {
    z->lp_ = lp_;
    z->lp_count_ = lp_count_;
    return z;
  }
  z->skiplist_ = std::make_unique<ZSkiplist>();
  for (Node* n = skiplist_->first(); n != nullptr; n = n->next()) {
    z->SlInsert(n->score, n->member());
  }
  return z;
}

ZSet::Record ZSet::Decode(size_t offset) const {
  Record r;
  std::memcpy(&r.score, lp_.data() + offset, 8);
  size_t pos = offset + 8;
  size_t len = 0;
  int shift = 0;
  while (true) {
    auto byte = static_cast<unsigned char>(lp_[pos++]);
    len |= static_cast<size_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
    shift += 7;
  }
  r.member = std::string_view(lp_.data() + pos, len);
  r.next = pos + len;
  return r;
}

size_t ZSet::LpFind(std::string_view member) const {
  for (size_t offset = 0; offset < lp_.size();) {
    Record r = Decode(offset);
    if (r.member == member) return offset;
    offset = r.next;
  }
  return kNpos;
}

void ZSet::LpInsert(double score, std::string_view member) {
  score = ListpackScore(score);
  size_t offset = 0;
  while (offset < lp_.size()) {
    Record r = Decode(offset);
    if (RecordBefore(score, member, r.score, r.member)) break;
    offset = r.next;
  }
  AppendRecord(lp_, offset, score, member);
  ++lp_count_;
}

void ZSet::LpErase(size_t offset) {
  lp_.erase(offset, Decode(offset).next - offset);
  --lp_count_;
  if (lp_count_ == 0) lp_.shrink_to_fit();
}

void ZSet::SlInsert(double score, std::string_view member) {
  index_.Insert(skiplist_->Insert(score, member));
}

void ZSet::ConvertToSkiplist() {
  skiplist_ = std::make_unique<ZSkiplist>();
  for (size_t offset = 0; offset < lp_.size();) {
    Record r = Decode(offset);
    SlInsert(r.score, r.member);
    offset = r.next;
  }
  std::string().swap(lp_);
  lp_count_ = 0;
}

std::optional<double> ZSet::Score(std::string_view member) const {
  if (skiplist_) {
    Node* n = index_.Find(member);
    if (n == nullptr) return std::nullopt;
    return n->score;
  }
  size_t offset = LpFind(member);
  if (offset == kNpos) return std::nullopt;
  return Decode(offset).score;
}

ZAddOutcome ZSet::Add(double score, std::string_view member, int flags, const ZSetLimits& limits,
                      double* new_score) {
  if (std::isnan(score)) return ZAddOutcome::kNan;
  std::optional<double> current;
  size_t lp_offset = kNpos;
  Node* node = nullptr;
  if (skiplist_) {
    node = index_.Find(member);
    if (node != nullptr) current = node->score;
  } else {
    lp_offset = LpFind(member);
    if (lp_offset != kNpos) current = Decode(lp_offset).score;
  }

  if (current) {
    if (flags & kZAddNx) return ZAddOutcome::kSkipped;
    if (flags & kZAddIncr) {
      score += *current;
      if (std::isnan(score)) return ZAddOutcome::kNan;
    }
    if (((flags & kZAddLt) && score >= *current) || ((flags & kZAddGt) && score <= *current)) {
      return ZAddOutcome::kSkipped;
    }
    *new_score = score;
    if (score == *current) return ZAddOutcome::kUnchanged;
    if (skiplist_) {
      skiplist_->UpdateScore(node, score);
    } else {
      LpErase(lp_offset);
      LpInsert(score, member);
    }
    return ZAddOutcome::kUpdated;
  }

  if (flags & kZAddXx) return ZAddOutcome::kSkipped;
  if (!skiplist_ &&
      (lp_count_ + 1 > limits.max_listpack_entries || member.size() > limits.max_listpack_value)) {
    ConvertToSkiplist();
  }
  // The reply gives the score as computed, even a -0 that the listpack keeps as 0 (Redis too).
  *new_score = score;
  if (skiplist_) {
    SlInsert(score, member);
  } else {
    LpInsert(score, member);
  }
  *new_score = score;
  return ZAddOutcome::kAdded;
}

bool ZSet::Remove(std::string_view member) {
  if (skiplist_) {
    Node* n = index_.Remove(member);
    if (n == nullptr) return false;
    skiplist_->Delete(n->score, n->member());
    return true;
  }
  size_t offset = LpFind(member);
  if (offset == kNpos) return false;
  LpErase(offset);
  return true;
}

std::optional<size_t> ZSet::Rank(std::string_view member) const {
  if (skiplist_) {
    Node* n = index_.Find(member);
    if (n == nullptr) return std::nullopt;
    return skiplist_->Rank(n->score, n->member()) - 1;
  }
  size_t rank = 0;
  for (size_t offset = 0; offset < lp_.size(); ++rank) {
    Record r = Decode(offset);
    if (r.member == member) return rank;
    offset = r.next;
  }
  return std::nullopt;
}

namespace {

// Linear forms of the range bounds for the listpack: members are in order, so count the prefix.
template <typename Pred>
size_t CountPrefix(const std::string& lp, Pred&& pred, auto&& decode) {
  size_t count = 0;
  for (size_t offset = 0; offset < lp.size(); ++count) {
    auto r = decode(offset);
    if (!pred(r.score, r.member)) break;
    offset = r.next;
  }
  return count;
}

}  // namespace

size_t ZSet::CountBelowMin(const ScoreRange& range) const {
  if (skiplist_) return skiplist_->CountBelowMin(range);
  return CountPrefix(
      lp_, [&](double s, std::string_view) { return !range.AboveMin(s); },
      [this](size_t o) { return Decode(o); });
}

size_t ZSet::CountUpToMax(const ScoreRange& range) const {
  if (skiplist_) return skiplist_->CountUpToMax(range);
  return CountPrefix(
      lp_, [&](double s, std::string_view) { return range.BelowMax(s); },
      [this](size_t o) { return Decode(o); });
}

size_t ZSet::CountBelowMin(const LexRange& range) const {
  if (skiplist_) return skiplist_->CountBelowMin(range);
  return CountPrefix(
      lp_, [&](double, std::string_view m) { return !range.AboveMin(m); },
      [this](size_t o) { return Decode(o); });
}

size_t ZSet::CountUpToMax(const LexRange& range) const {
  if (skiplist_) return skiplist_->CountUpToMax(range);
  return CountPrefix(
      lp_, [&](double, std::string_view m) { return range.BelowMax(m); },
      [this](size_t o) { return Decode(o); });
}

void ZSet::RemoveRange(size_t start, size_t end) {
  if (start >= end) return;
  if (skiplist_) {
    skiplist_->DeleteRankRange(start + 1, end, [this](Node* n) { index_.Remove(n->member()); });
    return;
  }
  size_t from = 0;
  for (size_t i = 0; i < start && from < lp_.size(); ++i) from = Decode(from).next;
  size_t to = from;
  size_t removed = 0;
  for (size_t i = start; i < end && to < lp_.size(); ++i, ++removed) to = Decode(to).next;
  lp_.erase(from, to - from);
  lp_count_ -= removed;
}

}  // namespace respd::storage
