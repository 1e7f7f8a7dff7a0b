//! Shared by the prover's and the facilitator's OpenAPI tests (included with `#[path]`): `$ref`
//! resolution, schema compilation, and the deterministic malicious inputs (byte mutations of a valid
//! body, hostile strings and numbers, structural mutations) that each service's handlers must refuse
//! with a typed 4xx whenever its served schema refuses them.
#![allow(dead_code)]

use serde_json::{json, Value};

/// Every `$ref` in `v` names an existing component.
pub fn check_refs(doc: &Value, v: &Value, at: &str) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                let name = r
                    .strip_prefix("#/components/schemas/")
                    .unwrap_or_else(|| panic!("{at}: $ref {r} is not a component schema"));
                assert!(
                    doc["components"]["schemas"].get(name).is_some(),
                    "{at}: $ref {r} does not resolve"
                );
            }
            for (k, x) in m {
                check_refs(doc, x, &format!("{at}/{k}"));
            }
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| check_refs(doc, x, &format!("{at}/{i}"))),
        _ => {}
    }
}

/// A validator for component `name` of `doc` (draft 2020-12, the dialect of OpenAPI 3.1).
pub fn validator(doc: &Value, name: &str) -> jsonschema::Validator {
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/components/schemas/{name}"),
        "components": doc["components"],
    });
    jsonschema::options()
        .should_validate_formats(false)
        .build(&root)
        .unwrap_or_else(|e| panic!("schema {name} does not compile: {e}"))
}

/// Seeded, deterministic byte-level mutations of `base` (a JSON text): flips, insertions,
/// deletions, duplications, truncations, splices of hostile tokens. `n` inputs.
pub fn byte_mutations(base: &str, seed: u64, n: usize) -> Vec<Vec<u8>> {
    let mut s = seed | 1;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    const TOKENS: &[&str] = &[
        "null",
        "true",
        "-0",
        "1e999",
        "-1",
        "18446744073709551616",
        "\"\\u0000\"",
        "\"\\ud800\"",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        "{\"a\":",
        "\"0x\"",
        "\"💥\"",
        ",",
        ":",
        "}",
        "]",
        "\"11111111111111111111111111111111\"",
        "0.5",
        "\"\"",
        "{}",
        "[]",
    ];
    let b = base.as_bytes();
    (0..n)
        .map(|_| {
            let mut v = b.to_vec();
            for _ in 0..1 + next() % 4 {
                let len = v.len().max(1);
                let i = (next() as usize) % len;
                match next() % 7 {
                    0 if !v.is_empty() => {
                        let at = i.min(v.len() - 1);
                        v[at] ^= 1 << (next() % 8);
                    }
                    1 => v.insert(i.min(v.len()), (next() % 256) as u8),
                    2 if !v.is_empty() => {
                        let j = (i + (next() as usize) % 16).min(v.len());
                        v.drain(i.min(v.len())..j);
                    }
                    3 => {
                        let j = (i + (next() as usize) % 64).min(v.len());
                        let chunk = v[i.min(v.len())..j].to_vec();
                        let at = (next() as usize) % (v.len() + 1);
                        v.splice(at..at, chunk);
                    }
                    4 => v.truncate(i),
                    _ => {
                        let t = TOKENS[(next() as usize) % TOKENS.len()].as_bytes();
                        let at = i.min(v.len());
                        let j = (at + (next() as usize) % 12).min(v.len());
                        v.splice(at..j, t.iter().copied());
                    }
                }
            }
            v
        })
        .collect()
}

/// Bad values for each kind of wire field: encodings the parsers refuse, wrong JSON types.
pub fn bad_strings() -> Vec<Value> {
    let r = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
    vec![
        json!(""),
        json!("not-base58-0OIl"),
        json!("0x"),
        json!("0xabcd"),
        json!(format!("0x{}", "g".repeat(64))),
        json!(format!("0x{}", "a".repeat(65))),
        json!("-1"),
        json!("1e3"),
        json!(" 12"),
        json!("1".repeat(81)),
        json!(r),
        json!(format!("0x{}", "f".repeat(64))),
        json!("💥"),
        json!(12345),
        json!(-1),
        json!(1.5),
        json!(null),
        json!(true),
        json!([]),
        json!({}),
    ]
}

pub fn bad_u64s() -> Vec<Value> {
    vec![
        json!(-1),
        json!(1.5),
        json!("0x10"),
        json!("18446744073709551616"),
        json!(18446744073709551616.0),
        json!(""),
        json!(" 1"),
        json!(null),
        json!([1]),
        json!({"n": 1}),
    ]
}

