//! The bytecode VMs' cursor: where execution is in the running function.
//! Both VMs fetch, decode and branch through the same three fields (the
//! generated dispatch loops read `code`, `consts` and `pc`); what locates
//! the running frame in the VM's own storage differs, and is `frame`.

use crate::value::Value;

#[derive(Clone, Copy)]
pub struct Cursor<'p, F> {
    pub code: &'p [u32],
    pub consts: &'p [Value],
    pub pc: usize,
    /// Where the running frame's values are (register window, stack base).
    pub frame: F,
}

impl<'p, F> Cursor<'p, F> {
    /// At the first instruction of a function with `code` and `consts`.
    #[inline(always)]
    pub fn start(code: &'p [u32], consts: &'p [Value], frame: F) -> Cursor<'p, F> {
        Cursor {
            code,
            consts,
            pc: 0,
            frame,
        }
    }

    /// Moves the pc by `offset`; a bad offset wraps to a pc past the end,
    /// which the dispatch loop reports.
    #[inline(always)]
    pub fn jump(&mut self, offset: isize) {
        self.pc = (self.pc as isize).wrapping_add(offset) as usize;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_starts_at_zero_and_jumps_both_ways() {
        let code = [1, 2, 3];
        let mut cur = Cursor::start(&code, &[], 7u8);
        assert_eq!((cur.pc, cur.frame), (0, 7));
        cur.jump(2);
        assert_eq!(cur.pc, 2);
        cur.jump(-1);
        assert_eq!(cur.pc, 1);
        cur.jump(-5);
        assert!(cur.code.get(cur.pc).is_none(), "a bad jump runs off the end");
    }
}
