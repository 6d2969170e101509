//! Rendering diagnostics: human text with a caret under the span (ANSI colour
//! optional) via codespan-reporting, or one JSON object per line for agents.

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term;
use serde_json::Value;

use crate::diag::{Diagnostic, Severity};
use crate::front::ast::Span;

/// Human-readable text: `error[ILO-P005]: …`, the source line with a caret
/// at the span, secondary labels, notes, and the suggestion as `help:`.
pub fn render_human(diags: &[Diagnostic], file_name: &str, src: &str, color: bool) -> String {
    let file = SimpleFile::new(file_name, src);
    let config = term::Config::default();
    let mut out = String::new();
    for d in diags {
        let cd = to_codespan(d, src);
        let rendered = if color {
            emit_ansi(&config, &file, &cd)
        } else {
            term::emit_into_string(&config, &file, &cd).ok()
        };
        // codespan only fails on spans outside the file, which `clamp`
        // prevents; fall back to a plain header rather than lose the error.
        out.push_str(&rendered.unwrap_or_else(|| plain(d)));
    }
    out
}

fn emit_ansi(config: &term::Config, file: &SimpleFile<&str, &str>, cd: &cs::Diagnostic<()>) -> Option<String> {
    let mut buf = term::termcolor::Buffer::ansi();
    term::emit_to_write_style(&mut buf, config, file, cd).ok()?;
    Some(String::from_utf8_lossy(buf.as_slice()).into_owned())
}

fn plain(d: &Diagnostic) -> String {
    let mut s = format!("{}[{}]: {}\n", d.severity.as_str(), d.code, d.message);
    for n in &d.notes {
        s.push_str(&format!("  = note: {n}\n"));
    }
    if let Some(fix) = &d.suggestion {
        s.push_str(&format!("  = help: {fix}\n"));
    }
    s
}

fn to_codespan(d: &Diagnostic, src: &str) -> cs::Diagnostic<()> {
    let severity = match d.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
        Severity::Hint => cs::Severity::Help,
    };
    let mut labels = vec![cs::Label::primary((), clamp(d.span, src))];
    labels.extend(
        d.labels
            .iter()
            .map(|l| cs::Label::secondary((), clamp(l.span, src)).with_message(&l.message)),
    );
    let mut notes = d.notes.clone();
    if let Some(fix) = &d.suggestion {
        notes.push(format!("help: {fix}"));
    }
    cs::Diagnostic::new(severity)
        .with_code(d.code)
        .with_message(&d.message)
        .with_labels(labels)
        .with_notes(notes)
}

