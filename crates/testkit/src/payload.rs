//! Reproducible payloads: bytes that look random, the same for the same seed.

/// `len` bytes that look random and are the same for the same `seed` (xorshift64):
/// payloads for transfers and echoes, varied enough that a lost, doubled or shifted
/// block shows when the copy is compared with them.
pub fn reproducible_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}
