//! Lexer: source text to tokens (spec section 1 and the literals of 3).
//!
//! Layout matters in ilo, so every token records what surrounds it: whether a
//! newline precedes it (a statement separator inside a declaration), whether
//! it starts at column 0 (a new declaration), and whether whitespace touches
//! it on either side (the parser tells prefix `+a b` from infix `a + b` and
//! `a+b` by that). Errors never stop the lexer: the bad bytes are skipped and
//! reported, so the parser still sees the rest of the file.

use crate::codes::lexer as code;
use crate::diag::Diagnostic;
use crate::front::ast::Span;

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Num(f64),
    Text(String),
    Name(String),
    /// `_`
    Underscore,
    Plus,
    Minus,
    Star,
    Slash,
    /// `+=`
    PlusEq,
    /// `=`
    Eq,
    /// `==`
    EqEq,
    /// `!=`
    BangEq,
    /// `!`
    Bang,
    Lt,
    Gt,
    Le,
    Ge,
    /// `&`
    Amp,
    /// `|`
    Bar,
    /// `~`
    Tilde,
    /// `^`
    Caret,
    /// `?`
    Question,
    /// `??`
    QQ,
    /// `.`
    Dot,
    /// `.?`
    DotQ,
    /// `..`
    DotDot,
    /// `>>`
    Pipe,
    /// `@`
    At,
    Colon,
    Semi,
    Comma,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Eof,
}

impl Tok {
    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            Tok::Num(n) => format!("number `{n}`"),
            Tok::Text(_) => "text literal".to_string(),
            Tok::Name(n) => format!("`{n}`"),
            Tok::Eof => "end of input".to_string(),
            other => format!("`{}`", other.symbol()),
        }
    }

    /// The source spelling of punctuation tokens.
    pub fn symbol(&self) -> &'static str {
        match self {
            Tok::Underscore => "_",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::PlusEq => "+=",
            Tok::Eq => "=",
            Tok::EqEq => "==",
            Tok::BangEq => "!=",
            Tok::Bang => "!",
            Tok::Lt => "<",
            Tok::Gt => ">",
            Tok::Le => "<=",
            Tok::Ge => ">=",
            Tok::Amp => "&",
            Tok::Bar => "|",
            Tok::Tilde => "~",
            Tok::Caret => "^",
            Tok::Question => "?",
            Tok::QQ => "??",
            Tok::Dot => ".",
            Tok::DotQ => ".?",
            Tok::DotDot => "..",
            Tok::Pipe => ">>",
            Tok::At => "@",
            Tok::Colon => ":",
            Tok::Semi => ";",
            Tok::Comma => ",",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::Num(_) | Tok::Text(_) | Tok::Name(_) | Tok::Eof => "",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub kind: Tok,
    pub span: Span,
    /// A newline lies between the previous token and this one.
    pub nl: bool,
    /// The token starts a line at column 0 (or is the first of the file):
    /// it begins a new declaration.
    pub col0: bool,
    /// Whitespace, a comment or the start of the file precedes it.
    pub space_before: bool,
    /// Whitespace, a comment or the end of the file follows it.
    pub space_after: bool,
}

/// Splits `src` into tokens, always ending with `Tok::Eof`. Lexical errors
/// are returned alongside; the offending bytes are skipped.
pub fn lex(src: &str) -> (Vec<Token>, Vec<Diagnostic>) {
    let mut lx = Lexer {
        src,
        bytes: src.as_bytes(),
        pos: 0,
        toks: Vec::new(),
        errs: Vec::new(),
    };
    lx.run();
    (lx.toks, lx.errs)
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    toks: Vec<Token>,
    errs: Vec<Diagnostic>,
}

/// Layout facts gathered while skipping the gap before a token.
struct Gap {
    nl: bool,
    col0: bool,
    space: bool,
}

impl<'a> Lexer<'a> {
    fn peek(&self) -> u8 {
        self.peek_at(0)
    }

    fn peek_at(&self, k: usize) -> u8 {
        self.bytes.get(self.pos + k).copied().unwrap_or(0)
    }

