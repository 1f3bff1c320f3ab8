//! The page in English and Chinese (`?lang=zh`, or the toggle in the header). The first lesson keys its
//! text by the English string ([`t`]); newer lessons hold every sentence as a [`Text`] with both
//! languages side by side, so a missing translation cannot compile, and their tests check that none is
//! empty or left in English.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_comes_from_the_url() {
        assert_eq!(Lang::detect("?lang=zh&lr=0.1"), Lang::Zh);
        assert_eq!(Lang::detect("?lr=0.1&lang=en"), Lang::En);
    }
}
