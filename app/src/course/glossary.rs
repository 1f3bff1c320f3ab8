//! The course's English–Chinese glossary: one table ([`TERMS`]) of the terms the lessons use, each with
//! its Chinese name and a one-sentence meaning in both languages, as the lessons use it. The glossary
//! page (`?page=glossary`) lists it; a term's anchor is `#term-<id>`.

use leptos::prelude::*;

use crate::ui::i18n::{Lang, Text, tx};

/// One glossary entry.
#[derive(Clone, Copy, Debug)]
pub struct Term {
    /// Anchor id (`?page=glossary#term-<id>`).
    pub id: &'static str,
    /// The term itself, in English and Chinese.
    pub name: Text,
    /// What it means here.
    pub meaning: Text,
}

/// A table row (`course/terms.rs`).
pub(super) const fn term(id: &'static str, name: Text, meaning: Text) -> Term {
    Term { id, name, meaning }
}

pub use super::terms::TERMS;

/// A term's short name in `lang`: the part before a parenthesis ("neuron (unit)" → "neuron").
pub fn short_name(t: &Term, lang: Lang) -> &'static str {
    let name = t.name.get(lang);
    name.split([' ', '（'])
        .next()
        .filter(|_| lang == Lang::Zh)
        .unwrap_or_else(|| name.split(" (").next().unwrap_or(name))
}

/// The glossary's terms that `text` (in `lang`) uses, in glossary order: what a step's "terms" line
/// links to, derived from the one table rather than listed by hand.
pub fn terms_in(text: &str, lang: Lang) -> Vec<&'static Term> {
    let haystack = text.to_lowercase();
    // In English a term starts a word ("head" is not in "ahead"); Chinese has no spaces to look for.
    let starts_word = |at: usize| {
        lang == Lang::Zh
            || haystack[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric())
    };
    TERMS
        .iter()
        .filter(|t| {
            let name = short_name(t, lang).to_lowercase();
            name.chars().count() >= 2
                && haystack.match_indices(&name).any(|(at, _)| starts_word(at))
        })
        .collect()
}

/// The glossary page.
#[component]
pub fn Glossary() -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    // A link to one term (`#term-…`) lands on it once the page has been drawn.
    Effect::new(move |_| {
        let hash = web_sys::window().and_then(|w| w.location().hash().ok());
        if let Some(id) = hash.filter(|h| h.len() > 1)
            && let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&id[1..]))
        {
            el.scroll_into_view();
        }
    });
    let title = tx("Glossary", "术语表");
    let intro = tx(
        "The terms the lessons use, in English and Chinese, each with what it means here.",
        "各课用到的术语，中英对照，并说明它在这里的含义。",
    );
    view! {
        <main class="page glossary">
            <h2>{move || title.get(lang.get())}</h2>
            <p class="intro">{move || intro.get(lang.get())}</p>
            <dl data-testid="glossary" data-count=TERMS.len().to_string()>
                {TERMS.iter().map(|t| view! {
                    <div class="term" id=format!("term-{}", t.id) data-testid="glossary-term" data-id=t.id>
                        <dt><span lang="en">{t.name.en}</span>" · "<span lang="zh-CN">{t.name.zh}</span></dt>
                        <dd>{move || t.meaning.get(lang.get())}</dd>
                    </div>
                }).collect_view()}
            </dl>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steps_terms_are_found_in_its_text_in_either_language() {
        let en: Vec<_> = terms_in(
            "Softmax turns logits into a distribution; the loss is cross-entropy.",
            Lang::En,
        )
        .iter()
        .map(|t| t.id)
        .collect();
        assert!(
            en.contains(&"softmax") && en.contains(&"logit") && en.contains(&"cross-entropy"),
            "{en:?}"
        );
        let zh: Vec<_> = terms_in("交叉熵比较两个分布，反向传播计算梯度。", Lang::Zh)
            .iter()
            .map(|t| t.id)
            .collect();
        assert!(
            zh.contains(&"cross-entropy")
                && zh.contains(&"backpropagation")
                && zh.contains(&"gradient"),
            "{zh:?}"
        );
        assert_eq!(short_name(&TERMS[1], Lang::En), "neuron");
        assert!(
            terms_in("Fine-tuning was ahead.", Lang::En)
                .iter()
                .all(|t| t.id != "head")
        );
    }

    #[test]
    fn the_glossary_has_at_least_40_terms_in_both_languages_with_unique_ids() {
        assert!(TERMS.len() >= 40, "{}", TERMS.len());
        let mut ids: Vec<_> = TERMS.iter().map(|t| t.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), TERMS.len(), "ids are unique");
        for t in TERMS {
            assert!(
                !t.name.en.is_empty() && !t.meaning.en.is_empty(),
                "{}",
                t.id
            );
            let chinese = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            assert!(chinese(t.meaning.zh), "{}: the meaning is translated", t.id);
            assert!(!t.meaning.zh.contains(" %"), "{}", t.id);
        }
    }
}