    fn run(&mut self) {
        loop {
            let gap = self.skip_gap();
            let first = self.toks.is_empty();
            let start = self.pos;
            if self.pos >= self.bytes.len() {
                self.push(
                    Tok::Eof,
                    start,
                    Gap {
                        nl: true,
                        col0: true,
                        space: true,
                    },
                );
                break;
            }
            let gap = Gap {
                nl: gap.nl || first,
                col0: gap.col0 || first,
                space: gap.space || first,
            };
            if let Some(kind) = self.token() {
                self.push(kind, start, gap);
            }
        }
        // `space_after` is the next token's `space_before`.
        for i in 1..self.toks.len() {
            let next_space = self.toks.get(i).map(|t| t.space_before).unwrap_or(true);
            if let Some(prev) = self.toks.get_mut(i - 1) {
                prev.space_after = next_space;
            }
        }
    }

    fn push(&mut self, kind: Tok, start: usize, gap: Gap) {
        let span = Span::new(start, self.pos);
        self.toks.push(Token {
            kind,
            span,
            nl: gap.nl,
            col0: gap.col0,
            space_before: gap.space,
            space_after: true,
        });
    }

    /// Skips whitespace and `--` comments, noting newlines and whether the
    /// next token sits at column 0.
    fn skip_gap(&mut self) -> Gap {
        let mut gap = Gap {
            nl: false,
            col0: false,
            space: false,
        };
        loop {
            match self.peek() {
                b'\n' => {
                    self.pos += 1;
                    gap = Gap {
                        nl: true,
                        col0: true,
                        space: true,
                    };
                }
                b' ' | b'\t' | b'\r' => {
                    self.pos += 1;
                    gap.col0 = false;
                    gap.space = true;
                }
                b'-' if self.peek_at(1) == b'-' => {
                    while self.pos < self.bytes.len() && self.peek() != b'\n' {
                        self.pos += 1;
                    }
                    gap.col0 = false;
                    gap.space = true;
                }
                _ => return gap,
            }
        }
    }

    /// Lexes one token at `pos`; `None` after reporting an error.
    fn token(&mut self) -> Option<Tok> {
        let c = self.peek();
        if c.is_ascii_alphabetic() {
            return self.name();
        }
        if c.is_ascii_digit() {
            return self.number();
        }
        if c == b'-' && self.peek_at(1).is_ascii_digit() && !self.glued_to_term() {
            return self.number();
        }
        if c == b'"' {
            return self.text();
        }
        if let Some((tok, len)) = punct(c, self.peek_at(1)) {
            self.pos += len;
            return Some(tok);
        }
        self.bad_char();
        None
    }

    /// Whether the byte before `pos` ends a term, so `-` there is infix
    /// subtraction (`a-1`, `(x)-1`) rather than a negative literal.
    fn glued_to_term(&self) -> bool {
        let prev = if self.pos == 0 {
            0
        } else {
            self.bytes.get(self.pos - 1).copied().unwrap_or(0)
        };
        prev.is_ascii_alphanumeric() || matches!(prev, b')' | b']' | b'"' | b'_')
    }

    fn bad_char(&mut self) {
        let start = self.pos;
        let ch = self
            .src
            .get(start..)
            .and_then(|s| s.chars().next())
            .unwrap_or('\u{fffd}');
        self.pos += ch.len_utf8().max(1);
        let span = Span::new(start, self.pos);
        let mut d = Diagnostic::error(code::UNEXPECTED_CHAR, format!("unexpected character `{ch}`"), span);
        if let Some(fix) = char_fix(ch) {
            d = d.with_suggestion(fix);
        }
        self.errs.push(d);
    }

    /// `get-user`, `x2`: a letter, then letters and digits, parts joined by
    /// `-` when the next part starts with a letter.
    fn name(&mut self) -> Option<Tok> {
        let start = self.pos;
        loop {
            while self.peek().is_ascii_alphanumeric() {
                self.pos += 1;
            }
            if self.peek() == b'-' && self.peek_at(1).is_ascii_alphabetic() {
                self.pos += 1;
                continue;
            }
            break;
        }
        let text = self.src.get(start..self.pos).unwrap_or("").to_string();
        if self.peek() == b'_' && self.peek_at(1).is_ascii_alphanumeric() {
            return self.snake_name(start);
        }
        Some(Tok::Name(text))
    }

