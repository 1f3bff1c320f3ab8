//! Class mode's server (`serve --class`): the teacher's socket, students' joins and sockets, the
//! exports, all kept in SQLite so a restarted server resumes its classes. The wire format and its
//! checks are `backprop-classroom`'s; this module stores, routes and guards.
//!
//! Use: [`ClassServer::open`] with a [`ClassConfig`], then merge
//! [`ClassServer::router`] into the app's router and serve it with
//! `into_make_service_with_connect_info::<SocketAddr>()` (the join limit is per client address).

mod export;
mod guard;
mod join;
mod queries;
mod state;
mod store;
mod student;
mod teacher;
#[cfg(test)]
mod tests;
mod ws;

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use anyhow::{Context, Result};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use state::{ClassLive, Live};
use store::Store;

/// How class mode runs.
#[derive(Clone, Debug)]
pub struct ClassConfig {
    /// The folder of `class.sqlite3` (created if missing).
    pub data_dir: PathBuf,
    /// The teacher's secret (printed in the teacher's URL).
    pub teacher_token: String,
    /// The start of the join URL (`https://192.168.1.5:8443`); none: the scheme below and the
    /// `Host` the teacher's page was loaded from.
    pub public_base: Option<String>,
    /// With `public_base` none: whether the server is reached over HTTPS.
    pub https: bool,
    /// How long a class lives unless the teacher keeps it.
    pub expiry: Duration,
    /// Join attempts per client address per minute ([`backprop_classroom::code::JOIN_ATTEMPTS_PER_MINUTE`]).
    pub joins_per_minute: u32,
}

impl ClassConfig {
    /// The defaults: classes live 24 hours, the wire format's join limit, the join URL from `Host`.
    pub fn new(data_dir: PathBuf, teacher_token: String) -> Self {
        Self {
            data_dir,
            teacher_token,
            public_base: None,
            https: false,
            expiry: Duration::from_secs(24 * 3600),
            joins_per_minute: backprop_classroom::code::JOIN_ATTEMPTS_PER_MINUTE,
        }
    }
}

/// `serve --class`'s routes for [`crate::serve::run_with`]: opens the class database in the data
/// folder, prints the teacher's URL on its own line of standard output, and gives the router.
pub fn serve_routes(site: &crate::serve::Site) -> Result<Router> {
    let data_dir = site.data_dir()?.to_owned();
    let token = teacher_token(&data_dir)?;
    let mut config = ClassConfig::new(data_dir, token.clone());
    config.https = site.scheme() == "https";
    // With --lan the students' URL is the machine's network address, whatever the teacher opened.
    config.public_base =
        (!site.lan_urls().is_empty()).then(|| site.public_url().trim_end_matches('/').to_owned());
    let server = ClassServer::open(config)?;
    // Not println!: whoever started the server may have stopped reading standard output.
    let mut out = std::io::stdout();
    let _ = writeln!(
        out,
        "Teacher's page: {}?page=class&token={token}",
        site.local_url()
    );
    let _ = out.flush();
    Ok(server.router())
}

