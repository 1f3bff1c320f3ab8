//! Where the server is: its scheme, port, the addresses other machines reach it at, and its data
//! folder. What other modules (class mode) ask to print or hand out URLs.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::ServeArgs;
use super::tls::Identity;

/// The running server as other modules see it.
#[derive(Debug, Clone)]
pub struct Site {
    port: u16,
    tls: bool,
    /// `--lan`: other machines may connect.
    on_lan: bool,
    /// Addresses other machines reach this one at (empty without `--lan`).
    lan: Vec<IpAddr>,
    data: PathBuf,
}

impl Site {
    /// The site of a server listening on `local` (`tls`: HTTPS).
    pub(super) fn new(args: &ServeArgs, local: SocketAddr, tls: bool) -> Self {
        let ip = local.ip();
        let lan = if !args.lan || ip.is_loopback() {
            Vec::new()
        } else if ip.is_unspecified() {
            lan_addresses()
        } else {
            vec![ip]
        };
        Self {
            port: local.port(),
            tls,
            on_lan: args.lan,
            lan,
            data: args.data.clone().unwrap_or_else(default_data_dir),
        }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `https` with `--tls`, else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.tls { "https" } else { "http" }
    }

    /// The machine's addresses on the network (`--lan`), for the certificate and the printed URLs.
    pub fn lan_addresses(&self) -> &[IpAddr] {
        &self.lan
    }

    /// The URL this machine's browser opens: `http(s)://127.0.0.1:port/`.
    pub fn local_url(&self) -> String {
        format!("{}://127.0.0.1:{}/", self.scheme(), self.port)
    }

    /// The URLs other machines open (one per LAN address; empty without `--lan`).
    pub fn lan_urls(&self) -> Vec<String> {
        self.lan.iter().map(|ip| self.url_for(*ip)).collect()
    }

    /// The URL to hand to others: the first LAN URL with `--lan`, else the local one.
    pub fn public_url(&self) -> String {
        self.lan_urls()
            .into_iter()
            .next()
            .unwrap_or_else(|| self.local_url())
    }

    /// Every base URL, the local one first.
    pub fn base_urls(&self) -> Vec<String> {
        let mut urls = vec![self.local_url()];
        urls.extend(self.lan_urls());
        urls
    }

    fn url_for(&self, ip: IpAddr) -> String {
        match ip {
            IpAddr::V4(ip) => format!("{}://{ip}:{}/", self.scheme(), self.port),
            IpAddr::V6(ip) => format!("{}://[{ip}]:{}/", self.scheme(), self.port),
        }
    }

    /// The data folder (`--data`, or the per-user default), created if it does not exist yet.
    pub fn data_dir(&self) -> Result<&Path> {
        std::fs::create_dir_all(&self.data)
            .with_context(|| format!("cannot create the data folder {}", self.data.display()))?;
        Ok(&self.data)
    }

    /// What `serve` prints after its first line: the other machines' URLs, the certificate's
    /// fingerprint, a QR code of the URL to open.
    pub(super) fn banner(&self, identity: Option<&Identity>) -> String {
        let mut out = String::new();
        let urls = self.lan_urls();
        if let Some(id) = identity {
            out.push_str(&format!(
                "Certificate SHA-256 fingerprint: {}\n(self-signed unless --cert: a browser warns \
                 once; compare the fingerprint before accepting)\n",
                id.fingerprint
            ));
        }
        if self.on_lan {
            if urls.is_empty() {
                out.push_str(&format!(
                    "Other machines: {}://<this machine's address>:{}/ (no network address found)\n",
                    self.scheme(),
                    self.port
                ));
            }
            for url in &urls {
                out.push_str(&format!("Other machines: {url}\n"));
            }
            if identity.is_none() {
                out.push_str(
                    "Over plain http their browsers give no WebGPU, service worker or shared memory \
                     (not a secure context): lessons train on the CPU engine there. Add --tls.\n",
                );
            }
            if !urls.is_empty() {
                out.push_str(&super::qr::terminal(&self.public_url()));
            }
        }
        out
    }
}

/// `$XDG_DATA_HOME/backprop-lab`, `~/.local/share/backprop-lab`, `%APPDATA%\backprop-lab`, or
/// `./backprop-lab-data` when none of them is known.
fn default_data_dir() -> PathBuf {
    let var = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(xdg) = var("XDG_DATA_HOME") {
        xdg.join("backprop-lab")
    } else if let Some(home) = var("HOME") {
        home.join(".local/share/backprop-lab")
    } else if let Some(appdata) = var("APPDATA") {
        appdata.join("backprop-lab")
    } else {
        PathBuf::from("backprop-lab-data")
    }
}

/// The addresses this machine's outgoing traffic leaves from, IPv4 then IPv6: a UDP socket
/// "connected" to a documentation address sends nothing, but the system picks the interface it would
/// route through.
fn lan_addresses() -> Vec<IpAddr> {
    let probes: [(IpAddr, IpAddr); 2] = [
        (
            Ipv4Addr::UNSPECIFIED.into(),
            Ipv4Addr::new(192, 0, 2, 1).into(),
        ),
        (
            Ipv6Addr::UNSPECIFIED.into(),
            Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1).into(),
        ),
    ];
    probes
        .into_iter()
        .filter_map(|(any, far)| {
            let socket = UdpSocket::bind((any, 0)).ok()?;
            socket.connect((far, 9)).ok()?;
            let ip = socket.local_addr().ok()?.ip();
            let usable = !ip.is_loopback() && !ip.is_unspecified();
            usable.then_some(ip)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_the_scheme_port_and_lan_addresses() {
        let mut args = super::super::tests::args(None, true);
        args.data = Some(PathBuf::from("/tmp/x"));
        let site = Site {
            port: 8443,
            tls: true,
            on_lan: true,
            lan: vec!["192.168.1.5".parse().unwrap(), "fd00::5".parse().unwrap()],
            data: PathBuf::from("/tmp/x"),
        };
        assert_eq!(site.local_url(), "https://127.0.0.1:8443/");
        assert_eq!(
            site.base_urls(),
            [
                "https://127.0.0.1:8443/",
                "https://192.168.1.5:8443/",
                "https://[fd00::5]:8443/"
            ]
        );
        assert_eq!(site.public_url(), "https://192.168.1.5:8443/");
        let bound = Site::new(&args, "10.1.2.3:80".parse().unwrap(), false);
        assert_eq!(bound.public_url(), "http://10.1.2.3:80/");
        assert!(bound.banner(None).contains("Add --tls"));
        let looped = Site::new(&args, "127.0.0.1:80".parse().unwrap(), false);
        assert!(looped.lan_urls().is_empty());
        let local = Site::new(
            &super::super::tests::args(None, false),
            "127.0.0.1:80".parse().unwrap(),
            false,
        );
        assert_eq!(local.public_url(), "http://127.0.0.1:80/");
        assert!(local.banner(None).is_empty());
        for ip in lan_addresses() {
            assert!(!ip.is_loopback(), "{ip}");
        }
    }
}