    /// `get_user` is not an ilo name: report it once, suggest `get-user`, and
    /// keep it as that name so parsing carries on sensibly.
    fn snake_name(&mut self, start: usize) -> Option<Tok> {
        while self.peek().is_ascii_alphanumeric() || self.peek() == b'_' || self.peek() == b'-' {
            self.pos += 1;
        }
        let raw = self.src.get(start..self.pos).unwrap_or("");
        let fixed = raw.replace('_', "-");
        let span = Span::new(start, self.pos);
        self.errs.push(
            Diagnostic::error(
                code::UNDERSCORE_IN_NAME,
                format!("`_` cannot appear in a name: `{raw}`"),
                span,
            )
            .with_note("name parts are joined with `-`")
            .with_suggestion(fixed.clone()),
        );
        Some(Tok::Name(fixed))
    }

    /// `42 -7 3.5 1e3 -2.5e-3`; after `.` only an integer (`x.0.1` is two
    /// indexes, not `x` then `0.1`).
    fn number(&mut self) -> Option<Tok> {
        let start = self.pos;
        let after_dot = matches!(self.toks.last().map(|t| &t.kind), Some(Tok::Dot));
        if self.peek() == b'-' {
            self.pos += 1;
        }
        self.digits();
        if !after_dot {
            if self.peek() == b'.' && self.peek_at(1).is_ascii_digit() {
                self.pos += 1;
                self.digits();
            }
            self.exponent();
        }
        if self.peek().is_ascii_alphabetic() || self.peek() == b'_' {
            return self.bad_number(start);
        }
        let text = self.src.get(start..self.pos).unwrap_or("0");
        match text.parse::<f64>() {
            Ok(v) if v.is_infinite() => {
                self.errs.push(
                    Diagnostic::error(
                        code::NUMBER_OUT_OF_RANGE,
                        format!("`{text}` is beyond the largest number (about 1.8e308) and would become `inf`"),
                        Span::new(start, self.pos),
                    )
                    .with_note("for infinity write `/1 0` (or `/-1 0`); else a number within range"),
                );
                None
            }
            Ok(v) => Some(Tok::Num(v)),
            Err(_) => self.bad_number(start),
        }
    }

    fn digits(&mut self) {
        while self.peek().is_ascii_digit() {
            self.pos += 1;
        }
    }

    /// `e3`, `e-3`, `E+3`: only consumed when digits follow.
    fn exponent(&mut self) {
        if !matches!(self.peek(), b'e' | b'E') {
            return;
        }
        let sign = usize::from(matches!(self.peek_at(1), b'+' | b'-'));
        if self.peek_at(1 + sign).is_ascii_digit() {
            self.pos += 1 + sign;
            self.digits();
        }
    }

    fn bad_number(&mut self, start: usize) -> Option<Tok> {
        while self.peek().is_ascii_alphanumeric() || self.peek() == b'_' || self.peek() == b'.' {
            self.pos += 1;
        }
        let raw = self.src.get(start..self.pos).unwrap_or("");
        let span = Span::new(start, self.pos);
        self.errs.push(
            Diagnostic::error(code::MALFORMED_NUMBER, format!("malformed number `{raw}`"), span).with_note(
                "numbers look like `42`, `-7`, `3.5`, `1e3`, `-2.5e-3`; put a space between a number and a name",
            ),
        );
        None
    }

