//! Datasets: readers for the originals (IDX for MNIST and Fashion-MNIST, CIFAR-10 binary records) and
//! for the app's compact form: gzip chunks of a few thousand samples listed in a `manifest.json`, so a
//! browser can start training on the first chunk while the rest arrive.
//!
//! Chunk layout (before gzip), little-endian: `b"BPLD"`, u32 version (1), u32 count, u32 height,
//! u32 width, u32 channels, then `count` label bytes, then `count · features` pixel bytes (u8,
//! row-major per sample; CIFAR's are channel-planar as in the original records).

use serde::{Deserialize, Serialize};

use crate::error::DatasetError;

/// Magic bytes at the start of every chunk.
pub const CHUNK_MAGIC: &[u8; 4] = b"BPLD";
/// Chunk format version.
pub const CHUNK_VERSION: u32 = 1;
const CHUNK_HEADER: usize = 24;

/// Images and labels of one split, with what is needed to normalise and name them.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// Short name (`mnist`, `fashion-mnist`, `cifar10`).
    pub name: String,
    /// Image height.
    pub height: usize,
    /// Image width.
    pub width: usize,
    /// Colour channels (1 or 3).
    pub channels: usize,
    /// Class names, index = label.
    pub class_names: Vec<String>,
    /// Normalisation mean on the 0–1 scale.
    pub mean: f32,
    /// Normalisation standard deviation.
    pub std: f32,
    /// `[len, features]` pixels.
    pub images: Vec<u8>,
    /// `[len]` labels.
    pub labels: Vec<u8>,
}

impl Dataset {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when there is no sample.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Pixels per sample.
    pub fn features(&self) -> usize {
        self.height * self.width * self.channels
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.class_names.len()
    }

    /// The pixels of sample `i`.
    pub fn image(&self, i: usize) -> &[u8] {
        let f = self.features();
        &self.images[i * f..(i + 1) * f]
    }

    /// The first `n` samples (all of them when `n ≥ len`).
    pub fn take(&self, n: usize) -> Dataset {
        let n = n.min(self.len());
        Dataset {
            images: self.images[..n * self.features()].to_vec(),
            labels: self.labels[..n].to_vec(),
            class_names: self.class_names.clone(),
            name: self.name.clone(),
            ..*self
        }
    }

    /// The samples `rows`, in that order (indices past the end are skipped).
    pub fn select(&self, rows: &[u32]) -> Dataset {
        let rows: Vec<usize> = rows
            .iter()
            .map(|&r| r as usize)
            .filter(|&r| r < self.len())
            .collect();
        Dataset {
            images: rows.iter().flat_map(|&r| self.image(r)).copied().collect(),
            labels: rows.iter().map(|&r| self.labels[r]).collect(),
            class_names: self.class_names.clone(),
            name: self.name.clone(),
            ..*self
        }
    }

    /// Appends a chunk's samples (the app does this as chunks arrive).
    pub fn append(&mut self, chunk: &Chunk) -> Result<(), DatasetError> {
        if (chunk.height, chunk.width, chunk.channels) != (self.height, self.width, self.channels) {
            return Err(DatasetError::BadHeader {
                what: "chunk".into(),
                detail: format!(
                    "shape {}×{}×{} does not match the dataset's {}×{}×{}",
                    chunk.height,
                    chunk.width,
                    chunk.channels,
                    self.height,
                    self.width,
                    self.channels
                ),
            });
        }
        check_labels("chunk", &chunk.labels, self.classes())?;
        self.images.extend_from_slice(&chunk.images);
        self.labels.extend_from_slice(&chunk.labels);
        Ok(())
    }

    /// Samples per class.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes()];
        for &l in &self.labels {
            counts[usize::from(l)] += 1;
        }
        counts
    }
}

fn check_labels(what: &str, labels: &[u8], classes: usize) -> Result<(), DatasetError> {
    if let Some((index, &label)) = labels
        .iter()
        .enumerate()
        .find(|&(_, &l)| usize::from(l) >= classes)
    {
        return Err(DatasetError::BadLabel {
            what: what.into(),
            index,
            label,
            classes,
        });
    }
    Ok(())
}

/// The datasets the project knows, with their files, class names and normalisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatasetKind {
    /// MNIST handwritten digits.
    Mnist,
    /// Fashion-MNIST clothing.
    FashionMnist,
    /// The 5,000-image CIFAR-10 subset.
    Cifar10,
}

