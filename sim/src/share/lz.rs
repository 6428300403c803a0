//! A small LZ77 compressor for share links: manifests repeat themselves (`apiVersion`, labels,
//! selectors), so back-references alone shrink them well, with no dependency and a few hundred
//! bytes of wasm. The stream is a list of commands, each a varint header: even `2n` is `n`
//! literal bytes that follow, odd `2n + 1` is a copy of `n + MIN_MATCH` bytes from a varint
//! distance back.

use super::wire::{read_varint, write_varint};

const MIN_MATCH: usize = 4;
const MAX_MATCH: usize = 1 << 12;
const WINDOW: usize = 1 << 16;
const HASH_BITS: u32 = 13;

fn hash(bytes: &[u8]) -> usize {
    let v = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    (v.wrapping_mul(2_654_435_761) >> (32 - HASH_BITS)) as usize
}

/// Compress `input`. Deterministic: the same input always gives the same bytes.
pub fn compress(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 2 + 8);
    let mut table = vec![usize::MAX; 1 << HASH_BITS];
    let mut literal_start = 0;
    let mut i = 0;
    while i + MIN_MATCH <= input.len() {
        let h = hash(&input[i..]);
        let candidate = table[h];
        table[h] = i;
        let len = if candidate != usize::MAX && i - candidate <= WINDOW {
            input[candidate..]
                .iter()
                .zip(&input[i..])
                .take(MAX_MATCH)
                .take_while(|(a, b)| a == b)
                .count()
        } else {
            0
        };
        if len < MIN_MATCH {
            i += 1;
            continue;
        }
        flush_literals(&mut out, &input[literal_start..i]);
        write_varint(&mut out, (((len - MIN_MATCH) as u64) << 1) | 1);
        write_varint(&mut out, (i - candidate) as u64);
        for j in i + 1..(i + len).min(input.len().saturating_sub(MIN_MATCH - 1)) {
            table[hash(&input[j..])] = j;
        }
        i += len;
        literal_start = i;
    }
    flush_literals(&mut out, &input[literal_start..]);
    out
}

fn flush_literals(out: &mut Vec<u8>, literals: &[u8]) {
    if !literals.is_empty() {
        write_varint(out, (literals.len() as u64) << 1);
        out.extend_from_slice(literals);
    }
}

/// Decompress, refusing any stream that is malformed or would grow past `limit` bytes.
pub fn decompress(input: &[u8], limit: usize) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::new();
    let mut at = 0;
    while at < input.len() {
        let header = read_varint(input, &mut at)?;
        let n = usize::try_from(header >> 1).ok()?;
        if header & 1 == 0 {
            let literals = input.get(at..at.checked_add(n)?)?;
            if out.len() + n > limit {
                return None;
            }
            out.extend_from_slice(literals);
            at += n;
        } else {
            let len = n.checked_add(MIN_MATCH)?;
            let distance = usize::try_from(read_varint(input, &mut at)?).ok()?;
            if distance == 0 || distance > out.len() || out.len() + len > limit {
                return None;
            }
            let from = out.len() - distance;
            for k in 0..len {
                let byte = out[from + k];
                out.push(byte);
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_shrinks_repetitive_text() {
        let text = crate::examples::SEED_MANIFEST.repeat(3);
        let packed = compress(text.as_bytes());
        assert!(
            packed.len() < text.len() / 3,
            "{} of {}",
            packed.len(),
            text.len()
        );
        assert_eq!(decompress(&packed, 1 << 20).unwrap(), text.as_bytes());
        for s in [
            "",
            "a",
            "abcd",
            "aaaaaaaaaaaaaaaaaaaaaaaaa",
            "abcabcabcabcx",
        ] {
            assert_eq!(
                decompress(&compress(s.as_bytes()), 1 << 20).unwrap(),
                s.as_bytes()
            );
        }
    }

    #[test]
    fn refuses_streams_that_point_outside_or_grow_past_the_limit() {
        // A copy from before the start.
        assert_eq!(decompress(&[1, 5], 100), None);
        // Literals cut short.
        assert_eq!(decompress(&[8, b'a'], 100), None);
        // A copy that would expand past the limit.
        let packed = compress(&[b'x'; 1000]);
        assert_eq!(decompress(&packed, 999), None);
        assert_eq!(decompress(&packed, 1000).map(|v| v.len()), Some(1000));
    }
}
