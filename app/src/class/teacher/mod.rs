//! The teacher's dashboard (`?page=class&token=…`, the URL `serve --class` prints): start a class, show
//! its code, join URL and QR code large enough for a projector, then the class live — a grid of
//! students, pooled charts, "assign settings", "everyone to a step", exports.

pub mod charts;
pub mod controls;
pub mod grid;
pub mod model;
pub mod text;

use std::time::Duration;

use backprop_classroom::{TeacherMessage, ToTeacher};
use leptos::prelude::*;

use super::socket::{Socket, Status};
use crate::route::Router;
use crate::ui::i18n::Lang;
use crate::ui::line_chart::{LineChart, Series, thin};
use model::{ClassModel, Filter};

/// A curve's CSS class by its learning rate's decade (≤ 0.001, 0.01, 0.1, 1, ≥ 10).
fn curve_class(lr: Option<f64>) -> &'static str {
    match lr.map(f64::log10) {
        Some(l) if l < -2.5 => "class-curve lr-0",
        Some(l) if l < -1.5 => "class-curve lr-1",
        Some(l) if l < -0.5 => "class-curve lr-2",
        Some(l) if l < 0.5 => "class-curve lr-3",
        Some(_) => "class-curve lr-4",
        None => "class-curve",
    }
}

/// The class the server started: its code, join URL, expiry.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassInfo {
    /// The join code.
    pub code: String,
    /// The URL students open.
    pub join_url: String,
    /// Expiry, ms since the epoch.
    pub expires_ms: u64,
    /// Kept past the expiry.
    pub kept: bool,
    /// The most students.
    pub capacity: u32,
}

/// The dashboard's state, shared with its parts.
#[derive(Clone, Copy)]
pub struct Dashboard {
    /// The teacher's token (from the URL).
    pub token: StoredValue<String>,
    /// The socket's status.
    pub status: RwSignal<Status>,
    /// The class, once started.
    pub info: RwSignal<Option<ClassInfo>>,
    /// Students and runs.
    pub model: RwSignal<ClassModel>,
    /// The last refusal.
    pub refused: RwSignal<Option<String>>,
    /// The class ended.
    pub ended: RwSignal<bool>,
    /// Pseudonyms shown as "Student N".
    pub anonymise: RwSignal<bool>,
    socket: StoredValue<Option<Socket<ToTeacher, TeacherMessage>>, LocalStorage>,
    /// Live messages not yet applied (applied together a few times a second, so sixty students'
    /// evaluations do not redraw the page sixty times a second).
    queue: StoredValue<Vec<ToTeacher>, LocalStorage>,
    /// "Start" was pressed before the socket opened: it is sent when it does.
    start_asked: StoredValue<bool>,
}

