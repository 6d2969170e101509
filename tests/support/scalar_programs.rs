//! Random programs of numbers and booleans, the kind the JITs compile:
//! arithmetic, compares, `&`, `|`, `!`, guards, early returns, ternaries
//! (prefix and statement), `wh` loops, `@i a..b` ranges, `brk`, `cnt`, calls
//! of leaf and non-leaf functions, a predicate returning `b`, recursion
//! (which may run into the depth limit), and calls of a function no JIT
//! takes, which compiled code makes through a trampoline into the register
//! VM where this machine allows (it may fail: `mod 7 0`). Each defines `f a:n b:n>n`. Made
//! from a seed, so a failing case prints the program to rerun.
//!
//! Every variable is bound before any branch or loop, so no read needs the
//! "bound on a path that did not run" check, which stays on the VM.

/// A small deterministic generator (xorshift64*).
struct Gen {
    state: u64,
    /// Variables `f` may read and write.
    vars: Vec<String>,
    /// Loop variables in scope (read only).
    loop_vars: Vec<String>,
    /// Counters of `wh` loops still free to use.
    next_counter: usize,
}

impl Gen {
    fn below(&mut self, n: usize) -> usize {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        (self.state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n.max(1)
    }

    fn literal(&mut self) -> String {
        const LITERALS: [&str; 9] = ["0", "1", "2", "3", "0.5", "-1", "10", "100", "-2.5"];
        LITERALS[self.below(LITERALS.len())].to_string()
    }

    fn var(&mut self) -> String {
        let n = self.vars.len() + self.loop_vars.len();
        let i = self.below(n);
        self.vars
            .get(i)
            .or_else(|| self.loop_vars.get(i - self.vars.len()))
            .cloned()
            .unwrap_or_else(|| "a".into())
    }

    /// A variable the program may assign.
    fn writable(&mut self) -> String {
        let i = self.below(self.vars.len());
        self.vars[i].clone()
    }

    /// A number.
    fn num(&mut self, depth: usize) -> String {
        let choice = if depth == 0 { self.below(2) } else { self.below(9) };
        match choice {
            0 => self.var(),
            1 => self.literal(),
            2..=4 => {
                let op = ["+", "-", "*", "/"][self.below(4)];
                format!("({op} {} {})", self.num(depth - 1), self.num(depth - 1))
            }
            5 => format!("(h {})", self.num(depth - 1)),
            6 => format!("(g {})", self.num(depth - 1)),
            7 if self.below(3) == 0 => format!("(m {})", self.num(depth - 1)),
            7 => format!("(r {})", self.num(depth - 1)),
            _ => format!(
                "(? {} {} {})",
                self.cond(depth - 1),
                self.num(depth - 1),
                self.num(depth - 1)
            ),
        }
    }

    /// A boolean.
    fn cond(&mut self, depth: usize) -> String {
        let choice = if depth == 0 { 0 } else { self.below(6) };
        match choice {
            0 | 1 => {
                let op = ["<", ">", "<=", ">=", "=", "!="][self.below(6)];
                format!(
                    "({op} {} {})",
                    self.num(depth.saturating_sub(1)),
                    self.num(depth.saturating_sub(1))
                )
            }
            2 => format!("(& {} {})", self.cond(depth - 1), self.cond(depth - 1)),
            3 => format!("(| {} {})", self.cond(depth - 1), self.cond(depth - 1)),
            4 => format!("(! {})", self.cond(depth - 1)),
            _ => format!("(p {})", self.num(depth - 1)),
        }
    }

    /// Statements; `in_loop` allows `brk` and `cnt`.
    fn stmts(&mut self, n: usize, nest: usize, in_loop: bool) -> Vec<String> {
        (0..n).map(|_| self.stmt(nest, in_loop)).collect()
    }

    fn stmt(&mut self, nest: usize, in_loop: bool) -> String {
        // 0-3 assignments and branches, 4-5 loops (while nesting is left),
        // 6-7 `brk` and `cnt` (inside a loop).
        let mut kinds: Vec<usize> = (0..4).collect();
        if nest > 0 {
            kinds.extend([4, 5]);
        }
        if in_loop {
            kinds.extend([6, 7]);
        }
        let v = self.writable();
        match kinds[self.below(kinds.len())] {
            0 | 1 => format!("{v}={}", self.num(2)),
            2 => format!("{}{{{v}={}}}", self.cond(2), self.num(2)),
            3 => {
                let w = self.writable();
                match self.below(2) {
                    0 => format!("{}{{ret {}}}", self.cond(2), self.num(2)),
                    _ => format!("{}{{{v}={}}}{{{w}={}}}", self.cond(1), self.num(2), self.num(2)),
                }
            }
            4 if self.next_counter < 4 => {
                let i = format!("i{}", self.next_counter);
                self.next_counter += 1;
                let n = 1 + self.below(6);
                let count = 1 + self.below(3);
                let body = self.stmts(count, nest - 1, true).join(";");
                format!("{i}=0;wh <{i} {n}{{{i}=+{i} 1;{body}}}")
            }
            4 | 5 => {
                let j = format!("j{}", self.loop_vars.len());
                let n = self.below(7);
                self.loop_vars.push(j.clone());
                let count = 1 + self.below(3);
                let body = self.stmts(count, nest - 1, true).join(";");
                self.loop_vars.pop();
                format!("@{j} 0..{n}{{{body}}}")
            }
            6 => format!("{}{{brk}}", self.cond(1)),
            _ => format!("{}{{cnt}}", self.cond(1)),
        }
    }
}

/// The program made from `seed`.
pub fn program(seed: u64) -> String {
    let mut g = Gen {
        state: seed | 1,
        vars: vec!["a".into(), "b".into(), "v0".into(), "v1".into()],
        loop_vars: Vec::new(),
        next_counter: 0,
    };
    let k = g.literal();
    let m = g.literal();
    let helpers = format!(
        // A leaf (inlined), one calling it, a predicate, recursion, and one
        // no JIT takes (a builtin that may fail: `mod 7 0`), which compiled
        // code calls on the register VM.
        "h x:n>n;>x {k}{{ret *x -1}};+x {m}\n\
         m x:n>n;s=str x;+(len s) (mod 7 x)\n\
         g x:n>n;y=h x;z=h +x 1;*y z\n\
         p x:n>b;&(>x {k}) (<x 50)\n\
         r n:n>n;<=n 0 0;y=r -n 1;+y 1\n"
    );
    let count = 2 + g.below(5);
    let body = g.stmts(count, 2, false).join(";");
    let result = g.num(2);
    // Counters bound up front, with the other variables.
    let counters: String = (0..4).map(|i| format!("i{i}=0;")).collect();
    format!(
        "{helpers}f a:n b:n>n;v0={};v1={};{counters}{body};{result}\n",
        g.literal(),
        g.literal()
    )
}

/// Arguments `f` is called with.
pub const ARGS: &[[f64; 2]] = &[[0.0, 1.0], [3.0, -2.5], [7.0, 7.0], [-1.0, 100.0], [0.5, 12.0]];