/// Mutations of `base`: every leaf replaced by bad values of its kind, every key removed, an
/// unknown key added to every object, and whole-body type confusion.
pub fn mutations(base: &Value) -> Vec<Value> {
    fn walk(path: &mut Vec<String>, v: &Value, out: &mut Vec<(Vec<String>, Value)>) {
        if let Value::Object(m) = v {
            for (k, x) in m {
                path.push(k.clone());
                out.push((path.clone(), x.clone()));
                walk(path, x, out);
                path.pop();
            }
        }
    }
    fn set(v: &mut Value, path: &[String], new: Option<Value>) {
        let (last, parents) = path.split_last().unwrap();
        let mut cur = v;
        for p in parents {
            cur = cur.get_mut(p).unwrap();
        }
        let m = cur.as_object_mut().unwrap();
        match new {
            Some(n) => {
                m.insert(last.clone(), n);
            }
            None => {
                m.remove(last);
            }
        }
    }
    let mut leaves = Vec::new();
    walk(&mut Vec::new(), base, &mut leaves);
    let mut out = Vec::new();
    for (path, value) in &leaves {
        let bads = if value.is_number() || path.last().is_some_and(|k| k == "amount") {
            bad_u64s()
        } else {
            bad_strings()
        };
        for b in bads {
            let mut m = base.clone();
            set(&mut m, path, Some(b));
            out.push(m);
        }
        let mut m = base.clone();
        set(&mut m, path, None);
        out.push(m);
        if value.is_object() {
            let mut m = base.clone();
            let mut p = path.clone();
            p.push("unexpected".into());
            set(&mut m, &p, Some(json!(1)));
            out.push(m);
        }
    }
    let mut m = base.clone();
    m["unexpected"] = json!("x");
    out.push(m);
    out.extend([json!(null), json!([]), json!("x"), json!(1), json!({})]);
    out
}

/// Mutations per route: `HTTP_FUZZ_RUNS` (the long run of `scripts/load.sh fuzz`), default and
/// minimum 1,000 (the CI size, what the issue asks of every surface).
pub fn fuzz_runs() -> usize {
    std::env::var("HTTP_FUZZ_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
        .max(1000)
}

/// One HTTP surface's fuzz answers, written for READINESS.md: `fuzz-http-SLUG.json` in
/// `$READINESS_DIR` (relative to the workspace root; default `target/readiness`), one file per
/// surface so concurrent test binaries never write the same file. scripts/readiness.py merges
/// every `fuzz*.json`.
pub struct SurfaceTally {
    name: String,
    started: std::time::Instant,
    inputs: u64,
    status5xx: u64,
    documented5xx: u64,
    statuses: std::collections::BTreeMap<String, u64>,
    reasons: std::collections::BTreeMap<String, u64>,
}

impl SurfaceTally {
    pub fn new(name: &str) -> Self {
        SurfaceTally {
            name: name.to_string(),
            started: std::time::Instant::now(),
            inputs: 0,
            status5xx: 0,
            documented5xx: 0,
            statuses: Default::default(),
            reasons: Default::default(),
        }
    }

    /// One answer. `documented_5xx`: a 5xx the route documents for this case (the attester's 503
    /// when its RPC is down), counted in `statuses` but not as a failure.
    pub fn record(&mut self, status: u16, reason: &str, documented_5xx: bool) {
        self.inputs += 1;
        if status >= 500 {
            if documented_5xx {
                self.documented5xx += 1;
            } else {
                self.status5xx += 1;
            }
        }
        *self.statuses.entry(status.to_string()).or_default() += 1;
        *self.reasons.entry(reason.to_string()).or_default() += 1;
    }

    /// Writes the result (the assertions of the test decide pass or fail; this only reports).
    pub fn write(&self, slug: &str, seed: u64, command: &str, how: &str) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .find(|d| d.join("Anchor.toml").exists())
            .expect("the workspace root (Anchor.toml) above the crate")
            .to_path_buf();
        let dir = match std::env::var("READINESS_DIR") {
            Ok(d) if !d.is_empty() => root.join(d),
            _ => root.join("target/readiness"),
        };
        let loadavg: Vec<f64> = std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .filter_map(|x| x.parse().ok())
            .collect();
        let unix = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let doc = json!({ "surfaces": { &self.name: {
            "inputs": self.inputs,
            "status5xx": self.status5xx,
            "documented5xx": self.documented5xx,
            "panics": 0,
            "statuses": self.statuses,
            "reasons": self.reasons,
            "seed": seed,
            "seconds": self.started.elapsed().as_secs_f64(),
            "command": command,
            "how": how,
            "unixTime": unix,
            "machine": {
                "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
                "loadavg": loadavg,
            },
        }}});
        std::fs::create_dir_all(&dir).expect("readiness dir");
        let file = dir.join(format!("fuzz-http-{slug}.json"));
        std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap() + "\n")
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }
}
