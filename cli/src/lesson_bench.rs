//! `backprop-lab lesson-bench`: the page's training speed with `serve --native-engine`, measured
//! without a browser, so a machine with a real GPU and no Chromium (the device machines) can run the
//! check `e2e/tests/native.test.mjs` runs in the page. "Train a network"'s worker runs in this process
//! behind the very WebSocket endpoint `serve --native-engine` opens (token, Origin, size limits and
//! all), and this command plays the page: it sends the lesson's `Reset` (the configuration a URL such
//! as `?hidden=512&batch=64` gives) and `Start`, and reads its `Progress` events.
//!
//! Each engine gets two figures: steps × batch over the wall-clock window, and the mean of the figures
//! the lesson itself reports (what the page shows under "Speed"). Beside each, in the same run, the
//! bare engine on the same shape (`bench`'s loop: steps back to back, no evaluation, no events): the
//! difference is what the lesson adds (bursts, progress events, the socket).

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use backprop_lab_app::lessons::BENCHED;
use backprop_lab_app::lessons::lesson::{BenchEvent, BenchShape};
use clap::Args;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use kernels::dataset::{Split, load_split};
use kernels::engine::Preference;
use kernels::{AdapterOptions, CpuEngine, GpuContext, GpuEngine, Mlp};
use tungstenite::client::IntoClientRequest;
use tungstenite::{Message, WebSocket};

use crate::native_engine::NativeEngine;

/// The page's setup measured by default: the e2e speed test's model and batch (the seed MLP,
/// 784-512-10 at batch 64) on more data and epochs, so a fast GPU does not finish inside the window.
pub const DEFAULT_SETUP: &str = "hidden=512&batch=64&train=20000&test=500&epochs=100&eval=10000";

/// Steps the lesson takes before the window opens (start-up: kernel timing, the first data chunk).
const WARM_STEPS: u64 = 20;

/// `--engines`' values: the page's GPU and CPU engines (the lesson measured through the socket, and the
/// bare engine beside it).
fn lesson_engine() -> impl TypedValueParser<Value = Preference> {
    PossibleValuesParser::new([
        PossibleValue::new(Preference::Gpu.key())
            .help("The WGSL kernels on the best native wgpu adapter"),
        PossibleValue::new(Preference::Cpu.key()).help("The CPU engine"),
    ])
    .map(|key| Preference::parse(&key).expect("a possible value is a preference's key"))
}

