//! HTTPS for `serve --tls`: a self-signed certificate (rcgen) for localhost and this machine's
//! addresses, kept in the data folder so that a restart keeps its fingerprint (made anew when the
//! addresses change), or the user's own (`--cert/--key`); served by rustls with the ring provider.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use axum_server::tls_rustls::RustlsConfig;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::{ServeArgs, Site};

/// The certificate the server presents.
pub(crate) struct Identity {
    config: Arc<ServerConfig>,
    /// SHA-256 of the certificate (DER), as browsers show it: `AB:CD:…`.
    pub(crate) fingerprint: String,
}

impl Identity {
    /// axum-server's view of the rustls configuration.
    pub(crate) fn rustls(&self) -> RustlsConfig {
        RustlsConfig::from_config(self.config.clone())
    }
}

/// `AB:CD:…`: SHA-256 of `der`, upper-case hex pairs.
pub(crate) fn fingerprint(der: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, der);
    digest
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The names a made certificate covers: loopback's, then the LAN addresses.
fn names(site: &Site) -> Vec<String> {
    let mut names = vec!["localhost".to_string(), "127.0.0.1".into(), "::1".into()];
    names.extend(site.lan_addresses().iter().map(|ip| ip.to_string()));
    names
}

/// The certificate and key to serve: `--cert/--key`, or the one kept in the data folder (made there
/// when missing or made for other addresses).
pub(crate) fn identity(args: &ServeArgs, site: &Site) -> Result<Identity> {
    let (cert, key) = match (&args.cert, &args.key) {
        (Some(cert), Some(key)) => (cert.clone(), key.clone()),
        (None, None) => kept(&site.data_dir()?.join("tls"), &names(site))?,
        _ => bail!("--cert and --key go together"),
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert)
        .with_context(|| format!("cannot read {}", cert.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("{}: not a PEM certificate chain", cert.display()))?;
    let Some(leaf) = chain.first() else {
        bail!("{}: no certificate in it", cert.display());
    };
    let fingerprint = fingerprint(leaf);
    let key = PrivateKeyDer::from_pem_file(&key)
        .with_context(|| format!("{}: not a PEM private key", key.display()))?;
    #[expect(
        deprecated,
        reason = "ring is this build's provider (aws-lc-rs needs a C toolchain); it has no \
                  post-quantum key exchange yet, which browsers do without"
    )]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("the certificate and key do not make a TLS identity")?;
    // HTTP/1.1 only: every browser then opens the engine's and class mode's WebSockets on it the
    // same way (WebSockets over HTTP/2 need extended CONNECT).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Identity {
        config: Arc::new(config),
        fingerprint,
    })
}

/// `cert.pem` and `key.pem` in `dir`, made for `names` unless those already there were.
fn kept(dir: &Path, names: &[String]) -> Result<(PathBuf, PathBuf)> {
    let (cert, key, list) = (
        dir.join("cert.pem"),
        dir.join("key.pem"),
        dir.join("names.txt"),
    );
    let wanted = names.join("\n");
    let same = std::fs::read_to_string(&list).is_ok_and(|had| had == wanted);
    if same && cert.is_file() && key.is_file() {
        return Ok((cert, key));
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let made = rcgen::generate_simple_self_signed(names.to_vec())
        .context("making the self-signed certificate")?;
    write_private(&key, made.signing_key.serialize_pem().as_bytes())?;
    std::fs::write(&cert, made.cert.pem())
        .with_context(|| format!("writing {}", cert.display()))?;
    std::fs::write(&list, wanted).with_context(|| format!("writing {}", list.display()))?;
    Ok((cert, key))
}

/// Writes a file only its owner may read (a private key).
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .and_then(|mut f| f.write_all(bytes))
        .with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_certificate_is_made_once_per_set_of_names() {
        let dir = std::env::temp_dir().join(format!("bpl-tls-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let loopback = ["localhost".to_string(), "127.0.0.1".into()];
        let (cert, _) = kept(&dir, &loopback).unwrap();
        let first = std::fs::read(&cert).unwrap();
        kept(&dir, &loopback).unwrap();
        assert_eq!(std::fs::read(&cert).unwrap(), first, "made again");
        let mut lan = loopback.to_vec();
        lan.push("192.168.1.5".into());
        kept(&dir, &lan).unwrap();
        assert_ne!(std::fs::read(&cert).unwrap(), first, "kept for other names");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("key.pem"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the key is readable by others");
        }
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(fingerprint(b"").len(), 32 * 3 - 1);
        assert!(fingerprint(b"").starts_with("E3:B0:C4:42"));
    }
}
