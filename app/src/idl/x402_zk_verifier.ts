/**
 * Program IDL in camelCase format in order to be used in JS/TS.
 *
 * Note that this is only a type helper and is not the actual IDL. The original
 * IDL can be found at `target/idl/x402_zk_verifier.json`.
 */
export type X402ZkVerifier = {
  "address": "FjbRuvYkp2RZi2NwskuBh8aU6zp8eSsv4NsBDvL6Lrne",
  "metadata": {
    "name": "x402ZkVerifier",
    "version": "0.1.0",
    "spec": "0.1.0",
    "description": "x402-zk on-chain verifier: Groth16 receipt proofs, nullifiers, config"
  },
  "instructions": [
    {
      "name": "initializeConfig",
      "docs": [
        "Creates the config PDA, owned by `authority` (the signer paying for it)."
      ],
      "discriminator": [
        208,
        127,
        21,
        1,
        194,
        190,
        196,
        70
      ],
      "accounts": [
        {
          "name": "authority",
          "writable": true,
          "signer": true
        },
        {
          "name": "config",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  99,
                  111,
                  110,
                  102,
                  105,
                  103
                ]
              }
            ]
          }
        },
        {
          "name": "systemProgram",
          "address": "11111111111111111111111111111111"
        }
      ],
      "args": [
        {
          "name": "args",
          "type": {
            "defined": {
              "name": "initializeConfigArgs"
            }
          }
        }
      ]
    },
    {
      "name": "setPaused",
      "docs": [
        "Pauses or resumes payment verification (authority only)."
      ],
      "discriminator": [
        91,
        60,
        125,
        192,
        176,
        225,
        166,
        218
      ],
      "accounts": [
        {
          "name": "authority",
          "signer": true,
          "relations": [
            "config"
          ]
        },
        {
          "name": "config",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  99,
                  111,
                  110,
                  102,
                  105,
                  103
                ]
              }
            ]
          }
        }
      ],
      "args": [
        {
          "name": "paused",
          "type": "bool"
        }
      ]
    }
  ],
  "accounts": [
    {
      "name": "config",
      "discriminator": [
        155,
        12,
        170,
        224,
        30,
        250,
        204,
        130
      ]
    }
  ],
  "events": [
    {
      "name": "batchVerified",
      "discriminator": [
        88,
        129,
        192,
        196,
        64,
        124,
        188,
        239
      ]
    },
    {
      "name": "configUpdated",
      "discriminator": [
        40,
        241,
        230,
        122,
        11,
        19,
        198,
        194
      ]
    },
    {
      "name": "paymentVerified",
      "discriminator": [
        100,
        192,
        79,
        212,
        90,
        6,
        250,
        233
      ]
    }
  ],
  "errors": [
    {
      "code": 6000,
      "name": "unauthorized",
      "msg": "Only the config authority may do this"
    },
    {
      "code": 6001,
      "name": "paused",
      "msg": "Payment verification is paused by the config authority"
    },
    {
      "code": 6002,
      "name": "clockSkewTooLarge",
      "msg": "Clock skew allowance exceeds the maximum of 3600 seconds"
    },
    {
      "code": 6003,
      "name": "attesterKeyNotCanonical",
      "msg": "Attester key coordinate is not a canonical field element (must be < r)"
    },
    {
      "code": 6004,
      "name": "publicValueNotCanonical",
      "msg": "A public value (resourceHash or nullifier) is not a canonical field element (must be < r)"
    },
    {
      "code": 6005,
      "name": "timestampOutOfRange",
      "msg": "The proof's `now` is outside the allowed clock skew of the validator clock"
    },
    {
      "code": 6006,
      "name": "invalidProof",
      "msg": "Groth16 proof does not verify for these public values (or a proof point is not on the curve)"
    },
    {
      "code": 6007,
      "name": "nullifierAlreadyUsed",
      "msg": "This nullifier was already spent: the receipt has paid before"
    },
    {
      "code": 6008,
      "name": "nullifierAccountMismatch",
      "msg": "Nullifier account is not the PDA [\\nullifier\\, nullifier] of this program"
    },
    {
      "code": 6009,
      "name": "duplicateNullifierInBatch",
      "msg": "The same nullifier appears twice in one batch"
    },
    {
      "code": 6010,
      "name": "emptyBatch",
      "msg": "Batch is empty"
    },
    {
      "code": 6011,
      "name": "batchTooLarge",
      "msg": "Batch holds more proofs than the program accepts"
    },
    {
      "code": 6012,
      "name": "nullifierAccountCountMismatch",
      "msg": "Number of nullifier accounts differs from the number of proofs in the batch"
    },
    {
      "code": 6013,
      "name": "malformedProof",
      "msg": "A proof point (A or C) of the batch is not a valid BN254 G1 point"
    },
    {
      "code": 6014,
      "name": "verifyingKeyInvalid",
      "msg": "The verifying key compiled into the program is malformed"
    },
    {
      "code": 6015,
      "name": "poseidonFailed",
      "msg": "Poseidon hash syscall failed"
    },
    {
      "code": 6016,
      "name": "proofBufferInvalid",
      "msg": "Proof buffer account is not a proof buffer of this program, or not yours"
    },
    {
      "code": 6017,
      "name": "proofBufferOverflow",
      "msg": "Write goes past the end of the proof buffer"
    },
    {
      "code": 6018,
      "name": "proofBufferMalformed",
      "msg": "Proof buffer content is not a whole number of proofs"
    },
    {
      "code": 6019,
      "name": "verifyingKeyHashMismatch",
      "msg": "The verifying key hash does not match the key compiled into this program"
    }
  ],
  "types": [
    {
      "name": "batchVerified",
      "docs": [
        "A batch verified (and, for `verify_batch`, all of its nullifiers burnt)."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "payTo",
            "type": "pubkey"
          },
          {
            "name": "count",
            "type": "u32"
          },
          {
            "name": "slot",
            "type": "u64"
          }
        ]
      }
    },
    {
      "name": "config",
      "docs": [
        "Program-wide settings. One per deployment, at `[CONFIG_SEED]`."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "authority",
            "docs": [
              "May change the attester, the verifying key and the paused flag."
            ],
            "type": "pubkey"
          },
          {
            "name": "attester",
            "docs": [
              "Attester's BabyJubJub public key `(Ax, Ay)`, each 32 bytes big-endian, both < r."
            ],
            "type": {
              "array": [
                "u8",
                64
              ]
            }
          },
          {
            "name": "maxClockSkewSeconds",
            "docs": [
              "How far (seconds) a proof's `now` may be from the validator Clock, either way."
            ],
            "type": "u32"
          },
          {
            "name": "paused",
            "docs": [
              "When true, payment verification fails with `ErrorCode::Paused`."
            ],
            "type": "bool"
          },
          {
            "name": "bump",
            "docs": [
              "Bump of this PDA, stored so handlers never recompute it."
            ],
            "type": "u8"
          },
          {
            "name": "domain",
            "docs": [
              "`domain = Poseidon(programId_hi, programId_lo)` (32 bytes big-endian), computed once at",
              "initialization: the circuit binds nullifiers to it so deployments never collide."
            ],
            "type": {
              "array": [
                "u8",
                32
              ]
            }
          },
          {
            "name": "vkHash",
            "docs": [
              "SHA-256 of the verifying key compiled into this program (`vk::VERIFYING_KEY_SHA256`), so",
              "provers and facilitators can check that their proving key matches what verifies on chain."
            ],
            "type": {
              "array": [
                "u8",
                32
              ]
            }
          }
        ]
      }
    },
    {
      "name": "configUpdated",
      "docs": [
        "The config was created or changed."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "authority",
            "type": "pubkey"
          },
          {
            "name": "attester",
            "type": {
              "array": [
                "u8",
                64
              ]
            }
          },
          {
            "name": "maxClockSkewSeconds",
            "type": "u32"
          },
          {
            "name": "paused",
            "type": "bool"
          }
        ]
      }
    },
    {
      "name": "initializeConfigArgs",
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "attester",
            "docs": [
              "Attester BabyJubJub public key `(Ax, Ay)`, 32 bytes big-endian each."
            ],
            "type": {
              "array": [
                "u8",
                64
              ]
            }
          },
          {
            "name": "maxClockSkewSeconds",
            "type": "u32"
          }
        ]
      }
    },
    {
      "name": "paymentVerified",
      "docs": [
        "One proof verified and its nullifier burnt (also emitted once per proof of a batch)."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "nullifier",
            "docs": [
              "The spent nullifier (32 bytes big-endian)."
            ],
            "type": {
              "array": [
                "u8",
                32
              ]
            }
          },
          {
            "name": "payTo",
            "type": "pubkey"
          },
          {
            "name": "asset",
            "type": "pubkey"
          },
          {
            "name": "minAmount",
            "type": "u64"
          },
          {
            "name": "resourceHash",
            "type": {
              "array": [
                "u8",
                32
              ]
            }
          },
          {
            "name": "now",
            "docs": [
              "The proof's `now` (unix seconds)."
            ],
            "type": "u64"
          },
          {
            "name": "slot",
            "type": "u64"
          }
        ]
      }
    }
  ]
};
