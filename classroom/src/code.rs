//! Join codes: six characters from an alphabet without look-alikes (no 0/O, 1/I/L), so a code read off
//! a projector is typed right. 31^6 ≈ 887.5 million codes, each equally likely ([`from_random`] rejects
//! the bytes that would favour some characters). Joins are limited to [`JOIN_ATTEMPTS_PER_MINUTE`] per
//! address, so one address trying for a class's whole 24 hours (14,400 tries) has about a 1 in 62,000
//! chance of hitting that class (1 in 6,200 of hitting one of 10 open classes).

/// The characters a code is made of.
pub const ALPHABET: &[u8; 31] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// A code's length.
pub const LENGTH: usize = 6;
/// Join attempts one network address may make per minute (a wrong code counts; a right one too).
pub const JOIN_ATTEMPTS_PER_MINUTE: u32 = 10;

/// The bytes [`from_random`] uses: below 248 = 8 × 31, so every character is equally likely.
const ACCEPTED: u8 = (256 / ALPHABET.len() * ALPHABET.len()) as u8;

/// A code made from random bytes (the server's randomness, drawn one at a time by `next`): a byte of
/// 248 or more is rejected and another drawn, so that `byte % 31` is uniform.
pub fn from_random(mut next: impl FnMut() -> u8) -> String {
    let mut code = String::with_capacity(LENGTH);
    while code.len() < LENGTH {
        let b = next();
        if b < ACCEPTED {
            code.push(ALPHABET[b as usize % ALPHABET.len()] as char);
        }
    }
    code
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
        let mut bytes = [0u8, 30, 31, 255, 248, 7, 100, 247].into_iter();
        let code = from_random(|| bytes.next().unwrap());
        assert_eq!(code, "A9AHH9", "248 and 255 are rejected");
        assert_eq!(ACCEPTED, 248);
        // Every character equally often over the accepted bytes.
        let mut counts = [0u32; 31];
        let mut all = (0..=255u8).cycle();
        for c in (0..248)
            .map(|_| from_random(|| all.next().unwrap()))
            .flat_map(|c| c.into_bytes())
        {
            counts[ALPHABET.iter().position(|&a| a == c).unwrap()] += 1;
        }
        assert!(counts.iter().all(|&n| n == counts[0]), "{counts:?}");
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
