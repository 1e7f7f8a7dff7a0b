//! Private inputs (amount, payer, secret, signature) never appear in logs: all logs of this test
//! binary are captured at debug level and grepped for them.

mod common;

use common::fixtures::{self, valid_request};
use common::*;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};
use tracing_subscriber::fmt::MakeWriter;
use x402_zk_service_kit::telemetry::{self, LogFormat};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_inputs_never_logged() {
    let cap = Capture::default();
    telemetry::init_with_writer("debug", LogFormat::Json, cap.clone()).unwrap();

    let srv = start(config(), fixtures::backend());
    let ok = valid_request(11);
    let sig = ok["receipt"]["signature"].clone();
    assert_eq!(post(&srv, "/v1/proofs", &ok).await.status(), 200);
    assert_eq!(post(&srv, "/v1/proofs", &ok).await.status(), 200);
    let mut bad_sig = valid_request(12);
    bad_sig["receipt"]["signature"]["S"] = json!("0");
    assert_eq!(post(&srv, "/v1/proofs", &bad_sig).await.status(), 422);
    let mut low = valid_request(13);
    low["public"]["minAmount"] = json!(fixtures::AMOUNT + 1);
    assert_eq!(post(&srv, "/v1/proofs", &low).await.status(), 422);
    let mut wrong_type = valid_request(14);
    wrong_type["receipt"]["amount"] = json!(format!("{}x", fixtures::AMOUNT));
    assert_eq!(post(&srv, "/v1/proofs", &wrong_type).await.status(), 400);
    let payer = "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T";
    let legacy = json!({
        "minAmount": 1000, "recipientKey": fixtures::PAY_TO, "maxBlockAge": 3600,
        "actualAmount": fixtures::AMOUNT, "senderKey": payer, "signature": sig,
        "asset": fixtures::ASSET, "paidAt": fixtures::NOW - 100, "secret": fixtures::SECRET,
        "attester": ok["public"]["attester"], "now": fixtures::NOW,
        "resourceHash": "77", "programId": fixtures::PROGRAM_ID,
    });
    assert_eq!(post(&srv, "/generate-proof", &legacy).await.status(), 200);
    srv.shutdown().await.unwrap();

    let logs = String::from_utf8(cap.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("request finished"),
        "logs were captured:\n{logs}"
    );
    assert!(logs.contains("\"request_id\""), "request ids are logged");
    let secret_hex = x402_zk_prover_service::model::FieldBytes::parse(fixtures::SECRET, "s")
        .unwrap()
        .to_hex();
    let mut forbidden = vec![
        fixtures::AMOUNT.to_string(),
        fixtures::SECRET.to_string(),
        secret_hex[2..].trim_start_matches('0').to_string(),
        payer.to_string(),
    ];
    for k in ["R8x", "R8y", "S"] {
        forbidden.push(sig[k].as_str().unwrap().to_string());
    }
    for f in &forbidden {
        assert!(
            !logs.contains(f.as_str()),
            "private value {f} leaked into logs:\n{logs}"
        );
    }
}
