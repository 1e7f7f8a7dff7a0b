//! Groth16 over BN254 with `ark-groth16`: dev key setup, key files, prove and verify.
//!
//! **Dev keys are unsafe for production**: [`ProvingKeys::dev_setup`] samples the toxic waste from the caller's
//! RNG, so whoever ran it can forge proofs. Key files carry a provenance tag (`"dev"` here); production keys come
//! from the ceremony and must carry another tag.

use crate::circuit::ReceiptCircuit;
use crate::error::{Error, Result};
use crate::field::{fr_to_be_bytes, fr_to_decimal};
use crate::msm::prover::{PrepareError, PreparedProver};
use crate::receipt::{PublicParams, Witness};
use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, PreparedVerifyingKey, Proof, ProvingKey, VerifyingKey};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_snark::SNARK;
use ark_std::rand::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// Provenance tag written by [`ProvingKeys::dev_setup`].
pub const DEV_PROVENANCE: &str = "dev";
/// Seed of the deterministic dev setup ([`ProvingKeys::dev_setup_deterministic`]); the program's
/// committed dev key `keys/dev/solana_vk.bin` comes from it. INSECURE by construction: local networks and tests only.
pub const DEV_SETUP_SEED: u64 = 0x0402_2e70;
/// Identifies the statement a key belongs to; bump when the circuit changes.
pub const CIRCUIT_ID: &str = "x402-zk-receipt-v1";
/// File names inside a key directory.
pub const PK_FILE: &str = "receipt.pk";
/// Verifying key file name.
pub const VK_FILE: &str = "receipt.vk";

const PK_MAGIC: &[u8; 8] = b"X402ZKPK";
const VK_MAGIC: &[u8; 8] = b"X402ZKVK";
const FORMAT_VERSION: u32 = 1;

/// A verifying key, prepared once for fast repeated verification.
#[derive(Clone, Debug)]
pub struct VerifierKey {
    /// The raw verifying key (exports use it).
    pub vk: VerifyingKey<Bn254>,
    /// Prepared form (pairing-ready), computed once at load.
    pub pvk: PreparedVerifyingKey<Bn254>,
    /// Provenance tag from the key file (`"dev"` for unsafe dev keys).
    pub provenance: String,
}

impl VerifierKey {
    /// Wraps a verifying key, preparing it once.
    pub fn new(vk: VerifyingKey<Bn254>, provenance: &str) -> Self {
        let pvk = ark_groth16::prepare_verifying_key(&vk);
        VerifierKey {
            vk,
            pvk,
            provenance: provenance.to_string(),
        }
    }

    /// Loads and validates (subgroup checks) a verifying key file.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = read(path)?;
        let (prov, body) = parse_header(&bytes, VK_MAGIC)?;
        let vk = VerifyingKey::<Bn254>::deserialize_compressed(body)?;
        Ok(Self::new(vk, &prov))
    }

    /// Writes the verifying key file (compressed points).
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut body = Vec::new();
        self.vk.serialize_compressed(&mut body)?;
        write(path, &with_header(VK_MAGIC, &self.provenance, &body))
    }
}

/// Proving key plus prepared verifying key: load once, prove many times.
///
/// The first proof (or [`ProvingKeys::prepare`]) also builds the prepared prover (constraint matrices and
/// fixed-base MSM tables, [`PreparedProver`]) once; clones share it. Do not modify `pk` after that.
#[derive(Clone, Debug)]
pub struct ProvingKeys {
    /// Groth16 proving key.
    pub pk: ProvingKey<Bn254>,
    /// Verifier side.
    pub verifier: VerifierKey,
    prepared: Arc<OnceLock<std::result::Result<PreparedProver, PrepareError>>>,
    /// The matrices alone ([`PreparedProver::without_tables`]), for [`prove_without_tables`].
    prepared_without_tables: Arc<OnceLock<std::result::Result<PreparedProver, PrepareError>>>,
}

impl ProvingKeys {
    /// Keys from a proving key and its verifier side.
    pub fn new(pk: ProvingKey<Bn254>, verifier: VerifierKey) -> Self {
        ProvingKeys {
            pk,
            verifier,
            prepared: Arc::default(),
            prepared_without_tables: Arc::default(),
        }
    }

    /// The prepared prover, built on first use (≈ 1–3 s natively, see `circuits/BENCHMARKS-circuit.md`).
    pub fn prepared(&self) -> Result<&PreparedProver> {
        self.prepared
            .get_or_init(|| PreparedProver::new(&self.pk, ReceiptCircuit::blank()))
            .as_ref()
            .map_err(|e| Error::KeyFile(e.to_string()))
    }

    /// The prepared prover without fixed-base tables (the matrices only: milliseconds), built on first use.
    pub fn prepared_without_tables(&self) -> Result<&PreparedProver> {
        self.prepared_without_tables
            .get_or_init(|| PreparedProver::without_tables(&self.pk, ReceiptCircuit::blank()))
            .as_ref()
            .map_err(|e| Error::KeyFile(e.to_string()))
    }

