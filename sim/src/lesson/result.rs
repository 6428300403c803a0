//! Result codes: a short text a student copies and an instructor pastes into svclab to see which
//! tasks of which lesson were solved. No server is involved, so a code is checked, not secured:
//! its checksum catches a mistyped or edited code, not a student who recomputes it.

use sha2::{Digest, Sha256};

use crate::cluster::Cluster;

/// What a valid result code says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultCode {
    pub lesson: String,
    /// One flag per task, in order.
    pub solved: Vec<bool>,
    /// A digest of the run (seed and action log) the tasks were solved in.
    pub run: String,
}

/// `first-service.111.3fa9c2d1.8b04` style: lesson id, one digit per task (1 solved, 0 not), the
/// run's digest, and a checksum of the three.
pub fn result_code(lesson: &str, solved: &[bool], cluster: &Cluster) -> String {
    let flags: String = solved.iter().map(|&s| if s { '1' } else { '0' }).collect();
    let run = hex(&Sha256::digest(format!("{:?}{:?}", cluster.config(), cluster.log()))[..4]);
    let body = format!("{lesson}.{flags}.{run}");
    format!("{body}.{}", checksum(&body))
}

/// Read a pasted result code, or say why it is not one.
pub fn verify_result_code(code: &str) -> Result<ResultCode, String> {
    let code = code.trim();
    let parts: Vec<&str> = code.split('.').collect();
    let [lesson, flags, run, sum] = parts[..] else {
        return Err("not a svclab result code: expected four parts separated by dots".into());
    };
    let body = format!("{lesson}.{flags}.{run}");
    if checksum(&body) != sum {
        return Err("this result code was mistyped or changed: its checksum does not match".into());
    }
    let solved = flags
        .chars()
        .map(|c| match c {
            '1' => Some(true),
            '0' => Some(false),
            _ => None,
        })
        .collect::<Option<Vec<bool>>>()
        .filter(|f| !f.is_empty())
        .ok_or("not a svclab result code: the task flags must be 0s and 1s")?;
    Ok(ResultCode {
        lesson: lesson.to_string(),
        solved,
        run: run.to_string(),
    })
}

fn checksum(body: &str) -> String {
    hex(&Sha256::digest(format!("svclab result {body}"))[..2])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
