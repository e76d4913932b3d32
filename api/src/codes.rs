//! The codes printed on what the programme issues (receipts, yearly statements) for anyone to
//! check: one alphabet without the characters people misread (0/O, 1/I).

use rand::Rng;

/// Upper-case letters and digits a reader cannot confuse.
pub const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// `len` characters drawn from [`ALPHABET`]: 5 bits each, so 12 make a 60-bit code.
pub fn random_code(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_only_the_alphabet_and_differ() {
        let a = random_code(12);
        assert_eq!(a.len(), 12);
        assert!(a.bytes().all(|b| ALPHABET.contains(&b)));
        assert_ne!(a, random_code(12));
    }
}