    /// Builds the prepared prover now (a service calls this at start so the first request does not pay it).
    pub fn prepare(&self) -> Result<()> {
        self.prepared().map(|_| ())
    }

    /// **UNSAFE FOR PRODUCTION.** Circuit-specific setup with toxic waste from `rng`; provenance `"dev"`.
    /// The deterministic dev keys: the setup behind the committed `keys/dev/solana_vk.bin`, so local
    /// tests, the demo and the program agree. Anyone can recompute their toxic waste.
    pub fn dev_setup_deterministic() -> Result<Self> {
        use ark_std::rand::{rngs::StdRng, SeedableRng};
        Self::dev_setup(&mut StdRng::seed_from_u64(DEV_SETUP_SEED))
    }

    pub fn dev_setup<Rn: RngCore + CryptoRng>(rng: &mut Rn) -> Result<Self> {
        let (pk, vk) = Groth16::<Bn254>::circuit_specific_setup(ReceiptCircuit::blank(), rng)?;
        Ok(ProvingKeys::new(pk, VerifierKey::new(vk, DEV_PROVENANCE)))
    }

    /// Provenance tag.
    pub fn provenance(&self) -> &str {
        &self.verifier.provenance
    }

    /// Writes `receipt.pk` (uncompressed, fast to load) and `receipt.vk` (compressed) into `dir`.
    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
        let mut body = Vec::new();
        self.pk.serialize_uncompressed(&mut body)?;
        write(
            &dir.join(PK_FILE),
            &with_header(PK_MAGIC, self.provenance(), &body),
        )?;
        self.verifier.save(&dir.join(VK_FILE))
    }

    /// Loads keys written by [`ProvingKeys::save`]. The proving key body is integrity-checked with the SHA-256 in
    /// its header and then read without per-point subgroup checks (it is a local, trusted file; a bad proving key can
    /// only produce proofs that fail verification). The verifying key is fully validated.
    pub fn load(dir: &Path) -> Result<Self> {
        let (prov, pk) = parse_pk(&read(&dir.join(PK_FILE))?)?;
        let verifier = VerifierKey::load(&dir.join(VK_FILE))?;
        if verifier.provenance != prov {
            return Err(Error::KeyFile(
                "proving and verifying key provenance differ".into(),
            ));
        }
        if pk.vk != verifier.vk {
            return Err(Error::KeyFile(
                "proving key does not match verifying key".into(),
            ));
        }
        Ok(ProvingKeys::new(pk, verifier))
    }

    /// Parses the bytes of a `receipt.pk` file alone (what a client downloads): the verifying key is the
    /// one the proving key embeds, validated (subgroup checks); the rest is integrity-checked with the
    /// header's SHA-256 and read unchecked, as in [`ProvingKeys::load`]. Trust comes from comparing
    /// `export::solana::vk(&keys.verifier.vk).sha256()` with the on-chain key hash, not from the source.
    pub fn from_pk_bytes(bytes: &[u8]) -> Result<Self> {
        let (prov, pk) = parse_pk(bytes)?;
        ark_serialize::Valid::check(&pk.vk)?;
        let verifier = VerifierKey::new(pk.vk.clone(), &prov);
        Ok(ProvingKeys::new(pk, verifier))
    }
}

fn parse_pk(bytes: &[u8]) -> Result<(String, ProvingKey<Bn254>)> {
    let (prov, body) = parse_header(bytes, PK_MAGIC)?;
    let pk = ProvingKey::<Bn254>::deserialize_uncompressed_unchecked(body)?;
    Ok((prov, pk))
}

/// A proof with the public values it proves.
#[derive(Clone, Debug, PartialEq)]
pub struct ProofBundle {
    /// The Groth16 proof.
    pub proof: Proof<Bn254>,
    /// The single public input.
    pub pub_hash: Fr,
    /// The nullifier (also hashed into `pub_hash`).
    pub nullifier: Fr,
}

impl ProofBundle {
    /// groth16-solana layout: `-A (64) || B (128) || C (64)`, big-endian.
    pub fn solana_proof_bytes(&self) -> [u8; 256] {
        crate::export::solana::proof_bytes(&self.proof)
    }

    /// The public input as 32 big-endian bytes.
    pub fn public_input_bytes(&self) -> [u8; 32] {
        fr_to_be_bytes(&self.pub_hash)
    }

    /// The nullifier as 32 big-endian bytes.
    pub fn nullifier_bytes(&self) -> [u8; 32] {
        fr_to_be_bytes(&self.nullifier)
    }

    /// snarkjs `proof.json`.
    pub fn snarkjs_proof_json(&self) -> serde_json::Value {
        crate::export::snarkjs::proof_json(&self.proof)
    }

    /// snarkjs `public.json`.
    pub fn snarkjs_public_json(&self) -> serde_json::Value {
        serde_json::json!([fr_to_decimal(&self.pub_hash)])
    }
}

