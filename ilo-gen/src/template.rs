//! JIT lowering templates: dynasm source with `{operand}` placeholders and
//! `%snippet(arg)` calls into the target's shared snippets.

use std::collections::BTreeMap;

/// Expands `%name(arg)` snippet calls and checks that every `{x}`
/// placeholder names one of `operands`.
pub fn expand(template: &str, snippets: &BTreeMap<String, String>, operands: &[&str]) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let call = &rest[at + 1..];
        let open = call.find('(').ok_or("`%` must be followed by `snippet(arg)`")?;
        let close = call.find(')').ok_or("unclosed `%snippet(` call")?;
        let name = &call[..open];
        let arg = &call[open + 1..close];
        let body = snippets.get(name).ok_or_else(|| format!("unknown snippet `%{name}`"))?;
        out.push_str(&body.replace("{0}", arg));
        rest = &call[close + 1..];
    }
    out.push_str(rest);
    for name in placeholders(&out) {
        if !operands.contains(&name.as_str()) {
            return Err(format!("template names operand `{name}` that the opcode lacks"));
        }
    }
    Ok(out)
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
