//! Sealed JSON: a JSON object that carries the SHA-256 of its own bytes in
//! a last field, `"checksum"`, computed with that field's value written as
//! 64 zeros. [`seal`] writes one, [`open`] checks the seal before the
//! content is parsed, so a flipped byte anywhere in a manifest (a seed, a
//! file's checksum, the scenario) is refused rather than believed.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::digest::sha256_hex;

const FIELD: &[u8] = b"\"checksum\": \"";
const ZEROS: [u8; 64] = [b'0'; 64];

/// Why a sealed file cannot be used, as a phrase.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("it carries no checksum (it was not written by this version of trustsim)")]
    Missing,
    #[error(
        "its checksum does not match its content; it was changed or damaged after trustsim wrote it"
    )]
    Mismatch,
    #[error("cannot encode it: {0}")]
    Encode(serde_json::Error),
    #[error("cannot parse it: {0}")]
    Parse(serde_json::Error),
}

/// `value` (which must serialise to a JSON object) as pretty JSON with its
/// checksum as the last field and a trailing newline.
pub fn seal<T: Serialize>(value: &T) -> Result<Vec<u8>, SealError> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(SealError::Encode)?;
    // Pretty JSON of a non-empty object ends with "\n}"; an empty one is "{}".
    let end = if bytes.ends_with(b"\n}") {
        bytes.truncate(bytes.len() - 2);
        bytes.extend_from_slice(b",\n  ");
        bytes.len()
    } else {
        bytes.truncate(bytes.len() - 1);
        bytes.extend_from_slice(b"\n  ");
        bytes.len()
    };
    bytes.extend_from_slice(FIELD);
    let at = end + FIELD.len();
    bytes.extend_from_slice(&ZEROS);
    bytes.extend_from_slice(b"\"\n}\n");
    let sum = sha256_hex(&bytes);
    bytes[at..at + 64].copy_from_slice(sum.as_bytes());
    Ok(bytes)
}

/// Checks the seal of `bytes` and parses them.
pub fn open<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, SealError> {
    check(bytes)?;
    serde_json::from_slice(bytes).map_err(SealError::Parse)
}

/// Checks the seal of `bytes` without parsing them.
pub fn check(bytes: &[u8]) -> Result<(), SealError> {
    let at = bytes
        .windows(FIELD.len())
        .rposition(|w| w == FIELD)
        .ok_or(SealError::Missing)?
        + FIELD.len();
    let recorded = bytes.get(at..at + 64).ok_or(SealError::Missing)?;
    if !recorded.iter().all(|b| b.is_ascii_hexdigit()) {
        return Err(SealError::Mismatch);
    }
    let recorded = recorded.to_vec();
    let mut zeroed = bytes.to_vec();
    zeroed[at..at + 64].copy_from_slice(&ZEROS);
    if sha256_hex(&zeroed).as_bytes() != recorded.as_slice() {
        return Err(SealError::Mismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct M {
        seed: u64,
        name: String,
    }

    #[test]
    fn every_flipped_byte_is_noticed() {
        let m = M {
            seed: 20260101,
            name: "baseline".into(),
        };
        let bytes = seal(&m).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            text.ends_with("\"\n}\n") && text.contains("\"seed\": 20260101,"),
            "{text}"
        );
        assert_eq!(open::<M>(&bytes).unwrap(), m);
        for i in 0..bytes.len() {
            for bit in [0x01u8, 0x20] {
                let mut bad = bytes.clone();
                bad[i] ^= bit;
                assert!(open::<M>(&bad).is_err(), "byte {i} bit {bit:#x} passed");
            }
        }
        assert!(matches!(
            open::<M>(br#"{"seed": 1, "name": "x"}"#),
            Err(SealError::Missing)
        ));
    }
}
