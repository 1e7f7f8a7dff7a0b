#!/usr/bin/env bash
# Checks the x402 scheme documents (docs/x402/scheme_zk_receipt*.md) against the code they describe.
#
# Each checked table in the documents sits between `<!-- check:begin NAME -->` and
# `<!-- check:end NAME -->`. This script re-extracts the same facts from the sources (Rust program,
# facilitator, circuits, TypeScript SDK, the synced IDL) and fails when a document and the code
# disagree: reason words, attester problem types, seeds and constants, the pubHash order (program,
# native twin and circuit), account and instruction-data layouts, instruction/account/event
# discriminators (sha256 and the IDL), program error codes, payload and `extra` fields, the proof's G2
# coordinate order and the resource-binding vector. It also checks that every `path:line` citation
# names a file and lines that exist at the commit the documents cite.
#
# Usage: bash docs/x402/check.sh        (from anywhere; reads only, writes nothing; exit 1 on mismatch)
set -eu

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

# The documents (overridable, so a copy can be checked, e.g. to see the check fail on a mutation).
GEN=${X402_DOC_GEN:-docs/x402/scheme_zk_receipt.md}
SVM=${X402_DOC_SVM:-docs/x402/scheme_zk_receipt_svm.md}
PROG=programs/x402-zk-verifier/src
FAC=prover-service/facilitator/src
ENC=circuits/encoding/src
# The x402-zk-encoding crate owns seeds, layouts, the pubHash order, reason words and the memo prefix;
# its test writes them to this file (and fails when it differs from the code), so the docs are read against it.
VEC=circuits/encoding/vectors/encoding.json
IDL=app/src/idl/x402_zk_verifier.json
CITED_COMMIT=623bb75

fails=0
passes=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
pass() { passes=$((passes + 1)); }
# same WHAT DOC CODE
same() {
  if [ "$2" == "$3" ]; then pass; else fail "$1: document says [$2], code says [$3]"; fi
}
# agree WHAT LABEL_A A LABEL_B B: two sources in the code must agree.
agree() {
  if [ "$3" == "$5" ]; then pass; else fail "$1: $2 says [$3], $4 says [$5]"; fi
}
# nonempty WHAT VALUE: an extraction from the code must find something (else the code moved).
nonempty() {
  if [ -n "$2" ]; then pass; else fail "$1: not found in the code (did it move? update check.sh)"; fi
}

sha8() {
  if command -v sha256sum >/dev/null; then printf '%s' "$1" | sha256sum | cut -c1-16
  else printf '%s' "$1" | shasum -a 256 | cut -c1-16; fi
}
sha_hex() {
  if command -v sha256sum >/dev/null; then printf '%s' "$1" | sha256sum | cut -d' ' -f1
  else printf '%s' "$1" | shasum -a 256 | cut -d' ' -f1; fi
}

# section FILE NAME: the table rows between the markers, without the header and separator rows.
section() {
  local rows
  rows=$(sed -n "/<!-- check:begin $2 -->/,/<!-- check:end $2 -->/p" "$1" | grep '^|' | sed '1,2d' || true)
  if [ -z "$rows" ]; then fail "$1: no table between check markers '$2'"; fi
  printf '%s\n' "$rows"
}
# col N: column N (1-based) of table rows, trimmed, backticks removed.
col() {
  awk -F'|' -v n="$1" '{ v = $(n + 1); gsub(/`/, "", v); sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v); print v }'
}
lines() { tr ' ' '\n' | sed '/^$/d'; }
joined() { paste -sd' ' -; }

