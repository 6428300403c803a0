//! Command-line flags the way kubectl's `pflag` reads them: `--name=value`, `--name value`,
//! `-n value`, `-nvalue`, `-n=value`, grouped booleans (`-it`), flags anywhere among the
//! arguments, and `--` ending them.

/// One flag a command accepts.
#[derive(Clone, Copy, Debug)]
pub struct Flag {
    pub long: &'static str,
    pub short: Option<char>,
    /// Takes a value (`--namespace dev`); otherwise a boolean (`--rm`, `--rm=false`).
    pub value: bool,
    /// What the value completes to.
    pub values: Values,
}

/// What a flag's value completes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Values {
    Nothing,
    Namespaces,
    /// `-o`: the output formats the command takes (most take [`FORMATS`]).
    Formats(&'static [&'static str]),
    /// The editor's file.
    File,
    /// The `key=value` labels of the namespace's pods.
    Labels,
    /// Images a lesson uses.
    Images,
}

/// The output formats `kubectl get` and most commands take.
pub const FORMATS: &[&str] = &["json", "name", "wide", "yaml"];

pub const fn val(long: &'static str, short: Option<char>) -> Flag {
    Flag {
        long,
        short,
        value: true,
        values: Values::Nothing,
    }
}

pub const fn boolean(long: &'static str, short: Option<char>) -> Flag {
    Flag {
        long,
        short,
        value: false,
        values: Values::Nothing,
    }
}

impl Flag {
    /// `word` is this flag by itself: `--namespace` or `-n`.
    pub fn named(&self, word: &str) -> bool {
        match word.strip_prefix("--") {
            Some(long) => long == self.long,
            None => {
                let mut chars = word.chars();
                chars.next() == Some('-') && self.short.is_some() && chars.eq(self.short)
            }
        }
    }

    /// The same flag, its value completing to `values`.
    pub const fn completes(self, values: Values) -> Flag {
        Flag { values, ..self }
    }
}

/// What was parsed: flags by their long name, in order, and the positional arguments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub flags: Vec<(&'static str, String)>,
    pub args: Vec<String>,
    /// How many positional arguments came before `--`, if `--` was given (cobra's
    /// `ArgsLenAtDash`).
    pub dash: Option<usize>,
}

impl Parsed {
    /// The last value given for a flag.
    pub fn get(&self, long: &str) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(l, _)| *l == long)
            .map(|(_, v)| v.as_str())
    }

    /// Every value given for a repeatable flag (`-f a.yaml -f b.yaml`).
    pub fn all(&self, long: &str) -> Vec<&str> {
        self.flags
            .iter()
            .filter(|(l, _)| *l == long)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A boolean flag: set and not `=false`.
    pub fn on(&self, long: &str) -> bool {
        self.get(long).is_some_and(|v| v != "false")
    }

    pub fn has(&self, long: &str) -> bool {
        self.get(long).is_some()
    }
}

/// Parse `words` against `flags`. `Err` holds pflag's message (without the `error: ` prefix).
pub fn parse(words: &[String], flags: &[Flag]) -> Result<Parsed, String> {
    let mut out = Parsed::default();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        i += 1;
        if w == "--" {
            out.dash = Some(out.args.len());
            out.args.extend(words[i..].iter().cloned());
            break;
        }
        if let Some(rest) = w.strip_prefix("--") {
            let (name, inline) = match rest.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (rest, None),
            };
            let Some(flag) = flags.iter().find(|f| f.long == name) else {
                return Err(format!("unknown flag: --{name}"));
            };
            let value = if flag.value {
                match inline {
                    Some(v) => v,
                    None => match words.get(i) {
                        Some(v) => {
                            i += 1;
                            v.clone()
                        }
                        None => return Err(format!("flag needs an argument: --{name}")),
                    },
                }
            } else {
                match inline.as_deref() {
                    None => "true".to_string(),
                    Some(v @ ("true" | "false" | "1" | "0" | "t" | "f" | "T" | "F" | "TRUE" | "FALSE" | "True" | "False")) => {
                        if matches!(v, "false" | "0" | "f" | "F" | "FALSE" | "False") {
                            "false".into()
                        } else {
                            "true".into()
                        }
                    }
                    Some(v) => {
                        return Err(format!(
                            "invalid argument \"{v}\" for \"--{name}\" flag: strconv.ParseBool: parsing \"{v}\": invalid syntax"
                        ))
                    }
                }
            };
            out.flags.push((flag.long, value));
            continue;
        }
        if w.len() > 1 && w.starts_with('-') {
            let shorts: Vec<char> = w[1..].chars().collect();
            let mut j = 0;
            while j < shorts.len() {
                let c = shorts[j];
                let Some(flag) = flags.iter().find(|f| f.short == Some(c)) else {
                    return Err(format!("unknown shorthand flag: '{c}' in {w}"));
                };
                if flag.value {
                    let rest: String = shorts[j + 1..].iter().collect();
                    let value = if let Some(v) = rest.strip_prefix('=') {
                        v.to_string()
                    } else if !rest.is_empty() {
                        rest
                    } else {
                        match words.get(i) {
                            Some(v) => {
                                i += 1;
                                v.clone()
                            }
                            None => return Err(format!("flag needs an argument: '{c}' in -{c}")),
                        }
                    };
                    out.flags.push((flag.long, value));
                    break;
                }
                if shorts.get(j + 1) == Some(&'=') {
                    let v: String = shorts[j + 2..].iter().collect();
                    out.flags.push((
                        flag.long,
                        if v == "false" {
                            "false".into()
                        } else {
                            "true".into()
                        },
                    ));
                    break;
                }
                out.flags.push((flag.long, "true".into()));
                j += 1;
            }
            continue;
        }
        out.args.push(w.clone());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLAGS: &[Flag] = &[
        val("namespace", Some('n')),
        boolean("stdin", Some('i')),
        boolean("tty", Some('t')),
        val("image", None),
        boolean("rm", None),
    ];

    fn w(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn flags_anywhere_and_after_the_dash() {
        let p = parse(&w("-it test --image=busybox --rm -n dev -- sh -c x"), FLAGS).unwrap();
        assert!(p.on("stdin") && p.on("tty") && p.on("rm"));
        assert_eq!(p.get("image"), Some("busybox"));
        assert_eq!(p.get("namespace"), Some("dev"));
        assert_eq!(p.args, vec!["test", "sh", "-c", "x"]);
        assert_eq!(p.dash, Some(1));
        let p = parse(&w("-ndev x -n=prod"), FLAGS).unwrap();
        assert_eq!(p.get("namespace"), Some("prod"));
        assert_eq!(p.all("namespace"), vec!["dev", "prod"]);
    }

    #[test]
    fn pflag_errors() {
        assert_eq!(
            parse(&w("--foo"), FLAGS).unwrap_err(),
            "unknown flag: --foo"
        );
        assert_eq!(
            parse(&w("-z"), FLAGS).unwrap_err(),
            "unknown shorthand flag: 'z' in -z"
        );
        assert_eq!(
            parse(&w("-itz"), FLAGS).unwrap_err(),
            "unknown shorthand flag: 'z' in -itz"
        );
        assert_eq!(
            parse(&w("--namespace"), FLAGS).unwrap_err(),
            "flag needs an argument: --namespace"
        );
        assert_eq!(
            parse(&w("-n"), FLAGS).unwrap_err(),
            "flag needs an argument: 'n' in -n"
        );
    }
}
