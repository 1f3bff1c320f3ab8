//! The student's own examples: a drawing pad, a class picker with a counter per class, undo, and the
//! drawings kept in this browser's localStorage (never uploaded) so they survive a reload.

use leptos::html::Canvas;
use leptos::prelude::*;
use web_sys::PointerEvent;

use super::protocol::Examples;
use super::text::ui;
use crate::ui::drawing::{PadPen, SIZE, clear_pad, read_pad};
use crate::ui::i18n::Lang;

/// One drawing in five (the fifth, tenth, …) of each class is held out to measure accuracy.
pub const HOLD_OUT_EVERY: usize = 5;

/// Drawings as `(label, 784 pixels)`.
pub type Drawings = Vec<(u8, Vec<u8>)>;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn key(scenario: &str) -> String {
    format!("backprop-lab.finetune.drawings.{scenario}")
}

/// `names|label:hex;label:hex…`: class names, then each drawing's label and pixels.
pub fn encode(classes: &[String], drawings: &Drawings) -> String {
    let body: Vec<String> = drawings
        .iter()
        .map(|(l, px)| {
            let hex: String = px.iter().map(|b| format!("{b:02x}")).collect();
            format!("{l}:{hex}")
        })
        .collect();
    format!("{}|{}", classes.join(","), body.join(";"))
}

/// Inverse of [`encode`]; drawings that do not parse are dropped.
pub fn decode(text: &str) -> Option<(Vec<String>, Drawings)> {
    let (names, body) = text.split_once('|')?;
    let classes: Vec<String> = names.split(',').map(str::to_string).collect();
    let drawings = body
        .split(';')
        .filter_map(|item| {
            let (l, hex) = item.split_once(':')?;
            let label: u8 = l
                .parse()
                .ok()
                .filter(|&l: &u8| usize::from(l) < classes.len())?;
            let px: Option<Vec<u8>> = (0..hex.len() / 2)
                .map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
                .collect();
            px.filter(|p| p.len() == 784).map(|p| (label, p))
        })
        .collect();
    Some((classes, drawings))
}

/// Stored drawings of a scenario.
pub fn load(scenario: &str) -> Option<(Vec<String>, Drawings)> {
    decode(&storage()?.get_item(&key(scenario)).ok()??)
}

fn save(scenario: &str, classes: &[String], drawings: &Drawings) {
    if let Some(s) = storage() {
        let _ = s.set_item(&key(scenario), &encode(classes, drawings));
    }
}

/// Splits drawings into training and held-out examples (every [`HOLD_OUT_EVERY`]-th of each class is
/// held out); `None` unless every class has at least two drawings.
pub fn split(classes: usize, drawings: &Drawings) -> Option<(Examples, Examples)> {
    let mut seen = vec![0usize; classes];
    let (mut train, mut test) = (Examples::default(), Examples::default());
    for (label, px) in drawings {
        let c = usize::from(*label);
        if c >= classes {
            continue;
        }
        seen[c] += 1;
        // The second drawing of a class is held out when there are fewer than five.
        let held = seen[c].is_multiple_of(HOLD_OUT_EVERY) || seen[c] == 2;
        let to = if held { &mut test } else { &mut train };
        to.pixels.extend_from_slice(px);
        to.labels.push(*label);
    }
    (seen.iter().all(|&n| n >= 2)).then_some((train, test))
}