# Every checked table must be present (a missing one would otherwise make its loop check nothing).
for spec in "$GEN:reasons" "$GEN:payload" "$GEN:requirements-extra" "$GEN:supported-extra" \
  "$GEN:resource-vector" "$SVM:constants" "$SVM:attester-problems" "$SVM:pubhash" "$SVM:proof-layout" \
  "$SVM:vk-layout" "$SVM:verify-payment-data" "$SVM:verify-payment-accounts" "$SVM:nullifier-layout" \
  "$SVM:config-layout" "$SVM:discriminators" "$SVM:events" "$SVM:errors"; do
  file=${spec%:*}; name=${spec##*:}
  rows=$(sed -n "/<!-- check:begin $name -->/,/<!-- check:end $name -->/p" "$file" | grep -c '^|' || true)
  if [ "$rows" -ge 3 ]; then pass; else fail "$file: table '$name' missing or empty"; fi
done

# ---------------------------------------------------------------------------------------------
# Scheme name
code_scheme_rs=$(sed -n 's/^pub const SCHEME: &str = "\(.*\)";/\1/p' $FAC/x402.rs)
code_scheme_ts=$(sed -n 's/^export const ZK_RECEIPT_SCHEME = "\(.*\)";/\1/p' app/src/zk-receipt/types.ts)
nonempty "scheme name" "$code_scheme_rs"
agree "scheme name" x402.rs "$code_scheme_rs" types.ts "$code_scheme_ts"
same "scheme name ($GEN title)" "$(sed -n '1s/^# Scheme: `\(.*\)`$/\1/p' $GEN)" "$code_scheme_rs"
same "scheme name ($SVM title)" "$(sed -n '1s/^# Scheme: `\(.*\)` on `SVM`$/\1/p' $SVM)" "$code_scheme_rs"

# ---------------------------------------------------------------------------------------------
# Reason words (x402-zk-encoding `Reason::as_str`, via the vectors)
code_reasons=$(jq -r '.reasons[].word' $VEC | sort | joined)
doc_reasons=$(section $GEN reasons | col 1 | sort | joined)
nonempty "reason words" "$code_reasons"
same "reason words ($GEN 'reasons')" "$doc_reasons" "$code_reasons"

# ---------------------------------------------------------------------------------------------
# Attester problem types and HTTP statuses (attester.rs `slug` / `status`)
attester_table=$(awk '
  /pub fn slug\(/   { mode = "slug" }
  /pub fn status\(/ { mode = "status" }
  mode == "slug" && /AttestError::[A-Za-z]+.* => "/ {
    match($0, /AttestError::[A-Za-z]+/); v = substr($0, RSTART + 13, RLENGTH - 13)
    match($0, /"[a-z-]+"/); slug[v] = substr($0, RSTART + 1, RLENGTH - 2); order[++n] = v
  }
  mode == "status" && /AttestError::[A-Za-z]+.* => [0-9]+/ {
    match($0, /AttestError::[A-Za-z]+/); v = substr($0, RSTART + 13, RLENGTH - 13)
    match($0, /=> [0-9]+/); st[v] = substr($0, RSTART + 3, RLENGTH - 3)
  }
  mode == "status" && /_ => [0-9]+/ { match($0, /[0-9]+/); dflt = substr($0, RSTART, RLENGTH) }
  mode == "status" && /^    }$/ { mode = "" }
  END { for (i = 1; i <= n; i++) { v = order[i]; print slug[v] " " (v in st ? st[v] : dflt) } }
' $FAC/attester.rs | sort | joined)
doc_attester=$(section $SVM attester-problems | awk -F'|' '{ a = $2; b = $3; gsub(/[` ]/, "", a); gsub(/ /, "", b); print a " " b }' | sort | joined)
nonempty "attester problem types" "$attester_table"
same "attester problem types and statuses ($SVM 'attester-problems')" "$doc_attester" "$attester_table"

# ---------------------------------------------------------------------------------------------
# Constants
strip_us() { tr -d '_'; }
code_const() {
  case "$1" in
    CONFIG_SEED) jq -r .seeds.config $VEC ;;
    NULLIFIER_SEED) jq -r .seeds.nullifier $VEC ;;
    VK_SEED) jq -r .seeds.vk $VEC ;;
    MEMO_PREFIX)
      local rs ts
      rs=$(jq -r .memoPrefix $VEC)
      ts=$(sed -n 's/^export const MEMO_PREFIX = "\(.*\)";/\1/p' app/src/encoding.ts)
      [ "$rs" == "$ts" ] && echo "$rs" || echo "Rust:$rs/TS:$ts" ;;
    NATIVE_SOL)
      local rs ts
      rs=$(sed -n 's/^pub const NATIVE_SOL: &str = "\(.*\)";/\1/p' $FAC/attester.rs)
      ts=$(sed -n 's/^export const NATIVE_SOL_ASSET = "\(.*\)";/\1/p' app/src/encoding.ts)
      [ "$rs" == "$ts" ] && echo "$rs" || echo "Rust:$rs/TS:$ts" ;;
    MEMO_PROGRAM_V2)
      local rs ts
      rs=$(sed -n '/^pub const MEMO_PROGRAM_IDS/,/^];/p' $FAC/attester.rs | grep -o '"[1-9A-HJ-NP-Za-km-z]*"' | sed -n '1s/"//gp')
      ts=$(sed -n 's/^export const MEMO_PROGRAM_ID = new PublicKey("\(.*\)");/\1/p' app/src/chain.ts)
      [ "$rs" == "$ts" ] && echo "$rs" || echo "Rust:$rs/TS:$ts" ;;
    MEMO_PROGRAM_V1)
      sed -n '/^pub const MEMO_PROGRAM_IDS/,/^];/p' $FAC/attester.rs | grep -o '"[1-9A-HJ-NP-Za-km-z]*"' | sed -n '2s/"//gp' ;;
    MAX_RECEIPT_AGE_SECONDS) sed -n 's/^pub const MAX_RECEIPT_AGE_SECONDS: u32 = \([0-9_]*\);/\1/p' $PROG/state.rs | strip_us ;;
    MAX_ALLOWED_CLOCK_SKEW_SECONDS) sed -n 's/^pub const MAX_ALLOWED_CLOCK_SKEW_SECONDS: u32 = \([0-9_]*\);/\1/p' $PROG/state.rs | strip_us ;;
    PaymentProof::LEN) jq -r .payment.len $VEC ;;
    Nullifier::RENT_PAYER_OFFSET) jq -r .accounts.nullifier.rentPayerOffset $VEC ;;
    EXPIRES_AT_OFFSET) jq -r .accounts.nullifier.expiresAtOffset $VEC ;;
    MAX_PROOFS_PER_BATCH) sed -n 's/^pub const MAX_PROOFS_PER_BATCH: usize = \([0-9_]*\);/\1/p' $PROG/instructions/verify_batch.rs | strip_us ;;
    TRANSCRIPT_TAG) sed -n 's/^pub const TRANSCRIPT_TAG: &\[u8\] = b"\(.*\)";/\1/p' $PROG/batch.rs ;;
    PROOF_BUFFER_MAGIC) jq -r .proofBuffer.magic $VEC ;;
    MAX_TX_BYTES) sed -n 's/^pub const MAX_TX_BYTES: usize = \([0-9_]*\);/\1/p' $FAC/batch.rs | strip_us ;;
    EXPIRY_GRACE_SECS) sed -n 's/^pub const EXPIRY_GRACE_SECS: i64 = \([0-9_]*\);/\1/p' $FAC/sweep.rs | strip_us ;;
    MAX_PAIRS_PER_TX) sed -n 's/^pub const MAX_PAIRS_PER_TX: u16 = \([0-9_]*\);/\1/p' $FAC/sweep.rs | strip_us ;;
    UNCERTAIN_TTL) sed -n 's/^pub const UNCERTAIN_TTL: Duration = Duration::from_secs(\([0-9_]*\));/\1/p' $FAC/claims.rs | strip_us ;;
    *) echo "<no extractor in check.sh>" ;;
  esac
}
while IFS=$'\t' read -r name value; do
  code=$(code_const "$name")
  nonempty "constant $name" "$code"
  same "constant $name ($SVM 'constants')" "$value" "$code"
