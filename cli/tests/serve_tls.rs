//! `serve --tls` on loopback: the certificate kept in `--data` (the same fingerprint after a restart),
//! the printed fingerprint equal to the certificate's, and a client that pins that fingerprint gets
//! the page over HTTPS with the security headers; a client pinning another fingerprint is refused;
//! `--cert/--key` serve one's own certificate.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

struct Server {
    child: Child,
    port: u16,
    fingerprint: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(app: &Path, data: &Path) -> Server {
    start_with(app, data, &[])
}

fn start_with(app: &Path, data: &Path, extra: &[&Path]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_backprop-lab"))
        .args(["serve", "--tls", "--port", "0", "--dir"])
        .arg(app)
        .arg("--data")
        .arg(data)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let port = first
        .strip_prefix("Serving Backprop Lab on https://127.0.0.1:")
        .and_then(|r| r.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no https port in {first:?}"));
    let fingerprint = lines
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("Certificate SHA-256 fingerprint: ")
                .map(str::to_string)
        })
        .expect("a fingerprint line");
    Server {
        child,
        port,
        fingerprint,
    }
}

fn sha256(der: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, der);
    let hex: Vec<String> = digest.as_ref().iter().map(|b| format!("{b:02X}")).collect();
    hex.join(":")
}

/// Trusts exactly the certificate with this fingerprint (the signatures still checked).
#[derive(Debug)]
struct Pinned {
    fingerprint: String,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if sha256(end_entity) == self.fingerprint {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General("not the pinned certificate".into()))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// `GET path` over TLS to the server, trusting only `fingerprint`: the whole answer.
fn get(port: u16, path: &str, fingerprint: &str) -> Result<String, rustls::Error> {
    #[expect(deprecated, reason = "the server's provider is ring too")]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Pinned {
            fingerprint: fingerprint.to_string(),
            provider,
        }))
        .with_no_client_auth();
    let name = ServerName::try_from("localhost").unwrap();
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let mut sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut tls = rustls::Stream::new(&mut conn, &mut sock);
    let request = format!("GET {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n");
    tls.write_all(request.as_bytes()).map_err(|e| {
        e.into_inner()
            .and_then(|e| e.downcast::<rustls::Error>().ok())
            .map_or(rustls::Error::General("io".into()), |e| *e)
    })?;
    let mut answer = Vec::new();
    let _ = tls.read_to_end(&mut answer);
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

#[test]
fn tls_on_loopback_serves_with_the_printed_and_kept_certificate() {
    let dir = std::env::temp_dir().join(format!("bpl-serve-tls-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (app, data): (PathBuf, PathBuf) = (dir.join("app"), dir.join("data"));
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(
        app.join("index.html"),
        "<!DOCTYPE html><head><meta charset=\"utf-8\"><title>Backprop Lab</title></head>",
    )
    .unwrap();

    let server = start(&app, &data);
    let cert =
        CertificateDer::from_pem_file(data.join("tls/cert.pem")).expect("a kept certificate");
    assert_eq!(
        server.fingerprint,
        sha256(&cert),
        "printed ≠ the certificate's"
    );

    let page = get(server.port, "/", &server.fingerprint).expect("the pinned certificate");
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    assert!(page.contains("Backprop Lab"), "{page}");
    assert!(
        page.contains("cross-origin-embedder-policy: require-corp"),
        "{page}"
    );
    assert!(
        page.contains("content-security-policy: default-src 'self'"),
        "{page}"
    );

    let wrong = "00:".repeat(31) + "00";
    assert!(
        get(server.port, "/", &wrong).is_err(),
        "another certificate accepted"
    );

    // A restart on the same data folder keeps the certificate.
    let first = server.fingerprint.clone();
    drop(server);
    let again = start(&app, &data);
    assert_eq!(again.fingerprint, first);
    assert!(
        get(again.port, "/", &first)
            .unwrap()
            .starts_with("HTTP/1.1 200 OK")
    );
    drop(again);

    // One's own certificate: served and printed, nothing made in the data folder.
    let own = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert, key, data) = (dir.join("own.pem"), dir.join("own.key"), dir.join("data2"));
    std::fs::write(&cert, own.cert.pem()).unwrap();
    std::fs::write(&key, own.signing_key.serialize_pem()).unwrap();
    let cert_flag = Path::new("--cert");
    let key_flag = Path::new("--key");
    let server = start_with(&app, &data, &[cert_flag, &cert, key_flag, &key]);
    assert_eq!(server.fingerprint, sha256(own.cert.der()));
    assert!(
        get(server.port, "/", &server.fingerprint)
            .unwrap()
            .contains("Backprop Lab")
    );
    assert!(
        !data.join("tls").exists(),
        "a certificate made beside one's own"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
