//! The in-process claim on each nullifier: `/settle` reports success only for a nullifier its own
//! transaction burned, and two `/settle` calls for one nullifier in one facilitator never both
//! send a transaction.
//!
//! `/settle` takes an atomic claim ([`NullifierClaims::try_claim`]) before sending anything; a
//! second claim of the same nullifier while the first is in flight, or after it burned the
//! nullifier, is refused (`nullifier_already_used`, nothing sent). The [`Claim`] guard releases the
//! nullifier when dropped without an outcome (a failure that burned nothing, or the request being
//! cancelled), so the payer can retry. `/verify` reads the same table: an in-flight or burned
//! nullifier is not valid.
//!
//! Bounded: a burned entry expires after [`BURNED_TTL`] (the nullifier PDA on chain answers from
//! then on) and the table keeps at most [`MAX_ENTRIES`] entries, evicting the oldest burned ones
//! first. In-flight entries are never evicted (there are at most as many as requests in progress).
//! Across facilitator instances the chain decides: only the transaction that creates the PDA
//! succeeds.
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a burned nullifier stays in the table.
pub const BURNED_TTL: Duration = Duration::from_secs(15 * 60);
/// How long a nullifier whose transaction's outcome is unknown stays claimed (a blockhash is valid
/// for ~60–90 s: after that the transaction can no longer land, and the chain answers).
pub const UNCERTAIN_TTL: Duration = Duration::from_secs(120);
/// Most entries kept.
pub const MAX_ENTRIES: usize = 100_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimState {
    /// A `/settle` of this facilitator is settling it now.
    InFlight,
    /// Burned (by this facilitator, or the chain said so), or possibly burned.
    Burned,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    state: ClaimState,
    /// When a `Burned` entry expires; `None` for `InFlight`.
    until: Option<Instant>,
}

impl Entry {
    fn live(&self, now: Instant) -> bool {
        self.until.is_none_or(|t| t > now)
    }
}

pub struct NullifierClaims {
    entries: Mutex<HashMap<[u8; 32], Entry>>,
    burned_ttl: Duration,
    uncertain_ttl: Duration,
    max_entries: usize,
}

impl Default for NullifierClaims {
    fn default() -> Self {
        NullifierClaims::new(BURNED_TTL, UNCERTAIN_TTL, MAX_ENTRIES)
    }
}

impl NullifierClaims {
    pub fn new(burned_ttl: Duration, uncertain_ttl: Duration, max_entries: usize) -> Self {
        NullifierClaims {
            entries: Mutex::new(HashMap::new()),
            burned_ttl,
            uncertain_ttl,
            max_entries: max_entries.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Entry>> {
        // A panic while holding the lock cannot leave the map inconsistent (single inserts and
        // removes): keep serving.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The nullifier's state, if it is in flight or (recently) burned.
    pub fn status(&self, nullifier: &[u8; 32]) -> Option<ClaimState> {
        let now = Instant::now();
        let mut map = self.lock();
        match map.get(nullifier) {
            Some(e) if e.live(now) => Some(e.state),
            Some(_) => {
                map.remove(nullifier);
                None
            }
            None => None,
        }
    }

    /// Claims `nullifier` for one settlement. Fails (with the current state) when it is in flight
    /// or burned. Atomic: of concurrent claims of one nullifier, exactly one succeeds.
    pub fn try_claim(&self, nullifier: &[u8; 32]) -> Result<Claim<'_>, ClaimState> {
        let now = Instant::now();
        let mut map = self.lock();
        if let Some(e) = map.get(nullifier) {
            if e.live(now) {
                return Err(e.state);
            }
        }
        if map.len() >= self.max_entries {
            evict(&mut map, now, self.max_entries);
        }
        map.insert(
            *nullifier,
            Entry {
                state: ClaimState::InFlight,
                until: None,
            },
        );
        Ok(Claim {
            table: self,
            nullifier: *nullifier,
            settled: false,
        })
    }

    /// Entries held now (in flight and burned, expired ones not yet dropped included).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn finish(&self, nullifier: &[u8; 32], ttl: Option<Duration>) {
        let mut map = self.lock();
        match ttl {
            Some(ttl) => {
                map.insert(
                    *nullifier,
                    Entry {
                        state: ClaimState::Burned,
                        until: Some(Instant::now() + ttl),
                    },
                );
            }
            None => {
                map.remove(nullifier);
            }
        }
    }
}

/// Drops expired entries, then (still at the cap) the burned entries closest to expiry, down to
/// 7/8 of the cap so eviction is not paid on every insert.
fn evict(map: &mut HashMap<[u8; 32], Entry>, now: Instant, max: usize) {
    map.retain(|_, e| e.live(now));
    if map.len() < max {
        return;
    }
    let target = max - max / 8 - 1;
    let mut burned: Vec<([u8; 32], Instant)> = map
        .iter()
        .filter_map(|(k, e)| e.until.map(|t| (*k, t)))
        .collect();
    burned.sort_by_key(|(_, t)| *t);
    let excess = map.len().saturating_sub(target);
    for (k, _) in burned.into_iter().take(excess) {
        map.remove(&k);
    }
}

/// An in-flight claim. Dropped without [`Claim::burned`] or [`Claim::uncertain`], it releases the
/// nullifier (nothing was burned: the payer may retry).
pub struct Claim<'a> {
    table: &'a NullifierClaims,
    nullifier: [u8; 32],
    settled: bool,
}