done < <(section $SVM constants | awk -F'|' '{ a = $2; b = $3; gsub(/[` ]/, "", a); gsub(/[` ]/, "", b); print a "\t" b }')

# The compute-unit limits the facilitator and the SDK request (x402-zk-encoding's compute module,
# through the vectors; quoted in prose with thousands separators).
commas() { sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta' <<<"$1"; }
for key in verifyPaymentFirstTry perBumpTry registerPolicy bufferBatchBase bufferBatchPerProof \
  inlineBatchBase inlineBatchPerProof max; do
  v=$(jq -r ".compute.$key" $VEC)
  nonempty "compute-unit figure $key (x402-zk-encoding)" "$v"
  grep -qF "$(commas "$v")" $SVM && pass \
    || fail "$SVM: compute-unit figure $key = $v (circuits/encoding/src/compute.rs) not stated"
done
grep -qF "·1.0$(jq -r '.compute.marginPercent' $VEC)" $SVM && pass || fail "$SVM: the compute-unit margin (marginPercent) not stated"

# ---------------------------------------------------------------------------------------------
# policyHash and pubHash orders: the program, the native twin and the circuit must agree with the
# document.
names() { sed -e 's/^attesterX$/Ax/' -e 's/^attesterY$/Ay/' -e 's/^payToHi$/payTo_hi/' -e 's/^payToLo$/payTo_lo/' \
  -e 's/^assetHi$/asset_hi/' -e 's/^assetLo$/asset_lo/'; }
prog_policy=$(jq -r '.policyHashOrder[]' $VEC | names | joined)
doc_policy=$(section $SVM policyhash | col 2 | joined)
nonempty "policyHash order (x402-zk-encoding)" "$prog_policy"
same "policyHash order ($SVM 'policyhash' vs x402-zk-encoding PolicyHashInputs::ordered)" "$doc_policy" "$prog_policy"
same "policyHash arity" "$(echo "$doc_policy" | wc -w | tr -d ' ')" "9"
prog_order=$(jq -r '.pubHashOrder[]' $VEC | names | joined)
doc_order=$(section $SVM pubhash | col 2 | joined)
nonempty "pubHash order (x402-zk-encoding)" "$prog_order"
same "pubHash order ($SVM 'pubhash' vs x402-zk-encoding PubHashInputs::ordered)" "$doc_order" "$prog_order"
# The program, the native twin and the circuit take the orders from those functions.
for f in $PROG/public_input.rs circuits/src/receipt.rs circuits/src/circuit.rs; do
  grep -q 'PubHashInputs {' "$f" && pass || fail "$f: does not build its pubHash inputs with x402_zk_encoding::PubHashInputs"
  grep -q 'PolicyHashInputs' "$f" && pass || fail "$f: does not build its policyHash inputs with x402_zk_encoding::PolicyHashInputs"
done
same "pubHash arity" "$(echo "$doc_order" | wc -w | tr -d ' ')" "4"
gen_text=$(tr '\n' ' ' <$GEN | sed 's/  */ /g')
for gen_list in "policyHash = Poseidon($(echo "$prog_policy" | sed 's/ /, /g'))" "pubHash = Poseidon($(echo "$prog_order" | sed 's/ /, /g'))"; do
  case "$gen_text" in *"$gen_list"*) pass ;; *) fail "$GEN: the statement does not read [$gen_list]" ;; esac
