//! The console's users and sessions: argon2id passwords, sessions in an HttpOnly cookie,
//! a CSRF token per session, and the lock-out after repeated wrong passwords.

use rand::distributions::{Alphanumeric, DistString};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The shortest password the console accepts.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// A session not used for this long has ended.
pub const SESSION_IDLE: Duration = Duration::from_secs(12 * 3600);
/// Wrong passwords for one user within [`LOCK_WINDOW`] that lock it.
pub const LOCK_AFTER: usize = 5;
pub const LOCK_WINDOW: Duration = Duration::from_secs(15 * 60);
/// How long a locked user stays locked.
pub const LOCK_FOR: Duration = Duration::from_secs(15 * 60);
/// The session cookie's name.
pub const COOKIE: &str = "antre_console";

/// What a console user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything.
    Admin,
    /// Reads everything of its agencies, acts on their counters and services.
    Supervisor,
    /// Reads only.
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "admin" => Some(Role::Admin),
            "supervisor" => Some(Role::Supervisor),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }
}

/// The argon2id hash of `password`, as a PHC string.
///
/// # Errors
/// The password is shorter than [`MIN_PASSWORD_CHARS`].
pub fn hash_password(password: &str) -> Result<String, String> {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "the password must be at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` is the one `hash` was made of.
pub fn password_matches(password: &str, hash: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Someone logged in.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: String,
    pub role: Role,
    /// The agencies it sees; `None`: all.
    pub agencies: Option<Vec<String>>,
    pub csrf: String,
    last_used: Instant,
}

impl Session {
    /// Whether this session sees agency `agency`.
    pub fn sees(&self, agency: &str) -> bool {
        self.agencies
            .as_ref()
            .is_none_or(|a| a.iter().any(|x| x == agency))
    }
}

/// The sessions and the lock-outs, in memory: a hub restart logs everyone out.
#[derive(Default)]
pub struct Sessions {
    by_token: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
    locked: Mutex<HashMap<String, Instant>>,
}

/// A random secret of `n` letters and digits.
pub fn secret(n: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rngs::OsRng, n)
}

impl Sessions {
    /// Starts a session; returns its cookie token.
    pub fn open(&self, user: &str, role: Role, agencies: Option<Vec<String>>) -> (String, Session) {
        let token = secret(43);
        let session = Session {
            user: user.to_owned(),
            role,
            agencies,
            csrf: secret(32),
            last_used: Instant::now(),
        };
        let mut all = self.by_token.lock().expect("sessions lock");
        all.retain(|_, s| s.last_used.elapsed() < SESSION_IDLE);
        all.insert(token.clone(), session.clone());
        (token, session)
    }

    /// The session of `token`, if it has not ended; using it keeps it alive.
    pub fn get(&self, token: &str) -> Option<Session> {
        let mut all = self.by_token.lock().expect("sessions lock");
        let s = all.get_mut(token)?;
        if s.last_used.elapsed() >= SESSION_IDLE {
            all.remove(token);
            return None;
        }
        s.last_used = Instant::now();
        Some(s.clone())
    }

    pub fn close(&self, token: &str) {
        self.by_token.lock().expect("sessions lock").remove(token);
    }

    /// Ends every session of `user` (removed, or its password changed).
    pub fn close_user(&self, user: &str) {
        self.by_token
            .lock()
            .expect("sessions lock")
            .retain(|_, s| s.user != user);
    }

    /// Whether `user` is locked out now.
    pub fn is_locked(&self, user: &str) -> bool {
        let mut locked = self.locked.lock().expect("lock-out lock");
        match locked.get(user) {
            Some(t) if t.elapsed() < LOCK_FOR => true,
            Some(_) => {
                locked.remove(user);
                false
            }
            None => false,
        }
    }

    /// Notes a wrong password for `user`; `true` when that locked it.
    pub fn failed(&self, user: &str) -> bool {
        let mut failures = self.failures.lock().expect("failures lock");
        let list = failures.entry(user.to_owned()).or_default();
        list.retain(|t| t.elapsed() < LOCK_WINDOW);
        list.push(Instant::now());
        if list.len() >= LOCK_AFTER {
            list.clear();
            self.locked
                .lock()
                .expect("lock-out lock")
                .insert(user.to_owned(), Instant::now());
            return true;
        }
        false
    }

    /// A good login forgets the wrong ones before it.
    pub fn succeeded(&self, user: &str) {
        self.failures.lock().expect("failures lock").remove(user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_hashes_with_argon2id_and_checks() {
        let h = hash_password("kata-sandi-panjang").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(password_matches("kata-sandi-panjang", &h));
        assert!(!password_matches("kata-sandi-panjanG", &h));
        assert!(hash_password("pendek").is_err());
    }

    #[test]
    fn the_fifth_wrong_password_locks_the_user() {
        let s = Sessions::default();
        for _ in 0..4 {
            assert!(!s.failed("budi"));
        }
        assert!(!s.is_locked("budi"));
        assert!(s.failed("budi"));
        assert!(s.is_locked("budi"));
        assert!(!s.is_locked("sari"));
    }
}
