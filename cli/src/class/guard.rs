//! Who may do what: the teacher token (compared in constant time), random tokens and codes, the
//! Origin check that keeps other sites' pages off the class's sockets and join, and the limiters
//! (join attempts per address, messages per socket). Limiter state is in memory only: no address
//! is ever written to disk.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, StatusCode, header};
use subtle::ConstantTimeEq;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// `N` random bytes from the operating system.
pub fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0; N];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    bytes
}

/// A fresh secret: 128 random bits as 32 hex digits.
pub fn new_token() -> String {
    hex::encode(random::<16>())
}

/// Whether `given` is the teacher's token, in time that does not depend on where they differ.
pub fn is_teacher(given: &str, token: &str) -> bool {
    bool::from(given.as_bytes().ct_eq(token.as_bytes()))
}

/// Refuses a request whose `Origin` is missing or not this server's own (scheme `http`/`https` and
/// the same host and port as the `Host` it was sent to). Browsers send `Origin` on every WebSocket
/// handshake and POST, so a page from another site is refused here even though the browser would
/// send the student's token along.
pub fn same_origin(headers: &HeaderMap) -> Result<(), (StatusCode, String)> {
    let forbidden = |why: String| Err((StatusCode::FORBIDDEN, why));
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return forbidden("the request has no Host header".into());
    };
    let Some(origin) = headers.get(header::ORIGIN).and_then(|h| h.to_str().ok()) else {
        return forbidden("the request has no Origin header (class pages send one)".into());
    };
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    if authority.is_some_and(|a| a.eq_ignore_ascii_case(host)) {
        Ok(())
    } else {
        forbidden(format!(
            "origin {origin} is not this server's ({host}): class pages come from this server only"
        ))
    }
}

/// A token bucket per key: `rate` per second, up to `burst` saved up.
#[derive(Debug)]
pub struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    /// A full bucket.
    pub fn new(burst: f64) -> Self {
        Self {
            tokens: burst,
            last: Instant::now(),
        }
    }

    /// Takes one token; `Err(wait)` with how long until one is there when it is empty. The level
    /// may go below zero (`overdraw` tokens at most), so a sender that keeps sending when refused
    /// keeps being refused.
    pub fn take(&mut self, rate: f64, burst: f64, overdraw: f64) -> Result<(), Duration> {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * rate).min(burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            self.tokens = (self.tokens - 1.0).max(-overdraw);
            Err(Duration::from_secs_f64((1.0 - self.tokens) / rate))
        }
    }

    /// How far below empty the bucket is (tokens owed).
    pub fn owed(&self) -> f64 {
        (-self.tokens).max(0.0)
    }
}

/// Join attempts per network address, `per_minute` each (a wrong code counts, a right one too).
#[derive(Debug)]
pub struct JoinLimiter {
    per_minute: u32,
    buckets: HashMap<IpAddr, Bucket>,
}

/// Addresses remembered at most; past this, buckets that have refilled are forgotten first.
const MAX_ADDRESSES: usize = 100_000;

impl JoinLimiter {
    /// A limiter allowing `per_minute` attempts per address.
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute: per_minute.max(1),
            buckets: HashMap::new(),
        }
    }

    /// Counts an attempt from `ip`; `Err(seconds to wait)` when it is one too many.
    pub fn attempt(&mut self, ip: IpAddr) -> Result<(), u64> {
        let burst = f64::from(self.per_minute);
        let rate = burst / 60.0;
        if self.buckets.len() >= MAX_ADDRESSES {
            // A full bucket is the same as no bucket: forgetting those loses nothing.
            let now = Instant::now();
            self.buckets
                .retain(|_, b| b.tokens + now.duration_since(b.last).as_secs_f64() * rate < burst);
            if self.buckets.len() >= MAX_ADDRESSES {
                return Err(60);
            }
        }
        self.buckets
            .entry(ip)
            .or_insert_with(|| Bucket::new(burst))
            .take(rate, burst, 0.0)
            .map_err(|wait| wait.as_secs_f64().ceil() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_must_be_this_servers() {
        let headers = |origin: Option<&str>| {
            let mut h = HeaderMap::new();
            h.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
            if let Some(o) = origin {
                h.insert(header::ORIGIN, o.parse().unwrap());
            }
            h
        };
        assert!(same_origin(&headers(Some("http://127.0.0.1:8080"))).is_ok());
        assert!(same_origin(&headers(Some("https://127.0.0.1:8080"))).is_ok());
        for bad in [
            Some("http://evil.example"),
            Some("http://127.0.0.1:8081"),
            Some("http://127.0.0.1:8080.evil.example"),
            Some("null"),
            None,
        ] {
            let (status, why) = same_origin(&headers(bad)).unwrap_err();
            assert_eq!(status, StatusCode::FORBIDDEN);
            assert!(why.contains("rigin"), "{why}");
        }
    }

    #[test]
    fn join_attempts_are_limited_per_address() {
        let mut limiter = JoinLimiter::new(3);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..3 {
            assert!(limiter.attempt(a).is_ok());
        }
        let wait = limiter.attempt(a).unwrap_err();
        assert!((1..=20).contains(&wait), "{wait}");
        assert!(limiter.attempt(b).is_ok(), "another address is not limited");
        assert!(is_teacher("abc", "abc") && !is_teacher("abd", "abc") && !is_teacher("ab", "abc"));
        assert_eq!(new_token().len(), 32);
    }
}