done

# ---------------------------------------------------------------------------------------------
# Borsh layouts: field names, offsets and sizes from the Rust structs.
type_size() {
  case "$1" in
    Pubkey) echo 32 ;; u64|i64) echo 8 ;; u32) echo 4 ;; bool|u8) echo 1 ;;
    \[u8\;*) echo "$1" | tr -dc '0-9' | sed 's/^8//' ;;
    *) echo "?" ;;
  esac
}
# struct_fields FILE STRUCT: "name type" per field, in order.
struct_fields() {
  awk -v s="pub struct $2 " '
    index($0, s) == 1 || index($0, "pub struct " substr(s, 12, length(s) - 12) "<") == 1 { f = 1; next }
    f && /^}/ { exit }
    f && /^    pub [a-z_0-9]+: / { sub(/^    pub /, ""); sub(/,$/, ""); split($0, a, ": "); print a[1] " " a[2] }
  ' "$1"
}
# vk::VK_LEN, evaluated from its defining expression.
vk_len() {
  local n expr
  n=$(sed -n 's/^pub const NR_PUBLIC_INPUTS: usize = \([0-9]*\);/\1/p' $PROG/vk.rs)
  expr=$(sed -n 's/^pub const VK_LEN: usize = \(.*\);/\1/p' $PROG/vk.rs | sed "s/NR_PUBLIC_INPUTS/$n/g")
  [ -n "$n" ] && [ -n "$expr" ] && echo $((expr)) || echo "?"
}
# layout PREFIX FILE STRUCT START: "offset size prefix.name" rows.
layout() {
  local off=$4 name ty size
  while read -r name ty; do
    ty=$(echo "$ty" | tr -d ' ')
    case "$ty" in
      *VK_LEN*) size=$(vk_len) ;;
      \[u8\;*) size=$(echo "$ty" | sed 's/\[u8;\([0-9]*\)\]/\1/') ;;
      *) size=$(type_size "$ty") ;;
    esac
    echo "$off $size $1$name"
    off=$((off + size))
  done < <(struct_fields "$2" "$3")
}
doc_layout() { section "$1" "$2" | awk -F'|' '{ o = $2; b = $3; f = $4; gsub(/[` ]/, "", o); gsub(/[` ]/, "", b); gsub(/[` ]/, "", f); print o " " b " " f }'; }

