//! Heap objects behind NaN-boxed values: an arena that lives as long as one
//! engine's run state. Values refer to objects by index, so no reference
//! counting touches the hot paths and nothing here is `unsafe`.
//!
//! Objects are immutable once allocated: every operation that "changes" a
//! list, map or record (`+=`, `mset`, `with`) allocates a new object, so a
//! value can be shared freely and maps are persistent.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::value::Value;

/// A record type as declared with `type name{f:T;g:T}`: its name and field
/// names in declaration order. Shared by every record of that type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordShape {
    pub name: String,
    pub fields: Vec<String>,
}

impl RecordShape {
    pub fn new(name: impl Into<String>, fields: Vec<String>) -> RecordShape {
        RecordShape {
            name: name.into(),
            fields,
        }
    }

    /// The position of field `name`.
    pub fn field(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f == name)
    }
}

/// A record value: its type and one value per field, in declaration order.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub shape: Arc<RecordShape>,
    pub values: Vec<Value>,
}

impl Record {
    pub fn get(&self, field: &str) -> Option<Value> {
        self.shape.field(field).and_then(|i| self.values.get(i).copied())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Obj {
    Text(String),
    List(Vec<Value>),
    /// Keys are text at run time; iteration is in key order.
    Map(BTreeMap<String, Value>),
    Record(Record),
    /// `~v`
    Ok(Value),
    /// `^e`
    Err(Value),
}

#[derive(Default, Debug)]
pub struct Heap {
    objects: Vec<Obj>,
}

impl Heap {
    pub fn alloc(&mut self, obj: Obj) -> Value {
        self.objects.push(obj);
        Value::heap((self.objects.len() - 1) as u32)
    }

    pub fn get(&self, v: Value) -> Option<&Obj> {
        self.objects.get(v.heap_index()? as usize)
    }

    pub fn text(&mut self, s: impl Into<String>) -> Value {
        self.alloc(Obj::Text(s.into()))
    }

    pub fn list(&mut self, items: Vec<Value>) -> Value {
        self.alloc(Obj::List(items))
    }

    pub fn map(&mut self, entries: BTreeMap<String, Value>) -> Value {
        self.alloc(Obj::Map(entries))
    }

    pub fn ok(&mut self, v: Value) -> Value {
        self.alloc(Obj::Ok(v))
    }

    pub fn err(&mut self, v: Value) -> Value {
        self.alloc(Obj::Err(v))
    }

    /// `~"text"`.
    pub fn ok_text(&mut self, s: impl Into<String>) -> Value {
        let t = self.text(s);
        self.ok(t)
    }

    /// `^"message"`: the error result builtins return for an expected failure.
    pub fn err_text(&mut self, message: impl Into<String>) -> Value {
        let m = self.text(message);
        self.err(m)
    }

    pub fn record(&mut self, shape: Arc<RecordShape>, values: Vec<Value>) -> Value {
        self.alloc(Obj::Record(Record { shape, values }))
    }

    /// The text behind `v`, if it is one.
    pub fn as_text(&self, v: Value) -> Option<&str> {
        match self.get(v)? {
            Obj::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The elements of the list behind `v`, if it is one.
    pub fn as_list(&self, v: Value) -> Option<&[Value]> {
        match self.get(v)? {
            Obj::List(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self, v: Value) -> Option<&BTreeMap<String, Value>> {
        match self.get(v)? {
            Obj::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_record(&self, v: Value) -> Option<&Record> {
        match self.get(v)? {
            Obj::Record(r) => Some(r),
            _ => None,
        }
    }

    /// Drops every object: for reused run state between top-level calls,
    /// once no value of the previous call is held.
    pub fn clear(&mut self) {
        self.objects.clear();
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_reached_through_their_values() {
        let mut h = Heap::default();
        let t = h.text("hi");
        let l = h.list(vec![Value::num(1.0), t]);
        let ok = h.ok(l);
        assert_eq!(h.as_text(t), Some("hi"));
        assert_eq!(h.as_list(l).map(<[Value]>::len), Some(2));
        assert_eq!(h.get(ok), Some(&Obj::Ok(l)));
        assert_eq!(h.as_text(l), None);
        assert_eq!(h.as_list(Value::num(3.0)), None);
        assert_eq!(h.len(), 3);
        h.clear();
        assert!(h.is_empty());
        assert_eq!(h.get(t), None);
    }

    #[test]
    fn records_find_fields_by_name() {
        let mut h = Heap::default();
        let shape = Arc::new(RecordShape::new("pt", vec!["x".into(), "y".into()]));
        let r = h.record(shape, vec![Value::num(1.0), Value::num(2.0)]);
        let rec = h.as_record(r).cloned();
        assert_eq!(rec.as_ref().and_then(|r| r.get("y")), Some(Value::num(2.0)));
        assert_eq!(rec.as_ref().and_then(|r| r.get("z")), None);
    }
}
