#!/usr/bin/env python3
"""Writes the committed seed corpora of tests/fuzz/seeds/ (run from anywhere; deterministic).

proof_decode: a proof of curve generators (decodes), the shared vectors' proof cases
(circuits/encoding/vectors/encoding.json), identity / all-ones / short inputs.
prover_json: the WebAssembly prover's request vector (circuits/wasm/tests/vectors/dev-request.json),
variants of it, a response body, field-element strings.
facilitator_json: a /verify body carrying the generator proof, the payload alone, field strings.
program_ix: one valid instruction-data encoding of every instruction of the verifier program (Anchor
discriminator sha256("global:NAME")[:8] + borsh arguments; payments from the shared vectors' example,
the dev verifying key), plus near misses (truncated, a non-canonical nullifier, a forged Vec length)
and a proof-buffer account.
"""
import base64, hashlib, json, os, pathlib, struct

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests/fuzz/seeds"
Q = 0x30644E72E131A029B85045B68181585D97816A916871CA8D3C208C16D87CFD47
R = 0x30644E72E131A029B85045B68181585D2833E84879B9709143E1F593F0000001
be = lambda v: v.to_bytes(32, "big")
# -G1 generator (1, q-2), G2 generator (x.c1 | x.c0 | y.c1 | y.c0), G1 generator (1, 2).
G2 = [11559732032986387107991004021392285783925812861821192530917403151452391805634,
      10857046999023057135944570762232829481370756359578518086990519993285655852781,
      4082367875863433681332203403145435568316851327593401208105741076214120093531,
      8495653923123431417604973247489272438418190587263600148770280649306958101930]
GEN_PROOF = be(1) + be(Q - 2) + b"".join(be(c) for c in G2) + be(1) + be(2)


def write(target, name, data):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


vectors = json.loads((ROOT / "circuits/encoding/vectors/encoding.json").read_text())
write("proof_decode", "generators", GEN_PROOF)
for c in vectors["proof"]["cases"]:
    write("proof_decode", "vector-" + c["name"], bytes.fromhex(c["proof"][2:]))
write("proof_decode", "identity", bytes(256))
write("proof_decode", "ones", b"\xff" * 256)
write("proof_decode", "short", GEN_PROOF[:255])

req = json.loads((ROOT / "circuits/wasm/tests/vectors/dev-request.json").read_text())["request"]
write("prover_json", "request", json.dumps(req))
hexed = json.loads(json.dumps(req))
hexed["proofEncoding"] = "hex"
hexed["receipt"]["payTo"] = "0x" + "ab" * 32
hexed["receipt"]["amount"] = "18446744073709551615"
hexed["secret"] = "0x" + format(R - 1, "x")
write("prover_json", "request-hex-forms", json.dumps(hexed))
lower = json.loads(json.dumps(req))
sig = lower["receipt"]["signature"]
lower["receipt"]["signature"] = {"r8x": sig["R8x"], "R8y": sig["R8y"], "s": sig["S"]}
write("prover_json", "request-lower-case-signature", json.dumps(lower))
write("prover_json", "response", json.dumps({
    "proof": base64.b64encode(GEN_PROOF).decode(), "proofEncoding": "base64",
    "publicInputs": ["0x" + "00" * 31 + "05"], "nullifier": "0x" + "00" * 31 + "07", "now": 1760000600,
    "snarkjs": {"proof": {}, "publicSignals": ["5"]}}))
for i, s in enumerate([str(R - 1), str(R), "0x" + format(R, "x"), "0X1f", "0", "1" * 80]):
    write("prover_json", f"field-{i}", s)

reqs = {"scheme": "zk-receipt", "network": "solana:localnet", "asset": "11111111111111111111111111111111",
        "amount": "1000", "payTo": "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T", "maxTimeoutSeconds": 60,
        "extra": {"programId": "FjbRuvYkp2RZi2NwskuBh8aU6zp8eSsv4NsBDvL6Lrne", "maxAge": 600, "resourceHash": "0x01"}}
payload = {"proof": base64.b64encode(GEN_PROOF).decode(), "nullifier": "0x05", "now": 1760000600,
           "resourceHash": "0x01"}
write("facilitator_json", "verify", json.dumps({"x402Version": 2, "paymentPayload": {
    "x402Version": 2, "accepted": reqs, "payload": payload}, "paymentRequirements": reqs}))
write("facilitator_json", "payload", json.dumps(payload))
for i, s in enumerate([" 0x05 ", str(R), "0x" + "f" * 64, "12345678901234567890"]):
    write("facilitator_json", f"field-{i}", s)

# ---- program_ix ------------------------------------------------------------------------------------
disc = lambda name: hashlib.sha256(b"global:" + name.encode()).digest()[:8]
payment = bytes.fromhex(vectors["payment"]["example"]["bytes"][2:])
assert len(payment) == 328
GEN_PAYMENT = GEN_PROOF + struct.pack("<Q", 1760000600) + be(1) + be(5)
vec = lambda items: struct.pack("<I", len(items)) + b"".join(items)
vk = (ROOT / "keys/dev/solana_vk.bin").read_bytes()
attester = be(1) + be(2)
pay_to, asset = bytes(range(1, 33)), bytes(32)
ix = {
    "verify_payment": GEN_PAYMENT,
    "verify_payment-vector": payment,
    "verify_batch": vec([GEN_PAYMENT, payment]),
    "check_batch": vec([payment]),
    "verify_batch_from_buffer": b"",
    "write_proof_buffer": struct.pack("<I", 0) + vec([GEN_PAYMENT, payment]),
    "register_policy": pay_to + asset + struct.pack("<QQ", 1_000_000, 600),
    "close_policy": b"",
    "set_verifying_key": vk,
    "set_attester": attester,
    "set_paused": b"\x01",
    "set_max_clock_skew": struct.pack("<I", 60),
    "set_max_receipt_age": struct.pack("<I", 600),
    "initialize_config": attester + struct.pack("<II", 60, 600) + vk,
    "close_proof_buffer": b"",
    "init_proof_buffer": b"",
    "close_expired_nullifiers": b"",
    "sync_nullifier_rent": b"",
}
for name, body in ix.items():
    write("program_ix", name, disc(name.split("-")[0]) + body)
write("program_ix", "verify_payment-truncated", disc("verify_payment") + GEN_PAYMENT[:-1])
write("program_ix", "verify_payment-nullifier-r", disc("verify_payment") + GEN_PAYMENT[:-32] + be(R))
write("program_ix", "verify_batch-forged-len", disc("verify_batch") + struct.pack("<I", 0xFFFFFFFF) + payment)
write("program_ix", "set_paused-not-bool", disc("set_paused") + b"\x02")
write("program_ix", "proof-buffer-account", b"x402pbuf" + bytes(32) + struct.pack("<I", 328) + payment)