code_cfg=$( (echo "0 8 discriminator"; layout "" $PROG/state.rs Config 8) | joined)
nonempty "Config layout" "$(struct_fields $PROG/state.rs Config)"
same "Config layout ($SVM 'config-layout')" "$(doc_layout $SVM config-layout | joined)" "$code_cfg"
code_nul=$( (echo "0 8 discriminator"; layout "" $PROG/state.rs Nullifier 8) | joined)
same "Nullifier layout ($SVM 'nullifier-layout')" "$(doc_layout $SVM nullifier-layout | joined)" "$code_nul"
code_vp=$( (echo "0 8 discriminator"; layout "payment." $PROG/instructions/verify_payment.rs PaymentProof 8) | joined)
nonempty "PaymentProof fields" "$(struct_fields $PROG/instructions/verify_payment.rs PaymentProof)"
same "verify_payment data ($SVM 'verify-payment-data')" "$(doc_layout $SVM verify-payment-data | joined)" "$code_vp"
grep -q "Instruction data, $((8 + 328)) bytes" $SVM && pass || fail "$SVM: verify_payment data length $((8 + 328)) not stated"

code_vk=$( (echo "0 8 discriminator"; layout "" $PROG/state.rs VerifyingKeyAccount 8) | joined)
nonempty "VerifyingKeyAccount layout (#15.2)" "$(struct_fields $PROG/state.rs VerifyingKeyAccount)"
same "VerifyingKeyAccount layout ($SVM 'vk-layout')" "$(doc_layout $SVM vk-layout | joined)" "$code_vk"
vk_space=$(awk '{ s = $1 + $2 } END { print s }' <<<"$(layout "" $PROG/state.rs VerifyingKeyAccount 8 | tail -1)")
grep -q "exactly $vk_space bytes" $SVM && pass || fail "$SVM: verifying-key account size $vk_space not stated"

# Accounts of verify_payment, in order.
same "verify_payment accounts ($SVM 'verify-payment-accounts' vs VerifyPayment)" \
  "$(section $SVM verify-payment-accounts | col 2 | joined)" \
  "$(struct_fields $PROG/instructions/verify_payment.rs VerifyPayment | awk '{ print $1 }' | joined)"

# Account discriminators in the layout tables.
for acct in Config:config-layout Nullifier:nullifier-layout VerifyingKeyAccount:vk-layout; do
  n=${acct%%:*}; sec=${acct#*:}
  d=$(section $SVM "$sec" | sed -n 1p | grep -o '[0-9a-f]\{16\}' | sed -n 1p)
  same "account discriminator $n" "$d" "$(sha8 "account:$n")"
done
d=$(section $SVM verify-payment-data | sed -n 1p | grep -o '[0-9a-f]\{16\}' | sed -n 1p)
same "verify_payment discriminator (data table)" "$d" "$(sha8 "global:verify_payment")"

# ---------------------------------------------------------------------------------------------
# Instruction discriminators: sha256, completeness against lib.rs, and the synced IDL.
code_ix=$(awk '/^pub mod x402_zk_verifier/ { f = 1 } f && /^    pub fn [a-z_]+/ { sub(/^    pub fn /, ""); sub(/[(<].*/, ""); print }' $PROG/lib.rs | sort | joined)
doc_ix=$(section $SVM discriminators | col 1 | sort | joined)
nonempty "program instructions" "$code_ix"
same "instructions ($SVM 'discriminators' vs lib.rs)" "$doc_ix" "$code_ix"
while IFS=$'\t' read -r name disc; do
  same "discriminator of $name" "$disc" "$(sha8 "global:$name")"
done < <(section $SVM discriminators | awk -F'|' '{ a = $2; b = $3; gsub(/[` ]/, "", a); gsub(/[` ]/, "", b); print a "\t" b }')

# Events: names, discriminators and field order.
code_ev=$(sed -n 's/^pub struct \([A-Za-z]*\) {$/\1/p' $PROG/events.rs | sort | joined)
same "events ($SVM 'events' vs events.rs)" "$(section $SVM events | col 1 | sort | joined)" "$code_ev"
while IFS=$'\t' read -r name disc fields; do
  same "event discriminator $name" "$disc" "$(sha8 "event:$name")"
  doc_fields=$(echo "$fields" | tr ',' '\n' | awk '{ print $1 }' | joined)
  code_fields=$(awk -v s="pub struct $name {" '$0 == s { f = 1; next } f && /^}/ { exit } f && /^    pub / { sub(/^    pub /, ""); sub(/:.*/, ""); print }' $PROG/events.rs | joined)
  same "event $name fields" "$doc_fields" "$code_fields"
done < <(section $SVM events | awk -F'|' '{ a = $2; b = $3; c = $4; gsub(/[` ]/, "", a); gsub(/[` ]/, "", b); gsub(/`/, "", c); print a "\t" b "\t" c }')

# The IDL (generated by anchor build) must agree too.
if command -v node >/dev/null; then
  idl=$(node -e '
    const idl = require(process.argv[1]);
    const hex = (a) => Buffer.from(a).toString("hex");
    for (const i of idl.instructions) console.log("ix " + i.name + " " + hex(i.discriminator));
    for (const a of idl.accounts ?? []) console.log("account " + a.name + " " + hex(a.discriminator));
    for (const e of idl.events ?? []) console.log("event " + e.name + " " + hex(e.discriminator));
    for (const e of idl.errors ?? []) console.log("error " + e.code + " " + e.name);
  ' "$ROOT/$IDL")
  while read -r kind a b; do
    case $kind in
      ix) agree "discriminator of $a" IDL "$b" sha256 "$(sha8 "global:$a")" ;;
      account) agree "account discriminator $a" IDL "$b" sha256 "$(sha8 "account:$a")" ;;
      event) agree "event discriminator $a" IDL "$b" sha256 "$(sha8 "event:$a")" ;;
    esac
  done <<<"$idl"
  agree "instructions" "$IDL" "$(echo "$idl" | awk '$1 == "ix" { print $2 }' | sort | joined)" lib.rs "$code_ix"
  idl_errors=$(echo "$idl" | awk '$1 == "error" { print $2 " " $3 }' | joined)
