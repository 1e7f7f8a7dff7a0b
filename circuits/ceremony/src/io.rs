//! Ceremony file container and atomic writes.
//!
//! Layout of every ceremony file (all integers little-endian):
//!
//! ```text
//! magic (8 bytes) | version u32 | body … | BLAKE2b-512(magic‖version‖body) (64 bytes)
//! ```
//!
//! Curve points in the body use arkworks' *uncompressed* canonical encoding (G1: 64 bytes, G2: 128 bytes,
//! coordinates little-endian, flags in the top bits) and are validated (on curve, in the prime-order subgroup)
//! when read. Vectors are a u64 length followed by the elements; strings and byte strings are a u32 length
//! followed by the bytes.
//!
//! The trailing checksum only detects accidents (truncation, bit rot, a hand edit): security comes from the
//! cryptographic `verify`, which an attacker who recomputes the checksum still cannot pass.

use super::{CeremonyError, Digest, Result};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use blake2::{Blake2b512, Digest as _};
use std::io::Write;
use std::path::Path;

/// Builds a file body.
#[derive(Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// A new body starting with `magic` and `version`.
    pub fn new(magic: &[u8; 8], version: u32) -> Self {
        let mut w = Writer { buf: Vec::new() };
        w.buf.extend_from_slice(magic);
        w.u32(version);
        w
    }
    /// Appends a u32.
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    /// Appends a u64.
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    /// Appends raw bytes (fixed size known to the reader).
    pub fn raw(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }
    /// Appends a length-prefixed byte string.
    pub fn bytes(&mut self, b: &[u8]) {
        self.u32(b.len() as u32);
        self.raw(b);
    }
    /// Appends an arkworks value, uncompressed.
    pub fn ark<T: CanonicalSerialize>(&mut self, v: &T) {
        v.serialize_uncompressed(&mut self.buf)
            .expect("writing to a Vec cannot fail");
    }
    /// Appends a length-prefixed vector of arkworks values, uncompressed.
    pub fn ark_vec<T: CanonicalSerialize>(&mut self, v: &[T]) {
        self.u64(v.len() as u64);
        for x in v {
            self.ark(x);
        }
    }
    /// The body so far (without checksum).
    pub fn body(&self) -> &[u8] {
        &self.buf
    }
    /// The complete file: body plus checksum.
    pub fn finish(mut self) -> Vec<u8> {
        let sum = Blake2b512::digest(&self.buf);
        self.buf.extend_from_slice(&sum);
        self.buf
    }
}

/// Reads a file body after its magic, version and checksum were checked by [`Reader::open`].
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Version read from the file.
    pub version: u32,
}

