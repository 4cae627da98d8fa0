// Redis's pqsort (pqsort.c: NetBSD's Bentley-McIlroy quicksort that skips the partitions holding
// none of the ranks [lrange, rrange]). Redis sorts with it where only some ranks are returned
// (GEORADIUS/GEOSEARCH with COUNT, SORT BY a pattern with LIMIT); elements the comparison ties end
// up where Redis puts them only if the same algorithm moves them.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace respd::storage {

// `cmp(a, b)` answers like qsort's comparison: negative, zero or positive.
template <typename T, typename Cmp>
class PartialSorter {
 public:
  PartialSorter(std::vector<T>& v, Cmp cmp, ptrdiff_t lrange, ptrdiff_t rrange)
      : v_(v), cmp_(std::move(cmp)), lrange_(lrange), rrange_(rrange) {}

  void Sort(ptrdiff_t base, ptrdiff_t n) {
    for (;;) {
      if (n < 7) return InsertionSort(base, n);
      ptrdiff_t pm = base + n / 2;
      if (n > 7) {
        ptrdiff_t pl = base;
        ptrdiff_t pn = base + n - 1;
        if (n > 40) {
          ptrdiff_t d = n / 8;
          pl = Med3(pl, pl + d, pl + 2 * d);
          pm = Med3(pm - d, pm, pm + d);
          pn = Med3(pn - 2 * d, pn - d, pn);
        }
        pm = Med3(pl, pm, pn);
      }
      Swap(base, pm);
      ptrdiff_t pa = base + 1, pb = base + 1;
      ptrdiff_t pc = base + n - 1, pd = base + n - 1;
      bool swapped = false;
      for (;;) {
        int r;
        while (pb <= pc && (r = Cmp3(pb, base)) <= 0) {
          if (r == 0) {
            swapped = true;
            Swap(pa++, pb);
          }
          pb++;
        }
        while (pb <= pc && (r = Cmp3(pc, base)) >= 0) {
          if (r == 0) {
            swapped = true;
            Swap(pc, pd--);
          }
          pc--;
        }
        if (pb > pc) break;
        Swap(pb++, pc--);
        swapped = true;
      }
      if (!swapped) return InsertionSort(base, n);
      ptrdiff_t pn = base + n;
      ptrdiff_t r = std::min(pa - base, pb - pa);
      VecSwap(base, pb - r, r);
      r = std::min(pd - pc, pn - pd - 1);
      VecSwap(pb, pn - r, r);
      if ((r = pb - pa) > 1 && Wanted(base, r)) Sort(base, r);
      if ((r = pd - pc) <= 1) return;
      base = pn - r;
      n = r;
      if (!Wanted(base, n)) return;
    }
  }

 private:
  int Cmp3(ptrdiff_t a, ptrdiff_t b) { return cmp_(v_[a], v_[b]); }
  void Swap(ptrdiff_t a, ptrdiff_t b) { std::swap(v_[a], v_[b]); }
  void VecSwap(ptrdiff_t a, ptrdiff_t b, ptrdiff_t n) {
    for (ptrdiff_t i = 0; i < n; ++i) Swap(a + i, b + i);
  }
  ptrdiff_t Med3(ptrdiff_t a, ptrdiff_t b, ptrdiff_t c) {
    return Cmp3(a, b) < 0 ? (Cmp3(b, c) < 0 ? b : (Cmp3(a, c) < 0 ? c : a))
                          : (Cmp3(b, c) > 0 ? b : (Cmp3(a, c) < 0 ? a : c));
  }
  void InsertionSort(ptrdiff_t base, ptrdiff_t n) {
    for (ptrdiff_t pm = base + 1; pm < base + n; ++pm) {
      for (ptrdiff_t pl = pm; pl > base && Cmp3(pl - 1, pl) > 0; --pl) Swap(pl, pl - 1);
    }
  }
  // Whether the partition [base, base + n) holds any of the wanted ranks.
  bool Wanted(ptrdiff_t base, ptrdiff_t n) const { return !(rrange_ < base || lrange_ >= base + n); }

  std::vector<T>& v_;
  Cmp cmp_;
  ptrdiff_t lrange_;
  ptrdiff_t rrange_;
};

// Sorts `v` enough that the ranks [lrange, rrange] hold what a full sort would put there, moving
// elements exactly as Redis's pqsort does.
template <typename T, typename Cmp>
void PartialQuickSort(std::vector<T>& v, ptrdiff_t lrange, ptrdiff_t rrange, Cmp cmp) {
  PartialSorter<T, Cmp>(v, std::move(cmp), lrange, rrange)
      .Sort(0, static_cast<ptrdiff_t>(v.size()));
}

}  // namespace respd::storage
