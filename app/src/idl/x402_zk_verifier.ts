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
      "name": "checkBatch",
      "docs": [
        "Verifies n proofs without burning anything (dry run; read-only)."
      ],
      "discriminator": [
        44,
        249,
        105,
        122,
        223,
        42,
        202,
        223
      ],
      "accounts": [
        {
          "name": "config",
          "docs": [
            "The config: owner and discriminator suffice (only `initialize_config` writes a `Config`,",
            "at `[CONFIG_SEED]`), so no address re-derivation (1,500 CU) per verification."
          ]
        },
        {
          "name": "verifyingKey"
        },
        {
          "name": "policy",
          "docs": [
            "The merchant's terms shared by every proof of the batch."
          ]
        }
      ],
      "args": [
        {
          "name": "payments",
          "type": {
            "vec": {
              "defined": {
                "name": "paymentProof"
              }
            }
          }
        }
      ]
    },
    {
      "name": "closeExpiredNullifiers",
      "docs": [
        "Permissionless: closes expired nullifier accounts, `remaining_accounts` as pairs",
        "`[nullifier (mut), rent_payer (mut)]`; each must be past its `expires_at`",
        "(`NullifierNotExpired`) and its rent goes back to the recorded payer (`RentPayerMismatch`)."
      ],
      "discriminator": [
        100,
        185,
        249,
        90,
        255,
        134,
        59,
        92
      ],
      "accounts": [],
      "args": []
    },
    {
      "name": "closePolicy",
      "docs": [
        "Closes a policy account, returning its rent to its recorded rent payer (who must sign)."
      ],
      "discriminator": [
        55,
        42,
        248,
        229,
        222,
        138,
        26,
        252
      ],
      "accounts": [
        {
          "name": "rentPayer",
          "docs": [
            "The policy's recorded rent payer; gets the rent back."
          ],
          "writable": true,
          "signer": true,
          "relations": [
            "policy"
          ]
        },
        {
          "name": "policy",
          "writable": true
        }
      ],
      "args": []
    },
    {
      "name": "closeProofBuffer",
      "docs": [
        "Closes a proof buffer, returning its rent to the authority."
      ],
      "discriminator": [
        130,
        150,
        6,
        35,
        193,
        34,
        243,
        87
      ],
      "accounts": [
        {
          "name": "authority",
          "writable": true,
          "signer": true
        },
        {
          "name": "proofBuffer",
          "writable": true
        }
      ],
      "args": []
    },
    {
      "name": "initProofBuffer",
      "docs": [
        "Marks a client-created, program-owned, zeroed account as the signer's proof buffer."
      ],
      "discriminator": [
        49,
        27,
        28,
        88,
        19,
        99,
        133,
        194
      ],
      "accounts": [
        {
          "name": "authority",
          "signer": true
        },
        {
          "name": "proofBuffer",
          "docs": [
            "Freshly created by the client with this program as owner and all-zero data. It must sign:",
            "otherwise an account created in an earlier transaction could be claimed by anyone who",
            "initializes it first."
          ],
          "writable": true,
          "signer": true
        }
      ],
      "args": []
    },
    {
      "name": "initializeConfig",
      "docs": [
        "Creates the config PDA, owned by `authority` (the signer paying for it), who must be the",
        "program's upgrade authority (read from its ProgramData account), else `Unauthorized`."
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
          "docs": [
            "The program's upgrade authority; becomes the config authority and pays for the config."
          ],
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
          "name": "verifyingKey",
          "docs": [
            "The verifying key account `[VK_SEED]`, created here with the key from the arguments (so a",
            "config never exists without a key); `set_verifying_key` replaces the key later."
          ],
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  118,
                  107
                ]
              }
            ]
          }
        },
        {
          "name": "systemProgram",
          "address": "11111111111111111111111111111111"
        },
        {
          "name": "program",
          "docs": [
            "This program (its account points at its ProgramData)."
          ],
          "address": "FjbRuvYkp2RZi2NwskuBh8aU6zp8eSsv4NsBDvL6Lrne"
        },
        {
          "name": "programData",
          "docs": [
            "This program's ProgramData, whose upgrade authority must be `authority`."
          ]
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
      "name": "registerPolicy",
      "docs": [
        "Verifies one payment proof and burns its nullifier.",
        "Permissionless: creates the merchant policy PDA `[b\"policy\", policyHash]` for these terms",
        "under the config's current attester and domain (the program computes `policyHash`; the",
        "payer pays the rent). `max_age` above the config's cap is `ReceiptAgeTooLarge`. A policy",
        "that already exists is left as it is."
      ],
      "discriminator": [
        62,
        66,
        167,
        36,
        252,
        227,
        38,
        132
      ],
      "accounts": [
        {
          "name": "payer",
          "docs": [
            "Pays the policy account's rent (recorded as its `rent_payer`)."
          ],
          "writable": true,
          "signer": true
        },
        {
          "name": "config",
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
          "name": "policy",
          "docs": [
            "there; created there unless it already holds this policy)."
          ],
          "writable": true
        },
        {
          "name": "systemProgram",
          "address": "11111111111111111111111111111111"
        }
      ],
      "args": [
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
          "name": "maxAge",
          "type": "u64"
        }
      ]
    },
    {
      "name": "setAttester",
      "docs": [
        "Replaces the attester public key `Ax || Ay` (authority only)."
      ],
      "discriminator": [
        56,
        199,
        234,
        175,
        198,
        241,
        83,
        29
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
          "name": "attester",
          "type": {
            "array": [
              "u8",
              64
            ]
          }
        }
      ]
    },
    {
      "name": "setMaxClockSkew",
      "docs": [
        "Lowers (or keeps) the allowed clock skew, ≤ 3600 s (authority only; raising it is",
        "`LifetimeMayOnlyShrink`)."
      ],
      "discriminator": [
        64,
        251,
        4,
        2,
        71,
        24,
        86,
        199
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
          "name": "maxClockSkewSeconds",
          "type": "u32"
        }
      ]
    },
    {
      "name": "setMaxReceiptAge",
      "docs": [
        "Lowers (or keeps) the largest `maxAge` a proof may carry, ≤ 3600 s (authority only;",
        "raising it is `LifetimeMayOnlyShrink`)."
      ],
      "discriminator": [
        182,
        183,
        74,
        79,
        60,
        17,
        112,
        124
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
          "name": "maxReceiptAgeSeconds",
          "type": "u32"
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
    },
    {
      "name": "setVerifyingKey",
      "discriminator": [
        79,
        162,
        161,
        210,
        103,
        106,
        246,
        78
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
        },
        {
          "name": "verifyingKey",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  118,
                  107
                ]
              }
            ]
          }
        }
      ],
      "args": [
        {
          "name": "key",
          "type": {
            "array": [
              "u8",
              576
            ]
          }
        }
      ]
    },
    {
      "name": "syncNullifierRent",
      "docs": [
        "Replaces the verifying key with `key` (the ceremony export's `solana_vk.bin` bytes) and",
        "sets `Config.vk_hash` to its SHA-256, computed on chain (authority only).",
        "Permissionless: `Config.nullifier_rent_lamports` := the `Rent` sysvar's exempt minimum for",
        "a nullifier account now (what every payment funds its nullifier with)."
      ],
      "discriminator": [
        142,
        145,
        223,
        2,
        184,
        219,
        162,
        171
      ],
      "accounts": [
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
      "args": []
    },
    {
      "name": "verifyBatch",
      "docs": [
        "Verifies n proofs for one merchant in one pairing product and burns their nullifiers",
        "(`remaining_accounts`: the nullifier PDAs in proof order). All or nothing."
      ],
      "discriminator": [
        207,
        55,
        42,
        119,
        105,
        251,
        88,
        199
      ],
      "accounts": [
        {
          "name": "payer",
          "docs": [
            "Pays the nullifier PDAs' rent."
          ],
          "writable": true,
          "signer": true
        },
        {
          "name": "config",
          "docs": [
            "The config: owner and discriminator suffice (only `initialize_config` writes a `Config`,",
            "at `[CONFIG_SEED]`), so no address re-derivation (1,500 CU) per verification."
          ]
        },
        {
          "name": "verifyingKey"
        },
        {
          "name": "policy",
          "docs": [
            "The merchant's terms shared by every proof of the batch."
          ]
        },
        {
          "name": "systemProgram",
          "address": "11111111111111111111111111111111"
        }
      ],
      "args": [
        {
          "name": "payments",
          "type": {
            "vec": {
              "defined": {
                "name": "paymentProof"
              }
            }
          }
        }
      ]
    },
    {
      "name": "verifyBatchFromBuffer",
      "docs": [
        "`verify_batch` over the payments stored in a proof buffer of the payer."
      ],
      "discriminator": [
        60,
        208,
        43,
        103,
        61,
        119,
        92,
        119
      ],
      "accounts": [
        {
          "name": "payer",
          "docs": [
            "Pays the nullifier PDAs' rent; must be the buffer's authority."
          ],
          "writable": true,
          "signer": true
        },
        {
          "name": "config",
          "docs": [
            "The config: owner and discriminator suffice (only `initialize_config` writes a `Config`,",
            "at `[CONFIG_SEED]`), so no address re-derivation (1,500 CU) per verification."
          ]
        },
        {
          "name": "verifyingKey"
        },
        {
          "name": "policy",
          "docs": [
            "The merchant's terms shared by every proof of the batch."
          ]
        },
        {
          "name": "proofBuffer"
        },
        {
          "name": "systemProgram",
          "address": "11111111111111111111111111111111"
        }
      ],
      "args": []
    },
    {
      "name": "verifyPayment",
      "docs": [
        "Verifies one payment proof under a registered policy and burns its nullifier."
      ],
      "discriminator": [
        70,
        155,
        98,
        44,
        176,
        110,
        74,
        169
      ],
      "accounts": [
        {
          "name": "payer",
          "docs": [
            "Pays the nullifier PDA's rent (the facilitator)."
          ],
          "writable": true,
          "signer": true
        },
        {
          "name": "config",
          "docs": [
            "The config. Owner and discriminator suffice (only `initialize_config` writes a `Config`,",
            "at `[CONFIG_SEED]`), so no address re-derivation (1,500 CU) per verification."
          ]
        },
        {
          "name": "verifyingKey",
          "docs": [
            "The verifying key account (`[b\"vk\"]`)."
          ]
        },
        {
          "name": "policy",
          "docs": [
            "The merchant's terms (`register_policy`); its `policy_hash` is bound into `pubHash`."
          ]
        },
        {
          "name": "nullifier",
          "writable": true
        },
        {
          "name": "systemProgram",
          "address": "11111111111111111111111111111111"
        }
      ],
      "args": [
        {
          "name": "payment",
          "type": {
            "defined": {
              "name": "paymentProof"
            }
          }
        }
      ]
    },
    {
      "name": "writeProofBuffer",
      "docs": [
        "Stores `payments` in slots `index, index + 1, …` of a proof buffer."
      ],
      "discriminator": [
        3,
        226,
        158,
        231,
        122,
        154,
        12,
        49
      ],
      "accounts": [
        {
          "name": "authority",
          "writable": true,
          "signer": true
        },
        {
          "name": "proofBuffer",
          "writable": true
        }
      ],
      "args": [
        {
          "name": "index",
          "type": "u32"
        },
        {
          "name": "payments",
          "type": {
            "vec": {
              "defined": {
                "name": "paymentProof"
              }
            }
          }
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
    },
    {
      "name": "policy",
      "discriminator": [
        222,
        135,
        7,
        163,
        235,
        177,
        33,
        68
      ]
    },
    {
      "name": "verifyingKeyAccount",
      "discriminator": [
        5,
        54,
        231,
        84,
        81,
        70,
        17,
        168
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
      "name": "nullifiersClosed",
      "discriminator": [
        230,
        5,
        146,
        170,
        103,
        253,
        1,
        115
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
    },
    {
      "name": "policyClosed",
      "discriminator": [
        19,
        126,
        82,
        173,
        79,
        86,
        50,
        51
      ]
    },
    {
      "name": "policyRegistered",
      "discriminator": [
        26,
        48,
        9,
        236,
        225,
        174,
        113,
        80
      ]
    },
    {
      "name": "verifyingKeySet",
      "discriminator": [
        215,
        58,
        1,
        4,
        206,
        165,
        84,
        7
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
      "msg": "A proof coordinate is not below the BN254 field modulus, or A or C is not a valid G1 point"
    },
    {
      "code": 6014,
      "name": "verifyingKeyInvalid",
      "msg": "The verifying key is malformed: not 576 bytes, a coordinate >= p, an identity point, or a point not on the curve / not in the subgroup"
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
      "msg": "The verifying key account's hash differs from Config.vk_hash"
    },
    {
      "code": 6020,
      "name": "receiptAgeTooLarge",
      "msg": "The proof's maxAge (or the requested receipt age cap) exceeds the allowed maximum"
    },
    {
      "code": 6021,
      "name": "lifetimeMayOnlyShrink",
      "msg": "The receipt age cap and the clock skew may only be kept or lowered, never raised"
    },
    {
      "code": 6022,
      "name": "nullifierNotExpired",
      "msg": "This nullifier has not expired yet: a proof for it could still pass"
    },
    {
      "code": 6023,
      "name": "rentPayerMismatch",
      "msg": "The account given for the rent is not the nullifier's recorded rent payer"
    },
    {
      "code": 6024,
      "name": "nullifierPairsMalformed",
      "msg": "close_expired_nullifiers takes [nullifier, rent_payer] pairs: at least one, whole pairs"
    },
    {
      "code": 6025,
      "name": "verifyingKeyAccountMismatch",
      "msg": "The verifying key account is not this program's verifying-key PDA [\\vk\\]"
    },
    {
      "code": 6026,
      "name": "policyAccountMismatch",
      "msg": "The policy account is not the PDA [\\policy\\, policyHash] of these terms"
    },
    {
      "code": 6027,
      "name": "policyStale",
      "msg": "The policy was registered under another attester key than the config's current one: register the policy again"
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
            "name": "policy",
            "docs": [
              "The `Policy` account the batch was verified under."
            ],
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
              "SHA-256 of the active verifying key's bytes (the [`VerifyingKeyAccount`] at `[VK_SEED]`),",
              "computed on chain when the key is written (`initialize_config`, `set_verifying_key`). Every",
              "verify path refuses a key account whose hash differs; provers and facilitators compare their",
              "key's `SolanaVk::sha256` with it."
            ],
            "type": {
              "array": [
                "u8",
                32
              ]
            }
          },
          {
            "name": "maxReceiptAgeSeconds",
            "docs": [
              "Largest `maxAge` (seconds) a proof may carry (`ReceiptAgeTooLarge` otherwise), at most",
              "[`MAX_RECEIPT_AGE_SECONDS`]. With `max_clock_skew_seconds` it bounds how long a burnt",
              "nullifier can still matter; both may only be lowered (`LifetimeMayOnlyShrink`), so an",
              "expired nullifier stays expired and its account can be closed (`close_expired_nullifiers`)."
            ],
            "type": "u32"
          },
          {
            "name": "nullifierRentLamports",
            "docs": [
              "Lamports a nullifier account is created with: the `Rent` sysvar's exempt minimum for",
              "[`Nullifier::SPACE`], read when the config is created and again by `sync_nullifier_rent`",
              "(permissionless). Kept here because the sysvar read cost every payment 384 CU. A stale",
              "figure loses nothing: above the current minimum the payer gets it all back when the",
              "nullifier is closed; below it the runtime refuses the payment (insufficient funds for rent)",
              "until anyone syncs it."
            ],
            "type": "u64"
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
          },
          {
            "name": "vkHash",
            "type": {
              "array": [
                "u8",
                32
              ]
            }
          },
          {
            "name": "maxReceiptAgeSeconds",
            "type": "u32"
          },
          {
            "name": "nullifierRentLamports",
            "type": "u64"
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
          },
          {
            "name": "maxReceiptAgeSeconds",
            "docs": [
              "Largest `maxAge` a proof may carry, ≤ `MAX_RECEIPT_AGE_SECONDS` (may only be lowered later)."
            ],
            "type": "u32"
          },
          {
            "name": "verifyingKey",
            "docs": [
              "The Groth16 verifying key: the ceremony export's `solana_vk.bin` bytes (`vk::VK_LEN`,",
              "checked by `vk::validate_key`); its SHA-256 becomes `Config.vk_hash`. A fixed-size array,",
              "not a `Vec`: borsh allocates a `Vec`'s claimed length up front, so a forged length prefix",
              "would exhaust the 32 KiB heap instead of failing with a typed error."
            ],
            "type": {
              "array": [
                "u8",
                576
              ]
            }
          }
        ]
      }
    },
    {
      "name": "nullifiersClosed",
      "docs": [
        "Expired nullifier accounts closed by `close_expired_nullifiers`, their rent returned."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "count",
            "type": "u32"
          },
          {
            "name": "lamports",
            "docs": [
              "Total lamports returned to the rent payers."
            ],
            "type": "u64"
          }
        ]
      }
    },
    {
      "name": "paymentProof",
      "docs": [
        "One payment proof and its per-proof public values. Borsh layout: 328 bytes, fixed",
        "(`proof` 256 ‖ `now` u64 LE ‖ `resource_hash` 32 ‖ `nullifier` 32)."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "proof",
            "docs": [
              "`−A ‖ B ‖ C`, big-endian, A negated by the client (see `verify.rs`)."
            ],
            "type": {
              "array": [
                "u8",
                256
              ]
            }
          },
          {
            "name": "now",
            "docs": [
              "The verifier time the proof was made for (unix seconds); must be within the config's skew",
              "of the validator clock."
            ],
            "type": "u64"
          },
          {
            "name": "resourceHash",
            "docs": [
              "`resourceHash`, 32 bytes big-endian, < r."
            ],
            "type": {
              "array": [
                "u8",
                32
              ]
            }
          },
          {
            "name": "nullifier",
            "docs": [
              "`nullifier`, 32 bytes big-endian, < r; also the seed of its PDA."
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
          },
          {
            "name": "policy",
            "docs": [
              "The `Policy` account the proof was verified under."
            ],
            "type": "pubkey"
          }
        ]
      }
    },
    {
      "name": "policy",
      "docs": [
        "A merchant's terms, hashed once (`register_policy`) instead of per proof. The program computes",
        "`policy_hash` itself from the config's attester and domain and the terms below, so a `Policy`",
        "account is correct by construction; verify paths take it as `Account<Policy>` (owner and",
        "discriminator; no address re-derivation) and feed `policy_hash` into `pubHash`.",
        "",
        "Layout (217 bytes, `x402_zk_encoding::layout::policy_account`): discriminator 8 ‖",
        "`policy_hash` 32 ‖ `pay_to` 32 ‖ `asset` 32 ‖ `min_amount` u64 ‖ `max_age` u64 ‖ `attester` 64 ‖",
        "`rent_payer` 32 ‖ `bump` u8."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "policyHash",
            "docs": [
              "`Poseidon(Ax, Ay, payTo_hi, payTo_lo, asset_hi, asset_lo, minAmount, maxAge, domain)`, big-endian",
              "(also the PDA seed)."
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
            "docs": [
              "The merchant (`payTo`)."
            ],
            "type": "pubkey"
          },
          {
            "name": "asset",
            "docs": [
              "Mint of the payment; native SOL is `Pubkey::default()`."
            ],
            "type": "pubkey"
          },
          {
            "name": "minAmount",
            "docs": [
              "Minimum amount, base units."
            ],
            "type": "u64"
          },
          {
            "name": "maxAge",
            "docs": [
              "Maximum receipt age in seconds (≤ the config's cap when registered, and checked again",
              "against the current cap at every verification)."
            ],
            "type": "u64"
          },
          {
            "name": "attester",
            "docs": [
              "The config's attester key when the policy was registered (hashed into `policy_hash`): a",
              "verification refuses the policy once the config's attester differs (`PolicyStale`)."
            ],
            "type": {
              "array": [
                "u8",
                64
              ]
            }
          },
          {
            "name": "rentPayer",
            "docs": [
              "Who paid the rent (gets it back on `close_policy`, and alone may close it)."
            ],
            "type": "pubkey"
          },
          {
            "name": "bump",
            "docs": [
              "Bump of this PDA."
            ],
            "type": "u8"
          }
        ]
      }
    },
    {
      "name": "policyClosed",
      "docs": [
        "A policy account was closed by its rent payer (`close_policy`)."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "policy",
            "type": "pubkey"
          },
          {
            "name": "policyHash",
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
      "name": "policyRegistered",
      "docs": [
        "A merchant policy was registered (`register_policy`; not emitted when it already existed)."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "policy",
            "docs": [
              "The `[b\"policy\", policy_hash]` account."
            ],
            "type": "pubkey"
          },
          {
            "name": "policyHash",
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
            "name": "maxAge",
            "type": "u64"
          },
          {
            "name": "rentPayer",
            "type": "pubkey"
          }
        ]
      }
    },
    {
      "name": "verifyingKeyAccount",
      "docs": [
        "The Groth16 verifying key every verify path uses, written by the config authority",
        "(`initialize_config`, then `set_verifying_key`); one per deployment, at `[VK_SEED]`.",
        "",
        "Layout (617 bytes): discriminator 8 ‖ `bump` (8) ‖ `vk_hash` (9..41) ‖ `key` (41..617).",
        "`key` is [`crate::vk::VK_LEN`] bytes in the ceremony's Solana export format (`SolanaVk` in",
        "`circuits/src/export/solana.rs`), `vk_hash` its SHA-256 (= `Config.vk_hash`)."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "bump",
            "docs": [
              "Bump of this PDA, stored so verify paths never search for it."
            ],
            "type": "u8"
          },
          {
            "name": "vkHash",
            "docs": [
              "SHA-256 of `key`, computed on chain when it was written."
            ],
            "type": {
              "array": [
                "u8",
                32
              ]
            }
          },
          {
            "name": "key",
            "docs": [
              "`α ‖ β ‖ γ ‖ δ ‖ IC₀ ‖ IC₁`, big-endian (see [`crate::vk`])."
            ],
            "type": {
              "array": [
                "u8",
                576
              ]
            }
          }
        ]
      }
    },
    {
      "name": "verifyingKeySet",
      "docs": [
        "The verifying key was written (`initialize_config`: `previous_vk_hash` all zero) or replaced",
        "(`set_verifying_key`). Proofs for the previous key stop verifying from this slot on."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "authority",
            "type": "pubkey"
          },
          {
            "name": "verifyingKey",
            "docs": [
              "The `[VK_SEED]` account holding the key."
            ],
            "type": "pubkey"
          },
          {
            "name": "previousVkHash",
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
              "SHA-256 of the new key bytes, now in `Config.vk_hash`."
            ],
            "type": {
              "array": [
                "u8",
                32
              ]
            }
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