impl DatasetKind {
    /// All kinds.
    pub const ALL: [DatasetKind; 3] = [
        DatasetKind::Mnist,
        DatasetKind::FashionMnist,
        DatasetKind::Cifar10,
    ];

    /// Short name, also the folder under `static/data`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Mnist => "mnist",
            Self::FashionMnist => "fashion-mnist",
            Self::Cifar10 => "cifar10",
        }
    }

    /// Parses a short name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Human title.
    pub fn title(self) -> &'static str {
        match self {
            Self::Mnist => "MNIST handwritten digits",
            Self::FashionMnist => "Fashion-MNIST",
            Self::Cifar10 => "CIFAR-10 (5,000-image subset)",
        }
    }

    /// Class names.
    pub fn class_names(self) -> Vec<String> {
        let names: &[&str] = match self {
            Self::Mnist => &["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
            Self::FashionMnist => &[
                "T-shirt/top",
                "Trouser",
                "Pullover",
                "Dress",
                "Coat",
                "Sandal",
                "Shirt",
                "Sneaker",
                "Bag",
                "Ankle boot",
            ],
            Self::Cifar10 => &[
                "airplane",
                "automobile",
                "bird",
                "cat",
                "deer",
                "dog",
                "frog",
                "horse",
                "ship",
                "truck",
            ],
        };
        names.iter().map(|s| s.to_string()).collect()
    }

    /// Normalisation (mean, std) of the training pixels on the 0–1 scale: MNIST's are the seed
    /// recipe's constants; the others are approximate (`convert-data` measures them and writes the
    /// measured values into the manifest, which is what training uses).
    pub fn normalization(self) -> (f32, f32) {
        match self {
            Self::Mnist => (0.1307, 0.3081),
            Self::FashionMnist => (0.2860, 0.3530),
            Self::Cifar10 => (0.4734, 0.2516),
        }
    }
}

/// Decompresses gzip data, or returns the bytes unchanged when they are not gzip.
pub fn maybe_gunzip(what: &str, bytes: &[u8]) -> Result<Vec<u8>, DatasetError> {
    maybe_gunzip_capped(what, bytes, MAX_FILE_BYTES)
}

/// The largest decompressed file the readers accept (CIFAR-10's 150 MB of records fit; a gzip bomb
/// stops here instead of taking the machine's memory).
pub const MAX_FILE_BYTES: usize = 1 << 30;
/// The largest decompressed dataset chunk (ours are ≈ 4 MB).
pub const MAX_CHUNK_BYTES: usize = 64 << 20;

/// [`maybe_gunzip`] that stops with [`DatasetError::TooLarge`] past `limit` decompressed bytes.
pub fn maybe_gunzip_capped(
    what: &str,
    bytes: &[u8],
    limit: usize,
) -> Result<Vec<u8>, DatasetError> {
    let too_large = |size: usize| DatasetError::TooLarge {
        what: what.into(),
        size: size as u64,
        limit: limit as u64,
    };
    if is_gzip(bytes) {
        let out = gunzip(what, bytes, limit)?;
        if out.len() > limit {
            return Err(too_large(out.len()));
        }
        Ok(out)
    } else if bytes.len() > limit {
        Err(too_large(bytes.len()))
    } else {
        Ok(bytes.to_vec())
    }
}

/// Whether `bytes` begin as gzip data do (the magic `1f 8b`).
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// At most `limit + 1` bytes of the gzip data's contents (one more than the cap tells a bomb apart).
#[cfg(not(target_arch = "wasm32"))]
fn gunzip(what: &str, bytes: &[u8], limit: usize) -> Result<Vec<u8>, DatasetError> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| DatasetError::Gzip {
            what: what.into(),
            detail: e.to_string(),
        })?;
    Ok(out)
}

/// The wasm build has no inflater of its own: the page decompresses with the browser's
/// `DecompressionStream` before the readers see the bytes (one less library in every visitor's
/// download), so gzip data reaching a reader here is a caller's mistake.
#[cfg(target_arch = "wasm32")]
fn gunzip(what: &str, _bytes: &[u8], _limit: usize) -> Result<Vec<u8>, DatasetError> {
    Err(DatasetError::Gzip {
        what: what.into(),
        detail: "the wasm build reads gzip data only after the browser decompressed them".into(),
    })
}

