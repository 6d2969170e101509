//! Lists written on the command line in brackets: `[1,2,3]`, `[]`,
//! `["a b","c"]` (double quotes delimit a text element), `[[1,2],[3]]`.
//! Anything malformed is an error naming what is wrong, never a guess.

use crate::engine::Arg;
use crate::front::ast::Type;

/// One element as written: quoted text, a nested list, or a bare word that
/// the element type reads.
#[derive(Debug, PartialEq)]
pub enum Item {
    Quoted(String),
    List(Vec<Item>),
    Bare(String),
}

impl Item {
    /// The element as an argument of type `ty`.
    pub fn into_arg(self, ty: &Type) -> Result<Arg, String> {
        match (self, ty) {
            // A bare word may be `nil`; anything else is an `O T`'s `T`.
            (item @ (Item::Quoted(_) | Item::List(_)), Type::Opt(inner)) => item.into_arg(inner),
            (Item::Quoted(t), Type::Text | Type::Any | Type::Var(_)) => Ok(Arg::Text(t)),
            (Item::Quoted(t), _) => Err(format!("`\"{t}\"` is a text, not a {}", ty.word())),
            (Item::List(items), Type::List(_) | Type::Any | Type::Var(_)) => {
                let elem = match ty {
                    Type::List(elem) => elem.as_ref(),
                    _ => &Type::Any,
                };
                items
                    .into_iter()
                    .map(|i| i.into_arg(elem))
                    .collect::<Result<_, _>>()
                    .map(Arg::List)
            }
            (Item::List(_), _) => Err(format!("a nested list where a {} is expected", ty.word())),
            (Item::Bare(w), _) => Arg::parse(&w, ty),
        }
    }
}

/// The elements of `[ … ]`.
pub fn parse(text: &str) -> Result<Vec<Item>, String> {
    let chars: Vec<char> = text.trim().chars().collect();
    let mut at = 0;
    let items = list(&chars, &mut at, text)?;
    if at != chars.len() {
        return Err(format!("`{text}`: unexpected `{}` after the list's `]`", chars[at]));
    }
    Ok(items)
}

fn list(chars: &[char], at: &mut usize, whole: &str) -> Result<Vec<Item>, String> {
    // chars[*at] is '['.
    *at += 1;
    let mut items = Vec::new();
    skip_spaces(chars, at);
    if chars.get(*at) == Some(&']') {
        *at += 1;
        return Ok(items);
    }
    loop {
        skip_spaces(chars, at);
        let item = match chars.get(*at) {
            Some('"') => quoted(chars, at, whole)?,
            Some('[') => Item::List(list(chars, at, whole)?),
            Some(_) => {
                let start = *at;
                while let Some(c) = chars.get(*at) {
                    if matches!(c, ',' | ']' | '[' | '"') {
                        break;
                    }
                    *at += 1;
                }
                let word: String = chars[start..*at].iter().collect::<String>().trim().to_string();
                if word.is_empty() {
                    return Err(format!("`{whole}`: an empty element (two commas in a row?)"));
                }
                Item::Bare(word)
            }
            None => return Err(format!("`{whole}`: the list is not closed with `]`")),
        };
        items.push(item);
        skip_spaces(chars, at);
        match chars.get(*at) {
            Some(',') => *at += 1,
            Some(']') => {
                *at += 1;
                return Ok(items);
            }
            Some(c) => return Err(format!("`{whole}`: expected `,` or `]`, found `{c}`")),
            None => return Err(format!("`{whole}`: the list is not closed with `]`")),
        }
    }
}

fn quoted(chars: &[char], at: &mut usize, whole: &str) -> Result<Item, String> {
    *at += 1;
    let start = *at;
    while let Some(c) = chars.get(*at) {
        if *c == '"' {
            let text = chars[start..*at].iter().collect();
            *at += 1;
            return Ok(Item::Quoted(text));
        }
        *at += 1;
    }
    Err(format!("`{whole}`: a text element's `\"` is not closed"))
}

