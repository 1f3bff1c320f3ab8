//! Where `ServeDir` reads the app from: the files built into the binary (in memory, seekable for
//! ranges) or a folder, either way with the page replaced by the one carrying the native engine's
//! secret when there is one, and nothing outside the app's root (a link out of `--dir` included).

use std::future::Future;
use std::io::{self, Cursor};
use std::path::{Component, Path};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;

use tokio::io::{AsyncRead, AsyncSeek, ReadBuf};
use tower_http::services::fs::{Backend, File, Metadata};

use super::Source;

/// The app's files as `ServeDir` sees them.
#[derive(Clone)]
pub(super) struct AppFiles {
    pub(super) source: Arc<Source>,
    /// `index.html` as served (with the native engine's secret), if it differs from the source's.
    pub(super) page: Option<Arc<[u8]>>,
    /// The built-in files' modification time: when this binary was built (or, unknown, started).
    pub(super) built: SystemTime,
}

/// Bytes in memory: built into the binary or made at start.
#[derive(Clone)]
pub(super) enum Blob {
    Static(&'static [u8]),
    Shared(Arc<[u8]>),
}

impl AsRef<[u8]> for Blob {
    fn as_ref(&self) -> &[u8] {
        match self {
            Blob::Static(b) => b,
            Blob::Shared(b) => b,
        }
    }
}

/// A file's facts.
pub(super) enum Meta {
    Memory {
        len: u64,
        dir: bool,
        modified: SystemTime,
    },
    Disk(std::fs::Metadata),
}

impl Metadata for Meta {
    fn is_dir(&self) -> bool {
        match self {
            Meta::Memory { dir, .. } => *dir,
            Meta::Disk(m) => m.is_dir(),
        }
    }

    fn modified(&self) -> io::Result<SystemTime> {
        match self {
            Meta::Memory { modified, .. } => Ok(*modified),
            Meta::Disk(m) => m.modified(),
        }
    }

    fn len(&self) -> u64 {
        match self {
            Meta::Memory { len, .. } => *len,
            Meta::Disk(m) => m.len(),
        }
    }
}

/// An open file.
pub(super) enum AppFile {
    Memory(Cursor<Blob>, SystemTime),
    Disk(tokio::fs::File),
}

impl AsyncRead for AppFile {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            AppFile::Memory(c, _) => Pin::new(c).poll_read(cx, buf),
            AppFile::Disk(f) => Pin::new(f).poll_read(cx, buf),
        }
    }
}

impl AsyncSeek for AppFile {
    fn start_seek(self: Pin<&mut Self>, position: io::SeekFrom) -> io::Result<()> {
        match self.get_mut() {
            AppFile::Memory(c, _) => Pin::new(c).start_seek(position),
            AppFile::Disk(f) => Pin::new(f).start_seek(position),
        }
    }

    fn poll_complete(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        match self.get_mut() {
            AppFile::Memory(c, _) => Pin::new(c).poll_complete(cx),
            AppFile::Disk(f) => Pin::new(f).poll_complete(cx),
        }
    }
}

type Boxed<'a, T> = Pin<Box<dyn Future<Output = io::Result<T>> + Send + 'a>>;

impl File for AppFile {
    type Metadata = Meta;
    type MetadataFuture<'a> = Boxed<'a, Meta>;

    fn metadata(&self) -> Self::MetadataFuture<'_> {
        Box::pin(async move {
            match self {
                AppFile::Memory(c, modified) => Ok(Meta::Memory {
                    len: c.get_ref().as_ref().len() as u64,
                    dir: false,
                    modified: *modified,
                }),
                AppFile::Disk(f) => f.metadata().await.map(Meta::Disk),
            }
        })
    }
}

/// `path` (the request's, under `ServeDir`'s base `.`) relative to the app's root, `/`-separated;
/// `None` for anything but plain names.
pub(super) fn relative(path: &Path) -> Option<String> {
    let mut parts = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_str()?),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

fn not_found() -> io::Error {
    io::Error::from(io::ErrorKind::NotFound)
}

/// What a relative path names.
enum Found {
    Memory(Blob),
    Folder,
    Disk(std::path::PathBuf),
}

impl AppFiles {
    async fn find(&self, path: &Path) -> io::Result<Found> {
        let rel = relative(path).ok_or_else(not_found)?;
        if let Some(page) = &self.page {
            if rel == "index.html" {
                return Ok(Found::Memory(Blob::Shared(page.clone())));
            }
            // A precompressed page would lack the secret: the served one is compressed on the fly.
            if rel.starts_with("index.html.") {
                return Err(not_found());
            }
        }
        match &*self.source {
            Source::Embedded(files) => match files.get(rel.as_str()) {
                Some(bytes) => Ok(Found::Memory(Blob::Static(bytes))),
                None if rel.is_empty() => Ok(Found::Folder),
                None => {
                    let folder = format!("{rel}/");
                    let any = files.keys().any(|k| k.starts_with(&folder));
                    if any {
                        Ok(Found::Folder)
                    } else {
                        Err(not_found())
                    }
                }
            },
            Source::Dir(root) => {
                let real = tokio::fs::canonicalize(root.join(&rel)).await?;
                if real.starts_with(root) {
                    Ok(Found::Disk(real))
                } else {
                    Err(not_found())
                }
            }
        }
    }

    fn memory_meta(&self, len: u64, dir: bool) -> Meta {
        Meta::Memory {
            len,
            dir,
            modified: self.built,
        }
    }
}

impl Backend for AppFiles {
    type File = AppFile;
    type Metadata = Meta;
    type OpenFuture = Boxed<'static, AppFile>;
    type MetadataFuture = Boxed<'static, Meta>;

    fn open(&self, path: std::path::PathBuf) -> Self::OpenFuture {
        let files = self.clone();
        Box::pin(async move {
            match files.find(&path).await? {
                Found::Memory(blob) => Ok(AppFile::Memory(Cursor::new(blob), files.built)),
                Found::Folder => Err(io::Error::from(io::ErrorKind::IsADirectory)),
                Found::Disk(real) => tokio::fs::File::open(real).await.map(AppFile::Disk),
            }
        })
    }

    fn metadata(&self, path: std::path::PathBuf) -> Self::MetadataFuture {
        let files = self.clone();
        Box::pin(async move {
            match files.find(&path).await? {
                Found::Memory(blob) => Ok(files.memory_meta(blob.as_ref().len() as u64, false)),
                Found::Folder => Ok(files.memory_meta(0, true)),
                Found::Disk(real) => tokio::fs::metadata(real).await.map(Meta::Disk),
            }
        })
    }
}
