//! The run limits for code the JIT takes today. Compiled code is straight
//! line (no branch, loop or recursion: see `call_unit`), so how many calls
//! one run makes and how deep they nest are fixed by the program text. The
//! engine computes both before running natively, and leaves a run that
//! would pass `--max-steps` or the depth limit to the register VM, which
//! stops it with the same `ILO-R` error every other engine gives.

use super::{call_unit, static_calls};
use crate::error::Limits;
use crate::reg::RegFunc;

/// Function entries (steps) and the deepest nesting of one call of a
/// function, saturating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallCost {
    pub steps: u64,
    pub depth: u64,
}

/// The cost of one call of `root`, or `None` if the JIT cannot take it.
pub fn call_cost(funcs: &[RegFunc], root: usize) -> Option<CallCost> {
    // Rejects recursion, so the calls form a DAG.
    call_unit(funcs, root).ok()?;
    let mut memo: Vec<Option<CallCost>> = vec![None; funcs.len()];
    // Post-order without recursion (a chain may be thousands of calls
    // long): a function is costed once all it calls is.
    let mut todo = vec![(root, false)];
    while let Some((i, callees_done)) = todo.pop() {
        if memo.get(i).copied().flatten().is_some() {
            continue;
        }
        let calls = static_calls(funcs.get(i)?, true);
        if !callees_done {
            todo.push((i, true));
            todo.extend(calls.iter().map(|&c| (c, false)));
            continue;
        }
        let mut cost = CallCost { steps: 1, depth: 1 };
        for callee in calls {
            let c = memo.get(callee).copied().flatten()?;
            cost.steps = cost.steps.saturating_add(c.steps);
            cost.depth = cost.depth.max(c.depth.saturating_add(1));
        }
        memo[i] = Some(cost);
    }
    memo.get(root).copied().flatten()
}

/// Why a call of `root` must run on the register VM under `limits`, if it must.
pub fn exceeds(funcs: &[RegFunc], root: usize, limits: &Limits) -> Option<String> {
    let cost = call_cost(funcs, root)?;
    if cost.depth > limits.max_depth as u64 {
        return Some(format!(
            "its calls nest {} deep, past the depth limit {}",
            cost.depth, limits.max_depth
        ));
    }
    match limits.max_steps {
        Some(max) if cost.steps > max => Some(format!("it takes {} steps, past --max-steps {max}", cost.steps)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::front::check;
    use crate::reg::compile;

    fn cost(src: &str, func: &str) -> CallCost {
        let prog = compile(&check(src).expect("valid")).expect("compiles");
        let root = prog.func_index(func).expect("function") as usize;
        call_cost(&prog.funcs, root).expect("the JIT takes it")
    }

    #[test]
    fn steps_count_every_entry_and_depth_the_deepest_chain() {
        assert_eq!(cost("f x:n>n;*x 2", "f"), CallCost { steps: 1, depth: 1 });
        // f calls g twice, g calls h: 1 + 2 * (1 + 1) entries, 3 deep; a
        // callee reached by two paths (h from f and from g) is costed once.
        let src = "h x:n>n;+x 1\ng x:n>n;h x\nf x:n>n;a=g x;b=g a;c=h b;+c 1";
        assert_eq!(cost(src, "f"), CallCost { steps: 6, depth: 3 });
    }

    #[test]
    fn a_run_past_a_limit_is_left_to_the_register_vm() {
        let prog = compile(&check("g x:n>n;*x 2\nh x:n>n;g x\nf x:n>n;h x").expect("valid")).expect("compiles");
        let root = prog.func_index("f").expect("f") as usize;
        let mut limits = Limits::default();
        assert_eq!(exceeds(&prog.funcs, root, &limits), None);
        limits.max_steps = Some(2);
        assert!(exceeds(&prog.funcs, root, &limits).is_some_and(|w| w.contains("3 steps")));
        limits.max_steps = Some(3);
        assert_eq!(exceeds(&prog.funcs, root, &limits), None);
        limits.max_depth = 2;
        assert!(exceeds(&prog.funcs, root, &limits).is_some_and(|w| w.contains("3 deep")));
    }
}