    /// `"…"` with escapes `\t \n \" \\` (and `\r`).
    fn text(&mut self) -> Option<Tok> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(ch) = self.src.get(self.pos..).and_then(|s| s.chars().next()) else {
                let span = Span::new(start, self.pos);
                self.errs.push(
                    Diagnostic::error(code::UNTERMINATED_TEXT, "unterminated text literal", span)
                        .with_label(Span::new(start, start + 1), "text starts here")
                        .with_suggestion("close the text with `\"`"),
                );
                // Still a token, so the parser does not add errors of its own.
                return Some(Tok::Text(out));
            };
            self.pos += ch.len_utf8();
            match ch {
                '"' => break,
                '\\' => self.escape(&mut out),
                c => out.push(c),
            }
        }
        // After a bad escape the text is still a token, so parsing goes on.
        Some(Tok::Text(out))
    }

    /// Reads the character after `\`; reports an unknown escape.
    fn escape(&mut self, out: &mut String) {
        let at = self.pos - 1;
        let Some(ch) = self.src.get(self.pos..).and_then(|s| s.chars().next()) else {
            return; // the unterminated-text error follows
        };
        self.pos += ch.len_utf8();
        match ch {
            't' => out.push('\t'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            other => {
                let span = Span::new(at, self.pos);
                self.errs.push(
                    Diagnostic::error(
                        code::UNKNOWN_ESCAPE,
                        format!("unknown escape `\\{other}` in text"),
                        span,
                    )
                    .with_note("the escapes are `\\t`, `\\n`, `\\r`, `\\\"` and `\\\\`")
                    .with_suggestion(format!("\\\\{other}")),
                );
            }
        }
    }
}

/// Punctuation and operators, longest match first.
fn punct(c: u8, next: u8) -> Option<(Tok, usize)> {
    let two = match (c, next) {
        (b'+', b'=') => Some(Tok::PlusEq),
        (b'=', b'=') => Some(Tok::EqEq),
        (b'!', b'=') => Some(Tok::BangEq),
        (b'<', b'=') => Some(Tok::Le),
        (b'>', b'=') => Some(Tok::Ge),
        (b'>', b'>') => Some(Tok::Pipe),
        (b'?', b'?') => Some(Tok::QQ),
        (b'.', b'?') => Some(Tok::DotQ),
        (b'.', b'.') => Some(Tok::DotDot),
        _ => None,
    };
    if let Some(t) = two {
        return Some((t, 2));
    }
    let one = match c {
        b'_' => Tok::Underscore,
        b'+' => Tok::Plus,
        b'-' => Tok::Minus,
        b'*' => Tok::Star,
        b'/' => Tok::Slash,
        b'=' => Tok::Eq,
        b'!' => Tok::Bang,
        b'<' => Tok::Lt,
        b'>' => Tok::Gt,
        b'&' => Tok::Amp,
        b'|' => Tok::Bar,
        b'~' => Tok::Tilde,
        b'^' => Tok::Caret,
        b'?' => Tok::Question,
        b'.' => Tok::Dot,
        b'@' => Tok::At,
        b':' => Tok::Colon,
        b';' => Tok::Semi,
        b',' => Tok::Comma,
        b'(' => Tok::LParen,
        b')' => Tok::RParen,
        b'[' => Tok::LBracket,
        b']' => Tok::RBracket,
        b'{' => Tok::LBrace,
        b'}' => Tok::RBrace,
        _ => return None,
    };
    Some((one, 1))
}

