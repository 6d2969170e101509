//! Heap objects behind NaN-boxed values, with a tracing collector and a byte
//! limit. Nothing here is `unsafe`: values name objects by slot index.
//!
//! # The scheme
//!
//! Values are immutable, so no cycle can form between objects and a value
//! is a plain `Copy` word: numbers never touch the heap, and nothing on the
//! hot paths counts references. Instead the engines collect **at safe
//! points only** — a call's entry and a loop's back-edge, the places that
//! already count a step — where every value the program can still reach is
//! in one of the exact roots the engine hands to [`Heap::safepoint`]:
//!
//! - the register VM: its whole register file (registers of finished calls
//!   are stale but harmless: keeping them alive only delays their garbage);
//! - the stack VM: its value stack;
//! - the tree interpreter: its variable stack;
//! - and always the heap's own roots: the literal texts it made for the
//!   running program ([`Heap::literal`]), and its *temporary roots*
//!   ([`Heap::temps`]): values a Rust frame holds across a safe point. The
//!   tree interpreter roots an operand there while the next one is
//!   evaluated (a call's arguments, a binary operator's left side, a
//!   loop's items) and drops it after; a higher-order builtin
//!   ([`crate::builtins::call`]) pins its arguments, every object it
//!   allocates itself and every result of its callbacks, until it returns.
//!
//! The invariant every engine keeps: between two safe points a value may
//! sit in a Rust local, but at a safe point every value the program can
//! still use is in a root. Nothing is counted per value: an overwritten
//! register just stops naming its object, and a NaN-boxed number is never
//! looked at except by the mark phase's one tag test. The typed number
//! paths (`_NN`, `K` forms, the JITs' float registers) never touch the heap.
//!
//! A slot freed by a collection goes on a free list and is reused; a value
//! naming a freed slot would read `None` (never another program's object
//! in stress mode, [`Heap::set_stress`], which frees at every safe point and
//! never reuses a slot — the property tests run that way).
//!
//! # Updating in place without knowing uniqueness
//!
//! `+=xs v`, `+xs ys` and `+s t` grow their left operand's storage in place
//! when that value ends where its storage ends: the first such update moves
//! the owner's contents into a *buffer* slot that no value names and turns
//! the owner into a *view* (buffer, length); the result is a new view one
//! element (or `len t` bytes) longer over the same buffer. Buffers only ever
//! grow at the end, so every older view still reads exactly what it read
//! before; a view that is not at the buffer's end (it was extended already)
//! is copied instead. An append loop is O(1) amortised per step, and an old
//! binding never sees a later update — whether or not the value is shared.
//!
//! # Accounting and the limit
//!
//! The heap counts the bytes its objects hold ([`Heap::bytes`]), slots
//! included. A collection runs at a safe point once the bytes grow by half
//! of what the last one kept (by at least [`MIN_GC_BYTES`]), so collecting
//! costs O(1) amortised per allocated byte and garbage never exceeds half
//! the live data plus that minimum. A list of numbers is flagged as such and
//! not rescanned, so an append loop's collections cost what its garbage
//! costs, not its list's length. Past the limit ([`Heap::set_limit`]) the
//! run stops with `ILO-R013`: growth that would pass it fails before
//! allocating, and the collection threshold never exceeds the limit, so any
//! other allocation past it makes the next safe point collect and then
//! report the error if the live data is still over (builtins check on
//! return). No program value is allocated past the limit by more than one
//! bounded step, and the process never aborts on a program's allocation.

use std::sync::Arc;

use crate::error::RtError;
use crate::value::Value;

/// Concatenations up to this many bytes copy instead of growing in place.
const SMALL_TEXT: usize = 64;

/// The heap size below which no collection runs.
pub const MIN_GC_BYTES: usize = 64 << 10;

/// The default `--max-memory`: a quarter of the machine's memory, at most
/// 2 GiB. The cap keeps a runaway program's failure quick: the kernel
/// zeroes every page a value touches, so reaching a 4 GiB limit takes
/// seconds on a small VM, and agents' programs rarely need more; a run
/// that does asks with `--max-memory`.
pub fn default_limit() -> usize {
    static LIMIT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(machine_limit)
}

fn machine_limit() -> usize {
    const GIB: usize = 1 << 30;
    let total = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        let line = m.lines().find(|l| l.starts_with("MemTotal:"))?;
        let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    });
    match total {
        Some(t) => (t / 4).clamp(64 << 20, 2 * GIB),
        None => GIB,
    }
}

