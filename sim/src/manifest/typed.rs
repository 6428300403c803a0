//! YAML files that are not Kubernetes objects (lesson files), read straight into serde types with
//! each error at its line, so the rest of the crate need not know the YAML library.

use serde::de::DeserializeOwned;

use super::MAX_BYTES;

/// What is wrong with a typed YAML file, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    /// 1-based; 0 when the problem is the whole file.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

/// Read `text` as one YAML document of type `T`. Unknown fields and unknown enum variants are
/// errors when `T` says so (`deny_unknown_fields`), never silently dropped.
pub fn read_file<T: DeserializeOwned>(text: &str) -> Result<T, FileError> {
    if text.len() > MAX_BYTES {
        return Err(FileError {
            line: 0,
            column: 0,
            message: format!(
                "svclab reads files of at most 1 MiB ({MAX_BYTES} bytes); this one has {} bytes",
                text.len()
            ),
        });
    }
    serde_yaml::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| {
            super::positions::within(text, l.line(), l.column())
        });
        // serde_yaml appends " at line L column C"; the position is reported on its own.
        let message = e.to_string();
        let message = match message.find(" at line ") {
            Some(at) => message[..at].to_string(),
            None => message,
        };
        FileError {
            line,
            column,
            message,
        }
    })
}
