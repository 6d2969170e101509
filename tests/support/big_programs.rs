//! Generated big programs: one function of many statements that binds more
//! locals than the register VM's 256 registers hold, with every kind of
//! binding (numbers, texts, lists, records destructured, function values,
//! booleans, variables bound inside loops, match pattern names). Shared by
//! the big-function tests (`tests/big_functions.rs`) and the big-program
//! benchmark (`benches/big_program.rs`).

/// A program whose function `big x:n>n` has `units` statements (a few more
/// for loops and matches), deterministic in `seed`.
pub fn program(units: usize, seed: u64) -> String {
    let mut g = Gen {
        state: seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1,
        nums: vec!["x".to_string()],
        texts: Vec::new(),
        lists: Vec::new(),
        out: String::new(),
    };
    g.out.push_str("type pt{px:n;py:n}\ndbl x:n>n;*x 2\nbig x:n>n\n");
    g.line("t0=\"s\"");
    g.texts.push("t0".into());
    g.line("l0=[1 2]");
    g.lists.push("l0".into());
    for k in 1..=units {
        g.unit(k);
    }
    // The result reads a spread of the locals, early and late.
    let picks: Vec<String> = (0..8).map(|_| g.num()).collect();
    let t = g.pick_text();
    let l = g.pick_list();
    g.line(&format!(
        "s=+{} +{} +{} +{} +{} +{} +{} {}",
        picks[0], picks[1], picks[2], picks[3], picks[4], picks[5], picks[6], picks[7]
    ));
    g.line(&format!("nt=len {t}"));
    g.line(&format!("nl=len {l}"));
    g.line("+s +nt nl");
    g.out
}

/// How many units make a program of at least `bytes` bytes.
pub fn units_for_bytes(bytes: usize) -> usize {
    let per_unit = program(1000, 1).len() / 1000;
    bytes / per_unit.max(1) + 1
}

struct Gen {
    state: u64,
    /// Locals holding numbers (below 1000, so sums stay exact).
    nums: Vec<String>,
    texts: Vec<String>,
    lists: Vec<String>,
    out: String,
}

impl Gen {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 16
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick(&mut self, from: &[String]) -> String {
        // Half the reads go to recent locals, half anywhere.
        let n = from.len();
        let i = if self.below(2) == 0 {
            n - 1 - self.below(n.min(16))
        } else {
            self.below(n)
        };
        from[i].clone()
    }

    fn num(&mut self) -> String {
        let nums = std::mem::take(&mut self.nums);
        let v = self.pick(&nums);
        self.nums = nums;
        v
    }

    fn pick_text(&mut self) -> String {
        let texts = std::mem::take(&mut self.texts);
        let v = self.pick(&texts);
        self.texts = texts;
        v
    }

    fn pick_list(&mut self) -> String {
        let lists = std::mem::take(&mut self.lists);
        let v = self.pick(&lists);
        self.lists = lists;
        v
    }

    fn line(&mut self, s: &str) {
        self.out.push_str("  ");
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn unit(&mut self, k: usize) {
        let a = self.num();
        let b = self.num();
        match self.below(12) {
            0..=3 => {
                // No `-`: every number stays in 0..2000, so no guard is taken.
                let op = ["+", "*"][self.below(2)];
                self.line(&format!("v{k}=mod {op}{a} {b} 1000"));
                self.nums.push(format!("v{k}"));
            }
            4 => {
                let t = self.pick_text();
                self.line(&format!("s{k}=str {a}"));
                self.line(&format!("t{k}=+{t} s{k}"));
                if self.below(4) == 0 {
                    // Keep texts short: restart from a fresh one now and then.
                    self.line(&format!("t{k}=str {a}"));
                }
                self.texts.push(format!("t{k}"));
            }
            5 => {
                let l = self.pick_list();
                self.line(&format!("l{k}=+={l} {a}"));
                if self.below(4) == 0 {
                    self.line(&format!("l{k}=[{a} {b}]"));
                }
                self.lists.push(format!("l{k}"));
            }
            6 => {
                // A variable the loop body rebinds: late, read after the loop.
                self.line(&format!("a{k}=0"));
                self.line(&format!("@i 0..3{{a{k}=mod +a{k} +i {a} 1000}}"));
                self.nums.push(format!("a{k}"));
            }
            7 => {
                // A pattern name scoped to its arm; the match's value is dropped.
                self.line(&format!("m{k}={a}"));
                self.line(&format!("?m{k}{{0:1;_:+m{k} 1}}"));
                self.nums.push(format!("m{k}"));
            }
            8 => {
                self.line(&format!("{{px;py}}=pt px:{a} py:{b}"));
                self.line(&format!("d{k}=mod +px py 1000"));
                self.nums.push(format!("d{k}"));
            }
            9 => {
                // A local holding a function value, called through the local.
                self.line(&format!("g{k}=dbl"));
                self.line(&format!("c{k}=g{k} {a}"));
                self.nums.push(format!("c{k}"));
            }
            10 => {
                // A boolean local used as a guard (never taken: nothing is negative).
                self.line(&format!("b{k}=<{a} 0"));
                self.line(&format!("b{k} 7"));
            }
            _ => {
                // A branch that binds a late variable, read under the same test.
                self.line(&format!(">{a} 500{{w{k}=+{a} 1}}"));
                self.line(&format!("e{k}=?>{a} 500 w{k} {b}"));
                self.nums.push(format!("e{k}"));
            }
        }
    }
}