/// `a · b + c` for sizes read from a file, or a corrupt-header error when it does not fit a `usize`
/// (wasm32's is 32 bits).
fn size(what: &str, a: usize, b: usize, c: usize) -> Result<usize, DatasetError> {
    a.checked_mul(b)
        .and_then(|x| x.checked_add(c))
        .ok_or_else(|| DatasetError::BadHeader {
            what: what.into(),
            detail: format!("{a} × {b} + {c} bytes does not fit in memory"),
        })
}

fn be_u32(what: &str, b: &[u8], at: usize) -> Result<u32, DatasetError> {
    b.get(at..at + 4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or_else(|| DatasetError::Truncated {
            what: what.into(),
            expected: at + 4,
            found: b.len(),
        })
}

/// Parses an IDX image file (magic 2051): returns (count, rows, cols, pixels).
pub fn parse_idx_images(
    what: &str,
    bytes: &[u8],
) -> Result<(usize, usize, usize, Vec<u8>), DatasetError> {
    let magic = be_u32(what, bytes, 0)?;
    if magic != 2051 {
        return Err(DatasetError::BadHeader {
            what: what.into(),
            detail: format!("magic {magic}, expected 2051 (IDX images)"),
        });
    }
    let n = be_u32(what, bytes, 4)? as usize;
    let rows = be_u32(what, bytes, 8)? as usize;
    let cols = be_u32(what, bytes, 12)? as usize;
    if rows == 0 || cols == 0 || rows > 4096 || cols > 4096 {
        return Err(DatasetError::BadHeader {
            what: what.into(),
            detail: format!("image size {rows}×{cols}"),
        });
    }
    let expected = size(what, n, rows * cols, 16)?;
    if bytes.len() < expected {
        return Err(DatasetError::Truncated {
            what: what.into(),
            expected,
            found: bytes.len(),
        });
    }
    Ok((n, rows, cols, bytes[16..expected].to_vec()))
}

/// Parses an IDX label file (magic 2049).
pub fn parse_idx_labels(what: &str, bytes: &[u8]) -> Result<Vec<u8>, DatasetError> {
    let magic = be_u32(what, bytes, 0)?;
    if magic != 2049 {
        return Err(DatasetError::BadHeader {
            what: what.into(),
            detail: format!("magic {magic}, expected 2049 (IDX labels)"),
        });
    }
    let n = be_u32(what, bytes, 4)? as usize;
    let expected = size(what, n, 1, 8)?;
    if bytes.len() < expected {
        return Err(DatasetError::Truncated {
            what: what.into(),
            expected,
            found: bytes.len(),
        });
    }
    Ok(bytes[8..expected].to_vec())
}

/// Builds a dataset from IDX image and label files (gzip or not).
pub fn dataset_from_idx(
    kind: DatasetKind,
    images: &[u8],
    labels: &[u8],
) -> Result<Dataset, DatasetError> {
    let (n, rows, cols, pixels) = parse_idx_images("images", &maybe_gunzip("images", images)?)?;
    let labels = parse_idx_labels("labels", &maybe_gunzip("labels", labels)?)?;
    if labels.len() != n {
        return Err(DatasetError::BadHeader {
            what: "labels".into(),
            detail: format!("{} labels for {n} images", labels.len()),
        });
    }
    let class_names = kind.class_names();
    check_labels("labels", &labels, class_names.len())?;
    let (mean, std) = kind.normalization();
    Ok(Dataset {
        name: kind.name().into(),
        height: rows,
        width: cols,
        channels: 1,
        class_names,
        mean,
        std,
        images: pixels,
        labels,
    })
}

/// Builds a dataset from CIFAR-10 binary records (1 label byte + 3,072 pixel bytes each; gzip or not).
pub fn dataset_from_cifar(bytes: &[u8]) -> Result<Dataset, DatasetError> {
    const RECORD: usize = 1 + 3072;
    let raw = maybe_gunzip("cifar", bytes)?;
    if raw.is_empty() || raw.len() % RECORD != 0 {
        return Err(DatasetError::Truncated {
            what: "cifar records".into(),
            expected: raw.len().div_ceil(RECORD).max(1) * RECORD,
            found: raw.len(),
        });
    }
    let n = raw.len() / RECORD;
    let mut images = Vec::with_capacity(n * 3072);
    let mut labels = Vec::with_capacity(n);
    for rec in raw.chunks_exact(RECORD) {
        labels.push(rec[0]);
        images.extend_from_slice(&rec[1..]);
    }
    let kind = DatasetKind::Cifar10;
    check_labels("cifar records", &labels, 10)?;
    let (mean, std) = kind.normalization();
    Ok(Dataset {
        name: kind.name().into(),
        height: 32,
        width: 32,
        channels: 3,
        class_names: kind.class_names(),
        mean,
        std,
        images,
        labels,
    })
}

/// One decoded chunk of samples.
#[derive(Clone, Debug, PartialEq)]
pub struct Chunk {
    /// Image height.
    pub height: usize,
    /// Image width.
    pub width: usize,
    /// Channels.
    pub channels: usize,
    /// Labels.
    pub labels: Vec<u8>,
    /// Pixels, `[labels.len(), features]`.
    pub images: Vec<u8>,
}

/// Encodes samples `range` of `data` as a gzip chunk; returns the bytes and the CRC-32 of the raw chunk.
/// (Native only: the command line writes the shipped chunks, the page only reads them.)
#[cfg(not(target_arch = "wasm32"))]
pub fn encode_chunk(data: &Dataset, range: std::ops::Range<usize>) -> (Vec<u8>, u32) {
    use std::io::Write;
    let f = data.features();
    let mut raw = Vec::with_capacity(CHUNK_HEADER + range.len() * (f + 1));
    raw.extend_from_slice(CHUNK_MAGIC);
    for v in [
        CHUNK_VERSION,
        range.len() as u32,
        data.height as u32,
        data.width as u32,
        data.channels as u32,
    ] {
        raw.extend_from_slice(&v.to_le_bytes());
    }
    raw.extend_from_slice(&data.labels[range.clone()]);
    raw.extend_from_slice(&data.images[range.start * f..range.end * f]);
    let crc = crc32fast::hash(&raw);
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&raw).expect("writing to a Vec cannot fail");
    (enc.finish().expect("writing to a Vec cannot fail"), crc)
}