/// What to write instead of a character ilo does not use.
fn char_fix(ch: char) -> Option<&'static str> {
    match ch {
        '\'' => Some("text literals use double quotes: \"…\""),
        '#' => Some("comments start with `--`"),
        '%' => Some("remainder is the builtin `mod a b`"),
        '\u{201c}' | '\u{201d}' => Some("use a plain double quote `\"`"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok> {
        let (toks, errs) = lex(src);
        assert!(errs.is_empty(), "{errs:?}");
        toks.into_iter().map(|t| t.kind).collect()
    }

    fn codes(src: &str) -> Vec<&'static str> {
        lex(src).1.into_iter().map(|d| d.code).collect()
    }

    fn name(s: &str) -> Tok {
        Tok::Name(s.to_string())
    }

    #[test]
    fn numbers() {
        for (src, v) in [
            ("42", 42.0),
            ("-7", -7.0),
            ("3.5", 3.5),
            ("1e3", 1e3),
            ("-2.5e-3", -2.5e-3),
            ("2E+2", 200.0),
        ] {
            assert_eq!(kinds(src), vec![Tok::Num(v), Tok::Eof], "{src}");
        }
    }

    #[test]
    fn minus_space_is_operator() {
        assert_eq!(kinds("- 0 v"), vec![Tok::Minus, Tok::Num(0.0), name("v"), Tok::Eof]);
        assert_eq!(kinds("-n 1"), vec![Tok::Minus, name("n"), Tok::Num(1.0), Tok::Eof]);
    }

    #[test]
    fn minus_glued_to_term_is_subtraction() {
        assert_eq!(kinds("a-1"), vec![name("a"), Tok::Minus, Tok::Num(1.0), Tok::Eof]);
        assert_eq!(
            kinds("(a)-1"),
            vec![Tok::LParen, name("a"), Tok::RParen, Tok::Minus, Tok::Num(1.0), Tok::Eof]
        );
    }

    #[test]
    fn names_with_dashes() {
        assert_eq!(
            kinds("get-user wh-sum x2"),
            vec![name("get-user"), name("wh-sum"), name("x2"), Tok::Eof]
        );
        assert_eq!(kinds("a-b"), vec![name("a-b"), Tok::Eof]);
    }

    #[test]
    fn index_after_dot_is_integer() {
        assert_eq!(
            kinds("x.0.1"),
            vec![name("x"), Tok::Dot, Tok::Num(0.0), Tok::Dot, Tok::Num(1.0), Tok::Eof]
        );
        assert_eq!(kinds("0..7"), vec![Tok::Num(0.0), Tok::DotDot, Tok::Num(7.0), Tok::Eof]);
    }

    #[test]
    fn operators() {
        let src = "+ - * / += = == != ! < > <= >= & | ~ ^ ? ?? . .? .. >> @ : ; , ( ) [ ] { } _";
        let toks = kinds(src);
        assert_eq!(toks.len(), 35);
        assert_eq!(toks.get(21), Some(&Tok::DotDot));
    }

    #[test]
    fn text_escapes() {
        assert_eq!(
            kinds(r#""a\tb\n\"q\"\\""#),
            vec![Tok::Text("a\tb\n\"q\"\\".to_string()), Tok::Eof]
        );
    }

    #[test]
    fn comments_produce_nothing() {
        assert_eq!(
            kinds("a -- comment\n-- whole line\nb"),
            vec![name("a"), name("b"), Tok::Eof]
        );
    }

    #[test]
    fn layout_flags() {
        let (toks, _) = lex("f>n\n  1\ng>n;2");
        let col0: Vec<bool> = toks.iter().map(|t| t.col0).collect();
        let nl: Vec<bool> = toks.iter().map(|t| t.nl).collect();
        // f > n 1 g > n ; 2 Eof
        assert_eq!(
            col0,
            vec![true, false, false, false, true, false, false, false, false, true]
        );
        assert_eq!(
            nl,
            vec![true, false, false, true, true, false, false, false, false, true]
        );
    }

    #[test]
    fn spacing_flags() {
        let (toks, _) = lex("a +b");
        let plus = toks.get(1).cloned();
        assert!(matches!(
            plus,
            Some(Token {
                kind: Tok::Plus,
                space_before: true,
                space_after: false,
                ..
            })
        ));
    }

    #[test]
    fn errors() {
        assert_eq!(codes("a $ b"), vec![code::UNEXPECTED_CHAR]);
        assert_eq!(codes("\"abc"), vec![code::UNTERMINATED_TEXT]);
        assert_eq!(codes(r#""\q""#), vec![code::UNKNOWN_ESCAPE]);
        assert_eq!(codes("12ab"), vec![code::MALFORMED_NUMBER]);
        assert_eq!(codes("1e400"), vec![code::NUMBER_OUT_OF_RANGE]);
        assert_eq!(codes("-2e308"), vec![code::NUMBER_OUT_OF_RANGE]);
        assert!(codes("1e308 -1e-400").is_empty());
        assert_eq!(codes("get_user"), vec![code::UNDERSCORE_IN_NAME]);
        assert_eq!(codes("'x'"), vec![code::UNEXPECTED_CHAR, code::UNEXPECTED_CHAR]);
    }

    #[test]
    fn error_spans() {
        let (_, errs) = lex("ab $");
        assert_eq!(errs.first().map(|d| d.span), Some(Span::new(3, 4)));
        let (_, errs) = lex("é");
        assert_eq!(errs.first().map(|d| d.span), Some(Span::new(0, 2)));
    }
}