else
  echo "note: node not found: IDL checks skipped" >&2
  idl_errors=""
fi

# ---------------------------------------------------------------------------------------------
# Program error codes: 6000 + index in errors.rs, the document and the IDL.
code_errors=$(awk '/^pub enum ErrorCode/ { f = 1; next } f && /^}/ { exit } f && /^    [A-Z][A-Za-z]*,$/ { gsub(/[ ,]/, ""); print 6000 + n++ " " $0 }' $PROG/errors.rs | joined)
doc_errors=$(section $SVM errors | awk -F'|' '{ a = $2; b = $3; gsub(/[` ]/, "", a); gsub(/[` ]/, "", b); print a " " b }' | joined)
nonempty "program error codes" "$code_errors"
same "program errors ($SVM 'errors' vs errors.rs)" "$doc_errors" "$code_errors"
if [ -n "$idl_errors" ]; then agree "program errors" "$IDL (regenerate with anchor build)" "$idl_errors" errors.rs "$code_errors"; fi

# ---------------------------------------------------------------------------------------------
# Proof layout: G2 coordinate order of the export, and the A/B/C offsets.
code_g2=$(awk '/pub fn g2_bytes/ { f = 1 } f && /copy_from_slice/ { match($0, /p\.[xy]\.c[01]/); print substr($0, RSTART + 2, RLENGTH - 2) } f && /^}/ { exit }' circuits/src/export/solana.rs | joined)
doc_g2=$(section $SVM proof-layout | col 3 | grep -o 'B\.[xy]\.c[01]' | sed 's/^B\.//' | joined)
nonempty "G2 coordinate order" "$code_g2"
same "proof B coordinate order ($SVM 'proof-layout' vs export/solana.rs g2_bytes)" "$doc_g2" "$code_g2"
grep -q 'out\[PROOF_A\]\.copy_from_slice(&g1_bytes(&neg_a))' circuits/src/export/solana.rs \
  && grep -q 'out\[PROOF_B\]\.copy_from_slice(&g2_bytes(&proof\.b))' circuits/src/export/solana.rs \
  && grep -q 'out\[PROOF_C\]\.copy_from_slice(&g1_bytes(&proof\.c))' circuits/src/export/solana.rs \
  && grep -q 'pub const PROOF_A: core::ops::Range<usize> = 0\.\.64;' $ENC/proof.rs \
  && grep -q 'pub const PROOF_B: core::ops::Range<usize> = 64\.\.192;' $ENC/proof.rs \
  && grep -q 'pub const PROOF_C: core::ops::Range<usize> = 192\.\.256;' $ENC/proof.rs \
  && pass || fail "circuits/src/export/solana.rs proof_bytes no longer writes -A || B || C at 0/64/192"
