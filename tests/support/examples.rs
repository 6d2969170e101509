//! The example corpus: `examples/*.ilo` (programs with expected results) and
//! `examples/errors/*.ilo` (programs that must fail), read from their header
//! comments. Any engine's test can drive them; `tests/examples_tree.rs` runs
//! them on the tree interpreter.
//!
//! Header lines (ilo comments, so the file is still a program):
//!
//! ```text
//! -- run: fac 5          function name, then the arguments as the CLI takes them
//! -- out: 120            the result, exactly as the CLI prints it
//! -- printed: hello      (optional, before `out`) a line the program itself
//!                        prints with `prnt`; the CLI's stdout is the
//!                        `printed` lines, then the `out` lines
//! -- error: ILO-R002     (errors/ only) the code the program must fail with:
//!                        ILO-L/P/T when it is checked, ILO-R when it runs
//! -- max-steps: 1000     (optional) the run's `--max-steps`
//! ```
//!
//! A run may have several `out` lines when the result itself spans lines.
//! Arguments split on spaces; `"a b"` or `'a b'` keeps spaces in one.

use std::path::{Path, PathBuf};

use ilo_runtime::diag::Diagnostic;
use ilo_runtime::engine::Arg;
use ilo_runtime::error::Limits;
use ilo_runtime::front::ast::Program;

/// One `-- run:` line and what it must give.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub func: String,
    pub args: Vec<String>,
    /// The `-- out:` lines: the printed result.
    pub out: Vec<String>,
    /// The `-- printed:` lines: what the program prints before the result.
    pub printed: Vec<String>,
    /// 1-based line of the `-- run:` header, for messages.
    pub line: usize,
}

impl Run {
    /// The result as the CLI prints it (without the final newline).
    pub fn expected(&self) -> String {
        self.out.join("\n")
    }

    /// The whole of the CLI's stdout for this run, final newline included.
    pub fn expected_stdout(&self) -> String {
        let mut s = String::new();
        for l in self.printed.iter().chain(&self.out) {
            s.push_str(l);
            s.push('\n');
        }
        s
    }

    /// The arguments converted by the function's parameter types, as the CLI
    /// converts them.
    pub fn typed_args(&self, program: &Program) -> Result<Vec<Arg>, String> {
        let f = program
            .func(&self.func)
            .ok_or_else(|| format!("no function `{}`", self.func))?;
        if f.params.len() != self.args.len() {
            return Err(format!(
                "`{}` takes {} arguments, the run gives {}",
                self.func,
                f.params.len(),
                self.args.len()
            ));
        }
        f.params
            .iter()
            .zip(&self.args)
            .map(|(p, a)| Arg::parse(a, &p.ty))
            .collect()
    }
}

/// One example file.
#[derive(Clone, Debug)]
pub struct Example {
    pub path: PathBuf,
    pub source: String,
    pub runs: Vec<Run>,
    /// `-- error:`: the code the program must fail with.
    pub error: Option<String>,
    pub max_steps: Option<u64>,
}

impl Example {
    /// Reads `path` and its headers.
    pub fn load(path: &Path) -> Result<Example, String> {
        let source = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Example::parse(path, source)
    }

    /// Reads the headers of `source`.
    pub fn parse(path: &Path, source: String) -> Result<Example, String> {
        let mut ex = Example {
            path: path.to_path_buf(),
            source: String::new(),
            runs: Vec::new(),
            error: None,
            max_steps: None,
        };
        for (i, line) in source.lines().enumerate() {
            let Some(rest) = line.strip_prefix("--") else { continue };
            let rest = rest.trim_start();
            let where_ = || format!("{}:{}", path.display(), i + 1);
            if let Some(cmd) = rest.strip_prefix("run:") {
                let mut words = split_args(cmd.trim()).into_iter();
                let func = words
                    .next()
                    .ok_or_else(|| format!("{}: `-- run:` without a function", where_()))?;
                ex.runs.push(Run {
                    func,
                    args: words.collect(),
                    out: Vec::new(),
                    printed: Vec::new(),
                    line: i + 1,
                });
            } else if let Some(out) = rest.strip_prefix("out:") {
                let run = ex
                    .runs
                    .last_mut()
                    .ok_or_else(|| format!("{}: `-- out:` before any `-- run:`", where_()))?;
                run.out.push(strip_one_space(out).to_string());
            } else if let Some(p) = rest.strip_prefix("printed:") {
                let run = ex
                    .runs
                    .last_mut()
                    .ok_or_else(|| format!("{}: `-- printed:` before any `-- run:`", where_()))?;
                run.printed.push(strip_one_space(p).to_string());
            } else if let Some(code) = rest.strip_prefix("error:") {
                ex.error = Some(code.trim().to_string());
            } else if let Some(n) = rest.strip_prefix("max-steps:") {
                ex.max_steps = Some(
                    n.trim()
                        .parse()
                        .map_err(|e| format!("{}: bad max-steps: {e}", where_()))?,
                );
            }
        }
        if ex.error.is_none() {
            if ex.runs.is_empty() {
                return Err(format!("{}: no `-- run:` line", path.display()));
            }
            if let Some(r) = ex.runs.iter().find(|r| r.out.is_empty()) {
                return Err(format!("{}:{}: `-- run:` without `-- out:`", path.display(), r.line));
            }
        }
        ex.source = source;
        Ok(ex)
    }

    /// The limits the runs use.
    pub fn limits(&self) -> Limits {
        Limits {
            max_steps: self.max_steps,
            ..Limits::default()
        }
    }

    /// A short name for messages: the file name.
    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// Parses and verifies the program, with its `use` imports merged in.
    pub fn program(&self) -> Result<Program, Vec<Diagnostic>> {
        load_program(&self.path, &self.source)
    }
}

/// `examples/` at the workspace root.
pub fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// `examples/errors/`.
pub fn errors_dir() -> PathBuf {
    examples_dir().join("errors")
}

/// Every `*.ilo` directly in `dir`, sorted by name, with its headers.
/// Files under a `lib/` folder are imports, not examples, and are skipped
/// because they are not directly in `dir`.
pub fn load_dir(dir: &Path) -> Result<Vec<Example>, String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ilo") && p.is_file())
        .collect();
    paths.sort();
    paths.iter().map(|p| Example::load(p)).collect()
}

/// The examples that must succeed.
pub fn all() -> Result<Vec<Example>, String> {
    load_dir(&examples_dir())
}

/// The examples that must fail.
pub fn all_errors() -> Result<Vec<Example>, String> {
    load_dir(&errors_dir())
}

/// Splits a run line like a shell would, without expansions: spaces
/// separate words, `"…"` and `'…'` group.
pub fn split_args(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                in_word = true;
            }
            None if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            None => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

fn strip_one_space(s: &str) -> &str {
    s.strip_prefix(' ').unwrap_or(s)
}

/// Parses `source` (the file at `path`) and verifies it, its `use`
/// imports resolved relative to it, as the CLI does.
pub fn load_program(path: &Path, source: &str) -> Result<Program, Vec<Diagnostic>> {
    ilo_runtime::front::check_file(path, source)
}
