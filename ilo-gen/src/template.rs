//! JIT lowering templates: dynasm source with `{operand}` placeholders and
//! `%snippet(arg)` calls into the target's shared snippets.

use std::collections::BTreeMap;

/// Expands `%name(arg)` snippet calls (a snippet may call others) and
/// checks that every `{x}` placeholder names one of `operands`.
pub fn expand(template: &str, snippets: &BTreeMap<String, String>, operands: &[&str]) -> Result<String, String> {
    let out = expand_snippets(template, snippets)?;
    for name in placeholders(&out) {
        if !operands.contains(&name.as_str()) {
            return Err(format!("template names operand `{name}` that the opcode lacks"));
        }
    }
    Ok(out)
}

/// `template` with its `%name(arg)` calls expanded, and theirs.
pub fn expand_snippets(template: &str, snippets: &BTreeMap<String, String>) -> Result<String, String> {
    expand_nested(template, snippets, 0)
}

fn expand_nested(template: &str, snippets: &BTreeMap<String, String>, depth: usize) -> Result<String, String> {
    if depth > 8 {
        return Err("snippets call each other more than 8 deep (a cycle?)".into());
    }
    let mut out = String::new();
    let mut rest = template;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let call = &rest[at + 1..];
        let open = call.find('(').ok_or("`%` must be followed by `snippet(arg)`")?;
        let close = matching_paren(call, open).ok_or("unclosed `%snippet(` call")?;
        let name = &call[..open];
        let arg = &call[open + 1..close];
        let body = snippets.get(name).ok_or_else(|| format!("unknown snippet `%{name}`"))?;
        out.push_str(&expand_nested(&body.replace("{0}", arg), snippets, depth + 1)?);
        rest = &call[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The `)` closing the `(` at `open` (an argument may hold parentheses).
fn matching_paren(s: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, ch) in s.char_indices().skip_while(|(i, _)| *i < open) {
        match ch {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The `{x}` names in a template, in order of appearance.
pub fn placeholders(template: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(len) = rest[open..].find('}') else { break };
        names.push(rest[open + 1..open + len].trim().to_string());
        rest = &rest[open + len + 1..];
    }
    names
}

/// Replaces each `{x}` with `resolve(x)`.
pub fn substitute(template: &str, resolve: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(len) = rest[open..].find('}') else { break };
        out.push_str(&rest[..open]);
        out.push_str(&resolve(rest[open + 1..open + len].trim()));
        rest = &rest[open + len + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_expand_with_their_argument() {
        let mut s = BTreeMap::new();
        s.insert("k".to_string(), "mov rax, QWORD {0} ; vmovq xmm15, rax".to_string());
        let out = expand("%k({c}) ; vaddsd {a}, {b}, xmm15", &s, &["a", "b", "c"]);
        assert_eq!(
            out.as_deref(),
            Ok("mov rax, QWORD {c} ; vmovq xmm15, rax ; vaddsd {a}, {b}, xmm15")
        );
    }

    #[test]
    fn unknown_operands_and_snippets_are_rejected() {
        let s = BTreeMap::new();
        assert!(expand("fneg {a}, {c}", &s, &["a", "b"]).unwrap_err().contains("`c`"));
        assert!(expand("%nope({a})", &s, &["a"]).unwrap_err().contains("nope"));
    }

    #[test]
    fn substitute_replaces_each_placeholder() {
        assert_eq!(
            substitute("fadd {a}, {b}, {c}", |n| format!("D({n})")),
            "fadd D(a), D(b), D(c)"
        );
    }
}
