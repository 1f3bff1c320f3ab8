//! Dataset loading for every lesson's worker: a shipped dataset's first chunks at once
//! ([`load_dataset`]), or every chunk streamed in while the lesson already trains ([`load_streamed`]).

use std::cell::RefCell;
use std::rc::Rc;

use kernels::dataset::{Chunk, ChunkInfo, Dataset, Manifest, Split, decode_chunk};

use super::fetch::fetch_bytes;

/// The first `chunks` chunks of each split of a shipped dataset (one is enough for a few examples per
/// class and a held-out set).
pub async fn load_dataset(name: &str, chunks: usize) -> Result<(Dataset, Dataset), String> {
    let base = format!("static/data/{name}");
    let text = fetch_bytes(&format!("{base}/manifest.json")).await?;
    let manifest =
        Manifest::from_json(&String::from_utf8_lossy(&text)).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for info in [&manifest.train, &manifest.test] {
        if info.chunks.is_empty() {
            return Err(format!("{name}: a split has no chunk"));
        }
        let mut data = manifest.empty_dataset();
        for chunk in info.chunks.iter().take(chunks.max(1)) {
            let decoded = fetch_chunk(&base, chunk, manifest.classes.len()).await?;
            data.append(&decoded).map_err(|e| e.to_string())?;
        }
        out.push(data);
    }
    let test = out.pop().expect("two splits");
    Ok((out.pop().expect("two splits"), test))
}

/// One chunk of the dataset at `base`, checked against its manifest entry. In the browser its gzip is
/// undone by the browser ([`super::gunzip`]); natively `decode_chunk` undoes it.
async fn fetch_chunk(base: &str, info: &ChunkInfo, classes: usize) -> Result<Chunk, String> {
    let bytes = fetch_bytes(&format!("{base}/{}", info.file)).await?;
    #[cfg(target_arch = "wasm32")]
    let bytes = if kernels::dataset::is_gzip(&bytes) {
        super::gunzip::gunzip(&info.file, &bytes, kernels::dataset::chunk_limit(info)).await?
    } else {
        bytes
    };
    decode_chunk(info, &bytes, classes).map_err(|e| e.to_string())
}

/// The data loaded so far (shared between the loader task and the training loop).
#[derive(Default)]
pub struct Loaded {
    pub manifest: Option<Manifest>,
    pub train: Option<Dataset>,
    pub test: Option<Dataset>,
    pub train_total: usize,
    pub test_total: usize,
    /// Samples of each training chunk in use, in the order they arrive (the last one cut to the limit):
    /// the streamed first epoch's order is built from them.
    pub train_chunks: Vec<usize>,
    /// Bumped whenever a chunk arrives.
    pub version: u64,
    /// Loading gave up (after the retries); the message is on the page.
    pub failed: bool,
}

/// Streams chunks: the first training chunk first (training can start), then the first test chunk
/// (evaluation can start), then the rest of each split, up to the configured limits.
/// `on_chunk` is told after each chunk arrives.
pub async fn load_streamed(
    dataset: &str,
    loaded: Rc<RefCell<Loaded>>,
    train_limit: usize,
    test_limit: usize,
    on_chunk: impl Fn(&Loaded),
) -> Result<(), String> {
    let text = fetch_bytes(&format!("{dataset}/manifest.json")).await?;
    let manifest =
        Manifest::from_json(&String::from_utf8_lossy(&text)).map_err(|e| e.to_string())?;
    let take = |info: &kernels::dataset::SplitInfo, limit: usize| {
        let mut n = 0;
        info.chunks
            .iter()
            .take_while(|c| {
                let keep = n < limit;
                n += c.count;
                keep
            })
            .cloned()
            .collect::<Vec<_>>()
    };
    let train_chunks = take(&manifest.train, train_limit);
    let test_chunks = take(&manifest.test, test_limit);
    {
        let mut l = loaded.borrow_mut();
        l.train_total = manifest.train.count.min(train_limit);
        let mut left = l.train_total;
        l.train_chunks = train_chunks
            .iter()
            .map(|c| {
                let n = c.count.min(left);
                left -= n;
                n
            })
            .collect();
        l.test_total = manifest.test.count.min(test_limit);
        l.train = Some(manifest.empty_dataset());
        l.test = Some(manifest.empty_dataset());
        l.manifest = Some(manifest.clone());
    }
    let mut order: Vec<(Split, kernels::dataset::ChunkInfo)> = Vec::new();
    let (mut tr, mut te) = (train_chunks.into_iter(), test_chunks.into_iter());
    order.extend(tr.next().map(|c| (Split::Train, c)));
    order.extend(te.next().map(|c| (Split::Test, c)));
    order.extend(tr.map(|c| (Split::Train, c)));
    order.extend(te.map(|c| (Split::Test, c)));
    for (split, info) in order {
        let chunk = fetch_chunk(dataset, &info, manifest.classes.len()).await?;
        let mut l = loaded.borrow_mut();
        let (limit, data) = match split {
            Split::Train => (l.train_total, l.train.as_mut()),
            Split::Test => (l.test_total, l.test.as_mut()),
        };
        let data = data.expect("created above");
        data.append(&chunk).map_err(|e| e.to_string())?;
        if data.len() > limit {
            *data = data.take(limit);
        }
        l.version += 1;
        drop(l);
        on_chunk(&loaded.borrow());
    }
    Ok(())
}