fn skip_spaces(chars: &[char], at: &mut usize) {
    while chars.get(*at).is_some_and(|c| c.is_whitespace()) {
        *at += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num_list(text: &str) -> Result<Arg, String> {
        Arg::parse(text, &Type::List(Box::new(Type::Num)))
    }

    fn text_list(text: &str) -> Result<Arg, String> {
        Arg::parse(text, &Type::List(Box::new(Type::Text)))
    }

    #[test]
    fn brackets_commas_and_quotes() {
        let n = |x| Arg::Num(x);
        let t = |s: &str| Arg::Text(s.to_string());
        assert_eq!(num_list("[1,2,3]"), Ok(Arg::List(vec![n(1.0), n(2.0), n(3.0)])));
        assert_eq!(num_list("[ 1 , 2 ]"), Ok(Arg::List(vec![n(1.0), n(2.0)])));
        assert_eq!(num_list("[]"), Ok(Arg::List(vec![])));
        assert_eq!(num_list("1,2"), Ok(Arg::List(vec![n(1.0), n(2.0)])));
        assert_eq!(text_list("[hello,world]"), Ok(Arg::List(vec![t("hello"), t("world")])));
        assert_eq!(text_list("[\"a b\",\"c,d\"]"), Ok(Arg::List(vec![t("a b"), t("c,d")])));
        let nested = Arg::parse("[[1],[2,3]]", &Type::List(Box::new(Type::List(Box::new(Type::Num)))));
        assert_eq!(
            nested,
            Ok(Arg::List(vec![
                Arg::List(vec![n(1.0)]),
                Arg::List(vec![n(2.0), n(3.0)])
            ]))
        );
        // A text parameter takes the brackets as its text.
        assert_eq!(Arg::parse("[x]", &Type::Text), Ok(t("[x]")));
        // `_` takes any of them.
        assert_eq!(
            Arg::parse("[1,\"a\",true,nil]", &Type::Any),
            Ok(Arg::List(vec![n(1.0), t("a"), Arg::Bool(true), Arg::Nil]))
        );
    }

    #[test]
    fn malformed_lists_are_errors() {
        for bad in ["[1,2", "[1,,2]", "[1]]", "[\"a]", "[1 2]x", "[a]"] {
            assert!(num_list(bad).is_err(), "{bad:?} was accepted: {:?}", num_list(bad));
        }
        assert!(text_list("[\"a\"b]").is_err());
        assert!(Arg::parse("[1]", &Type::Num).is_err());
    }

    #[test]
    fn an_option_takes_nil_or_its_inner_type() {
        let opt = |t: Type| Type::Opt(Box::new(t));
        let list = |t: Type| Type::List(Box::new(t));
        assert_eq!(Arg::parse("nil", &opt(Type::Num)), Ok(Arg::Nil));
        assert_eq!(Arg::parse("3", &opt(Type::Num)), Ok(Arg::Num(3.0)));
        assert!(Arg::parse("abc", &opt(Type::Num)).is_err());
        assert_eq!(Arg::parse("[x]", &opt(Type::Text)), Ok(Arg::Text("[x]".into())));
        assert_eq!(
            Arg::parse("[1,nil]", &opt(list(opt(Type::Num)))),
            Ok(Arg::List(vec![Arg::Num(1.0), Arg::Nil]))
        );
        assert!(Arg::parse("[1,\"a\"]", &opt(list(Type::Num))).is_err());
        assert_eq!(
            Arg::parse("[\"a b\",[1]]", &list(opt(Type::Var('a')))),
            Ok(Arg::List(vec![Arg::Text("a b".into()), Arg::List(vec![Arg::Num(1.0)])]))
        );
    }

    #[test]
    fn maps_results_records_and_functions_are_not_guessed_from_text() {
        let map = Type::Map(Box::new(Type::Text), Box::new(Type::Num));
        let res = Type::Result(Box::new(Type::Num), Box::new(Type::Text));
        let func = Type::Func(vec![Type::Num], Box::new(Type::Num));
        for ty in [map, res, func, Type::Named("pt".into())] {
            let e = Arg::parse("abc", &ty).expect_err("text taken as a map, result, function or record");
            assert!(e.contains("cannot be written on the command line"), "{e}");
            assert!(Arg::parse("[1]", &Type::List(Box::new(ty.clone()))).is_err());
        }
    }
}