same "proof layout offsets" "$(section $SVM proof-layout | col 1 | joined)" "0 32 64 96 128 160 192 224"

# ---------------------------------------------------------------------------------------------
# Payload fields: Rust struct (camelCase), TypeScript strict parser, document.
code_payload=$(struct_fields $FAC/x402.rs ZkReceiptPayload | awk '{ print $1 }' | sed 's/_\([a-z]\)/\U\1/g' | sort | joined)
ts_payload=$(grep -o '\["proof", "nullifier", "now", "resourceHash"\]\|!\[[^]]*\]\.includes(k)' app/src/zk-receipt/types.ts | grep -o '"[A-Za-z]*"' | tr -d '"' | sort | joined)
nonempty "payload fields" "$code_payload"
agree "payload fields" types.ts "$ts_payload" x402.rs "$code_payload"
same "payload fields ($GEN 'payload')" "$(section $GEN payload | col 1 | sort | joined)" "$code_payload"
grep -q 'deny_unknown_fields' <(awk '/pub struct ZkReceiptPayload/ { print prev } { prev = $0 }' $FAC/x402.rs) \
  && pass || fail "ZkReceiptPayload no longer rejects unknown fields (the document says it does)"

# Fields that are in the document ahead of the code: allowed to be missing from the code (for now).
PENDING_EXTRA="provingKeyUrl"
subset_check() { # WHAT DOC_SET CODE_SET
  local k
  for k in $3; do case " $2 " in *" $k "*) pass ;; *) fail "$1: code has [$k], the document does not" ;; esac; done
  for k in $2; do
    case " $3 " in *" $k "*) pass ;;
      *) case " $PENDING_EXTRA " in *" $k "*) echo "note: $1: [$k] documented ahead of the code (changes with #15.2/#16)" >&2 ;;
           *) fail "$1: document has [$k], the code does not" ;; esac ;;
    esac
  done
}
code_req_extra=$(awk '/^export interface ZkReceiptExtra \{/ { f = 1; next } f && /^}/ { exit } f && /^  [a-zA-Z]+\??: / { sub(/^  /, ""); sub(/\??:.*/, ""); print }' app/src/zk-receipt/types.ts | sort | joined)
nonempty "requirements extra fields" "$code_req_extra"
subset_check "requirements extra ($GEN 'requirements-extra' vs types.ts ZkReceiptExtra)" "$(section $GEN requirements-extra | col 1 | sort | joined)" "$code_req_extra"
code_sup_extra=$(awk '/async fn supported_route/ { f = 1 } f && /^        "[A-Za-z]+":/ { match($0, /"[A-Za-z]+"/); print substr($0, RSTART + 1, RLENGTH - 2) } f && /extra\["[A-Za-z]+"\]/ { match($0, /\["[A-Za-z]+"\]/); print substr($0, RSTART + 2, RLENGTH - 4) } f && /^}/ { exit }' $FAC/app.rs | sort -u | joined)
nonempty "/supported extra fields" "$code_sup_extra"
subset_check "/supported extra ($GEN 'supported-extra' vs app.rs supported_route)" "$(section $GEN supported-extra | col 1 | sort | joined)" "$code_sup_extra"

# ---------------------------------------------------------------------------------------------
# Resource binding: the code's string template, and the documented vector.
tag=$(sed -n 's/^export const RESOURCE_BINDING_TAG = "\(.*\)";/\1/p' app/src/encoding.ts)
nonempty "resource binding tag" "$tag"
grep -qF "\"$tag\" \"\\n\" salt \"\\n\" METHOD \"\\n\" URL \"\\n\" payTo \"\\n\" asset \"\\n\" amount" $GEN \
  && pass || fail "$GEN: resource binding string does not start with the code's tag [$tag] or lists other parts"
grep -qF 'return `${RESOURCE_BINDING_TAG}\n${salt}\n${b.method.toUpperCase()}\n${b.url}\n${b.payTo}\n${b.asset}\n${amount}`;' app/src/encoding.ts \
  && pass || fail "app/src/encoding.ts resourceBindingString changed: update the document's binding string and vector"
