//! A QR code of a URL in the terminal, for phones and tablets in the room.

use qrcode::QrCode;
use qrcode::render::unicode::Dense1x2;

/// `url` as a QR code drawn with half-block characters (two modules per character cell), light
/// modules drawn so that it reads on a dark terminal, with its quiet zone; empty if the URL is too
/// long for a QR code.
pub(super) fn terminal(url: &str) -> String {
    let Ok(code) = QrCode::new(url.as_bytes()) else {
        return String::new();
    };
    let mut art = code
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Light)
        .light_color(Dense1x2::Dark)
        .quiet_zone(true)
        .build();
    art.push('\n');
    art
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_becomes_a_block_of_half_blocks() {
        let art = terminal("https://192.168.1.5:8080/");
        let lines: Vec<&str> = art.lines().collect();
        // Version 2 (25 modules) with a 4-module quiet zone each side: 33 wide, 17 rows of two.
        assert_eq!(lines.len(), 17, "{art}");
        assert!(lines.iter().all(|l| l.chars().count() == 33), "{art}");
        assert!(art.contains('▀') || art.contains('▄'));
    }
}