fn stored_key(token: &str) -> String {
    format!("backprop-lab.class.teacher.{token}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

impl Dashboard {
    /// Sends a message now (false when not connected).
    pub fn send(&self, message: TeacherMessage) -> bool {
        self.socket
            .with_value(|s| s.as_ref().is_some_and(|s| s.send(&message)))
    }

    fn remembered_code(&self) -> Option<String> {
        storage()?
            .get_item(&stored_key(&self.token.get_value()))
            .ok()
            .flatten()
    }

    fn remember(&self, code: Option<&str>) {
        if let Some(s) = storage() {
            let key = stored_key(&self.token.get_value());
            let _ = match code {
                Some(c) => s.set_item(&key, c),
                None => s.remove_item(&key),
            };
        }
    }

    /// On every (re)connection: reopen the class this page had (a reload, a restarted server); the
    /// server answers with the class and a fresh snapshot, which replaces the page's.
    fn opened(&self) {
        let code = self
            .info
            .with_untracked(|i| i.as_ref().map(|i| i.code.clone()))
            .or_else(|| self.remembered_code());
        if let Some(code) = code {
            self.send(TeacherMessage::Start { resume: Some(code) });
        } else if self.start_asked.get_value() {
            self.start_asked
                .set_value(!self.send(TeacherMessage::Start { resume: None }));
        }
    }

    fn receive(&self, message: ToTeacher) {
        match message {
            ToTeacher::Class {
                code,
                join_url,
                expires_ms,
                kept,
                capacity,
            } => {
                self.remember(Some(&code));
                self.refused.set(None);
                self.info.set(Some(ClassInfo {
                    code,
                    join_url,
                    expires_ms,
                    kept,
                    capacity,
                }));
            }
            ToTeacher::Snapshot { students, reports } => {
                // Live messages queued before the snapshot are in it.
                self.queue.set_value(Vec::new());
                self.model.set(ClassModel::snapshot(students, reports));
            }
            ToTeacher::Refused { reason } => {
                // A class that could not be reopened (expired, another server's): start afresh.
                if self.info.with_untracked(Option::is_none) {
                    self.remember(None);
                }
                self.refused.set(Some(reason));
            }
            ToTeacher::Ended => self.ended.set(true),
            live => {
                let first = self.queue.with_value(Vec::is_empty);
                self.queue.update_value(|q| q.push(live));
                if first {
                    let this = *self;
                    set_timeout(move || this.flush(), Duration::from_millis(250));
                }
            }
        }
    }

    fn flush(&self) {
        let Some(queue) = self.queue.try_update_value(std::mem::take) else {
            return;
        };
        if queue.is_empty() {
            return;
        }
        // The page may have been left since the flush was planned.
        self.model.try_update(|m| {
            for message in queue {
                match message {
                    ToTeacher::Student(s) => m.student(s),
                    ToTeacher::Report(r) => m.report(r),
                    _ => {}
                }
            }
        });
    }
}

/// The page.
#[component]
pub fn ClassPage() -> impl IntoView {
    let router = expect_context::<Router>();
    let lang = expect_context::<RwSignal<Lang>>();
    let token = router
        .0
        .with_untracked(|r| r.get("token").map(str::to_string))
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return view! {
            <main class="page class-page">
                <h2>{move || text::TITLE.get(lang.get())}</h2>
                <p class="panel" data-testid="class-no-token">{move || text::NO_TOKEN.get(lang.get())}</p>
            </main>
        }
        .into_any();
    };
    let d = Dashboard {
        token: StoredValue::new(token.clone()),
        status: RwSignal::new(Status::Connecting),
        info: RwSignal::new(None),
        model: RwSignal::new(ClassModel::default()),
        refused: RwSignal::new(None),
        ended: RwSignal::new(false),
        anonymise: RwSignal::new(false),
        socket: StoredValue::new_local(None),
        queue: StoredValue::new_local(Vec::new()),
        start_asked: StoredValue::new(false),
    };
    let encoded = String::from(js_sys::encode_uri_component(&token));
    let socket = Socket::open(
        &format!("/class/teacher?token={encoded}"),
        d.status,
        move || d.opened(),
        move |m| d.receive(m),
        |e| web_sys::console::warn_1(&format!("class: a message not understood: {e}").into()),
    );
    d.socket.set_value(Some(socket));
    on_cleanup(move || {
        if let Some(s) = d.socket.try_update_value(Option::take).flatten() {
            s.close("page left");
        }
    });
    let start = move |_| {
        d.refused.set(None);
        d.start_asked
            .set_value(!d.send(TeacherMessage::Start { resume: None }));
    };
    let curves = Signal::derive(move || {
        d.model.with(|m| {
            m.curves()
                .into_iter()
                .map(|(lr, c)| Series {
                    points: thin(c, 200),
                    class: curve_class(lr),
                    dots: false,
                })
                .collect::<Vec<_>>()
        })
    });
    let filter = RwSignal::new(Filter::default());
    let lr_points = Signal::derive(move || d.model.with(|m| m.lr_points(filter.get())));
    let train_runs = Signal::derive(move || d.model.with(ClassModel::train_runs));
    let privacy_points = Signal::derive(move || d.model.with(ClassModel::privacy_points));
    let names = Signal::derive(move || {
        let (lang, anonymise) = (lang.get(), d.anonymise.get());
        d.model.with(|m| {
            m.students
                .values()
                .map(|s| (s.student, model::display_name(s, anonymise, lang)))
                .collect::<std::collections::BTreeMap<_, _>>()
        })
    });
    view! {
        <main class="page class-page" data-testid="class-page">
            <div class="class-head">
                <h2>{move || text::TITLE.get(lang.get())}</h2>
                <span class="hint" data-testid="class-socket">{move || text::CONNECTION.get(lang.get())} " "
                    {move || d.status.with(|s| super::text::status(s, lang.get()))}</span>
            </div>
            {move || d.refused.get().map(|r| {
                let raw = r.clone();
                view! { <p class="error" role="alert" data-testid="class-refused" title=raw>{move || text::REFUSED.get(lang.get())} {move || super::text::refusal(&r, lang.get())}</p> }
            })}
            {move || d.ended.get().then(|| view! { <p class="class-ended" data-testid="class-ended">{move || text::ENDED.get(lang.get())}</p> })}
            <div class="class-top">
            {move || match d.info.get() {
                None => view! {
                    <section class="panel class-start">
                        <button data-testid="class-start" on:click=start>{move || text::START.get(lang.get())}</button>
                        <p class="hint">{move || text::START_HINT.get(lang.get())}</p>
                    </section>
                }.into_any(),
                Some(info) => {
                    let qr = charts::qr_svg(&info.join_url).unwrap_or_default();
                    let url = info.join_url.clone();
                    view! {
                        <section class="panel class-join">
                            <div class="class-join-text">
                                <p class="class-code-label">{move || text::CODE.get(lang.get())}</p>
                                <p class="class-code" data-testid="class-code">{info.code.clone()}</p>
                                <p class="class-url-label">{move || text::JOIN_AT.get(lang.get())}</p>
                                <p><a class="class-join-url" data-testid="class-join-url" href=url.clone() target="_blank" rel="noopener">{url.clone()}</a></p>
                            </div>
                            <div class="class-qr" data-testid="class-qr" role="img" aria-label=url inner_html=qr></div>
                        </section>
                    }.into_any()
                }
            }}
            {move || d.info.with(Option::is_some).then(|| view! { <grid::StudentGrid d=d /> })}
            </div>
            {move || d.info.with(Option::is_some).then(|| view! {
                <div class="class-charts">
                    <section class="panel">
                        <h3>{move || text::LR_TITLE.get(lang.get())}</h3>
                        <charts::Scatter points=lr_points names=names runs=train_runs axis=(1e-3, 10.0) x_name=text::LR_SHORT
                            x_label=text::LEARNING_RATE y_label=text::LR_ACCURACY testid="class-lr-accuracy" aria=text::LR_TITLE />
                        <div class="class-filter" role="radiogroup" data-testid="class-lr-filter">
                            {[(Filter::Latest, text::FILTER_LATEST, "latest"), (Filter::Every, text::FILTER_ALL, "every")].into_iter().map(|(f, label, id)| view! {
                                <label>
                                    <input type="radio" name="class-lr-filter" value=id data-testid=format!("class-lr-filter-{id}")
                                        prop:checked=move || filter.get() == f on:change=move |_| filter.set(f) />
                                    {move || label.get(lang.get())}
                                </label>
                            }).collect_view()}
                        </div>
                        <p class="hint">{move || text::LR_NOTE.get(lang.get())}</p>
                    </section>
                    <section class="panel">
                        <h3>{move || text::CURVES_TITLE.get(lang.get())}</h3>
                        <LineChart series=curves y_top=1.0 y_percent=true x_label=text::CURVES_X y_label=text::VAL_ACCURACY
                            testid="class-curves" aria=text::CURVES_TITLE />
                        <p class="hint">{move || text::CURVES_NOTE.get(lang.get())}</p>
                    </section>
                    <section class="panel" data-testid="class-privacy" data-points=move || privacy_points.with(Vec::len).to_string()>
                        <h3>{move || text::PRIVACY_TITLE.get(lang.get())}</h3>
                        {move || if privacy_points.with(Vec::is_empty) {
                            view! { <p class="hint" data-testid="class-privacy-empty">{move || text::NO_PRIVATE.get(lang.get())}</p> }.into_any()
                        } else {
                            view! { <charts::Scatter points=privacy_points names=names axis=(0.1, 10.0) x_name=text::EPS_SHORT
                                x_label=text::EPSILON y_label=text::TEST_ACCURACY testid="class-privacy-chart" aria=text::PRIVACY_TITLE /> }.into_any()
                        }}
                    </section>
                </div>
                <controls::Controls d=d />
            })}
        </main>
    }
    .into_any()
}