/// The teacher token kept in `data_dir/class-teacher-token`, made on first use, so the teacher's
/// URL (and an open teacher's page) stays valid across a restart.
fn teacher_token(data_dir: &Path) -> Result<String> {
    let path = data_dir.join("class-teacher-token");
    match std::fs::read_to_string(&path) {
        Ok(token) if token.trim().len() >= 32 => return Ok(token.trim().to_owned()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    }
    let token = guard::new_token();
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
    file.open(&path)
        .and_then(|mut f| f.write_all(token.as_bytes()))
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(token)
}

/// How often expired classes are deleted while serving (they are also deleted at open).
const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// Class mode's state: the database, the open classes, the join limiter.
pub struct ClassServer {
    config: ClassConfig,
    store: Store,
    live: Mutex<Live>,
    joins: Mutex<guard::JoinLimiter>,
}

impl ClassServer {
    /// Opens (or creates) `data_dir/class.sqlite3`, deletes the classes that expired, and resumes
    /// the others: their students reconnect with their tokens and see what was acknowledged. Starts
    /// the database's thread and the hourly expiry sweep (both end with the server). Blocking; call it
    /// at startup, inside or outside a runtime.
    pub fn open(config: ClassConfig) -> Result<Arc<Self>> {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating {}", config.data_dir.display()))?;
        let now = guard::now_ms();
        let (store, (classes, students)) =
            Store::open(&config.data_dir.join("class.sqlite3"), |c| {
                queries::delete_expired(c, now)?;
                queries::load_all(c)
            })?;
        let mut live = Live::default();
        let mut by_class: HashMap<String, Vec<queries::StudentRow>> = HashMap::new();
        for s in students {
            by_class.entry(s.class.clone()).or_default().push(s);
        }
        for row in classes {
            let students = by_class.remove(&row.code).unwrap_or_default();
            let tokens: Vec<(String, u32)> = students
                .iter()
                .map(|s| (s.token.clone(), s.number))
                .collect();
            let class = Arc::new(ClassLive::new(&row, students));
            for (token, number) in tokens {
                live.tokens.insert(token, (class.clone(), number));
            }
            live.classes.insert(row.code.clone(), class);
        }
        let server = Arc::new(Self {
            joins: Mutex::new(guard::JoinLimiter::new(config.joins_per_minute)),
            config,
            store,
            live: Mutex::new(live),
        });
        let weak = Arc::downgrade(&server);
        std::thread::Builder::new()
            .name("class-expiry".into())
            .spawn(move || sweep_hourly(&weak))?;
        Ok(server)
    }

    /// The routes: `POST /class/join`, the sockets `/class/teacher` and `/class/student`, and the
    /// exports `/class/export.csv` and `/class/export.json`.
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route(
                "/class/join",
                post(join::join)
                    .layer(DefaultBodyLimit::max(backprop_classroom::MAX_MESSAGE_BYTES)),
            )
            .route("/class/teacher", get(teacher::connect))
            .route("/class/student", get(student::connect))
            .route("/class/export.csv", get(export::csv))
            .route("/class/export.json", get(export::json))
            .with_state(self.clone())
    }

    /// The open classes and tokens, locked (never held across an await).
    fn live(&self) -> MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// An open class by its (normalised) code.
    fn class(&self, code: &str) -> Option<Arc<ClassLive>> {
        self.live().classes.get(code).cloned()
    }

    /// Deletes the classes that expired unless kept; their sockets are told the class ended.
    /// Blocking (the sweep's own thread).
    fn sweep_expired(&self) -> Result<()> {
        let now = guard::now_ms();
        let gone = self
            .store
            .call_blocking(move |c| queries::delete_expired(c, now))?;
        let mut guard = self.live();
        let live = &mut *guard;
        for code in gone {
            if let Some(class) = live.classes.remove(&code) {
                class.tell_students(None, &backprop_classroom::ToStudent::Ended);
                class.tell_teachers(&backprop_classroom::ToTeacher::Ended);
            }
        }
        let classes = &live.classes;
        live.tokens
            .retain(|_, (class, _)| classes.contains_key(&class.code));
        Ok(())
    }
}

/// Deletes expired classes every [`SWEEP_EVERY`] while the server lives (checked each minute, so
/// the thread ends soon after the server).
fn sweep_hourly(server: &Weak<ClassServer>) {
    let mut last = std::time::Instant::now();
    loop {
        std::thread::sleep(Duration::from_secs(60));
        let Some(server) = server.upgrade() else {
            return;
        };
        if last.elapsed() >= SWEEP_EVERY {
            last = std::time::Instant::now();
            if let Err(e) = server.sweep_expired() {
                tracing::error!("deleting expired classes: {e:#}");
            }
        }
    }
}