/// The span as a byte range inside `src` on character boundaries.
fn clamp(span: Span, src: &str) -> std::ops::Range<usize> {
    let fix = |mut i: usize| {
        i = i.min(src.len());
        while i > 0 && !src.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = fix(span.start as usize);
    start..fix(span.end as usize).max(start)
}

/// One JSON object per diagnostic and line, with keys `severity code message
/// labels notes suggestion`. `labels` starts with the primary span (message
/// empty); each span is `{start, end, line, col}`: byte offsets, 1-based line,
/// 1-based column counted in characters.
pub fn render_json(diags: &[Diagnostic], file_name: &str, src: &str) -> String {
    let _ = file_name; // one file per call; the caller knows which
    let mut out = String::new();
    for d in diags {
        out.push_str(&to_json(d, src));
        out.push('\n');
    }
    out
}

/// Built by hand rather than with `json!` so the keys keep the documented
/// order (serde_json sorts object keys).
fn to_json(d: &Diagnostic, src: &str) -> String {
    let mut labels = vec![label_json(d.span, "", src)];
    labels.extend(d.labels.iter().map(|l| label_json(l.span, &l.message, src)));
    let notes: Vec<String> = d.notes.iter().map(|n| jstr(n)).collect();
    let suggestion = d.suggestion.as_deref().map(jstr).unwrap_or_else(|| "null".to_string());
    format!(
        "{{\"severity\":{},\"code\":{},\"message\":{},\"labels\":[{}],\"notes\":[{}],\"suggestion\":{}}}",
        jstr(d.severity.as_str()),
        jstr(d.code),
        jstr(&d.message),
        labels.join(","),
        notes.join(","),
        suggestion
    )
}

fn label_json(span: Span, message: &str, src: &str) -> String {
    let r = clamp(span, src);
    let (line, col) = line_col(src, r.start);
    format!(
        "{{\"span\":{{\"start\":{},\"end\":{},\"line\":{line},\"col\":{col}}},\"message\":{}}}",
        r.start,
        r.end,
        jstr(message)
    )
}

/// A JSON string literal.
fn jstr(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// 1-based line and character column of byte offset `at` (a char boundary).
fn line_col(src: &str, at: usize) -> (usize, usize) {
    let before = src.get(..at).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = before.get(line_start..).map(|s| s.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> (String, Vec<Diagnostic>) {
        let src = "f x:n>n\n  +x\ng>n;1\n".to_string();
        let d = Diagnostic::error(
            crate::codes::parser::MISSING_OPERAND,
            "`+` needs two operands, found the end of the statement",
            Span::new(12, 12),
        )
        .with_label(Span::new(10, 11), "prefix `+`")
        .with_note("operands are atoms or prefix expressions")
        .with_suggestion("+x 1");
        (src, vec![d])
    }

    #[test]
    fn human_has_code_caret_labels_notes_and_help() {
        let (src, diags) = sample();
        let text = render_human(&diags, "prog.ilo", &src, false);
        assert!(text.contains("error[ILO-P005]: `+` needs two operands"), "{text}");
        assert!(text.contains("prog.ilo:2:"), "{text}");
        assert!(text.contains("+x"), "{text}");
        assert!(text.contains('^'), "{text}");
        assert!(text.contains("prefix `+`"), "{text}");
        assert!(text.contains("operands are atoms"), "{text}");
        assert!(text.contains("help: +x 1"), "{text}");
        assert!(!text.contains('\u{1b}'), "no colour requested: {text}");
    }

    #[test]
    fn human_colour_uses_ansi() {
        let (src, diags) = sample();
        let text = render_human(&diags, "prog.ilo", &src, true);
        assert!(text.contains('\u{1b}'), "{text}");
        assert!(text.contains(crate::codes::parser::MISSING_OPERAND), "{text}");
    }

    #[test]
    fn human_hint_severity() {
        let mut d = Diagnostic::error(
            crate::codes::parser::DOUBLE_EQUALS,
            "`==` is written `=` in ilo",
            Span::new(5, 7),
        );
        d.severity = Severity::Hint;
        let text = render_human(&[d], "p.ilo", "f>b;a==b", false);
        assert!(text.contains("help[ILO-P020]"), "{text}");
    }

    #[test]
    fn spans_outside_the_source_do_not_fail() {
        let d = Diagnostic::error(crate::codes::parser::UNEXPECTED_TOKEN, "x", Span::new(50, 90))
            .with_label(Span::new(2, 1), "y");
        let text = render_human(std::slice::from_ref(&d), "p.ilo", "é", false);
        assert!(text.contains(crate::codes::parser::UNEXPECTED_TOKEN), "{text}");
        let json = render_json(&[d], "p.ilo", "é");
        assert!(json.contains("\"start\":2"), "{json}");
    }

    #[test]
    fn json_lines() {
        let (src, mut diags) = sample();
        diags.push(Diagnostic::error(
            crate::codes::lexer::UNEXPECTED_CHAR,
            "unexpected character `$`",
            Span::new(13, 14),
        ));
        let out = render_json(&diags, "prog.ilo", &src);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2);
        let v: Value = serde_json::from_str(lines.first().copied().unwrap_or("")).unwrap_or(Value::Null);
        let want = json!({
            "severity": "error",
            "code": crate::codes::parser::MISSING_OPERAND,
            "message": "`+` needs two operands, found the end of the statement",
            "labels": [
                {"span": {"start": 12, "end": 12, "line": 2, "col": 5}, "message": ""},
                {"span": {"start": 10, "end": 11, "line": 2, "col": 3}, "message": "prefix `+`"},
            ],
            "notes": ["operands are atoms or prefix expressions"],
            "suggestion": "+x 1",
        });
        assert_eq!(v, want);
        let v: Value = serde_json::from_str(lines.get(1).copied().unwrap_or("")).unwrap_or(Value::Null);
        assert_eq!(v.get("suggestion"), Some(&Value::Null));
        assert_eq!(v.pointer("/labels/0/span/line"), Some(&json!(3)));
    }

    #[test]
    fn json_keys_in_documented_order() {
        let (src, diags) = sample();
        let out = render_json(&diags, "prog.ilo", &src);
        let pos = |k: &str| out.find(&format!("\"{k}\":")).unwrap_or(usize::MAX);
        let keys = ["severity", "code", "message", "labels", "notes", "suggestion"];
        assert!(keys.windows(2).all(|w| pos(w[0]) < pos(w[1])), "{out}");
        assert!(out.contains(r#"{"start":12,"end":12,"line":2,"col":5}"#), "{out}");
    }

    #[test]
    fn json_columns_count_characters() {
        let d = Diagnostic::error(crate::codes::lexer::UNEXPECTED_CHAR, "x", Span::new(8, 9));
        let out = render_json(&[d], "p.ilo", "\"é\" é $");
        let v: Value = serde_json::from_str(out.trim()).unwrap_or(Value::Null);
        assert_eq!(v.pointer("/labels/0/span/col"), Some(&json!(7)));
    }

    #[test]
    fn parser_errors_render() {
        let src = "f x:n>n;+x\ng>n;$";
        let Err(diags) = crate::front::parser::parse(src) else {
            panic!("should fail")
        };
        let text = render_human(&diags, "p.ilo", src, false);
        assert!(
            text.contains(crate::codes::parser::MISSING_OPERAND) && text.contains(crate::codes::lexer::UNEXPECTED_CHAR),
            "{text}"
        );
        assert_eq!(render_json(&diags, "p.ilo", src).lines().count(), diags.len());
    }
}