/// Names a compiled program's text table, so a heap can make each text
/// literal once and hand out the same value every time the literal runs
/// (texts are immutable, so sharing one is invisible). Every program gets
/// a fresh id; a clone keeps it, with the same texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProgramId(u64);

impl Default for ProgramId {
    fn default() -> ProgramId {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        ProgramId(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

/// A map's entries: a persistent ordered map (`imbl`), so `mset`, `mdel`
/// and `with` on a map share the old map's structure and cost O(log n)
/// instead of a copy, and an older binding still sees its own version.
pub type MapData = imbl::OrdMap<std::sync::Arc<str>, Value>;

/// What the heap counts for one map entry: the tree node's share, the key
/// and the value. An estimate (keys are usually short). A map derived from
/// another (`mset`, `mdel`, `with`) is charged only its new path when made,
/// so a loop of updates does not count the whole map at every step; each
/// collection then charges every surviving map in full, an upper bound when
/// live versions share structure.
const MAP_ENTRY_BYTES: usize = 64;

fn full_charge(m: &MapData) -> usize {
    m.len() * MAP_ENTRY_BYTES
}

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
    /// A boxed slice, not a `Vec`: the record then fits a slot unboxed.
    pub values: Box<[Value]>,
}

impl Record {
    pub fn get(&self, field: &str) -> Option<Value> {
        self.shape.field(field).and_then(|i| self.values.get(i).copied())
    }
}

/// An object as the engines see it: borrowed from the heap.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Obj<'h> {
    Text(&'h str),
    List(&'h [Value]),
    /// Keys are text at run time; iteration is in key order.
    Map(&'h MapData),
    Record(&'h Record),
    /// `~v`
    Ok(Value),
    /// `^e`
    Err(Value),
}

/// What one slot holds.
#[derive(Debug)]
enum Slot {
    /// Unused; `next` is the next slot on the free list ([`NO_SLOT`] ends it).
    Free {
        next: u32,
    },
    /// A text that owns its bytes.
    Text(String),
    /// The first `len` bytes of the `TextBuf` in slot `buf`.
    TextView {
        buf: u32,
        len: usize,
    },
    /// Bytes shared by text views; no value names a buffer.
    TextBuf(String),
    /// The flag: whether the items may name objects. A collection skips the
    /// items of a list of numbers, which an append loop would otherwise
    /// rescan at every collection.
    List(Vec<Value>, bool),
    ListView {
        buf: u32,
        len: usize,
    },
    ListBuf(Vec<Value>, bool),
    /// Boxed to keep every slot at 32 bytes.
    Map(Box<MapSlot>),
    Record(Record),
    Ok(Value),
    Err(Value),
}

const NO_SLOT: u32 = u32::MAX;

/// What a slot holds while its contents are moved out and back.
const HOLE: Slot = Slot::Free { next: NO_SLOT };

/// Whether any of `items` is a heap value.
#[inline]
fn names_objects<'a>(items: impl IntoIterator<Item = &'a Value>) -> bool {
    items.into_iter().any(|v| v.heap_index().is_some())
}

/// A map, the bytes it is charged (see [`MAP_ENTRY_BYTES`]) and whether
/// its values may name objects (a map of numbers is not rescanned).
#[derive(Debug)]
struct MapSlot {
    map: MapData,
    charge: usize,
    refs: bool,
}

/// Bytes a slot accounts for beyond its place in the slot vector.
#[inline]
fn payload(slot: &Slot) -> usize {
    const WORD: usize = std::mem::size_of::<Value>();
    match slot {
        Slot::Text(s) | Slot::TextBuf(s) => s.capacity(),
        Slot::List(v, _) | Slot::ListBuf(v, _) => v.capacity() * WORD,
        Slot::Map(m) => m.charge,
        Slot::Record(r) => r.values.len() * WORD,
        Slot::Free { .. } | Slot::TextView { .. } | Slot::ListView { .. } | Slot::Ok(_) | Slot::Err(_) => 0,
    }
}

const SLOT_BYTES: usize = std::mem::size_of::<Slot>();
const _: () = assert!(SLOT_BYTES == 32, "a slot grew: every garbage value costs its size");

/// What a collection did, for tests and `--verbose`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeapStats {
    /// Objects alive now (values, views and buffers).
    pub live: usize,
    /// Bytes held now.
    pub bytes: usize,
    /// The most bytes held at once since the heap was made.
    pub peak_bytes: usize,
    pub collections: usize,
    /// Objects freed by collections.
    pub freed: usize,
}

#[derive(Debug)]
pub struct Heap {
    slots: Vec<Slot>,
    /// Head of the free list threaded through `Slot::Free`.
    free: u32,
    /// Mark bits, one per slot, during a collection.
    marks: Vec<u64>,
    live: usize,
    bytes: usize,
    next_gc: usize,
    limit: usize,
    /// Temporary roots: see the module docs.
    pub temps: Vec<Value>,
    /// Literal texts made so far for program `literals_of`, by text index
    /// (`NIL`: not yet); roots while that program runs on this heap.
    literals: Vec<Value>,
    literals_of: Option<ProgramId>,
    /// While set, every allocation is also pushed to `temps` (a
    /// higher-order builtin's own objects).
    pinning: bool,
    stress: bool,
    stats: HeapStats,
}

impl Default for Heap {
    fn default() -> Heap {
        Heap {
            slots: Vec::new(),
            free: NO_SLOT,
            marks: Vec::new(),
            live: 0,
            bytes: 0,
            next_gc: MIN_GC_BYTES,
            limit: usize::MAX,
            temps: Vec::new(),
            literals: Vec::new(),
            literals_of: None,
            pinning: false,
            stress: false,
            stats: HeapStats::default(),
        }
    }
}

impl Heap {
    // ---- limits and settings ----

    /// Caps the bytes the heap may hold (`--max-memory`).
    pub fn set_limit(&mut self, bytes: usize) {
        self.limit = bytes;
        self.next_gc = self.next_gc.min(bytes);
    }

    /// Collect at every safe point and never reuse a slot, so a value that
    /// is used after it was freed reads `None` and shows up as a wrong result.
    pub fn set_stress(&mut self, on: bool) {
        self.stress = on;
    }

    pub fn stats(&self) -> HeapStats {
        HeapStats {
            live: self.live,
            bytes: self.bytes,
            ..self.stats
        }
    }

    /// Bytes held now.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// `ILO-R013` if the heap holds more than its limit.
    pub fn check_limit(&self) -> Result<(), RtError> {
        if self.bytes > self.limit {
            return Err(RtError::memory(self.limit));
        }
        Ok(())
    }

    /// Fails before growing by `extra` bytes would pass the limit.
    fn reserve(&self, extra: usize) -> Result<(), RtError> {
        match self.bytes.checked_add(extra) {
            Some(b) if b <= self.limit => Ok(()),
            _ => Err(RtError::memory(self.limit)),
        }
    }

    // ---- allocation ----

    #[inline(always)]
    fn put(&mut self, slot: Slot) -> u32 {
        let bytes = SLOT_BYTES + payload(&slot);
        self.bytes += bytes;
        self.stats.peak_bytes = self.stats.peak_bytes.max(self.bytes);
        self.live += 1;
        let i = self.free;
        match self.slots.get_mut(i as usize) {
            Some(free) => {
                if let Slot::Free { next } = *free {
                    self.free = next;
                }
                // A free slot owns nothing: skip its drop on this hot path.
                std::mem::forget(std::mem::replace(free, slot));
                i
            }
            None => {
                self.slots.push(slot);
                (self.slots.len() - 1) as u32
            }
        }
    }

    #[inline(always)]
    fn value(&mut self, slot: Slot) -> Value {
        let v = Value::heap(self.put(slot));
        if self.pinning {
            self.temps.push(v);
        }
        v
    }

    pub fn text(&mut self, s: impl Into<String>) -> Value {
        self.value(Slot::Text(s.into()))
    }

    pub fn list(&mut self, items: Vec<Value>) -> Value {
        let refs = names_objects(&items);
        self.value(Slot::List(items, refs))
    }

    pub fn map(&mut self, entries: impl Into<MapData>) -> Value {
        let map = entries.into();
        let charge = full_charge(&map);
        let refs = names_objects(map.values());
        self.value(Slot::Map(Box::new(MapSlot { map, charge, refs })))
    }

    /// A map made from another by a few updates: it shares the rest, and is
    /// charged the tree nodes an update copies (one per level; a node holds
    /// up to 64 entries).
    /// `from` is the map it was made from, `added` the values it set.
    pub fn map_version(&mut self, from: Value, map: MapData, added: &[Value]) -> Value {
        const NODE_BYTES: usize = 2048;
        let levels = (usize::BITS - map.len().leading_zeros()).div_ceil(6) as usize + 1;
        let charge = levels * NODE_BYTES;
        let refs = names_objects(added) || !matches!(self.slot(from), Some(Slot::Map(m)) if !m.refs);
        self.value(Slot::Map(Box::new(MapSlot { map, charge, refs })))
    }

    pub fn ok(&mut self, v: Value) -> Value {
        self.value(Slot::Ok(v))
    }

    pub fn err(&mut self, v: Value) -> Value {
        self.value(Slot::Err(v))
    }

    /// Text literal `i` of program `prog`'s table `texts` (the VMs' `LOADT`
    /// and `PUSHT`): made on first use, then the same value each time.
    #[inline]
    pub fn literal(&mut self, prog: ProgramId, texts: &[String], i: usize) -> Result<Value, RtError> {
        if self.literals_of != Some(prog) {
            self.literals.clear();
            self.literals_of = Some(prog);
        }
        if let Some(&v) = self.literals.get(i) {
            if !v.is_nil() {
                return Ok(v);
            }
        }
        let text = texts.get(i).ok_or_else(|| RtError::internal(format!("no text #{i}")))?;
        let v = self.text(text.as_str());
        if self.literals.len() <= i {
            self.literals.resize(i + 1, Value::NIL);
        }
        self.literals[i] = v;
        Ok(v)
    }

    /// Drops every root the heap holds itself (temporaries and literals)
    /// and collects with none: what is left afterwards was miscounted.
    pub fn release_all(&mut self) {
        self.temps.clear();
        self.literals.clear();
        self.literals_of = None;
        self.collect(std::iter::empty());
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
        let values = values.into_boxed_slice();
        self.value(Slot::Record(Record { shape, values }))
    }

    // ---- reading ----

    fn slot(&self, v: Value) -> Option<&Slot> {
        self.slots.get(v.heap_index()? as usize)
    }

    pub fn get(&self, v: Value) -> Option<Obj<'_>> {
        Some(match self.slot(v)? {
            Slot::Text(s) => Obj::Text(s),
            Slot::TextView { buf, len } => match self.slots.get(*buf as usize)? {
                Slot::TextBuf(s) => Obj::Text(s.get(..*len)?),
                _ => return None,
            },
            Slot::List(items, _) => Obj::List(items),
            Slot::ListView { buf, len } => match self.slots.get(*buf as usize)? {
                Slot::ListBuf(items, _) => Obj::List(items.get(..*len)?),
                _ => return None,
            },
            Slot::Map(m) => Obj::Map(&m.map),
            Slot::Record(r) => Obj::Record(r),
            Slot::Ok(x) => Obj::Ok(*x),
            Slot::Err(x) => Obj::Err(*x),
            Slot::Free { .. } | Slot::TextBuf(_) | Slot::ListBuf(..) => return None,
        })
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

    /// Element `i` of the list behind `v`: the step of a `@x xs` loop.
    #[inline]
    pub fn list_item(&self, v: Value, i: usize) -> Option<Value> {
        match self.slot(v)? {
            Slot::ListView { buf, len } if i < *len => match self.slots.get(*buf as usize)? {
                Slot::ListBuf(items, _) => items.get(i).copied(),
                _ => None,
            },
            Slot::List(items, _) => items.get(i).copied(),
            _ => None,
        }
    }

    pub fn as_map(&self, v: Value) -> Option<&MapData> {
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

    // ---- growing in place ----

    /// The buffer slot and length of text or list `i`, making an owner a
    /// view of a new buffer first.
    fn shared(&mut self, i: u32) -> Option<(u32, usize)> {
        let slot = std::mem::replace(&mut self.slots[i as usize], HOLE);
        let (buf, len, view) = match slot {
            Slot::TextView { buf, len } | Slot::ListView { buf, len } => {
                self.slots[i as usize] = slot;
                return Some((buf, len));
            }
            Slot::Text(s) => {
                let len = s.len();
                (self.move_payload(Slot::TextBuf(s)), len, true)
            }
            Slot::List(items, refs) => {
                let len = items.len();
                (self.move_payload(Slot::ListBuf(items, refs)), len, false)
            }
            other => {
                self.slots[i as usize] = other;
                return None;
            }
        };
        self.slots[i as usize] = if view {
            Slot::TextView { buf, len }
        } else {
            Slot::ListView { buf, len }
        };
        Some((buf, len))
    }

    /// Puts an owner's contents in a new buffer slot; its bytes move with it.
    fn move_payload(&mut self, buf: Slot) -> u32 {
        let moved = payload(&buf);
        self.bytes -= moved;
        self.put(buf)
    }

    /// Runs `grow` on buffer `buf`, keeping the byte count true.
    fn grow_buffer(&mut self, buf: u32, grow: impl FnOnce(&mut Slot)) {
        let slot = &mut self.slots[buf as usize];
        let before = payload(slot);
        grow(slot);
        let after = payload(slot);
        self.bytes = self.bytes + after - before;
        self.stats.peak_bytes = self.stats.peak_bytes.max(self.bytes);
    }

    fn buffer_len(&self, buf: u32) -> usize {
        match &self.slots[buf as usize] {
            Slot::TextBuf(s) => s.len(),
            Slot::ListBuf(v, _) => v.len(),
            _ => usize::MAX,
        }
    }

    /// What growing a buffer of `cap` units of `unit` bytes to `want` may allocate.
    fn growth(cap: usize, want: usize, unit: usize) -> usize {
        if want <= cap {
            0
        } else {
            want.max(cap * 2).saturating_mul(unit)
        }
    }

    /// The fast path of a text-building loop: `a` is a view at its
    /// buffer's end, the buffer has room for `b`, and `b` lives elsewhere.
    /// `None`: take [`Heap::concat_text`] (also when either is no text),
    /// which handles every case, this one included.
    #[inline]
    pub fn concat_within(&mut self, a: Value, b: Value) -> Option<Value> {
        let Some(&Slot::TextView { buf, len }) = self.slot(a) else {
            return None;
        };
        let (src, blen) = match self.slot(b)? {
            Slot::Text(t) => (b.heap_index()?, t.len()),
            &Slot::TextView { buf, len } => (buf, len),
            _ => return None,
        };
        let [Slot::TextBuf(dst), from] = self.slots.get_disjoint_mut([buf as usize, src as usize]).ok()? else {
            return None;
        };
        if dst.len() != len || dst.capacity() - len < blen {
            return None;
        }
        match from {
            Slot::Text(t) | Slot::TextBuf(t) => dst.push_str(t.get(..blen)?),
            _ => return None,
        }
        Some(self.value(Slot::TextView { buf, len: len + blen }))
    }

    /// `+a b` on two texts: `a`'s bytes then `b`'s.
    pub fn concat_text(&mut self, a: Value, b: Value) -> Result<Value, RtError> {
        let (Some(x), Some(y)) = (self.as_text(a), self.as_text(b)) else {
            return Err(RtError::internal("concat_text of a non-text"));
        };
        let (alen, blen) = (x.len(), y.len());
        // A short text that was never grown: one small copy is cheaper than
        // a buffer and a view.
        if alen + blen <= SMALL_TEXT && matches!(self.slot(a), Some(Slot::Text(_))) {
            return self.joined_text(a, b);
        }
        let Some(ai) = a.heap_index() else {
            return Err(RtError::internal("concat_text of a non-text"));
        };
        let (buf, _) = self
            .shared(ai)
            .ok_or_else(|| RtError::internal("text without storage"))?;
        if self.buffer_len(buf) != alen {
            // `a` was extended already.
            return self.joined_text(a, b);
        }
        let cap = match &self.slots[buf as usize] {
            Slot::TextBuf(s) => s.capacity(),
            _ => 0,
        };
        self.reserve(Self::growth(cap, alen + blen, 1))?;
        // `b` may live in the same buffer (`+s s`): copy it out of its own
        // storage before the buffer is taken.
        let b_in_buf = matches!(self.slot(b), Some(Slot::TextView { buf: bb, .. }) if *bb == buf);
        let mut s = match std::mem::replace(&mut self.slots[buf as usize], HOLE) {
            Slot::TextBuf(s) => s,
            _ => return Err(RtError::internal("text buffer lost")),
        };
        let before = s.capacity();
        if s.try_reserve(blen).is_err() {
            self.slots[buf as usize] = Slot::TextBuf(s);
            return Err(RtError::memory(self.limit));
        }
        if b_in_buf {
            s.extend_from_within(..blen);
        } else {
            s.push_str(self.as_text(b).unwrap_or_default());
        }
        self.bytes = self.bytes + s.capacity() - before;
        self.stats.peak_bytes = self.stats.peak_bytes.max(self.bytes);
        self.slots[buf as usize] = Slot::TextBuf(s);
        Ok(self.value(Slot::TextView { buf, len: alen + blen }))
    }

    /// A new text holding `a`'s bytes then `b`'s, checked against the limit.
    fn joined_text(&mut self, a: Value, b: Value) -> Result<Value, RtError> {
        let (x, y) = (self.as_text(a).unwrap_or_default(), self.as_text(b).unwrap_or_default());
        self.reserve(x.len() + y.len())?;
        let mut joined = String::new();
        joined
            .try_reserve_exact(x.len() + y.len())
            .map_err(|_| RtError::memory(self.limit))?;
        joined.push_str(x);
        joined.push_str(y);
        Ok(self.text(joined))
    }

    /// The fast path of an append loop: `xs` is a view at its buffer's end
    /// and the buffer has room, so no byte count changes. `None`: take
    /// [`Heap::extend_list`].
    #[inline(always)]
    pub fn push_within(&mut self, xs: Value, items: &[Value]) -> Option<Value> {
        let Some(Slot::ListView { buf, len }) = self.slot(xs) else {
            return None;
        };
        let (buf, len) = (*buf, *len);
        match self.slots.get_mut(buf as usize) {
            Some(Slot::ListBuf(v, refs)) if v.len() == len && v.capacity() - len >= items.len() => {
                // `+=xs v`: one push, which unlike `extend_from_slice` inlines.
                match items {
                    [one] => v.push(*one),
                    _ => v.extend_from_slice(items),
                }
                *refs |= names_objects(items);
            }
            _ => return None,
        }
        Some(self.value(Slot::ListView {
            buf,
            len: len + items.len(),
        }))
    }

    /// `+=xs v` (`items` = `[v]`) and `+xs ys`: `xs`'s elements then `items`,
    /// in place when `xs` ends where its buffer ends (growing the buffer when
    /// it is full), else copied. [`Heap::push_within`] is its fast path.
    pub fn extend_list(&mut self, xs: Value, items: &[Value]) -> Result<Value, RtError> {
        let Some(old) = self.as_list(xs).map(<[Value]>::len) else {
            return Err(RtError::internal("extend_list of a non-list"));
        };
        let Some(xi) = xs.heap_index() else {
            return Err(RtError::internal("extend_list of a non-list"));
        };
        let (buf, _) = self
            .shared(xi)
            .ok_or_else(|| RtError::internal("list without storage"))?;
        let new_len = old + items.len();
        if self.buffer_len(buf) != old {
            self.reserve(new_len.saturating_mul(8))?;
            let mut out = Vec::new();
            out.try_reserve_exact(new_len)
                .map_err(|_| RtError::memory(self.limit))?;
            out.extend_from_slice(self.as_list(xs).unwrap_or_default());
            out.extend_from_slice(items);
            return Ok(self.list(out));
        }
        let cap = match &self.slots[buf as usize] {
            Slot::ListBuf(v, _) => v.capacity(),
            _ => 0,
        };
        self.reserve(Self::growth(cap, new_len, 8))?;
        let mut failed = false;
        self.grow_buffer(buf, |slot| {
            if let Slot::ListBuf(v, refs) = slot {
                failed = v.try_reserve(items.len()).is_err();
                if !failed {
                    v.extend_from_slice(items);
                    *refs |= names_objects(items);
                }
            }
        });
        if failed {
            return Err(RtError::memory(self.limit));
        }
        Ok(self.value(Slot::ListView { buf, len: new_len }))
    }

    // ---- collection ----

    /// A safe point: collects if the heap has grown enough since the last
    /// collection, with `roots` (plus the temporary roots) as what the
    /// program can still reach; then `ILO-R013` if the heap is over its limit.
    #[inline(always)]
    pub fn safepoint<I: IntoIterator<Item = Value>>(&mut self, roots: impl FnOnce() -> I) -> Result<(), RtError> {
        if self.bytes >= self.next_gc || self.stress {
            self.collect(roots());
            return self.check_limit();
        }
        Ok(())
    }

    /// Marks everything reachable from `roots` and the temporary roots,
    /// frees the rest.
    #[cold]
    #[inline(never)]
    pub fn collect(&mut self, roots: impl IntoIterator<Item = Value>) {
        self.marks.clear();
        self.marks.resize(self.slots.len().div_ceil(64), 0);
        let mut todo: Vec<u32> = Vec::new();
        let push = |v: Value, marks: &mut Vec<u64>, todo: &mut Vec<u32>| {
            if let Some(i) = v.heap_index() {
                if let Some(m) = marks.get_mut(i as usize / 64) {
                    let bit = 1u64 << (i % 64);
                    if *m & bit == 0 {
                        *m |= bit;
                        todo.push(i);
                    }
                }
            }
        };
        let own = self.temps.iter().chain(&self.literals).copied();
        for v in roots.into_iter().chain(own) {
            push(v, &mut self.marks, &mut todo);
        }
        while let Some(i) = todo.pop() {
            match &self.slots[i as usize] {
                Slot::List(items, true) | Slot::ListBuf(items, true) => {
                    for &v in items {
                        push(v, &mut self.marks, &mut todo);
                    }
                }
                Slot::Record(r) => {
                    for &v in &r.values {
                        push(v, &mut self.marks, &mut todo);
                    }
                }
                Slot::Map(m) if m.refs => {
                    for &v in m.map.values() {
                        push(v, &mut self.marks, &mut todo);
                    }
                }
                Slot::Ok(v) | Slot::Err(v) => push(*v, &mut self.marks, &mut todo),
                Slot::TextView { buf, .. } | Slot::ListView { buf, .. } => {
                    push(Value::heap(*buf), &mut self.marks, &mut todo)
                }
                Slot::Free { .. }
                | Slot::Text(_)
                | Slot::TextBuf(_)
                | Slot::Map(_)
                | Slot::List(_, false)
                | Slot::ListBuf(_, false) => {}
            }
        }
        // Sweep from the top, so the free list hands out low slots first.
        let mut freed = 0;
        for (i, slot) in self.slots.iter_mut().enumerate().rev() {
            if self.marks[i / 64] & (1 << (i % 64)) != 0 {
                if let Slot::Map(m) = slot {
                    let full = full_charge(&m.map);
                    self.bytes = self.bytes + full - m.charge;
                    m.charge = full;
                }
                continue;
            }
            if matches!(slot, Slot::Free { .. }) {
                continue;
            }
            self.bytes -= SLOT_BYTES + payload(slot);
            freed += 1;
            *slot = if self.stress {
                HOLE
            } else {
                let next = std::mem::replace(&mut self.free, i as u32);
                Slot::Free { next }
            };
        }
        self.live -= freed;
        self.stats.freed += freed;
        self.stats.collections += 1;
        // Never above the limit: passing it must reach a collection, which
        // then reports ILO-R013 if the live data is still over.
        self.next_gc = (self.bytes + (self.bytes / 2).max(MIN_GC_BYTES)).min(self.limit);
    }

    // ---- temporary roots ----

    /// Keeps `v` alive until `temps` is truncated below it.
    #[inline(always)]
    pub fn root(&mut self, v: Value) {
        if v.heap_index().is_some() {
            self.temps.push(v);
        }
    }

    pub fn root_all(&mut self, vs: &[Value]) {
        for &v in vs {
            self.root(v);
        }
    }

    /// Starts a higher-order builtin's scope: `args` and every allocation
    /// until [`Heap::unpin_scope`] stay alive. Returns what to hand back.
    pub fn pin_scope(&mut self, args: &[Value]) -> (usize, bool) {
        let mark = self.temps.len();
        self.temps.extend_from_slice(args);
        (mark, std::mem::replace(&mut self.pinning, true))
    }

    pub fn unpin_scope(&mut self, (mark, pinning): (usize, bool)) {
        self.temps.truncate(mark);
        self.pinning = pinning;
    }

    /// Runs a callback of a higher-order builtin: the callback's own
    /// allocations are not pinned (its engine roots them), its arguments and
    /// result are.
    pub fn callback<T>(&mut self, args: &[Value], run: impl FnOnce(&mut Heap) -> Result<Value, T>) -> Result<Value, T> {
        self.temps.extend_from_slice(args);
        let pinning = std::mem::replace(&mut self.pinning, false);
        let r = run(self);
        self.pinning = pinning;
        if let Ok(v) = &r {
            self.temps.push(*v);
        }
        r
    }

    /// Objects alive (values, views and buffers).
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
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
        assert_eq!(h.get(ok), Some(Obj::Ok(l)));
        assert_eq!(h.as_text(l), None);
        assert_eq!(h.as_list(Value::num(3.0)), None);
        assert_eq!(h.len(), 3);
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

    #[test]
    fn a_collection_keeps_what_roots_reach_and_frees_the_rest() {
        let mut h = Heap::default();
        let kept_text = h.text("kept");
        let inner = h.list(vec![kept_text]);
        let root = h.ok(inner);
        let dropped = h.text("dropped");
        let dropped_list = h.list(vec![dropped]);
        h.collect([root, Value::num(1.0)]);
        assert_eq!(h.len(), 3);
        assert_eq!(h.stats().freed, 2);
        assert_eq!(h.as_text(kept_text), Some("kept"));
        assert_eq!(h.as_list(dropped_list), None);
        // With no roots at all, nothing is left and the bytes are back to 0.
        h.collect([]);
        assert!(h.is_empty());
        assert_eq!(h.bytes(), 0);
    }

    #[test]
    fn appends_grow_in_place_and_old_values_never_change() {
        let mut h = Heap::default();
        let empty = h.list(vec![]);
        let one = h.extend_list(empty, &[Value::num(1.0)]).unwrap();
        let two = h.extend_list(one, &[Value::num(2.0)]).unwrap();
        // `one` is no longer at its buffer's end: extending it again copies.
        let other = h.extend_list(one, &[Value::num(9.0)]).unwrap();
        assert_eq!(h.as_list(empty), Some(&[][..]));
        assert_eq!(h.as_list(one), Some(&[Value::num(1.0)][..]));
        assert_eq!(h.as_list(two), Some(&[Value::num(1.0), Value::num(2.0)][..]));
        assert_eq!(h.as_list(other), Some(&[Value::num(1.0), Value::num(9.0)][..]));
        // In place: `two` shares `one`'s buffer (one buffer slot, three views, one copy).
        assert_eq!(h.len(), 5);
    }

    /// Texts longer than [`SMALL_TEXT`], so concatenation takes the
    /// buffer-and-view path.
    fn long(c: char) -> String {
        c.to_string().repeat(SMALL_TEXT)
    }

    #[test]
    fn text_concat_grows_in_place_including_with_itself() {
        let mut h = Heap::default();
        let (x, y) = (long('a'), long('b'));
        let a = h.text(x.as_str());
        let b = h.text(y.as_str());
        let ab = h.concat_text(a, b).unwrap();
        // In place: `a` became a view of a new buffer, `ab` a longer view.
        assert!(matches!(h.slot(ab), Some(Slot::TextView { .. })), "{:?}", h.slot(ab));
        let twice = h.concat_text(ab, ab).unwrap();
        // `a` is no longer at its buffer's end: this one copies.
        let again = h.concat_text(a, a).unwrap();
        assert!(matches!(h.slot(again), Some(Slot::Text(_))), "{:?}", h.slot(again));
        assert_eq!(h.as_text(a), Some(x.as_str()));
        assert_eq!(h.as_text(ab), Some(format!("{x}{y}").as_str()));
        assert_eq!(h.as_text(twice), Some(format!("{x}{y}{x}{y}").as_str()));
        assert_eq!(h.as_text(again), Some(format!("{x}{x}").as_str()));
        // Short texts copy: no buffer, no view.
        let (p, q) = (h.text("ab"), h.text("cd"));
        let pq = h.concat_text(p, q).unwrap();
        assert!(matches!(h.slot(pq), Some(Slot::Text(_))), "{:?}", h.slot(pq));
        assert_eq!(h.as_text(pq), Some("abcd"));
    }

    #[test]
    fn views_keep_their_buffer_alive() {
        let mut h = Heap::default();
        let (x, y) = (long('x'), long('y'));
        let a = h.text(x.as_str());
        let b = h.text(y.as_str());
        let ab = h.concat_text(a, b).unwrap();
        h.collect([ab]);
        // The view and its buffer survive; `a` (now a view too) and `b` do not.
        assert_eq!(h.len(), 2);
        assert_eq!(h.as_text(ab), Some(format!("{x}{y}").as_str()));
        h.collect([]);
        assert!(h.is_empty());
        assert_eq!(h.bytes(), 0);
    }

    #[test]
    fn passing_the_limit_without_growth_is_caught_at_the_next_safe_point() {
        let mut h = Heap::default();
        h.set_limit(MIN_GC_BYTES * 4);
        let mut kept = Vec::new();
        let err = loop {
            kept.push(h.text("a small text, kept alive"));
            if let Err(e) = h.safepoint(|| kept.clone()) {
                break e;
            }
            assert!(kept.len() < 1_000_000, "the limit was never reported");
        };
        assert_eq!(err.code, crate::codes::runtime::MEMORY);
        // Caught within one allocation of the limit, not at some later threshold.
        assert!(h.bytes() <= MIN_GC_BYTES * 4 + 2 * SLOT_BYTES + 64, "{}", h.bytes());
    }

    #[test]
    fn growth_past_the_limit_is_an_error_not_an_abort() {
        let mut h = Heap::default();
        h.set_limit(1 << 16);
        let mut s = h.text("0123456789abcdef");
        let err = loop {
            match h.concat_text(s, s) {
                Ok(t) => s = t,
                Err(e) => break e,
            }
        };
        assert_eq!(err.code, crate::codes::runtime::MEMORY);
        assert!(h.bytes() <= 1 << 16);
    }

    #[test]
    fn pinned_scopes_root_a_builtins_objects() {
        let mut h = Heap::default();
        let arg = h.text("arg");
        let scope = h.pin_scope(&[arg]);
        let made = h.text("made by the builtin");
        let from_callback = h.callback(&[], |h| Ok::<_, ()>(h.text("callback result"))).unwrap();
        h.collect([]);
        assert_eq!(h.as_text(arg), Some("arg"));
        assert_eq!(h.as_text(made), Some("made by the builtin"));
        assert_eq!(h.as_text(from_callback), Some("callback result"));
        h.unpin_scope(scope);
        h.collect([]);
        assert!(h.is_empty());
    }
}
