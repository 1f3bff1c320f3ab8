//! Join codes: six characters from an alphabet without look-alikes (no 0/O, 1/I/L), so a code read off
//! a projector is typed right. 31^6 ≈ 887 million codes: with 10 classes open and joins limited to
//! [`JOIN_ATTEMPTS_PER_MINUTE`] per address, guessing any open class takes one address about
//! 887e6 / 10 / 10 ≈ 8.9 million minutes (17 years) on average.

/// The characters a code is made of.
pub const ALPHABET: &[u8; 31] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// A code's length.
pub const LENGTH: usize = 6;
/// Join attempts one network address may make per minute (a wrong code counts; a right one too).
pub const JOIN_ATTEMPTS_PER_MINUTE: u32 = 10;

/// A code made from random bytes (the server's randomness; one byte per character, rejection-free
/// because 256 mod 31 is small enough not to matter for a code that is also rate-limited).
pub fn from_random(bytes: [u8; LENGTH]) -> String {
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

/// A typed code in canonical form: upper case, spaces and dashes dropped, `O`→`0` is *not* guessed
/// (neither is in the alphabet). `None` when it cannot be a code.
pub fn normalise(typed: &str) -> Option<String> {
    if typed.len() > 32 {
        return None;
    }
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == LENGTH && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_typed_forgivingly_and_checked_strictly() {
        let code = from_random([0, 30, 31, 255, 7, 100]);
        assert_eq!(code.len(), LENGTH);
        assert_eq!(
            normalise(&code.to_lowercase()).as_deref(),
            Some(code.as_str())
        );
        assert_eq!(normalise("abc-def").as_deref(), Some("ABCDEF"));
        assert_eq!(normalise(" ab cd ef ").as_deref(), Some("ABCDEF"));
        assert_eq!(normalise("ABCDE0"), None, "0 is not in the alphabet");
        assert_eq!(normalise("ABCDE"), None);
        assert_eq!(normalise("ABCDEFG"), None);
        assert_eq!(normalise(&"A".repeat(100)), None);
    }
}