/// The most decompressed bytes the chunk `info` describes may hold: the manifest's count bounds it (a
/// header and count × (label + at most 4096² × 3 pixels)), and never more than [`MAX_CHUNK_BYTES`].
pub fn chunk_limit(info: &ChunkInfo) -> usize {
    size(&info.file, info.count, 1 + 4096 * 4096 * 3, CHUNK_HEADER)
        .unwrap_or(usize::MAX)
        .min(MAX_CHUNK_BYTES)
}

/// Decodes a gzip chunk and checks it against its manifest entry (count, CRC-32, labels).
pub fn decode_chunk(info: &ChunkInfo, gz: &[u8], classes: usize) -> Result<Chunk, DatasetError> {
    let what = info.file.as_str();
    let raw = maybe_gunzip_capped(what, gz, chunk_limit(info))?;
    let found = crc32fast::hash(&raw);
    if found != info.crc32 {
        return Err(DatasetError::Checksum {
            what: what.into(),
            expected: info.crc32,
            found,
        });
    }
    if raw.len() < CHUNK_HEADER || &raw[..4] != CHUNK_MAGIC {
        return Err(DatasetError::BadHeader {
            what: what.into(),
            detail: "not a Backprop Lab chunk (magic BPLD)".into(),
        });
    }
    let word = |i: usize| {
        u32::from_le_bytes([
            raw[4 + 4 * i],
            raw[5 + 4 * i],
            raw[6 + 4 * i],
            raw[7 + 4 * i],
        ]) as usize
    };
    let (version, count, height, width, channels) = (word(0), word(1), word(2), word(3), word(4));
    if version != CHUNK_VERSION as usize {
        return Err(DatasetError::BadHeader {
            what: what.into(),
            detail: format!("version {version}, expected {CHUNK_VERSION}"),
        });
    }
    if count != info.count {
        return Err(DatasetError::BadHeader {
            what: what.into(),
            detail: format!("{count} samples, manifest says {}", info.count),
        });
    }
    if height == 0
        || width == 0
        || !(channels == 1 || channels == 3)
        || height > 4096
        || width > 4096
    {
        return Err(DatasetError::BadHeader {
            what: what.into(),
            detail: format!("shape {height}×{width}×{channels}"),
        });
    }
    let f = height * width * channels;
    let expected = size(what, count, 1 + f, CHUNK_HEADER)?;
    if raw.len() != expected {
        return Err(DatasetError::Truncated {
            what: what.into(),
            expected,
            found: raw.len(),
        });
    }
    let labels = raw[CHUNK_HEADER..CHUNK_HEADER + count].to_vec();
    check_labels(what, &labels, classes)?;
    Ok(Chunk {
        height,
        width,
        channels,
        labels,
        images: raw[CHUNK_HEADER + count..].to_vec(),
    })
}

