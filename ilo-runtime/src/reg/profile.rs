//! `ilo --profile-ops`: how often each register-VM opcode and each adjacent
//! pair of opcodes runs, the evidence for which superinstructions to add to
//! the table. The dispatch loop is generated twice (`run_loop::<true>` and
//! `::<false>`): counting costs nothing in an ordinary run.

use std::fmt::Write;

use crate::isa::RegOp;

/// Opcode and pair counts of one run.
pub struct OpProfile {
    singles: Vec<u64>,
    /// `pairs[first * 256 + second]`.
    pairs: Vec<u64>,
    prev: Option<u8>,
}

impl Default for OpProfile {
    fn default() -> Self {
        OpProfile {
            singles: vec![0; 256],
            pairs: vec![0; 256 * 256],
            prev: None,
        }
    }
}

impl OpProfile {
    /// Counts one dispatched opcode, and the pair it ends. A call, a return
    /// or a jump does not break a pair: what runs next in time is what a
    /// fused instruction would have to cover.
    #[inline]
    pub fn record(&mut self, op: u8) {
        self.singles[op as usize] += 1;
        if let Some(p) = self.prev {
            self.pairs[p as usize * 256 + op as usize] += 1;
        }
        self.prev = Some(op);
    }

    /// Instructions dispatched in all.
    pub fn total(&self) -> u64 {
        self.singles.iter().sum()
    }

    /// The `n` most frequent opcodes, most frequent first (ties by name).
    pub fn top_ops(&self, n: usize) -> Vec<(RegOp, u64)> {
        let mut v: Vec<(RegOp, u64)> = RegOp::ALL
            .iter()
            .map(|&op| (op, self.singles[op as usize]))
            .filter(|&(_, c)| c > 0)
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.name().cmp(b.0.name())));
        v.truncate(n);
        v
    }

    /// The `n` most frequent adjacent pairs, most frequent first.
    pub fn top_pairs(&self, n: usize) -> Vec<(RegOp, RegOp, u64)> {
        let mut v = Vec::new();
        for &a in &RegOp::ALL {
            for &b in &RegOp::ALL {
                let c = self.pairs[a as usize * 256 + b as usize];
                if c > 0 {
                    v.push((a, b, c));
                }
            }
        }
        v.sort_by(|x, y| {
            y.2.cmp(&x.2)
                .then((x.0.name(), x.1.name()).cmp(&(y.0.name(), y.1.name())))
        });
        v.truncate(n);
        v
    }

    /// A table of the `n` most frequent opcodes and pairs, with their share
    /// of all dispatches.
    pub fn report(&self, n: usize) -> String {
        let total = self.total().max(1);
        let share = |c: u64| 100.0 * c as f64 / total as f64;
        let mut s = format!(
            "{} instructions dispatched\n\nopcode              count      share\n",
            self.total()
        );
        for (op, c) in self.top_ops(n) {
            let _ = writeln!(s, "{:<16} {:>10}   {:>6.2}%", op.name(), c, share(c));
        }
        s += "\npair                          count      share\n";
        for (a, b, c) in self.top_pairs(n) {
            let pair = format!("{} -> {}", a.name(), b.name());
            let _ = writeln!(s, "{pair:<26} {c:>10}   {:>6.2}%", share(c));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_follow_dispatch_order() {
        let mut p = OpProfile::default();
        for op in [RegOp::LOADK, RegOp::ADD_NN, RegOp::LOADK, RegOp::ADD_NN, RegOp::RET] {
            p.record(op as u8);
        }
        assert_eq!(p.total(), 5);
        assert_eq!(p.top_ops(1), vec![(RegOp::ADD_NN, 2)]);
        assert_eq!(p.top_pairs(1), vec![(RegOp::LOADK, RegOp::ADD_NN, 2)]);
        let r = p.report(3);
        assert!(r.contains("LOADK -> ADD_NN"), "{r}");
        assert!(r.contains("40.00%"), "{r}");
    }
}