/// Proves a witness. Checks the statement natively first so a bad witness gets a named error instead of a
/// failed proof. Uses the prepared prover ([`ProvingKeys::prepared`]: cached matrices, fixed-base MSM tables);
/// for the same `rng` state the proof equals [`prove_reference`]'s byte for byte.
pub fn prove<Rn: RngCore + CryptoRng>(
    keys: &ProvingKeys,
    w: &Witness,
    rng: &mut Rn,
) -> Result<ProofBundle> {
    let prepared = keys.prepared()?;
    prove_inner(w, |c| prepared.prove(&keys.pk, c, rng))
}

/// [`prove`] without the fixed-base tables: cached matrices and table-free MSMs (signed digits,
/// batch-affine buckets, [`crate::msm::var`]). For a client that proves a few receipts per key load
/// (the WebAssembly prover, where building the tables takes ≈ 22 s). For the same `rng` state the
/// proof equals [`prove_reference`]'s byte for byte.
pub fn prove_without_tables<Rn: RngCore + CryptoRng>(
    keys: &ProvingKeys,
    w: &Witness,
    rng: &mut Rn,
) -> Result<ProofBundle> {
    let prepared = keys.prepared_without_tables()?;
    prove_inner(w, |c| prepared.prove(&keys.pk, c, rng))
}

/// [`prove`] through `ark-groth16`'s own prover (generic MSMs, synthesis with matrices every time): the
/// reference the fast path is tested and benchmarked against.
pub fn prove_reference<Rn: RngCore + CryptoRng>(
    keys: &ProvingKeys,
    w: &Witness,
    rng: &mut Rn,
) -> Result<ProofBundle> {
    prove_inner(w, |c| Groth16::<Bn254>::prove(&keys.pk, c, rng))
}

fn prove_inner(
    w: &Witness,
    prove: impl FnOnce(
        ReceiptCircuit,
    ) -> std::result::Result<Proof<Bn254>, ark_relations::gr1cs::SynthesisError>,
) -> Result<ProofBundle> {
    w.check()?;
    let nullifier = w.nullifier();
    let pub_hash = w.public.pub_hash(&nullifier);
    let proof = prove(ReceiptCircuit::new(w))?;
    Ok(ProofBundle {
        proof,
        pub_hash,
        nullifier,
    })
}

/// Verifies a proof for the given public parameters and nullifier (recomputes `pubHash`).
pub fn verify(
    vk: &VerifierKey,
    public: &PublicParams,
    nullifier: &Fr,
    proof: &Proof<Bn254>,
) -> Result<()> {
    verify_pub_hash(vk, &public.pub_hash(nullifier), proof)
}

/// Verifies a proof against an already computed public input.
pub fn verify_pub_hash(vk: &VerifierKey, pub_hash: &Fr, proof: &Proof<Bn254>) -> Result<()> {
    match Groth16::<Bn254>::verify_with_processed_vk(&vk.pvk, &[*pub_hash], proof) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Error::ProofRejected),
        Err(e) => Err(e.into()),
    }
}

fn io_err(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        source,
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| io_err(path, e))
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
    }
    std::fs::write(path, bytes).map_err(|e| io_err(path, e))
}

/// Header: magic (8) || version u32 LE || circuit id len u16 LE || id || provenance len u16 LE || provenance ||
/// sha256(body) (32) || body.
fn with_header(magic: &[u8; 8], provenance: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 128);
    out.extend_from_slice(magic);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    for s in [CIRCUIT_ID, provenance] {
        out.extend_from_slice(&(s.len() as u16).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    }
    out.extend_from_slice(&Sha256::digest(body));
    out.extend_from_slice(body);
    out
}

fn parse_header<'a>(bytes: &'a [u8], magic: &[u8; 8]) -> Result<(String, &'a [u8])> {
    let bad = |m: &str| Error::KeyFile(m.to_string());
    if bytes.len() < 12 || &bytes[..8] != magic {
        return Err(bad("bad magic (not an x402-zk key file of this kind)"));
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version != FORMAT_VERSION {
        return Err(Error::KeyFile(format!(
            "unsupported format version {version}"
        )));
    }
    let mut rest = &bytes[12..];
    let mut strings = Vec::new();
    for _ in 0..2 {
        if rest.len() < 2 {
            return Err(bad("truncated header"));
        }
        let n = u16::from_le_bytes([rest[0], rest[1]]) as usize;
        let s = rest.get(2..2 + n).ok_or_else(|| bad("truncated header"))?;
        strings.push(String::from_utf8(s.to_vec()).map_err(|_| bad("header is not utf-8"))?);
        rest = &rest[2 + n..];
    }
    if strings[0] != CIRCUIT_ID {
        return Err(Error::KeyFile(format!(
            "key is for circuit {:?}, expected {CIRCUIT_ID:?}",
            strings[0]
        )));
    }
    if rest.len() < 32 {
        return Err(bad("truncated header"));
    }
    let (digest, body) = rest.split_at(32);
    if Sha256::digest(body).as_slice() != digest {
        return Err(bad("body checksum mismatch (corrupt or truncated file)"));
    }
    Ok((strings.remove(1), body))
}