grep -qF 'digest.subarray(0, 31)' app/src/encoding.ts && grep -qF 'padStart(62, "0")' app/src/encoding.ts \
  && grep -qF 'digest31_be32(digest)' circuits/src/field.rs && grep -qF 'out[1..].copy_from_slice(&digest[..31]);' $ENC/field.rs \
  && pass || fail "resourceHash is no longer the first 31 bytes of the digest, as 0x + 62 hex digits"
vec_val() { section $GEN resource-vector | awk -F'|' -v k="$1" '{ a = $2; b = $3; gsub(/[` ]/, "", a); gsub(/[` ]/, "", b); if (a == k) print b }'; }
binding=$(printf '%s\n%s\n%s\n%s\n%s\n%s\n%s' "$tag" "$(vec_val salt)" "$(vec_val METHOD)" "$(vec_val URL)" "$(vec_val payTo)" "$(vec_val asset)" "$(vec_val amount)")
same "resource binding vector ($GEN 'resource-vector')" "$(vec_val resourceHash)" "0x$(sha_hex "$binding" | cut -c1-62)"
salt_min=$(sed -n 's/^export const RESOURCE_SALT_MIN_BYTES = \([0-9]*\);/\1/p' app/src/encoding.ts)
grep -q "at least $salt_min random bytes" $GEN && pass || fail "$GEN: salt minimum ($salt_min bytes in encoding.ts) not stated"

# ---------------------------------------------------------------------------------------------
# Citations: every `dir/file:lines` names an existing file with that many lines at the cited commit.
declare -A line_count
if git cat-file -e "$CITED_COMMIT^{commit}" 2>/dev/null; then
  grep -q "commit $CITED_COMMIT" $GEN && grep -q "commit $CITED_COMMIT" $SVM && pass \
    || fail "the documents do not name commit $CITED_COMMIT as the one their line numbers refer to"
  while read -r ref; do
    path=${ref%%:*}; nums=${ref#*:}
    if [ -z "${line_count[$path]:-}" ]; then
      if git cat-file -e "$CITED_COMMIT:$path" 2>/dev/null; then line_count[$path]=$(git show "$CITED_COMMIT:$path" | wc -l)
      else line_count[$path]=missing; fi
    fi
    total=${line_count[$path]}
    if [ "$total" == missing ]; then fail "citation $ref: no such file at $CITED_COMMIT"; continue; fi
    max=$(echo "$nums" | tr ',-' '\n\n' | sort -n | tail -1)
    if [ "$max" -le "$total" ]; then pass; else fail "citation $ref: $path has only $total lines at $CITED_COMMIT"; fi
  done < <(cat $GEN $SVM | grep -o '[A-Za-z0-9_.-]*/[A-Za-z0-9_./-]*\.\(rs\|ts\|json\|md\):[0-9][0-9,-]*[0-9]\|[A-Za-z0-9_.-]*/[A-Za-z0-9_./-]*\.\(rs\|ts\|json\|md\):[0-9]' | sort -u)
  # The reason table's citations must point at the line holding the word.
  while IFS=$'\t' read -r word src; do
    line=$(echo "$src" | grep -o 'x402\.rs:[0-9]*' | sed -n 1p | cut -d: -f2)
    if [ -z "$line" ]; then
      # Words added after the cited commit cite the reason vocabulary's owner, checked as it is now.
      if echo "$src" | grep -q 'circuits/encoding/src/reason\.rs' && grep -q "\"$word\"" circuits/encoding/src/reason.rs; then pass
      else fail "reason $word: cites neither x402.rs:LINE nor circuits/encoding/src/reason.rs (holding it)"; fi
      continue
    fi
    if git show "$CITED_COMMIT:$FAC/x402.rs" | sed -n "${line}p" | grep -q "\"$word\""; then pass
    else fail "reason $word: cited x402.rs:$line does not hold it at $CITED_COMMIT"; fi
  done < <(section $GEN reasons | awk -F'|' '{ a = $2; b = $7; gsub(/[` ]/, "", a); print a "\t" b }')
else
  echo "note: commit $CITED_COMMIT not in this clone: citation checks skipped" >&2
fi

markers=$(cat $GEN $SVM | grep -c 'changes with #15.2/#16' || true)
echo "x402 docs: $passes checks passed, $fails failed; $markers sentences marked 'changes with #15.2/#16'"
[ "$fails" -eq 0 ]