impl Claim<'_> {
    /// The nullifier is burned: keep refusing it for [`BURNED_TTL`].
    pub fn burned(mut self) {
        self.settled = true;
        self.table
            .finish(&self.nullifier, Some(self.table.burned_ttl));
    }

    /// A transaction was sent but its outcome is unknown: keep refusing it for
    /// [`UNCERTAIN_TTL`], after which the chain answers.
    pub fn uncertain(mut self) {
        self.settled = true;
        self.table
            .finish(&self.nullifier, Some(self.table.uncertain_ttl));
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        if !self.settled {
            self.table.finish(&self.nullifier, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Barrier};

    #[test]
    fn one_claim_at_a_time_released_on_failure_kept_when_burned() {
        let t = NullifierClaims::default();
        let n = [1u8; 32];
        let c = t.try_claim(&n).unwrap();
        assert_eq!(t.status(&n), Some(ClaimState::InFlight));
        assert_eq!(t.try_claim(&n).err(), Some(ClaimState::InFlight));
        drop(c); // a failure that burned nothing
        assert_eq!(t.status(&n), None);
        t.try_claim(&n).unwrap().burned();
        assert_eq!(t.status(&n), Some(ClaimState::Burned));
        assert_eq!(t.try_claim(&n).err(), Some(ClaimState::Burned));
        // Another nullifier is independent.
        assert!(t.try_claim(&[2u8; 32]).is_ok());
    }

    #[test]
    fn burned_and_uncertain_entries_expire() {
        let t = NullifierClaims::new(Duration::from_millis(30), Duration::from_millis(10), 100);
        t.try_claim(&[1; 32]).unwrap().burned();
        t.try_claim(&[2; 32]).unwrap().uncertain();
        assert_eq!(t.status(&[2; 32]), Some(ClaimState::Burned));
        std::thread::sleep(Duration::from_millis(15));
        assert_eq!(t.status(&[2; 32]), None);
        assert_eq!(t.status(&[1; 32]), Some(ClaimState::Burned));
        std::thread::sleep(Duration::from_millis(20));
        assert!(t.try_claim(&[1; 32]).is_ok());
    }

    #[test]
    fn bounded_evicting_burned_entries_never_in_flight_ones() {
        let t = NullifierClaims::new(Duration::from_secs(60), Duration::from_secs(60), 16);
        let held: Vec<Claim<'_>> = (0..4u8).map(|i| t.try_claim(&[i; 32]).unwrap()).collect();
        for i in 4..200u8 {
            t.try_claim(&[i; 32]).unwrap().burned();
            assert!(t.len() <= 16, "{} entries", t.len());
        }
        for i in 0..4u8 {
            assert_eq!(t.status(&[i; 32]), Some(ClaimState::InFlight));
        }
        // The newest burned entry is still there.
        assert_eq!(t.status(&[199; 32]), Some(ClaimState::Burned));
        drop(held);
    }

    #[test]
    fn concurrent_claims_of_one_nullifier_exactly_one_wins() {
        let t = Arc::new(NullifierClaims::default());
        let threads = 16;
        let barrier = Arc::new(Barrier::new(threads));
        let wins: usize = (0..threads)
            .map(|_| {
                let (t, b) = (t.clone(), barrier.clone());
                std::thread::spawn(move || {
                    b.wait();
                    match t.try_claim(&[7; 32]) {
                        Ok(c) => {
                            // Hold it while the others try, then burn it.
                            std::thread::sleep(Duration::from_millis(20));
                            c.burned();
                            1
                        }
                        Err(_) => 0,
                    }
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|h| h.join().unwrap())
            .sum();
        assert_eq!(wins, 1);
    }
}
