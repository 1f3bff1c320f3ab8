//! The course's English–Chinese glossary: one table ([`TERMS`]) of the terms the lessons use, each with
//! its Chinese name and a one-sentence meaning in both languages, as the lessons use it. The glossary
//! page (`?page=glossary`) lists it; a term's anchor is `#term-<id>`.

use leptos::prelude::*;

use crate::ui::i18n::{Lang, Text, tx};

mod terms;

pub use terms::TERMS;

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

/// A table row (`terms.rs`).
const fn term(id: &'static str, name: Text, meaning: Text) -> Term {
    Term { id, name, meaning }
}

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

/// The term a URL's fragment names (`#term-<id>` → `<id>`), if any.
fn target_of(hash: &str) -> Option<String> {
    hash.strip_prefix("#term-")
        .filter(|id| TERMS.iter().any(|t| t.id == *id))
        .map(str::to_string)
}

/// The glossary page.
#[component]
pub fn Glossary() -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    // The term a link points at (`#term-…`): highlighted and scrolled to once the page has been drawn.
    // A class, not only CSS `:target`: the element is created after the browser looked for the fragment.
    let hash = || {
        web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .unwrap_or_default()
    };
    let target = RwSignal::new(target_of(&hash()));
    let handle =
        window_event_listener_untyped("hashchange", move |_| target.set(target_of(&hash())));
    on_cleanup(move || handle.remove());
    // On the next frame: the page's code arrives in its own chunk, and the effect first runs before
    // the list is in the document.
    Effect::new(move |_| {
        if let Some(id) = target.get() {
            request_animation_frame(move || {
                if let Some(el) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.get_element_by_id(&format!("term-{id}")))
                {
                    el.scroll_into_view();
                }
            });
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
                {TERMS.iter().map(|t| {
                    let on = move || target.with(|id| id.as_deref() == Some(t.id));
                    view! {
                        <div class="term" class:target=on id=format!("term-{}", t.id) data-testid="glossary-term" data-id=t.id
                            data-target=move || on().to_string() aria-current=move || on().then_some("true")>
                            <dt><span lang="en">{t.name.en}</span>" · "<span lang="zh-CN">{t.name.zh}</span></dt>
                            <dd>{move || t.meaning.get(lang.get())}</dd>
                        </div>
                    }
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
        let neuron = TERMS.iter().find(|t| t.id == "neuron").unwrap();
        assert_eq!(short_name(neuron, Lang::En), "neuron");
        assert_eq!(short_name(neuron, Lang::Zh), "神经元");
        assert!(
            terms_in("Fine-tuning was ahead.", Lang::En)
                .iter()
                .all(|t| t.id != "head")
        );
    }

    #[test]
    fn the_glossary_has_at_least_80_terms_in_both_languages_with_unique_ids() {
        assert!(TERMS.len() >= 80, "{}", TERMS.len());
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

    #[test]
    fn every_step_of_every_lesson_links_a_glossary_term_in_both_languages() {
        // Read from the registry, so a new lesson or step is checked too.
        let mut bare = Vec::new();
        for lesson in crate::lessons::LESSONS {
            for (i, step) in lesson.info.steps.iter().enumerate() {
                for lang in [Lang::En, Lang::Zh] {
                    if terms_in(step.body.get(lang), lang).is_empty() {
                        bare.push(format!("{} step {} ({lang:?})", lesson.info.id, i + 1));
                    }
                }
            }
        }
        assert!(
            bare.is_empty(),
            "steps that link no glossary term: {bare:?}"
        );
        // Not vacuous: every lesson has steps to check.
        assert!(
            crate::lessons::LESSONS
                .iter()
                .all(|l| !l.info.steps.is_empty())
        );
    }

    #[test]
    fn a_link_names_its_term_and_nothing_else() {
        assert_eq!(target_of("#term-softmax").as_deref(), Some("softmax"));
        assert_eq!(target_of("#term-dp-sgd").as_deref(), Some("dp-sgd"));
        assert_eq!(target_of("#term-no-such-term"), None);
        assert_eq!(target_of("#softmax"), None);
        assert_eq!(target_of(""), None);
    }

    #[test]
    fn the_terms_the_later_lessons_need_are_there() {
        for id in [
            "condition-number",
            "adagrad",
            "rmsprop",
            "adam",
            "cosine-similarity",
            "differential-privacy",
            "epsilon-delta",
            "dp-sgd",
            "clipping",
            "noise-multiplier",
            "membership-inference",
            "homomorphic-encryption",
            "saliency-map",
            "smoothgrad",
            "integrated-gradients",
            "fgsm",
            "pgd",
            "adversarial-training",
            "adversarial-example",
            "sanity-check",
            "calibration",
            "temperature-scaling",
            "patience",
            "label-smoothing",
            "kl-divergence",
            "flop",
            "heavy-ball",
            "nesterov",
            "validation-set",
        ] {
            assert!(TERMS.iter().any(|t| t.id == id), "{id}");
        }
    }
}