/// One chunk file in a manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkInfo {
    /// File name, relative to the manifest.
    pub file: String,
    /// Samples in the chunk.
    pub count: usize,
    /// Size of the gzip file in bytes.
    pub bytes: usize,
    /// CRC-32 of the decompressed chunk.
    pub crc32: u32,
}

/// The chunks of one split.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitInfo {
    /// Total samples.
    pub count: usize,
    /// Chunks in order.
    pub chunks: Vec<ChunkInfo>,
}

/// `static/data/<name>/manifest.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Short name.
    pub name: String,
    /// Human title.
    pub title: String,
    /// Image height.
    pub height: usize,
    /// Image width.
    pub width: usize,
    /// Channels.
    pub channels: usize,
    /// Class names.
    pub classes: Vec<String>,
    /// Normalisation mean.
    pub mean: f32,
    /// Normalisation std.
    pub std: f32,
    /// Where the data comes from and its licence.
    pub source: String,
    /// Training split.
    pub train: SplitInfo,
    /// Test split.
    pub test: SplitInfo,
}

impl Manifest {
    /// Parses and sanity-checks a manifest.
    pub fn from_json(text: &str) -> Result<Self, DatasetError> {
        let m: Manifest =
            serde_json::from_str(text).map_err(|e| DatasetError::Manifest(e.to_string()))?;
        for (split, info) in [("train", &m.train), ("test", &m.test)] {
            let sum: usize = info.chunks.iter().map(|c| c.count).sum();
            if sum != info.count {
                return Err(DatasetError::Manifest(format!(
                    "{split}: chunks hold {sum} samples but count is {}",
                    info.count
                )));
            }
        }
        if m.classes.is_empty() || m.classes.len() > 256 || m.std.is_nan() || m.std <= 0.0 {
            return Err(DatasetError::Manifest(
                "classes or normalisation out of range".into(),
            ));
        }
        Ok(m)
    }

    /// An empty dataset of this manifest's shape, to which chunks are appended.
    pub fn empty_dataset(&self) -> Dataset {
        Dataset {
            name: self.name.clone(),
            height: self.height,
            width: self.width,
            channels: self.channels,
            class_names: self.classes.clone(),
            mean: self.mean,
            std: self.std,
            images: Vec::new(),
            labels: Vec::new(),
        }
    }
}

/// Which split.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// Training samples.
    Train,
    /// Test samples.
    Test,
}

