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