/// The collector: classes, counters, pad, add/undo, and "use these drawings".
#[component]
pub fn DrawCollector(
    scenario: &'static str,
    classes: RwSignal<Vec<String>>,
    lang: RwSignal<Lang>,
    editable: bool,
    on_use: Callback<(Vec<String>, Examples, Examples)>,
) -> impl IntoView {
    let drawings = RwSignal::new(Drawings::new());
    if let Some((names, stored)) = load(scenario) {
        if editable && !names.is_empty() {
            classes.set(names);
        }
        drawings.set(stored);
    }
    let current = RwSignal::new(0usize);
    let canvas = NodeRef::<Canvas>::new();
    let pen = PadPen::new(canvas);
    let clear = move || clear_pad(canvas.get());
    Effect::new(move |_| {
        if canvas.get().is_some() {
            clear();
        }
    });
    let persist = move || {
        save(
            scenario,
            &classes.get_untracked(),
            &drawings.get_untracked(),
        )
    };
    let add = move |_| {
        if let Some(px) = read_pad(canvas.get()) {
            drawings.update(|d| d.push((current.get_untracked() as u8, px)));
            persist();
            clear();
        }
    };
    let undo = move |_| {
        drawings.update(|d| {
            d.pop();
        });
        persist();
    };
    let forget = move |_| {
        drawings.set(Vec::new());
        persist();
    };
    let down = move |ev: PointerEvent| pen.down(&ev);
    let moved = move |ev: PointerEvent| {
        pen.moved(&ev);
    };
    let up = move |_: PointerEvent| {
        pen.up();
    };
    let use_them = move |_| {
        let names = classes.get_untracked();
        if let Some((train, test)) = split(names.len(), &drawings.get_untracked()) {
            on_use.run((names, train, test));
        }
    };
    let ready = move || split(classes.get().len(), &drawings.get()).is_some();
    let count =
        move |c: usize| drawings.with(|d| d.iter().filter(|(l, _)| usize::from(*l) == c).count());
    let rename = move |ev: leptos::ev::Event| {
        let names: Vec<String> = event_target_value(&ev)
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .take(8)
            .collect();
        if names.len() >= 2 {
            drawings.update(|d| d.retain(|(l, _)| usize::from(*l) < names.len()));
            classes.set(names);
            current.set(0);
            persist();
        }
    };
    view! {
        <div class="collector">
            {editable.then(|| view! {
                <label class="names">{move || ui::CLASS_NAMES.get(lang.get())}
                    <input type="text" data-testid="draw-class-names" prop:value=move || classes.get().join(", ") on:change=rename />
                </label>
            })}
            <div class="classes" role="radiogroup">
                {move || classes.get().into_iter().enumerate().map(|(i, name)| view! {
                    <button class="class" class:current=move || current.get() == i role="radio"
                        aria-checked=move || (current.get() == i).to_string()
                        data-testid=format!("draw-class-{i}") on:click=move |_| current.set(i)>
                        <span class="name">{name}</span>
                        <span class="count" data-testid=format!("draw-count-{i}")>{move || count(i)}</span>
                    </button>
                }).collect_view()}
            </div>
            <canvas node_ref=canvas data-testid="draw-canvas" width=SIZE height=SIZE class="pad"
                aria-label="drawing pad: draw an example of the selected class"
                on:pointerdown=down on:pointermove=moved on:pointerup=up on:pointercancel=up></canvas>
            <div class="buttons">
                <button data-testid="draw-add" on:click=add>{move || ui::ADD.get(lang.get())}</button>
                <button data-testid="draw-clear" on:click=move |_| clear()>{move || ui::CLEAR.get(lang.get())}</button>
                <button data-testid="draw-undo" on:click=undo>{move || ui::UNDO.get(lang.get())}</button>
                <button data-testid="draw-forget" on:click=forget>{move || ui::FORGET.get(lang.get())}</button>
                <button data-testid="draw-use" disabled=move || !ready() on:click=use_them>{move || ui::USE.get(lang.get())}</button>
            </div>
            {move || (!ready()).then(|| view! { <p class="hint">{move || ui::NEED_MORE.get(lang.get())}</p> })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawings_round_trip_and_split_holds_out_one_in_five() {
        let classes = vec!["✓".to_string(), "✗".to_string()];
        let d: Drawings = (0..12)
            .map(|i| ((i % 2) as u8, vec![i as u8; 784]))
            .collect();
        let (names, back) = decode(&encode(&classes, &d)).unwrap();
        assert_eq!((names, back.clone()), (classes, d.clone()));
        let (train, test) = split(2, &d).unwrap();
        // Six per class: the 2nd and the 5th of each are held out.
        assert_eq!(test.labels.len(), 4);
        assert_eq!(train.labels.len(), 8);
        assert_eq!(train.pixels.len(), 8 * 784);
        assert!(split(3, &d).is_none(), "a class without drawings");
        assert!(
            decode("a,b|9:00").unwrap().1.is_empty(),
            "bad label dropped"
        );
    }
}
