//! Stable sorting with one copy of the sort algorithm.
//!
//! `slice::sort_by` is generic over the element type and the comparison closure, so every call
//! site gets its own copy of driftsort (a few kilobytes of wasm each). These helpers sort a list
//! of indices instead — one non-generic instantiation, comparing through `&dyn Fn` — and then
//! move the elements into that order with swaps. The result is exactly what the matching `std`
//! method returns: a stable sort, equal elements keep their order. The app sorts with these too.

use std::cmp::Ordering;

/// `v.sort_by(cmp)`, stable.
pub fn sort_by<T>(v: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    let order = order(v.len(), &|a, b| cmp(&v[a], &v[b]));
    permute(order, &mut |a, b| v.swap(a, b));
}

/// `v.sort_by_key(key)`, stable.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// `v.sort()`, stable.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// The indices `0..n` in stable sorted order: `order[i]` is the index of the element that
/// belongs at position `i`.
fn order(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// Rearranges a slice so that position `i` holds what was at `order[i]`, by following each cycle
/// of the permutation with `swap`. `order` is used up as the record of finished positions.
fn permute(mut order: Vec<usize>, swap: &mut dyn FnMut(usize, usize)) {
    for start in 0..order.len() {
        let mut at = start;
        // Walk the cycle through `start`: each swap brings the element that belongs at `at` into
        // place and carries the element that was at `start` along to the next position.
        while order[at] != at {
            let from = order[at];
            order[at] = at;
            if from == start {
                break;
            }
            swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_std_stable_sort() {
        // Pairs sorted by the first field only: stability shows in the second.
        let mut seed = 12345u32;
        for len in 0..60 {
            let v: Vec<(u8, u32)> = (0..len)
                .map(|i| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    ((seed >> 16) as u8 % 5, i)
                })
                .collect();
            let mut want = v.clone();
            want.sort_by_key(|p| p.0);
            let mut got = v.clone();
            sort_by_key(&mut got, |p| p.0);
            assert_eq!(got, want);

            let mut want = v.clone();
            want.sort_by(|a, b| b.cmp(a));
            let mut got = v.clone();
            sort_by(&mut got, |a, b| b.cmp(a));
            assert_eq!(got, want);

            let mut want = v.clone();
            want.sort();
            let mut got = v;
            sort(&mut got);
            assert_eq!(got, want);
        }
    }
}