/// Reads one split of a converted dataset from a folder (`static/data/<name>`), at most `limit` samples
/// (whole chunks are read until the limit is reached).
pub fn load_split(
    dir: &std::path::Path,
    split: Split,
    limit: Option<usize>,
) -> Result<Dataset, DatasetError> {
    let read = |p: std::path::PathBuf| {
        std::fs::read(&p).map_err(|source| DatasetError::Io {
            path: p.display().to_string(),
            source,
        })
    };
    let manifest_bytes = read(dir.join("manifest.json"))?;
    let manifest = Manifest::from_json(&String::from_utf8_lossy(&manifest_bytes))?;
    let info = match split {
        Split::Train => &manifest.train,
        Split::Test => &manifest.test,
    };
    let limit = limit.unwrap_or(usize::MAX);
    let mut data = manifest.empty_dataset();
    for c in &info.chunks {
        if data.len() >= limit {
            break;
        }
        let chunk = decode_chunk(c, &read(dir.join(&c.file))?, manifest.classes.len())?;
        data.append(&chunk)?;
    }
    Ok(data.take(limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(target_arch = "wasm32"))]
    fn tiny() -> Dataset {
        Dataset {
            name: "mnist".into(),
            height: 2,
            width: 3,
            channels: 1,
            class_names: DatasetKind::Mnist.class_names(),
            mean: 0.1307,
            std: 0.3081,
            images: (0..30).map(|i| (i * 7) as u8).collect(),
            labels: vec![1, 2, 3, 4, 9],
        }
    }

    // gzip is native only (the page's is the browser's).
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn chunk_round_trip() {
        let d = tiny();
        let (gz, crc) = encode_chunk(&d, 1..4);
        let info = ChunkInfo {
            file: "t".into(),
            count: 3,
            bytes: gz.len(),
            crc32: crc,
        };
        let c = decode_chunk(&info, &gz, 10).unwrap();
        assert_eq!(c.labels, vec![2, 3, 4]);
        assert_eq!(c.images, d.images[6..24].to_vec());
    }

    // gzip is native only (the page's is the browser's).
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn corrupt_and_truncated_chunks_are_rejected() {
        let d = tiny();
        let (gz, crc) = encode_chunk(&d, 0..5);
        let info = ChunkInfo {
            file: "t".into(),
            count: 5,
            bytes: gz.len(),
            crc32: crc,
        };
        // Truncated gzip stream.
        assert!(matches!(
            decode_chunk(&info, &gz[..gz.len() - 10], 10),
            Err(DatasetError::Gzip { .. } | DatasetError::Checksum { .. })
        ));
        // A flipped bit inside the (uncompressed-equivalent) data changes the checksum.
        let mut raw = maybe_gunzip("t", &gz).unwrap();
        raw[30] ^= 1;
        assert!(matches!(
            decode_chunk(&info, &raw, 10),
            Err(DatasetError::Checksum { .. })
        ));
        // Labels out of range for the declared classes.
        assert!(matches!(
            decode_chunk(&info, &gz, 5),
            Err(DatasetError::BadLabel {
                label: 9,
                index: 4,
                ..
            })
        ));
        // Wrong count in the manifest.
        let wrong = ChunkInfo { count: 4, ..info };
        assert!(matches!(
            decode_chunk(&wrong, &gz, 10),
            Err(DatasetError::BadHeader { .. })
        ));
    }

    #[test]
    fn idx_readers_validate() {
        let mut img = vec![0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2];
        img.extend([1, 2, 3, 4, 5, 6, 7, 8]);
        let lab = vec![0, 0, 8, 1, 0, 0, 0, 2, 7, 3];
        let d = dataset_from_idx(DatasetKind::Mnist, &img, &lab).unwrap();
        assert_eq!(
            (d.len(), d.features(), d.image(1)),
            (2, 4, &[5u8, 6, 7, 8][..])
        );
        assert!(matches!(
            dataset_from_idx(DatasetKind::Mnist, &img[..20], &lab),
            Err(DatasetError::Truncated {
                expected: 24,
                found: 20,
                ..
            })
        ));
        let mut bad = img.clone();
        bad[3] = 1;
        assert!(matches!(
            dataset_from_idx(DatasetKind::Mnist, &bad, &lab),
            Err(DatasetError::BadHeader { .. })
        ));
        let mut bad_label = lab.clone();
        bad_label[9] = 12;
        assert!(matches!(
            dataset_from_idx(DatasetKind::Mnist, &img, &bad_label),
            Err(DatasetError::BadLabel { label: 12, .. })
        ));
        assert!(matches!(
            dataset_from_idx(DatasetKind::Mnist, &[0x1f, 0x8b, 1, 2, 3], &lab),
            Err(DatasetError::Gzip { .. })
        ));
    }

    #[test]
    fn cifar_records_validate() {
        let mut rec = vec![3u8];
        rec.extend(std::iter::repeat_n(9u8, 3072));
        let d = dataset_from_cifar(&rec).unwrap();
        assert_eq!((d.len(), d.labels[0], d.channels), (1, 3, 3));
        assert!(matches!(
            dataset_from_cifar(&rec[..3000]),
            Err(DatasetError::Truncated { .. })
        ));
    }

    #[test]
    fn manifest_counts_are_checked() {
        let m = Manifest {
            name: "x".into(),
            title: "x".into(),
            height: 1,
            width: 1,
            channels: 1,
            classes: vec!["a".into()],
            mean: 0.0,
            std: 1.0,
            source: String::new(),
            train: SplitInfo {
                count: 3,
                chunks: vec![ChunkInfo {
                    file: "a".into(),
                    count: 2,
                    bytes: 1,
                    crc32: 0,
                }],
            },
            test: SplitInfo {
                count: 0,
                chunks: vec![],
            },
        };
        let text = serde_json::to_string(&m).unwrap();
        assert!(matches!(
            Manifest::from_json(&text),
            Err(DatasetError::Manifest(_))
        ));
        assert!(matches!(
            Manifest::from_json("{"),
            Err(DatasetError::Manifest(_))
        ));
    }
}
