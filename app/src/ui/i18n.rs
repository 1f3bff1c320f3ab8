//! The page in English and Chinese (`?lang=zh`, or the toggle in the header). Every sentence is a
//! [`Text`] with both languages side by side (written `tx("…", "…")`), so a missing translation cannot
//! compile; one test reads every `tx` pair in the app's sources and fails on an empty or untranslated
//! one, so no lesson keeps a second list of its texts.

/// The page's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// From the `lang` URL parameter, else the browser's preference.
    pub fn detect(query: &str) -> Self {
        let from_url = query
            .trim_start_matches('?')
            .split('&')
            .find_map(|p| p.strip_prefix("lang="));
        let pick = |s: &str| {
            if s.to_ascii_lowercase().starts_with("zh") {
                Lang::Zh
            } else {
                Lang::En
            }
        };
        match from_url {
            Some(v) => pick(v),
            None => web_sys::window()
                .and_then(|w| w.navigator().language())
                .map_or(Lang::En, |l| pick(&l)),
        }
    }

    /// The `lang` attribute value.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }
}

/// One sentence in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text {
    /// English.
    pub en: &'static str,
    /// Simplified Chinese.
    pub zh: &'static str,
}

impl Text {
    /// The sentence in `lang`.
    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Zh => self.zh,
        }
    }
}

/// A fraction as a percentage the way each language writes it: "97.5 %" in English, "97.5%" in
/// Chinese (no space before the sign).
pub fn percent(lang: Lang, fraction: f64, decimals: usize) -> String {
    let v = 100.0 * fraction;
    match lang {
        Lang::En => format!("{v:.decimals$} %"),
        Lang::Zh => format!("{v:.decimals$}%"),
    }
}

/// A count with its thousands grouped, "10,000" (both languages group by three on screen).
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Shorthand for a [`Text`].
pub const fn tx(en: &'static str, zh: &'static str) -> Text {
    Text { en, zh }
}

/// Checks a lesson's table of texts: every Chinese text present and translated (text without Latin
/// letters, such as a formula, may be the same in both). Returns the offending English texts.
#[cfg(test)]
pub fn untranslated(texts: &[Text]) -> Vec<&'static str> {
    texts
        .iter()
        .filter(|t| {
            t.zh.trim().is_empty()
                || (t.zh == t.en && t.en.chars().filter(|c| c.is_ascii_alphabetic()).count() > 3)
        })
        .map(|t| t.en)
        .collect()
}

/// Every `tx("…", "…")` pair written in the Rust sources under `dir` (string literals as written,
/// escapes kept), with the file each stands in.
#[cfg(test)]
pub fn texts_in_sources(dir: &std::path::Path) -> Vec<(String, String, String)> {
    fn literal(s: &str) -> Option<(String, &str)> {
        let s = s.trim_start().strip_prefix('"')?;
        let mut escaped = false;
        for (i, c) in s.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => return Some((s[..i].to_string(), &s[i + 1..])),
                _ => {}
            }
        }
        None
    }
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).expect("a source folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).expect("a source file");
            let mut rest = source.as_str();
            while let Some(at) = rest.find("tx(") {
                rest = &rest[at + 3..];
                let Some((en, after)) = literal(rest) else {
                    continue;
                };
                let Some(after) = after.trim_start().strip_prefix(',') else {
                    continue;
                };
                if let Some((zh, _)) = literal(after) {
                    out.push((path.display().to_string(), en, zh));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_in_the_app_is_translated() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let texts = texts_in_sources(&src);
        // Every lesson's table and the widgets: several hundred sentences (the scan found 349 when
        // written; far fewer would mean it stopped reading the sources).
        assert!(texts.len() > 300, "found only {} texts", texts.len());
        let leaked: Vec<Text> = texts
            .iter()
            .map(|(_, en, zh)| Text {
                en: en.clone().leak(),
                zh: zh.clone().leak(),
            })
            .collect();
        assert_eq!(untranslated(&leaked), Vec::<&str>::new());
        // No space before a percent sign in Chinese text.
        let spaced: Vec<_> = texts
            .iter()
            .filter(|(_, _, zh)| zh.contains(" %"))
            .map(|(file, _, zh)| format!("{file}: {zh}"))
            .collect();
        assert_eq!(spaced, Vec::<String>::new());
    }

    #[test]
    fn chinese_sets_no_space_before_a_percent_sign() {
        assert_eq!(percent(Lang::En, 0.975, 1), "97.5 %");
        assert_eq!(percent(Lang::Zh, 0.975, 1), "97.5%");
    }

    #[test]
    fn the_language_comes_from_the_url() {
        assert_eq!(Lang::detect("?lang=zh&lr=0.1"), Lang::Zh);
        assert_eq!(Lang::detect("?lr=0.1&lang=en"), Lang::En);
    }
}
