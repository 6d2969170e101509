//! Heap objects behind NaN-boxed values: an arena that lives as long as one
//! engine's run state. Values refer to objects by index, so no reference
//! counting touches the hot paths and nothing here is `unsafe`.

use crate::value::Value;

#[derive(Clone, Debug, PartialEq)]
pub enum Obj {
    Text(String),
    List(Vec<Value>),
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
