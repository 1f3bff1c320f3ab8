//! Where the page is: which lesson, which step, and the rest of the query (a lesson's own setup). The
//! route lives in the URL (`?lesson=finetune&step=3&scenario=pen`), so a teacher can link straight to
//! a step; moving between lessons and steps pushes history entries, so Back and Forward work.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// The page's position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The lesson's id (`train`, `finetune`), or `None` for the home page.
    pub lesson: Option<String>,
    /// The step, 1-based (lessons without steps ignore it).
    pub step: usize,
    /// Every other `key=value` pair, in order (a lesson's setup, `lang`, `engine`, …).
    pub rest: Vec<(String, String)>,
}

impl Route {
    /// Parses a query string (`?a=1&b=2`).
    pub fn parse(query: &str) -> Self {
        let mut r = Route {
            lesson: None,
            step: 1,
            rest: Vec::new(),
        };
        for pair in query
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "lesson" if !v.is_empty() => r.lesson = Some(v.to_string()),
                "step" => r.step = v.parse().ok().filter(|&s| s >= 1).unwrap_or(1),
                _ => r.rest.push((k.to_string(), v.to_string())),
            }
        }
        r
    }

    /// The query string of this route.
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(l) = &self.lesson {
            parts.push(format!("lesson={l}"));
            if self.step > 1 {
                parts.push(format!("step={}", self.step));
            }
        }
        parts.extend(self.rest.iter().map(|(k, v)| format!("{k}={v}")));
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    /// The value of a setup key.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.rest
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Sets (or with `None` removes) a setup key.
    pub fn set(&mut self, key: &str, value: Option<String>) {
        self.rest.retain(|(k, _)| k != key);
        if let Some(v) = value {
            self.rest.push((key.to_string(), v));
        }
    }
}

/// The route as a signal shared through context, kept in step with the URL.
#[derive(Clone, Copy)]
pub struct Router(pub RwSignal<Route>);

fn location_query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

fn write_url(route: &Route, push: bool) {
    let Some(w) = web_sys::window() else { return };
    let Ok(h) = w.history() else { return };
    let path = w.location().pathname().unwrap_or_default();
    let url = format!("{path}{}", route.query());
    let _ = if push {
        h.push_state_with_url(&JsValue::NULL, "", Some(&url))
    } else {
        h.replace_state_with_url(&JsValue::NULL, "", Some(&url))
    };
}

impl Router {
    /// Reads the URL and follows Back/Forward.
    pub fn install() -> Self {
        let router = Router(RwSignal::new(Route::parse(&location_query())));
        let handle = window_event_listener(leptos::ev::popstate, move |_| {
            router.0.set(Route::parse(&location_query()));
        });
        on_cleanup(move || handle.remove());
        router
    }

    /// Goes to a route with a new history entry (a lesson, a step).
    pub fn push(&self, route: Route) {
        write_url(&route, true);
        self.0.set(route);
    }

    /// Changes the URL without a history entry (a setting edited in place).
    pub fn replace(&self, route: Route) {
        write_url(&route, false);
        self.0.set(route);
    }

    /// Opens a lesson at step 1, keeping only the language.
    pub fn open_lesson(&self, id: Option<&str>) {
        let lang = self.0.with_untracked(|r| r.get("lang").map(str::to_string));
        let mut route = Route {
            lesson: id.map(str::to_string),
            step: 1,
            rest: Vec::new(),
        };
        route.set("lang", lang);
        self.push(route);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_round_trip_through_the_query() {
        let r = Route::parse("?lesson=finetune&step=3&scenario=pen&lang=zh");
        assert_eq!(r.lesson.as_deref(), Some("finetune"));
        assert_eq!(r.step, 3);
        assert_eq!(r.get("scenario"), Some("pen"));
        assert_eq!(Route::parse(&r.query()), r);
        let home = Route::parse("");
        assert_eq!(home.lesson, None);
        assert_eq!(home.query(), "");
        assert_eq!(Route::parse("?lesson=train&step=0").step, 1);
        let mut r = Route::parse("?lesson=train&hidden=64");
        r.set("hidden", None);
        r.set("lr", Some("0.1".into()));
        assert_eq!(r.query(), "?lesson=train&lr=0.1");
    }
}