/// `lesson-bench`'s options.
#[derive(Args, Debug)]
pub struct LessonBenchArgs {
    /// Engines to measure, in turn.
    #[arg(long, value_parser = lesson_engine(), value_delimiter = ',', default_value = "gpu,cpu")]
    engines: Vec<Preference>,
    /// The lesson's settings as the page's URL gives them (keys of "Train a network"'s settings table).
    #[arg(long, default_value = DEFAULT_SETUP)]
    setup: String,
    /// Seconds measured per engine, after the lesson's first steps.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Folder holding `static/` (this repository, or a `trunk build` output).
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// Write the rows as JSON here as well.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// One measured arm.
#[derive(Debug, serde::Serialize)]
pub struct Row {
    /// `lesson gpu` (through the socket) or `bare gpu` (the engine alone).
    pub engine: String,
    /// The adapter the arm ran on.
    pub adapter: String,
    /// Rows per step.
    pub batch: usize,
    /// Steps in the window.
    pub steps: u64,
    /// Steps × batch over the window's wall-clock seconds.
    pub samples_per_second: f64,
    /// The mean of the lesson's own figures in the window (what the page shows); `None` for bare arms.
    pub page_figure: Option<f64>,
}

/// Runs the measurement and prints (and optionally writes) the rows.
pub fn run(args: LessonBenchArgs) -> Result<()> {
    let root = args
        .dir
        .canonicalize()
        .with_context(|| format!("{}: no such folder", args.dir.display()))?;
    let mnist = root.join("static/data/mnist");
    if !mnist.join("manifest.json").is_file() {
        bail!(
            "{} has no static/data/mnist: run this in the repository (or pass --dir)",
            root.display()
        );
    }
    let config: BenchShape = match (BENCHED.read_setup)(&args.setup) {
        Ok(shape) => shape,
        Err(problems) => {
            // The page's own sentence says why, as the page would say it.
            let why = backprop_lab_app::messages::message(
                backprop_lab_app::messages::MessageCode::UrlProblem,
            );
            bail!("--setup: {} {}", why.en, problems.join(" "));
        }
    };
    if !(args.seconds > 0.0 && args.seconds <= 600.0) {
        bail!("--seconds must be in (0, 600]");
    }
    let files = crate::serve::Source::Dir(root);
    backprop_lab_app::runtime::native::set_files(Box::new(move |path| files.get(path)));
    let server = Loopback::start()?;

    let train = load_split(&mnist, Split::Train, Some(config.train)).context("reading MNIST")?;
    let model = Mlp::new(train.features(), &config.hidden, 10, config.seed)?;
    let mut rows = Vec::new();
    for &engine in &args.engines {
        match server.measure(&args.setup, engine, config.batch, args.seconds) {
            Ok(row) => rows.push(row),
            Err(e) => eprintln!("the lesson on {engine:?}: {e:#}"),
        }
        // The peer, in the same run: the engine alone on the same shape and data.
        let bare = pollster::block_on(async {
            match engine {
                Preference::Cpu => {
                    crate::bench::bench_engine(
                        CpuEngine::new(&model, config.batch)?,
                        &train,
                        config.batch,
                        args.seconds,
                    )
                    .await
                }
                // The GPU engine (`--engines` takes only gpu and cpu).
                _ => {
                    let ctx = GpuContext::new(AdapterOptions {
                        allow_software: true,
                    })
                    .await?;
                    let mut e = GpuEngine::new(&ctx, &model, config.batch)?;
                    // As the lesson does: the fastest matrix-product kernel per shape.
                    let clock = Instant::now();
                    e.tune(
                        config.batch,
                        &|| clock.elapsed().as_secs_f64(),
                        kernels::engine::gpu::TUNE_SECONDS,
                    )
                    .await?;
                    crate::bench::bench_engine(e, &train, config.batch, args.seconds).await
                }
            }
        });
        match bare {
            Ok(b) => rows.push(Row {
                engine: format!("bare {}", b.engine.to_lowercase()),
                adapter: b.adapter,
                batch: b.batch,
                steps: b.steps as u64,
                samples_per_second: b.samples_per_second,
                page_figure: None,
            }),
            Err(e) => eprintln!("the bare {engine:?} engine: {e:#}"),
        }
    }
    if rows.is_empty() {
        bail!("nothing was measured");
    }
    println!(
        "\"Train a network\" through the native engine's WebSocket ({}), {} s per arm:",
        args.setup, args.seconds
    );
    println!(
        "{:<12} {:<44} {:>6} {:>8} {:>12} {:>12}",
        "arm", "adapter", "batch", "steps", "samples/s", "page shows"
    );
    for r in &rows {
        let shown = r.page_figure.map_or("–".to_string(), |f| format!("{f:.0}"));
        println!(
            "{:<12} {:<44} {:>6} {:>8} {:>12.0} {:>12}",
            r.engine,
            r.adapter.chars().take(44).collect::<String>(),
            r.batch,
            r.steps,
            r.samples_per_second,
            shown
        );
    }
    for pair in rows.windows(2) {
        if let [lesson, bare] = pair
            && lesson.engine.starts_with("lesson")
            && bare.engine.starts_with("bare")
        {
            println!(
                "{}: the lesson runs at {:.2}× the bare engine",
                lesson.engine,
                lesson.samples_per_second / bare.samples_per_second
            );
        }
    }
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&rows)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// A `serve --native-engine` endpoint on a loopback port of this process.
struct Loopback {
    port: u16,
    token: String,
}

type Socket = WebSocket<TcpStream>;

impl Loopback {
    fn start() -> Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).context("no loopback port")?;
        let port = listener.local_addr()?.port();
        let engine = NativeEngine::new(port, false, false);
        let token = engine.token().to_string();
        crate::serve::serve_engine_in_background(listener, engine)?;
        Ok(Self { port, token })
    }

    /// Opens the lesson's session as its page does (same path, token, browser id and Origin).
    fn open(&self) -> Result<Socket> {
        let port = self.port;
        // A browser id of its own (the page's is random): the bench keeps nothing of a real browser's.
        let browser = format!("{:032x}", std::process::id());
        let mut req = format!(
            "ws://127.0.0.1:{port}/engine/{}?token={}&browser={browser}",
            BENCHED.worker, self.token
        )
        .into_client_request()?;
        req.headers_mut()
            .insert("origin", format!("http://127.0.0.1:{port}").parse()?);
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        let (ws, _) = tungstenite::client(req, stream).context("the WebSocket handshake")?;
        // A lesson reports every burst (a tenth of a second); a minute of silence is a hang.
        ws.get_ref()
            .set_read_timeout(Some(Duration::from_secs(60)))?;
        Ok(ws)
    }

    /// Trains the lesson's `setup` on `engine` until `seconds` have passed after the first
    /// [`WARM_STEPS`] steps.
    fn measure(&self, setup: &str, engine: Preference, batch: usize, seconds: f64) -> Result<Row> {
        let mut ws = self.open()?;
        for message in (BENCHED.start)(setup, engine) {
            ws.send(Message::text(message))?;
        }
        let mut adapter = String::new();
        let mut kind = String::new();
        let mut window: Option<(Instant, u64)> = None;
        let mut figures = Vec::new();
        let measured = loop {
            match next(&mut ws)? {
                BenchEvent::Engine {
                    kind: k,
                    adapter: a,
                } => {
                    kind = k.to_string().to_lowercase();
                    adapter = a;
                }
                BenchEvent::Error(m) => bail!("the lesson said {m}"),
                BenchEvent::Diverged { step, loss } => {
                    bail!("the run diverged at step {step} (loss {loss}): choose another --setup")
                }
                BenchEvent::Progress {
                    step,
                    samples_per_second,
                    finished,
                } => match window {
                    None if finished => {
                        bail!("the run finished within {WARM_STEPS} steps: raise train or epochs")
                    }
                    None if step >= WARM_STEPS => window = Some((Instant::now(), step)),
                    None => {}
                    Some((t0, s0)) => {
                        if samples_per_second > 0.0 {
                            figures.push(samples_per_second);
                        }
                        let elapsed = t0.elapsed().as_secs_f64();
                        if elapsed >= seconds || finished {
                            break (step - s0, elapsed);
                        }
                    }
                },
                BenchEvent::Other => {}
            }
        };
        let _ = ws.send(Message::text((BENCHED.pause)()));
        let _ = ws.close(None);
        let (steps, elapsed) = measured;
        Ok(Row {
            engine: format!("lesson {kind}"),
            adapter,
            batch,
            steps,
            samples_per_second: (steps as usize * batch) as f64 / elapsed,
            page_figure: (!figures.is_empty())
                .then(|| figures.iter().sum::<f64>() / figures.len() as f64),
        })
    }
}

/// The lesson's next message (anything but text is skipped; a closed socket is an error).
fn next(ws: &mut Socket) -> Result<BenchEvent> {
    loop {
        match ws.read().context("waiting for the lesson")? {
            Message::Text(t) => {
                return (BENCHED.read)(t.as_str()).map_err(|e| anyhow::anyhow!("the lesson: {e}"));
            }
            Message::Close(f) => bail!("the lesson's socket closed: {f:?}"),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        bench: LessonBenchArgs,
    }

    #[test]
    fn engines_are_the_pages_gpu_and_cpu() {
        let engines = |args: &[&str]| {
            Flags::try_parse_from([&["lesson-bench"], args].concat()).map(|f| f.bench.engines)
        };
        let both = vec![Preference::Gpu, Preference::Cpu];
        assert_eq!(engines(&[]).unwrap(), both);
        assert_eq!(engines(&["--engines", "gpu,cpu"]).unwrap(), both);
        assert_eq!(engines(&["--engines", "cpu"]).unwrap(), [Preference::Cpu]);
        assert!(engines(&["--engines", "auto"]).is_err());
        assert!(engines(&["--engines", "burn"]).is_err());
    }
}
