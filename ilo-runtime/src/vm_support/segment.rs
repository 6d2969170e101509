//! Stack segments, the one home of what every engine that recurses natively
//! does when its thread's stack runs low (the tree interpreter on each call,
//! both VMs on each higher-order builtin's call back): it measures its own
//! stack use and moves on to a fresh thread with a large stack, so deep
//! recursion ends at the depth limit (ILO-R006), never in a crashed process.

/// Stack an engine that recurses natively may use on the caller's thread
/// before it moves the recursion to a fresh segment (test threads have
/// 2 MiB in all).
pub const FIRST_SEGMENT_BUDGET: usize = 512 * 1024;
/// Size of each further stack segment.
pub const SEGMENT_SIZE: usize = 256 * 1024 * 1024;
/// What a segment keeps in reserve for the work between two checks.
pub const SEGMENT_MARGIN: usize = 16 * 1024 * 1024;

/// The address of the stack: how far recursion has gone.
#[inline(always)]
fn stack_pos() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// How much native stack recursion has used since a point, against a budget:
/// when it is spent, the engine continues on a new thread with a
/// [`SEGMENT_SIZE`] stack, so deep recursion ends at the depth limit, never
/// in a crashed process.
#[derive(Clone, Copy, Debug)]
pub struct StackGuard {
    base: usize,
    budget: usize,
}

impl StackGuard {
    pub fn here(budget: usize) -> StackGuard {
        StackGuard {
            base: stack_pos(),
            budget,
        }
    }

    pub fn exhausted(&self) -> bool {
        self.base.abs_diff(stack_pos()) > self.budget
    }
}

/// Runs `run` on a fresh thread with a [`SEGMENT_SIZE`] stack while this one
/// waits, handing it the guard for the new segment. The caller keeps its own
/// guard and restores it afterwards.
#[cold]
#[inline(never)]
pub fn on_new_segment<T: Send>(
    thread_name: &str,
    run: impl FnOnce(StackGuard) -> Result<T, crate::error::RtError> + Send,
) -> Result<T, crate::error::RtError> {
    use crate::codes::runtime;
    use crate::error::RtError;
    match on_stack(thread_name, SEGMENT_SIZE, || {
        run(StackGuard::here(SEGMENT_SIZE - SEGMENT_MARGIN))
    }) {
        Ok(r) => r,
        Err(StackFault::Panicked) => Err(RtError::internal(format!("the {thread_name} stack segment panicked"))),
        Err(StackFault::Spawn(e)) => Err(RtError::new(
            runtime::DEPTH,
            format!("recursion too deep: cannot grow the stack ({e})"),
        )),
    }
}

/// Why [`on_stack`] gave no result.
#[derive(Debug)]
pub enum StackFault {
    /// No thread with that stack could be made.
    Spawn(std::io::Error),
    Panicked,
}

/// Runs `run` on a fresh thread named `thread_name` with a `size`-byte
/// stack while this one waits: the one place a new stack is made, for the
/// recursing engines' segments and for JIT-compiled code's stack.
pub fn on_stack<T: Send>(thread_name: &str, size: usize, run: impl FnOnce() -> T + Send) -> Result<T, StackFault> {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name(thread_name.into())
            .stack_size(size)
            .spawn_scoped(scope, run)
            .map_err(StackFault::Spawn)?;
        handle.join().map_err(|_| StackFault::Panicked)
    })
}

/// An engine's run state that carries the [`StackGuard`] of the segment it
/// is running on.
pub trait Segmented: Send {
    fn guard(&mut self) -> &mut StackGuard;
}

/// Runs `run` on `state`, here while this segment has stack to spare,
/// otherwise on a new segment (this thread waits) whose guard `state`
/// carries until `run` returns. Every engine recurses through this.
#[inline(always)]
pub fn recurse<S: Segmented, T: Send>(
    state: &mut S,
    thread_name: &str,
    run: impl FnOnce(&mut S) -> Result<T, crate::error::RtError> + Send,
) -> Result<T, crate::error::RtError> {
    if state.guard().exhausted() {
        return recurse_on_new_segment(state, thread_name, run);
    }
    run(state)
}

#[cold]
#[inline(never)]
fn recurse_on_new_segment<S: Segmented, T: Send>(
    state: &mut S,
    thread_name: &str,
    run: impl FnOnce(&mut S) -> Result<T, crate::error::RtError> + Send,
) -> Result<T, crate::error::RtError> {
    let saved = *state.guard();
    let r = on_new_segment(thread_name, |guard| {
        *state.guard() = guard;
        run(state)
    });
    *state.guard() = saved;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Probe {
        guard: StackGuard,
        threads: Vec<String>,
    }

    impl Segmented for Probe {
        fn guard(&mut self) -> &mut StackGuard {
            &mut self.guard
        }
    }

    fn thread_name() -> String {
        std::thread::current().name().unwrap_or("").to_string()
    }

    #[test]
    fn on_stack_runs_on_a_named_thread_and_reports_a_panic() {
        let r = on_stack("ilo-probe", 1 << 20, thread_name);
        assert_eq!(r.ok().as_deref(), Some("ilo-probe"));
        // Prints the panic; the caller gets a fault, not a crash.
        let r = on_stack("ilo-probe", 1 << 20, || panic!("expected in this test"));
        assert!(matches!(r, Err(StackFault::Panicked)));
    }

    #[test]
    fn recurse_stays_on_this_thread_while_the_budget_lasts() {
        let mut p = Probe {
            guard: StackGuard::here(FIRST_SEGMENT_BUDGET),
            threads: Vec::new(),
        };
        let here = thread_name();
        let r = recurse(&mut p, "ilo-probe", |p| {
            p.threads.push(thread_name());
            Ok(1)
        });
        assert_eq!(r.unwrap(), 1);
        assert_eq!(p.threads, vec![here]);
    }

    #[test]
    fn recurse_moves_to_a_new_segment_when_spent_and_restores_the_guard() {
        // A budget of zero is spent by the first frame below `here`.
        fn deeper(p: &mut Probe) -> Result<usize, crate::error::RtError> {
            recurse(p, "ilo-probe", |p| {
                p.threads.push(thread_name());
                Ok(p.guard.budget)
            })
        }
        let mut p = Probe {
            guard: StackGuard { base: 0, budget: 0 },
            threads: Vec::new(),
        };
        let budget = deeper(&mut p).unwrap();
        assert_eq!(budget, SEGMENT_SIZE - SEGMENT_MARGIN);
        assert_eq!(p.threads, vec!["ilo-probe".to_string()]);
        assert_eq!(p.guard.budget, 0, "the caller's guard comes back");
    }
}