impl<'a> Reader<'a> {
    /// Checks magic, checksum and version; `what` names the file kind in errors.
    pub fn open(
        data: &'a [u8],
        magic: &[u8; 8],
        what: &'static str,
        max_version: u32,
    ) -> Result<Self> {
        if data.len() < 8 || &data[..8] != magic {
            if data.len() < 8 && magic.starts_with(data) {
                return Err(CeremonyError::Truncated(format!(
                    "{} bytes, shorter than a {what} header",
                    data.len()
                )));
            }
            return Err(CeremonyError::BadMagic { expected: what });
        }
        if data.len() < 12 + 64 {
            return Err(CeremonyError::Truncated(format!(
                "{} bytes, shorter than a {what} header",
                data.len()
            )));
        }
        let (body, sum) = data.split_at(data.len() - 64);
        if Blake2b512::digest(body).as_slice() != sum {
            return Err(CeremonyError::Checksum);
        }
        let version = u32::from_le_bytes(body[8..12].try_into().expect("4 bytes"));
        if version == 0 || version > max_version {
            return Err(CeremonyError::UnsupportedVersion { what, version });
        }
        Ok(Reader {
            buf: body,
            pos: 12,
            version,
        })
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        if self.buf.len() - self.pos < n {
            return Err(CeremonyError::Truncated(format!("ends inside {what}")));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    /// Reads a u32.
    pub fn u32(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_le_bytes(
            self.take(4, what)?.try_into().expect("4"),
        ))
    }
    /// Reads a u64.
    pub fn u64(&mut self, what: &str) -> Result<u64> {
        Ok(u64::from_le_bytes(
            self.take(8, what)?.try_into().expect("8"),
        ))
    }
    /// Reads `N` raw bytes.
    pub fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        Ok(self.take(N, what)?.try_into().expect("N"))
    }
    /// Reads a digest.
    pub fn digest(&mut self, what: &str) -> Result<Digest> {
        self.array::<64>(what)
    }
    /// Reads a length-prefixed byte string of at most `max` bytes.
    pub fn bytes(&mut self, what: &str, max: usize) -> Result<Vec<u8>> {
        let n = self.u32(what)? as usize;
        if n > max {
            return Err(CeremonyError::Malformed {
                what: what.into(),
                reason: format!("length {n} > {max}"),
            });
        }
        Ok(self.take(n, what)?.to_vec())
    }
    /// Reads a length-prefixed UTF-8 string.
    pub fn string(&mut self, what: &str) -> Result<String> {
        String::from_utf8(self.bytes(what, 4096)?).map_err(|e| CeremonyError::Malformed {
            what: what.into(),
            reason: e.to_string(),
        })
    }
    /// Reads one arkworks value (validated).
    pub fn ark<T: CanonicalDeserialize>(&mut self, what: &str) -> Result<T> {
        let mut rest = &self.buf[self.pos..];
        let before = rest.len();
        let v =
            T::deserialize_with_mode(&mut rest, Compress::No, Validate::Yes).map_err(
                |e| match e {
                    ark_serialize::SerializationError::IoError(_) => {
                        CeremonyError::Truncated(format!("ends inside {what}"))
                    }
                    e => CeremonyError::Malformed {
                        what: what.into(),
                        reason: e.to_string(),
                    },
                },
            )?;
        self.pos += before - rest.len();
        Ok(v)
    }
    /// Reads a length-prefixed vector of arkworks values of the expected length, validated in parallel.
    pub fn ark_vec<T: CanonicalDeserialize + Send>(
        &mut self,
        what: &str,
        expected: usize,
    ) -> Result<Vec<T>> {
        use rayon::prelude::*;
        let n = self.u64(what)? as usize;
        if n != expected {
            return Err(CeremonyError::Malformed {
                what: what.into(),
                reason: format!("{n} elements, expected {expected}"),
            });
        }
        if n == 0 {
            return Ok(Vec::new());
        }
        // All elements of one type have the same uncompressed size.
        let mut probe = &self.buf[self.pos..];
        let before = probe.len();
        let _ = T::deserialize_with_mode(&mut probe, Compress::No, Validate::No)
            .map_err(|_| CeremonyError::Truncated(format!("ends inside {what}")))?;
        let size = before - probe.len();
        let all = self.take(size * n, what)?;
        all.par_chunks(size)
            .enumerate()
            .map(|(i, mut c)| {
                T::deserialize_with_mode(&mut c, Compress::No, Validate::Yes).map_err(|e| {
                    CeremonyError::Malformed {
                        what: format!("{what}[{i}]"),
                        reason: e.to_string(),
                    }
                })
            })
            .collect()
    }
    /// Fails unless the whole body was consumed.
    pub fn end(&self, what: &str) -> Result<()> {
        if self.pos != self.buf.len() {
            return Err(CeremonyError::Malformed {
                what: what.into(),
                reason: format!("{} unexpected trailing bytes", self.buf.len() - self.pos),
            });
        }
        Ok(())
    }
}

/// Writes `data` to `path` atomically: a sibling temp file is written, flushed to disk, then renamed over
/// `path`, so a crash leaves either the old file or the new one, never a partial file under the final name.
pub fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    let io = |source| CeremonyError::Io {
        path: path.display().to_string(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let res = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res.map_err(io)
}

/// Reads a whole file.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| CeremonyError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// BLAKE2b-512 of some bytes.
pub fn blake2b(data: &[u8]) -> Digest {
    Blake2b512::digest(data).into()
}
